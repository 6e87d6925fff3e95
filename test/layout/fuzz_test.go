package layout

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// TestMakeFuzzRunsEveryFuzzTarget: a fuzz target 'make fuzz' does not list
// is never run for its 60 s, and one it lists that is gone stops the run.
func TestMakeFuzzRunsEveryFuzzTarget(t *testing.T) {
	root := plugintest.RepoRoot(t)
	mk, err := os.ReadFile(filepath.Join(root, "mk", "evidence.mk"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile(`\./([\w/]+):(Fuzz\w+)`).FindAllStringSubmatch(string(mk), -1) {
		listed[m[1]+":"+m[2]] = true
	}
	decl := regexp.MustCompile(`(?m)^func (Fuzz\w+)\(f \*testing\.F\)`)
	found := map[string]bool{}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		for _, m := range decl.FindAllStringSubmatch(string(b), -1) {
			found[filepath.ToSlash(rel)+":"+m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) == 0 {
		t.Fatal("no fuzz target found: the search looked at the wrong tree")
	}
	for f := range found {
		if !listed[f] {
			t.Errorf("fuzz target %s is not in mk/evidence.mk's FUZZ_TARGETS", f)
		}
	}
	for l := range listed {
		if !found[l] {
			t.Errorf("mk/evidence.mk's FUZZ_TARGETS lists %s, which does not exist", l)
		}
	}
}
