package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// TestCommittedCRDsAreCurrent fails when pkg/openreports/crds is not what
// the module go.mod pins holds: edited by hand, or the module bumped
// without 'make openreports-crds'.
func TestCommittedCRDsAreCurrent(t *testing.T) {
	files, err := Generate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(plugintest.RepoRoot(t), "pkg", "openreports", "crds")
	committed, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if len(committed) != len(files) {
		t.Errorf("%s holds %d files, the generator makes %d: run 'make openreports-crds'", dir, len(committed), len(files))
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != string(want) {
			t.Errorf("pkg/openreports/crds/%s differs from the module's: run 'make openreports-crds' and commit the result", name)
		}
	}
}
