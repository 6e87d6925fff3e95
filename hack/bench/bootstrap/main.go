// Command bootstrap times 'kubectl aksbaseline bootstrap' against the AKS
// baseline reference's manual sequence on the same manifests, each on a fresh
// local kwok cluster, several runs each, and prints the medians against the
// bars of issue 4: a fresh bootstrap at most 1.0x the manual sequence, a
// no-op re-run at most 0.5x.
//
// The manual sequence is the reference's (docs/deploy/11-gitops.md) on the
// manifests bootstrap itself would apply (bootstrap --export):
//
//	kubectl apply --server-side -f crds.yaml
//	kubectl wait --for=condition=established crd --all
//	kubectl apply --server-side -f rest.yaml
//	kubectl wait -n flux-system --for=condition=available deployment/source-controller deployment/kustomize-controller
//
// bootstrap also waits until the GitRepository and Kustomization report
// Ready, as 'flux bootstrap' does. No Flux controller runs on kwok (the
// Deployments are fake pods), so the bench stands in for them: it marks both
// Ready as soon as they exist. That costs bootstrap up to one poll interval
// more than the real controllers' own latency, which neither side pays here.
//
// The reference has no established-wait between the two applies; without
// one, applying the GitRepository and Kustomization races the CRDs and fails
// intermittently ("no matches for kind"), so the manual sequence here
// includes it to be correct at all.
//
// With -upgrade it times the upgrade of the reference's Flux v0.8.1 with
// 1,000 v1beta1 objects instead (upgrade.go).
//
// usage: go run ./hack/bench/bootstrap -binary bin/kubectl-aksbaseline [-runs 3] [-upgrade]
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/aksbaseline/kubectl-aksbaseline/hack/internal/devcmd"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/kwok"
)

func main() {
	binary := flag.String("binary", "bin/kubectl-aksbaseline", "the plugin binary to time")
	runs := flag.Int("runs", 3, "runs of each sequence (medians are reported)")
	upgrade := flag.Bool("upgrade", false, "time the upgrade of Flux v0.8.1 with 1,000 v1beta1 objects instead (upgrade.go)")
	flag.Parse()
	if *upgrade {
		devcmd.Main(func() error { return benchUpgrade(*binary, *runs) })
		return
	}
	devcmd.Main(func() error { return bench(*binary, *runs) })
}

type sample struct {
	manual, fresh, rerun time.Duration
	freshExit, rerunExit int
}

