// Command profile runs the plugin in-process with CPU and heap profiles:
// the verify benchmark's cases profiled against a cluster that
// 'hack/bench/verify -hold' keeps up. Development only.
//
// usage: go run ./hack/bench/verify/profile -cpu cpu.pprof -heap heap.pprof -- verify [FLAGS]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/aksbaseline/kubectl-aksbaseline/hack/internal/devcmd"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/plugin"
)

func main() {
	cpu := flag.String("cpu", "", "write a CPU profile of the run here")
	heap := flag.String("heap", "", "write a heap profile (allocations since start) here at the end")
	rate := flag.Int("memprofilerate", 0, "runtime.MemProfileRate, when set (1: every allocation)")
	every := flag.Duration("heap-every", 0, "also write the heap profile every this long, to HEAP.1, HEAP.2, ... (what is live mid-run)")
	flag.Parse()
	if *rate > 0 {
		runtime.MemProfileRate = *rate
	}
	if *every > 0 && *heap != "" {
		go snapshots(*heap, *every)
	}
	devcmd.Main(func() error { return run(*cpu, *heap, flag.Args()) })
}

// snapshots writes the heap profile to heap.1, heap.2, ... every d.
func snapshots(heap string, d time.Duration) {
	for i := 1; ; i++ {
		time.Sleep(d)
		f, err := os.Create(fmt.Sprintf("%s.%d", heap, i))
		if err != nil {
			return
		}
		_ = pprof.Lookup("heap").WriteTo(f, 0)
		f.Close()
	}
}

func run(cpu, heap string, args []string) error {
	if cpu != "" {
		f, err := os.Create(cpu)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	root := plugin.NewRootCommand(genericiooptions.IOStreams{In: os.Stdin, Out: io.Discard, ErrOut: os.Stderr}, "kubectl-aksbaseline")
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	fmt.Fprintf(os.Stderr, "exit code %d\n", exitcode.Code(err))
	if heap != "" {
		f, err := os.Create(heap)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			return err
		}
	}
	return nil
}
