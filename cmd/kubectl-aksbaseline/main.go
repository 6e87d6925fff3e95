// Command kubectl-aksbaseline verifies and bootstraps AKS clusters built from
// the AKS baseline for regulated workloads. Installed as kubectl-aksbaseline it
// runs as 'kubectl aksbaseline'; installed as flux-aksbaseline, as 'flux aksbaseline'.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/sanitize"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/plugin"
)

func main() {
	os.Exit(run())
}

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	out := exitcode.WatchOutput(os.Stdout, "standard output")
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: out, ErrOut: os.Stderr}
	root := plugin.NewRootCommand(streams, os.Args[0])
	err := root.ExecuteContext(ctx)
	if ctx.Err() != nil {
		fmt.Fprintln(streams.ErrOut, "interrupted: stopped before finishing; re-run to converge")
		return exitcode.Interrupted
	}
	if err != nil && !exitcode.IsSilent(err) {
		fmt.Fprintf(streams.ErrOut, "error: %s\n", sanitize.Message(err.Error()))
	}
	code, werr := out.Settle(exitcode.Code(err))
	if werr != nil {
		fmt.Fprintf(streams.ErrOut, "error: %v\n", werr)
	}
	return code
}
