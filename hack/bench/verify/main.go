// Command verify benchmarks 'kubectl aksbaseline verify' against the single
// kubectl call it must keep up with and against the floor (the cheapest read
// of the same objects), on an envtest control plane seeded as the reference
// cluster at scale, and times what the in-cluster verifier and the fleet
// view add. hack/bench/verify.sh runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"k8s.io/client-go/rest"

	"github.com/aksbaseline/kubectl-aksbaseline/hack/internal/devcmd"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/controlplane"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/seed"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/openreports"
)

func main() {
	var o options
	flag.StringVar(&o.binary, "binary", "bin/kubectl-aksbaseline", "the plugin binary")
	flag.IntVar(&o.nodes, "nodes", 5000, "nodes in the cluster")
	flag.IntVar(&o.pods, "pods", 50000, "pods added for the second case (0: nodes only)")
	flag.IntVar(&o.runs, "runs", 7, "timed runs per command of the nodes, evidence verify and status cases")
	flag.IntVar(&o.podRuns, "pod-runs", 5, "timed runs per command with the pods (kubectl takes tens of seconds each)")
	flag.IntVar(&o.contexts, "contexts", 20, "contexts of the fleet status reads")
	flag.BoolVar(&o.hold, "hold", false, "after seeding, print the kubeconfig and keep the control plane up until interrupted, instead of timing (for profiling)")
	flag.Parse()
	devcmd.Main(o.run)
}

type options struct {
	binary                               string
	nodes, pods, runs, podRuns, contexts int
	hold                                 bool
}

func (o *options) run() error {
	bin, kubectl, err := devcmd.Binaries(o.binary, "the benchmark compares against it")
	if err != nil {
		return err
	}
	// The OpenReports CRDs, as the in-cluster verifier's folder installs
	// them: verify --report-to-cluster writes its ClusterReport under them.
	crds, err := openreports.CRDs()
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "► starting the control plane (envtest) with the OpenReports CRDs")
	env, err := controlplane.Start(controlplane.Options{CRDs: crds})
	if err != nil {
		return err
	}
	defer func() { _ = env.Stop() }()

	// The reference's proportions, scaled: one system node in ten.
	system := max(o.nodes/10, 3)
	in := (o.nodes - system) / 2
	out := o.nodes - system - in
	opts := seed.Options{
		SetStatus: true, Concurrency: 64,
		Nodes: map[string]int{"npsystem": system, "npinscope01": in, "npooscope01": out},
	}
	start := time.Now()
	fmt.Fprintf(os.Stderr, "► seeding era %s with %d nodes (npsystem %d, npinscope01 %d, npooscope01 %d), templates and add-ons\n", sim.EraExtension, o.nodes, system, in, out)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	if err := seed.Apply(ctx, env.Config, sim.EraExtension, opts); err != nil {
		return fmt.Errorf("seeding: %w", err)
	}
	fmt.Fprintf(os.Stderr, "✔ seeded in %s\n", time.Since(start).Round(time.Second))

	home, err := os.MkdirTemp("", "aksbaseline-bench-home-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(home)
	measurer, floorBin, err := buildHelpers(home)
	if err != nil {
		return err
	}
	rn := &runner{measurer: measurer, env: []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "KUBECONFIG=" + env.Kubeconfig}}
	for _, k := range []string{"GOGC", "GOMEMLIMIT"} {
		if v := os.Getenv(k); v != "" {
			rn.env = append(rn.env, k+"="+v) // for experiments; the commands are Go programs
		}
	}
	if o.hold {
		if o.pods > 0 {
			if _, err := seedPods(ctx, env.Config, opts, o.pods); err != nil {
				return err
			}
		}
		fmt.Fprintf(os.Stderr, "✔ holding: KUBECONFIG=%s (interrupt to stop)\n", env.Kubeconfig)
		// Stop the control plane on the interrupt, rather than leave it running.
		stop, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer cancel()
		<-stop.Done()
		return nil
	}

	nodesCase, evidenceCheck, err := nodesCases(fmt.Sprintf("%d nodes", o.nodes), kubectl, bin, home)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "► timing %s: %d runs each, alternated\n", nodesCase.name, o.runs)
	if err := nodesCase.time(rn, o.runs); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "► timing evidence verify of that bundle: %d runs\n", o.runs)
	if err := evidenceCheck.time(rn, o.runs); err != nil {
		return err
	}
	cases := []*benchCase{nodesCase, evidenceCheck}
	var seeded time.Duration
	if o.pods > 0 {
		if seeded, err = seedPods(ctx, env.Config, opts, o.pods); err != nil {
			return err
		}
		c, err := podsCase(fmt.Sprintf("%d nodes, %d pods", o.nodes, o.pods), kubectl, bin, floorBin)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "► timing %s: %d runs each, alternated\n", c.name, o.podRuns)
		if err := c.time(rn, o.podRuns); err != nil {
			return err
		}
		cases = append(cases, c)
	}
	fleet, err := fleetCase(bin, env.Kubeconfig, home, o.contexts)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "► timing %s: %d runs\n", fleet.name, o.runs)
	// The report status reads: written by verify --report-to-cluster.
	if _, err := rn.measure([]string{bin, "verify", "--report-to-cluster"}, 1); err != nil {
		return fmt.Errorf("writing the ClusterReport status reads: %w", err)
	}
	if err := fleet.time(rn, o.runs); err != nil {
		return err
	}
	cases = append(cases, fleet)

	fmt.Printf("\nverify benchmark: era %s, envtest %s; per case the median of the runs of each command (after one warm-up), commands alternated;\n", sim.EraExtension, env.Server)
	fmt.Printf("peak RSS of each command measured from a small child; load: median one-minute load average after each run (%d cores)\n", cpus())
	if o.pods > 0 {
		fmt.Printf("pods seeded in %s\n", seeded.Round(time.Second))
	}
	printHeader()
	ok := true
	for _, c := range cases {
		ok = c.print() && ok
	}
	if !ok {
		return fmt.Errorf("a bar is missed")
	}
	fmt.Println("✔ every bar holds")
	return nil
}

// seedPods adds n pods to the cluster seeded with opts (seed.Pods), showing
// progress on stderr, and returns how long it took.
func seedPods(ctx context.Context, cfg *rest.Config, opts seed.Options, n int) (time.Duration, error) {
	start := time.Now()
	fmt.Fprintf(os.Stderr, "► adding %d pods (the four agents on every node, the rest Deployment pods), bound and Running\n", n)
	created, err := seed.Pods(ctx, cfg, opts, n, os.Stderr)
	if err != nil {
		return 0, fmt.Errorf("seeding pods: %w", err)
	}
	took := time.Since(start)
	fmt.Fprintf(os.Stderr, "✔ %d pods in %s\n", created, took.Round(time.Second))
	return took, nil
}
