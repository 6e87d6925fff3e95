// Command verify benchmarks 'kubectl aksbaseline verify' against the single
// kubectl call it must keep up with, on an envtest control plane seeded as
// the reference cluster at scale. hack/bench/verify.sh runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"syscall"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/hack/internal/devcmd"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/sim/controlplane"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/sim/seed"
)

// Bars from the issue.
const (
	maxRatio  = 1.5
	maxRSSMiB = 150
)

type sample struct {
	wall time.Duration
	rss  int64 // KiB
	code int
}

func main() {
	binary := flag.String("binary", "bin/kubectl-aksbaseline", "the plugin binary")
	nodes := flag.Int("nodes", 5000, "nodes in the cluster")
	runs := flag.Int("runs", 7, "timed runs per command")
	flag.Parse()
	devcmd.Main(func() error { return run(*binary, *nodes, *runs) })
}

func run(binary string, nodes, runs int) error {
	bin, kubectl, err := devcmd.Binaries(binary, "the benchmark compares against it")
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "► starting the control plane (envtest)")
	env, err := controlplane.Start(controlplane.Options{})
	if err != nil {
		return err
	}
	defer func() { _ = env.Stop() }()

	// The reference's proportions, scaled: one system node in ten.
	system := nodes / 10
	if system < 3 {
		system = 3
	}
	in := (nodes - system) / 2
	out := nodes - system - in
	start := time.Now()
	fmt.Fprintf(os.Stderr, "► seeding era %s with %d nodes (npsystem %d, npinscope01 %d, npooscope01 %d), templates and add-ons\n", sim.EraExtension, nodes, system, in, out)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	if err := seed.Apply(ctx, env.Config, sim.EraExtension, seed.Options{
		SetStatus: true, Concurrency: 64,
		Nodes: map[string]int{"npsystem": system, "npinscope01": in, "npooscope01": out},
	}); err != nil {
		return fmt.Errorf("seeding: %w", err)
	}
	fmt.Fprintf(os.Stderr, "✔ seeded in %s\n", time.Since(start).Round(time.Second))

	home, err := os.MkdirTemp("", "aksbaseline-bench-home-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(home)
	envv := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "KUBECONFIG=" + env.Kubeconfig}
	if v := os.Getenv("GOGC"); v != "" {
		envv = append(envv, "GOGC="+v) // for experiments; both commands are Go programs
	}
	cmds := []struct {
		name string
		argv []string
	}{
		{"kubectl get nodes -o name", []string{kubectl, "get", "nodes", "-o", "name"}},
		{"kubectl aksbaseline verify", []string{bin, "verify"}},
	}
	results := map[string][]sample{}
	// One warm-up each (kubectl fills its discovery cache), then alternate
	// the commands so background load hits both alike.
	for round := 0; round <= runs; round++ {
		for _, c := range cmds {
			s, err := measure(c.argv, envv)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			if round > 0 {
				results[c.name] = append(results[c.name], s)
			}
		}
	}
	base := median(results[cmds[0].name])
	fmt.Printf("\nverify benchmark: %d nodes, era %s, %d runs each (after one warm-up), envtest %s\n", nodes, sim.EraExtension, runs, env.Server)
	fmt.Printf("%-30s %10s %10s %10s %12s %6s\n", "command", "median", "min", "max", "peak RSS", "exit")
	ok := true
	for _, c := range cmds {
		ss := results[c.name]
		med := median(ss)
		mn, mx := minmax(ss)
		rss := maxRSS(ss)
		fmt.Printf("%-30s %10s %10s %10s %9.1f MiB %6d\n", c.name, med.Round(time.Millisecond), mn.Round(time.Millisecond), mx.Round(time.Millisecond), float64(rss)/1024, ss[len(ss)-1].code)
		if c.name != cmds[0].name {
			ratio := float64(med) / float64(base)
			fmt.Printf("  ratio to kubectl: %.2f× (bar ≤ %.1f×), peak RSS %.1f MiB (bar ≤ %d MiB)\n", ratio, maxRatio, float64(rss)/1024, maxRSSMiB)
			if ratio > maxRatio || float64(rss)/1024 > maxRSSMiB {
				ok = false
			}
		}
	}
	if !ok {
		return fmt.Errorf("verify misses the bar")
	}
	fmt.Println("✔ verify meets the bar")
	return nil
}

// measure runs argv once; peak RSS comes from the child's rusage.
func measure(argv, env []string) (sample, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = nil, nil
	t0 := time.Now()
	err := cmd.Run()
	wall := time.Since(t0)
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
		// verify exits 1 when a check fails (envtest runs no Flux
		// controller, so the sync objects are never Ready): still timed.
		if code > 1 {
			return sample{}, fmt.Errorf("exit %d", code)
		}
	} else if err != nil {
		return sample{}, err
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var rss int64
	if ru != nil {
		rss = ru.Maxrss
	}
	return sample{wall: wall, rss: rss, code: code}, nil
}

func median(ss []sample) time.Duration {
	d := make([]time.Duration, len(ss))
	for i, s := range ss {
		d[i] = s.wall
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	if len(d)%2 == 1 {
		return d[len(d)/2]
	}
	return (d[len(d)/2-1] + d[len(d)/2]) / 2
}

func minmax(ss []sample) (time.Duration, time.Duration) {
	mn, mx := ss[0].wall, ss[0].wall
	for _, s := range ss {
		mn = min(mn, s.wall)
		mx = max(mx, s.wall)
	}
	return mn, mx
}

func maxRSS(ss []sample) int64 {
	var m int64
	for _, s := range ss {
		m = max(m, s.rss)
	}
	return m
}
