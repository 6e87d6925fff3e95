package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// TestCommittedManifestsAreCurrent fails when regenerating would change the
// committed manifests/flux: someone edited them by hand or bumped a version
// in manifests/versions.go without running 'make manifests'.
func TestCommittedManifestsAreCurrent(t *testing.T) {
	root := plugintest.RepoRoot(t)
	files, err := Generate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "manifests", "flux")
	committed, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(committed) != len(files) {
		t.Errorf("manifests/flux holds %d files, the generator makes %d: run 'make manifests'", len(committed), len(files))
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("manifests/flux/%s: %v: run 'make manifests'", name, err)
			continue
		}
		if string(got) != string(want) {
			t.Errorf("manifests/flux/%s differs from what the generator makes: run 'make manifests' and commit the result", name)
		}
	}
}
