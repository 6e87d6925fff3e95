package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// 'make demo' builds only what the demo runs: the test binaries its driver
// names, every one of which hack/testbin.sh knows, and not krew's.
func TestDemoBuildsOnlyWhatItRuns(t *testing.T) {
	want := demoBinaries()
	out, err := exec.Command("bash", "../testbin.sh", "--only", strings.Join(want, ","), "--plan").Output()
	if err != nil {
		t.Fatalf("hack/testbin.sh --only ... --plan: %v", err)
	}
	got := strings.Fields(string(out))
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("hack/testbin.sh would build %v for the demo, which runs %v", got, want)
	}
	for _, b := range got {
		if strings.Contains(b, "krew") {
			t.Errorf("the demo would build %s, which it never runs", b)
		}
	}
	mk, err := os.ReadFile(filepath.Join("..", "..", "mk", "demo.mk"))
	if err != nil {
		t.Fatal(err)
	}
	recipe := string(mk)[strings.Index(string(mk), "\ndemo:"):]
	recipe = recipe[:strings.Index(recipe, "\n\n")]
	if !strings.Contains(recipe, `hack/testbin.sh --only "$$($(DEMO_BIN) binaries)"`) || strings.Contains(strings.SplitN(recipe, "\n", 3)[1], "demo: testbin") {
		t.Errorf("mk/demo.mk's demo target must build the test binaries its driver names, no more:\n%s", recipe)
	}
}

// The warnings the demo explains are the ones the README's demo section
// names: what the screen says and what the README says agree.
func TestWarningsByDesignInREADME(t *testing.T) {
	demo := plugintest.READMESection(t, "demo")
	for id := range byDesign {
		if !strings.Contains(demo, "`"+id+"`") {
			t.Errorf("the demo explains the warning of %s; the README's demo section does not name it", id)
		}
	}
	if strings.Contains(demo, "one warning by design") {
		t.Errorf("the README still promises one warning; the demo shows %d", len(byDesign))
	}
}

// Every era the demo accepts is one the README's demo section shows how to
// start, and one 'make help' names.
func TestErasInREADMEAndMakeHelp(t *testing.T) {
	demo := plugintest.READMESection(t, "demo")
	mk, err := os.ReadFile(filepath.Join("..", "..", "mk", "demo.mk"))
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range sim.EraNames() {
		cmd := "make demo ERA=" + name + " "
		if i == 0 {
			cmd = "make demo  "
		}
		if !strings.Contains(demo, cmd) {
			t.Errorf("the README's demo section does not show %q", strings.TrimSpace(cmd))
		}
		if !strings.Contains(string(mk), "|"+name) && !strings.Contains(string(mk), "ERA="+name+"|") {
			t.Errorf("mk/demo.mk's help for the demo target does not name the era %s", name)
		}
	}
}
