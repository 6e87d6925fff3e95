package configure

import (
	"maps"
	"strings"
	"testing"
)

// A kustomization that already lists patches keeps every byte of its own
// when the pin is added: blank lines, comments and quoting, ahead of the
// list, inside it and after it.
func TestAddPinPatchKeepsTheFileAroundAnExistingList(t *testing.T) {
	pin := map[string]string{"agentpool": "npooscope01"}
	entry := func(dash string) string {
		return indent(strings.TrimSuffix(dedent(pinComment+pinEntry(pin)), "\n"), dash)
	}
	for name, c := range map[string]struct{ before, after, dash string }{
		"list then a key": {
			before: "# cluster-manifests/flux-system\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n\nresources:\n  - gotk-components.yaml\n  - 'gotk-sync.yaml'\n\npatches:\n  # our own\n  - path: ingress.yaml\n\n  - path: \"quota.yaml\"\n",
			after:  "\n# The images.\nimages:\n  - name: x\n",
			dash:   "  ",
		},
		"list at the margin, last in the file": {
			before: "resources:\n- gotk-components.yaml\n\npatches:\n- path: x.yaml # why\n",
			dash:   "",
		},
		"list at the end, trailing blank lines and a comment": {
			before: "patches:\n  - path: x.yaml\n",
			after:  "\n\n# end\n",
			dash:   "  ",
		},
	} {
		t.Run(name, func(t *testing.T) {
			out := pinned(t, c.before+c.after, pin)
			if want := c.before + entry(c.dash) + c.after; out != want {
				t.Fatalf("got:\n%s\nwant:\n%s", out, want)
			}
		})
	}
}

// Windows line endings stay Windows line endings.
func TestAddPinPatchKeepsCRLF(t *testing.T) {
	pin := map[string]string{"agentpool": "npooscope01"}
	in := "patches:\r\n  - path: x.yaml\r\n\r\nresources:\r\n  - a.yaml\r\n"
	out := pinned(t, in, pin)
	if strings.Count(out, "\n") != strings.Count(out, "\r\n") {
		t.Fatalf("mixed line endings:\n%q", out)
	}
	if !strings.HasPrefix(out, "patches:\r\n  - path: x.yaml\r\n  # The Flux controllers run") || !strings.HasSuffix(out, "\r\n\r\nresources:\r\n  - a.yaml\r\n") {
		t.Fatalf("got %q", out)
	}
}

// A list the text edit cannot extend faithfully (a keep-chomped block
// scalar whose trailing blank lines are its value) is still edited, through
// the tree, and still pins.
func TestAddPinPatchFallsBackWhenTheTextEditWouldChangeAValue(t *testing.T) {
	pin := map[string]string{"agentpool": "npooscope01"}
	in := "patches:\n  - patch: |+\n      a: b\n\n\nimages: []\n"
	if out := pinned(t, in, pin); !appendsEntry([]byte(in), []byte(out), pinEntry(pin)) {
		t.Fatalf("the tree edit changed more than the list:\n%s", out)
	}
}

// pinned is addPinPatch's output for in, which must pin the controllers.
func pinned(t *testing.T, in string, pin map[string]string) string {
	t.Helper()
	out, err := addPinPatch([]byte(in), pin)
	if err != nil {
		t.Fatal(err)
	}
	if got := pinnedByPatch(out); !maps.Equal(got, pin) {
		t.Fatalf("pins %v:\n%s", got, out)
	}
	return string(out)
}
