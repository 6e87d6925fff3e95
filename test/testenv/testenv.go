package testenv

import (
	"context"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/controlplane"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/gitserver"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/kwok"
)

// The control plane itself lives in internal/dev/sim/controlplane, which the
// benchmarks use too; these names keep the suites' spelling.
type (
	Env     = controlplane.Env
	Options = controlplane.Options
	User    = controlplane.User
)

// Start runs kube-apiserver and etcd (controlplane.Start).
func Start(opts Options) (*Env, error) { return controlplane.Start(opts) }

// StartT starts an Env for one test and stops it when the test ends.
func StartT(t testing.TB, opts Options) *Env {
	t.Helper()
	e, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Stop(); err != nil {
			t.Errorf("stopping envtest: %v", err)
		}
	})
	return e
}

// KwokT creates a kwok cluster for one test and deletes it when the test
// ends, or when the process gets SIGINT/SIGTERM.
func KwokT(t testing.TB, opts kwok.Options) *kwok.Cluster {
	t.Helper()
	c, err := kwok.Create(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	stop := c.DeleteOnSignal()
	t.Cleanup(func() {
		stop()
		if err := c.Delete(context.Background()); err != nil {
			t.Errorf("deleting kwok cluster %s: %v", c.Name, err)
		}
	})
	return c
}

// ForkT serves Git repositories on loopback for one test, the way a fork
// on GitHub serves the reference to Flux, and stops the server when the
// test ends. It holds the fork's repository (sim.RepoName) with an empty
// branch main, whose URL it returns beside the server.
func ForkT(t testing.TB) (*gitserver.Server, string) {
	t.Helper()
	git, err := gitserver.Start(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(git.Stop)
	url, err := git.Init(sim.RepoName, "main")
	if err != nil {
		t.Fatal(err)
	}
	return git, url
}
