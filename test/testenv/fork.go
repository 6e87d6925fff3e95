package testenv

import (
	"path/filepath"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// ConfiguredFork is an operator's checkout of the fork for era, ready to
// push: the sample tree (sim.Fork) under cluster-manifests, filled in by the
// plugin c names with the era's configure arguments, and passing
// 'configure --check'. It returns the checkout.
func ConfiguredFork(t testing.TB, c plugintest.Cmd, era sim.Era) string {
	t.Helper()
	dir := t.TempDir()
	if err := sim.Fork(plugintest.RepoRoot(t), era, filepath.Join(dir, "cluster-manifests")); err != nil {
		t.Fatal(err)
	}
	c.Dir, c.Args = dir, era.ConfigureArgs("cluster-manifests")
	if r := plugintest.Run(t, c); r.Code != 0 {
		t.Fatalf("configure: %s", r)
	}
	c.Args = []string{"configure", "--check", "cluster-manifests"}
	if r := plugintest.Run(t, c); r.Code != 0 {
		t.Fatalf("configure --check after configure: %s", r)
	}
	return dir
}
