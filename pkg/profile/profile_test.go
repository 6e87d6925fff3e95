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
		// A second document would be ignored: refused where it starts.
		{"second document", header + "nodes:\n  poolLabel: x\n---\n" + header + "nodes:\n  poolLabel: y\n", []string{"mine.yaml:6: one VerifyProfile document per file"}},
		// yaml.v3 names the start of the enclosing block; the user needs
		// the line where the mistake is.
		{"syntax error deep in the file", header + "nodes:\n  poolLabel: x\n  pools:\n    - name: a\n    - name: b\n  - bogus\n", []string{"mine.yaml:9: did not find expected key"}},
		{"tab", header + "nodes:\n  poolLabel: x\n\tpools: []\n", []string{"mine.yaml:6: found a tab character"}},
		{"bad image pattern", header + "nodes:\n  poolLabel: x\nimages:\n  allowed:\n    pattern: '{acr}\\.azurecr\\.io/(live'\n", []string{`mine.yaml:8: images.allowed.pattern: invalid regular expression`}},
		{"unknown allowed-images policy", header + "nodes:\n  poolLabel: x\nimages:\n  allowed:\n    policy: allowed-images\n    parameter: imageRegex\n", []string{`mine.yaml:8: images.allowed.policy "allowed-images" names no entry of policies.templates`}},
		{"bad enforcement", header + "nodes:\n  poolLabel: x\npolicies:\n  templates:\n    - {policy: a, match: '^a$', enforcement: audit}\n", []string{`mine.yaml:8: policy "a": enforcement must be deny, dryrun or warn, not "audit"`}},
		{"bad acr name", header + "nodes:\n  poolLabel: x\nimages:\n  allowed:\n    acrName: my-acr\n", []string{`mine.yaml:8: images.allowed.acrName "my-acr": an ACR name is 5 to 50 letters and digits`}},
		{"bad agent nodes", header + "nodes:\n  poolLabel: x\nsecurity:\n  nodes: 'os in linux'\n", []string{"mine.yaml:7: security.nodes:"}},
		{"agent without daemonsets", header + "nodes:\n  poolLabel: x\nsecurity:\n  agents:\n    - {name: av, namespace: x}\n", []string{"mine.yaml:8: an agent needs a name, a namespace and at least one DaemonSet"}},
		{"same scope twice", header + "nodes:\n  poolLabel: x\nsegmentation:\n  scopeLabel: pci-scope\n  inScope: {value: a}\n  outOfScope: {value: a}\n", []string{"mine.yaml:6: segmentation.inScope.value and outOfScope.value are required and must differ"}},
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

func TestAllowedImagesRegexp(t *testing.T) {
	a := AllowedImages{Pattern: `{acr}\.azurecr\.io\/live\/.+$`}
	if _, err := a.Regexp(); err == nil || !strings.Contains(err.Error(), "--acr-name or set ACR_NAME") {
		t.Errorf("no registry name: got %v", err)
	}
	a.ACRName = "acraks123"
	re, err := a.Regexp()
	if err != nil {
		t.Fatal(err)
	}
	for img, want := range map[string]bool{
		"acraks123.azurecr.io/live/a0005/chain-api:1.0":       true,
		"acraks123.azurecr.io/quarantine/a0005/chain-api:1.0": false,
		"docker.io/library/busybox:1.33.0":                    false,
	} {
		if got := re.MatchString(img); got != want {
			t.Errorf("%s: match %v, want %v", img, got, want)
		}
	}
	p, _ := Builtin(Default)
	if p.Policies.Template(p.Images.Allowed.Policy) == nil {
		t.Errorf("images.allowed.policy %q names no template", p.Images.Allowed.Policy)
	}
}