func bench(binary string, runs int) error {
	binary, kubectl, err := devcmd.Binaries(binary, "the manual sequence runs the real kubectl")
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "aksbaseline-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	// The same objects for both: what bootstrap applies, split as the
	// reference splits gotk-crds.yaml from the rest.
	syncArgs := []string{"--github-account", "contoso"}
	export, err := exec.Command(binary, append([]string{"bootstrap", "--export"}, syncArgs...)...).Output()
	if err != nil {
		return fmt.Errorf("bootstrap --export: %w", err)
	}
	crds, rest := split(export)
	crdsFile, restFile := filepath.Join(dir, "crds.yaml"), filepath.Join(dir, "rest.yaml")
	if err := os.WriteFile(crdsFile, crds, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(restFile, rest, 0o644); err != nil {
		return err
	}

	ctx := context.Background()
	var samples []sample
	for i := 1; i <= runs; i++ {
		var s sample
		fmt.Fprintf(os.Stderr, "► run %d/%d: manual sequence on a fresh cluster\n", i, runs)
		err := onFreshCluster(ctx, func(kubeconfig string) error {
			start := time.Now()
			for _, args := range [][]string{
				{"apply", "--server-side", "-f", crdsFile},
				{"wait", "--for=condition=established", "crd", "--all", "--timeout=90s"},
				{"apply", "--server-side", "-f", restFile},
				{"wait", "-n", "flux-system", "--for=condition=available", "deployment/source-controller", "deployment/kustomize-controller", "--timeout=90s"},
			} {
				if out, err := command(kubectl, kubeconfig, args...).CombinedOutput(); err != nil {
					return fmt.Errorf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
				}
			}
			s.manual = time.Since(start)
			return nil
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "► run %d/%d: bootstrap on a fresh cluster, then a no-op re-run\n", i, runs)
		err = onFreshCluster(ctx, func(kubeconfig string) error {
			stop, err := simulateSync(kubeconfig)
			if err != nil {
				return err
			}
			defer stop()
			var out []byte
			s.fresh, s.freshExit, out = timed(command(binary, kubeconfig, append([]string{"bootstrap", "--timeout=90s"}, syncArgs...)...))
			if s.freshExit != 0 {
				fmt.Fprintf(os.Stderr, "⚠ fresh bootstrap exited %d:\n%s", s.freshExit, out)
			}
			s.rerun, s.rerunExit, out = timed(command(binary, kubeconfig, append([]string{"bootstrap", "--timeout=90s"}, syncArgs...)...))
			if s.rerunExit != 0 {
				fmt.Fprintf(os.Stderr, "⚠ re-run exited %d:\n%s", s.rerunExit, out)
			}
			if !bytes.Contains(out, []byte("unchanged; nothing to apply")) {
				fmt.Fprintf(os.Stderr, "⚠ the re-run was not a no-op:\n%s", out)
			}
			return nil
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "  manual %s, bootstrap %s (exit %d), re-run %s (exit %d)\n", round(s.manual), round(s.fresh), s.freshExit, round(s.rerun), s.rerunExit)
		samples = append(samples, s)
	}
	report(samples)
	return nil
}

var syncKinds = []schema.GroupVersionResource{
	{Group: "source.toolkit.fluxcd.io", Version: "v1", Resource: "gitrepositories"},
	{Group: "kustomize.toolkit.fluxcd.io", Version: "v1", Resource: "kustomizations"},
}

// simulateSync plays source-controller and kustomize-controller for the
// sync objects: it reports them Ready for their generation once they
// exist, and again whenever their generation moves (an upgrade suspends
// and resumes the Kustomization), until stopped.
func simulateSync(kubeconfig string) (stop func(), err error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	cfg.QPS, cfg.Burst = 200, 400
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		marked := map[string]int64{}
		for ctx.Err() == nil {
			for _, gvr := range syncKinds {
				ri := dc.Resource(gvr).Namespace("flux-system")
				u, err := ri.Get(ctx, "flux-system", metav1.GetOptions{})
				if err != nil || marked[gvr.Resource] == u.GetGeneration() {
					continue
				}
				u.Object["status"] = map[string]any{
					"observedGeneration": u.GetGeneration(),
					"conditions": []any{map[string]any{
						"type": "Ready", "status": "True", "reason": "Succeeded", "message": "simulated by the bench",
						"lastTransitionTime": time.Now().UTC().Format(time.RFC3339), "observedGeneration": u.GetGeneration(),
					}},
				}
				if _, err := ri.UpdateStatus(ctx, u, metav1.UpdateOptions{}); err == nil {
					marked[gvr.Resource] = u.GetGeneration()
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	return func() { cancel(); <-done }, nil
}

func command(bin, kubeconfig string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	return cmd
}

func timed(cmd *exec.Cmd) (time.Duration, int, []byte) {
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		code = -1
		fmt.Fprintln(&out, err)
	}
	return d, code, out.Bytes()
}

// onFreshCluster runs fn against a new kwok cluster with one fake node large
// enough for the controllers, and deletes the cluster afterwards.
func onFreshCluster(ctx context.Context, fn func(kubeconfig string) error) error {
	c, err := kwok.Create(ctx, kwok.Options{})
	if err != nil {
		return err
	}
	stop := c.DeleteOnSignal()
	defer func() {
		stop()
		_ = c.Delete(context.Background())
	}()
	cs, err := kubernetes.NewForConfig(c.Config)
	if err != nil {
		return err
	}
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("32"),
		corev1.ResourceMemory: resource.MustParse("256Gi"),
		corev1.ResourcePods:   resource.MustParse("110"),
	}
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:        "bench-node",
			Annotations: map[string]string{"kwok.x-k8s.io/node": "fake"},
			Labels:      map[string]string{"kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "type": "kwok"},
		},
		Status: corev1.NodeStatus{Capacity: capacity, Allocatable: capacity},
	}
	if _, err := cs.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
		return err
	}
	return fn(c.Kubeconfig)
}

// split separates the CRDs from the rest of a multi-document YAML stream.
func split(y []byte) (crds, rest []byte) {
	for _, doc := range bytes.Split(y, []byte("\n---\n")) {
		doc = bytes.TrimPrefix(bytes.TrimSpace(doc), []byte("---\n"))
		if len(doc) == 0 {
			continue
		}
		if bytes.Contains(doc, []byte("\nkind: CustomResourceDefinition\n")) || bytes.HasPrefix(doc, []byte("kind: CustomResourceDefinition\n")) {
			crds = append(append(crds, "---\n"...), append(doc, '\n')...)
		} else {
			rest = append(append(rest, "---\n"...), append(doc, '\n')...)
		}
	}
	return crds, rest
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func round(d time.Duration) time.Duration { return d.Round(10 * time.Millisecond) }

func report(samples []sample) {
	var manual, fresh, rerun []time.Duration
	exits := map[string][]int{}
	for _, s := range samples {
		manual = append(manual, s.manual)
		fresh = append(fresh, s.fresh)
		rerun = append(rerun, s.rerun)
		exits["fresh"] = append(exits["fresh"], s.freshExit)
		exits["rerun"] = append(exits["rerun"], s.rerunExit)
	}
	m, f, r := median(manual), median(fresh), median(rerun)
	fmt.Printf("bootstrap benchmark, %d runs each, fresh kwok cluster per sequence (medians)\n", len(samples))
	fmt.Printf("  %-44s %10s\n", "manual sequence (kubectl apply/wait)", round(m))
	fmt.Printf("  %-44s %10s  %.2fx  bar ≤ 1.00x %s  exits %v\n", "bootstrap, fresh cluster", round(f), ratio(f, m), mark(ratio(f, m) <= 1.0), exits["fresh"])
	fmt.Printf("  %-44s %10s  %.2fx  bar ≤ 0.50x %s  exits %v\n", "bootstrap, no-op re-run", round(r), ratio(r, m), mark(ratio(r, m) <= 0.5), exits["rerun"])
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

func mark(ok bool) string {
	if ok {
		return "✔"
	}
	return "✗"
}
