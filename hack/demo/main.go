// Command aksbaseline-demo is what 'make demo' and 'make demo-down' run.
//
// 'up' starts the simulated AKS regulated cluster (kwok), dresses it as the
// reference's cluster for an era, starts a background daemon that serves a
// Git repository on loopback and runs the real Flux source-controller and
// kustomize-controller against the cluster, and then does the operator's job
// with kubectl aksbaseline, echoing each command: configure, git push,
// bootstrap (in the oldflux era, the upgrade of the reference's own Flux
// v0.8.1: verify flux, configure --upgrade-flux, push, bootstrap -k), verify, and one regulated control broken through Git (an
// in-scope workload pushed onto out-of-scope nodes), caught by verify and
// repaired, the assessor's evidence bundle, and last the fleet view: the
// in-cluster verifier's folder delivered by Flux, its report written into
// the cluster, and 'status' reading it under two context names.
// 'down' removes all of it. 'daemon' is the background process itself.
//
// Everything lives in one folder (default: the per-user cache's demo/), so
// 'down' finds it from any shell and a second 'up' starts clean.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/flux"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/kwok"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/progress"
)

var usage = `usage:
  aksbaseline-demo up [--era ` + strings.Join(sim.EraNames(), "|") + `] [--tool PATH] [--dir DIR]
  aksbaseline-demo down [--dir DIR]
  aksbaseline-demo binaries    (what 'make demo' has hack/testbin.sh build: the cluster's and Flux's)
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	fs := flag.NewFlagSet(os.Args[1], flag.ContinueOnError)
	dir := fs.String("dir", defaultDir(), "folder holding the demo's state")
	era := fs.String("era", string(sim.EraPodIdentity), "era of the reference to simulate: "+strings.Join(sim.EraNames(), ", "))
	tool := fs.String("tool", "bin/kubectl-aksbaseline", "the built plugin")
	if err := fs.Parse(os.Args[2:]); err != nil {
		os.Exit(2)
	}

	var err error
	switch os.Args[1] {
	case "binaries":
		fmt.Println(strings.Join(demoBinaries(), ","))
		return
	case "up":
		err = up(ctx, *dir, *era, *tool)
	case "down":
		err = down(context.WithoutCancel(ctx), *dir, true)
	case "daemon":
		err = runDaemon(ctx, *dir)
	default:
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil {
		pr := progress.New(os.Stderr)
		if errors.Is(err, context.Canceled) {
			pr.Failuref("interrupted")
			os.Exit(130)
		}
		pr.Failuref("%v", err)
		os.Exit(1)
	}
}

// demoBinaries are the test binaries the demo runs: a kwok cluster and the
// Flux controllers, and nothing else 'make testbin' builds (krew is for the
// install tests).
func demoBinaries() []string {
	return append(append([]string(nil), kwok.Binaries...), flux.Binaries...)
}
