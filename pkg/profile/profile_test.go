package profile

import (
	"strings"
	"testing"
)

func TestBuiltinsParse(t *testing.T) {
	for _, n := range Names() {
		p, err := Builtin(n)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if p.Name != n {
			t.Errorf("%s: name %q", n, p.Name)
		}
		// The printed profile must load again: --print-profile is a starting point.
		b, err := p.YAML()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse("printed.yaml", b); err != nil {
			t.Errorf("%s: printed profile does not parse: %v", n, err)
		}
	}
	p, _ := Builtin(Default)
	if len(p.Policies.Templates) != 19 {
		t.Errorf("regulated expects %d templates, want 19", len(p.Policies.Templates))
	}
	for _, name := range []string{"k8sazureblockdefault", "k8sazurev1blockdefault", "k8sazurev2noprivilege", "k8sazurecontainernoprivilege"} {
		hits := 0
		for _, tm := range p.Policies.Templates {
			if tm.Match.MatchString(name) {
				hits++
			}
		}
		if hits != 1 {
			t.Errorf("%s matches %d expected templates, want 1", name, hits)
		}
	}
}

const header = "apiVersion: aksbaseline.io/v1alpha1\nkind: VerifyProfile\nname: mine\n"

func TestParseErrorsNameFileAndLine(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		want      []string
	}{
		{"unknown field", header + "nodes:\n  poolLabel: x\n  pool: []\n", []string{`mine.yaml:6: unknown field "pool"`}},
		{"bad regex", header + "nodes:\n  poolLabel: x\npolicies:\n  templates:\n    - policy: a\n      match: '^k8s(('\n", []string{"mine.yaml:9: invalid regular expression \"^k8s((\""}},
		{"both at once", header + "nodes:\n  poolLabel: x\n  bogus: 1\naccess:\n  private: '[a-'\n", []string{`mine.yaml:6: unknown field "bogus"`, "mine.yaml:8: invalid regular expression"}},
		{"wrong type", header + "nodes:\n  poolLabel: x\n  pools:\n    - name: a\n      minCount: many\n", []string{"mine.yaml:8:", "many"}},
		{"bad mode", header + "nodes:\n  poolLabel: x\n  pools:\n    - name: a\n      mode: system\n", []string{`mine.yaml:8: pool "a": mode must be System or User, not "system"`}},
		{"bad kind", "apiVersion: aksbaseline.io/v1alpha1\nkind: Profile\nname: x\n", []string{`mine.yaml:2: kind must be "VerifyProfile"`}},
		{"empty", "", []string{"the profile is empty"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("mine.yaml", []byte(tc.doc))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadUnknownBuiltin(t *testing.T) {
	_, _, err := Load("pci")
	if err == nil || !strings.Contains(err.Error(), `unknown profile "pci": the built-in profiles are baseline, regulated`) {
		t.Errorf("got %v", err)
	}
}
