package main

// The upgrade case (issue 17): Flux v0.8.1 as the reference installed it,
// with 1,000 GitRepositories and Kustomizations at v1beta1 across 50
// namespaces, upgraded by a plain 'bootstrap --github-account'. Bar: at
// most twice a fresh bootstrap plus one request per object (the median
// latency of one GET of a Flux object on the same cluster, times the
// objects). The upgrade's envtest test proves it reads each kind in full
// once and writes each object at most once; this times it.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/oldflux"
)

const (
	upgradeTeams   = 50
	upgradePerTeam = 10 // pairs: 20 objects a namespace, 1,000 in all
)

type upgradeSample struct {
	fresh, upgrade, request time.Duration
	objects                 int
	freshExit, upgradeExit  int
}

func benchUpgrade(binary string, runs int) error {
	binary, err := filepath.Abs(binary)
	if err != nil {
		return err
	}
	syncArgs := []string{"bootstrap", "--github-account", "contoso", "--timeout=5m"}
	ctx := context.Background()
	var samples []upgradeSample
	for i := 1; i <= runs; i++ {
		var s upgradeSample
		fmt.Fprintf(os.Stderr, "► run %d/%d: bootstrap on a fresh cluster\n", i, runs)
		err := onFreshCluster(ctx, func(kubeconfig string) error {
			stop, err := simulateSync(kubeconfig)
			if err != nil {
				return err
			}
			defer stop()
			var out []byte
			s.fresh, s.freshExit, out = timed(command(binary, kubeconfig, syncArgs...))
			if s.freshExit != 0 {
				fmt.Fprintf(os.Stderr, "⚠ fresh bootstrap exited %d:\n%s", s.freshExit, out)
			}
			return nil
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "► run %d/%d: Flux v0.8.1 with %d v1beta1 objects in %d namespaces, upgraded by bootstrap\n", i, runs, 2*upgradeTeams*upgradePerTeam, upgradeTeams)
		err = onFreshCluster(ctx, func(kubeconfig string) error {
			var err error
			if s.objects, err = installOld(ctx, kubeconfig); err != nil {
				return err
			}
			stop, err := simulateSync(kubeconfig)
			if err != nil {
				return err
			}
			defer stop()
			var out []byte
			s.upgrade, s.upgradeExit, out = timed(command(binary, kubeconfig, syncArgs...))
			want := fmt.Sprintf("%d of %d Flux objects kept", s.objects, s.objects)
			if s.upgradeExit != 0 || !bytes.Contains(out, []byte(want)) || os.Getenv("VERBOSE") != "" {
				fmt.Fprintf(os.Stderr, "⚠ upgrade exited %d (want 0 and %q):\n%s", s.upgradeExit, want, out)
			}
			s.request, err = oneRequest(ctx, kubeconfig)
			return err
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "  fresh %s (exit %d), upgrade of %d objects %s (exit %d), one request %s\n", round(s.fresh), s.freshExit, s.objects, round(s.upgrade), s.upgradeExit, s.request)
		samples = append(samples, s)
	}
	var fresh, upgrade, request []time.Duration
	exits := map[string][]int{}
	objects := 0
	for _, s := range samples {
		fresh, upgrade, request = append(fresh, s.fresh), append(upgrade, s.upgrade), append(request, s.request)
		exits["fresh"] = append(exits["fresh"], s.freshExit)
		exits["upgrade"] = append(exits["upgrade"], s.upgradeExit)
		objects = s.objects
	}
	// One more upgrade, untimed, with client-go's request log: what it
	// asked of the server, by kind.
	var counts map[requestKey]int
	fmt.Fprintf(os.Stderr, "► counting the upgrade's requests (-v=6, untimed)\n")
	err = onFreshCluster(ctx, func(kubeconfig string) error {
		n, err := installOld(ctx, kubeconfig)
		if err != nil {
			return err
		}
		stop, err := simulateSync(kubeconfig)
		if err != nil {
			return err
		}
		defer stop()
		_, code, out := timed(command(binary, kubeconfig, append(syncArgs, "-v=6")...))
		if code != 0 || !bytes.Contains(out, fmt.Appendf(nil, "%d of %d Flux objects kept", n, n)) {
			return fmt.Errorf("the counted upgrade exited %d:\n%s", code, out)
		}
		counts = countRequests(string(out))
		return nil
	})
	if err != nil {
		return err
	}
	f, u, r := median(fresh), median(upgrade), median(request)
	bar := 2*f + time.Duration(objects)*r
	fmt.Printf("upgrade benchmark, %d runs each, fresh kwok cluster per sequence (medians)\n", len(samples))
	fmt.Printf("  %-52s %10s  exits %v\n", "bootstrap, fresh cluster", round(f), exits["fresh"])
	fmt.Printf("  %-52s %10s\n", "one request (GET of a Flux object)", r)
	fmt.Printf("  %-52s %10s  bar ≤ 2×fresh + %d×request = %s %s  exits %v\n", fmt.Sprintf("bootstrap, upgrade of v0.8.1 with %d objects", objects), round(u), objects, round(bar), mark(u <= bar), exits["upgrade"])
	fmt.Printf("  the upgrade's requests on the Flux kinds (one more run, -v=6):\n")
	printRequests(os.Stdout, counts)
	return nil
}

// installOld puts Flux v0.8.1 and the teams' objects on the cluster.
func installOld(ctx context.Context, kubeconfig string) (int, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return 0, err
	}
	cfg.QPS, cfg.Burst = 500, 1000
	return oldflux.Install(ctx, cfg, oldflux.Options{URL: "https://github.com/contoso/aks-baseline-regulated", Teams: upgradeTeams, PerTeam: upgradePerTeam, SelfManaged: true})
}

// oneRequest is the median latency of one GET of a Flux object.
func oneRequest(ctx context.Context, kubeconfig string) (time.Duration, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return 0, err
	}
	cfg.QPS, cfg.Burst = 1000, 1000
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return 0, err
	}
	ri := dc.Resource(schema.GroupVersionResource{Group: "source.toolkit.fluxcd.io", Version: "v1", Resource: "gitrepositories"}).Namespace("team-01")
	var ds []time.Duration
	for range 50 {
		start := time.Now()
		if _, err := ri.Get(ctx, "app-001", metav1.GetOptions{}); err != nil {
			return 0, err
		}
		ds = append(ds, time.Since(start))
	}
	return median(ds), nil
}
