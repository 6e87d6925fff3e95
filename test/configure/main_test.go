package configure

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	k8syaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/aksbaseline/kubectl-aksbaseline/manifests"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

var binary string

func TestMain(m *testing.M) { os.Exit(plugintest.MainPlugin(m, &binary)) }

// aksbaseline runs the binary in dir with a clean environment (PATH, an empty
// HOME, a KUBECONFIG that is not even YAML: configure must never read it)
// plus env.
func aksbaseline(t *testing.T, dir string, env []string, args ...string) plugintest.Result {
	t.Helper()
	home := t.TempDir()
	kc := filepath.Join(home, "broken-kubeconfig")
	if err := os.WriteFile(kc, []byte("{{{ not a kubeconfig"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := plugintest.Run(t, plugintest.Cmd{Name: binary, Args: args, Dir: dir,
		Env: append([]string{"HOME=" + home, "KUBECONFIG=" + kc}, env...)})
	// Nothing may appear in HOME: no ~/.kube, no discovery cache.
	if entries, err := os.ReadDir(home); err != nil || len(entries) != 1 {
		t.Errorf("HOME after the run holds %v (%v): the kubeconfig machinery was touched", entries, err)
	}
	return r
}

// fork copies testdata/<era>/cluster-manifests of pkg/configure into a new
// folder shaped like a checkout of the fork and returns the checkout.
func fork(t *testing.T, era string) string {
	t.Helper()
	root := plugintest.RepoRoot(t)
	src := filepath.Join(root, "pkg", "configure", "testdata", era, "cluster-manifests")
	checkout := t.TempDir()
	plugintest.CopyTree(t, src, filepath.Join(checkout, "cluster-manifests"))
	return checkout
}

// contents maps every file under dir to its bytes and mode.
func contents(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		b, _ := os.ReadFile(p)
		out[p] = info.Mode().String() + "\n" + string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var values = []string{
	"--acr-name", "acraksabc123def",
	"--keyvault-name", "kv-aks-abc123def",
	"--tenant-id", "72f988bf-86f1-41af-91ab-2d7cd011db47",
	"--ingress-client-id", "0e7c1d5b-3a4f-4b2e-9c8d-6f5a4b3c2d1e",
}

func TestConfigureThenCheck(t *testing.T) {
	checkout := fork(t, "era-c")

	// The default folder is ./cluster-manifests.
	r := aksbaseline(t, checkout, nil, append([]string{"configure"}, values...)...)
	if r.Code != 0 || !strings.HasPrefix(r.Stdout, "--- a/cluster-baseline-settings/kustomization.yaml\n+++ b/cluster-baseline-settings/kustomization.yaml\n@@ ") {
		t.Fatalf("configure:\n%s", r)
	}
	for _, want := range []string{
		"✔ falco-system/kustomization.yaml: REPLACE_ME_WITH_YOUR_ACRNAME ×3\n",
		"✔ ingress-nginx/akv-tls-provider.yaml: KEYVAULT_NAME ×1, KEYVAULT_TENANT ×1, INGRESS_CONTROLLER_WORKLOAD_IDENTITY_CLIENT_ID_BU0001A0005_01 ×1\n",
		"✔ configured 4 files in ./cluster-manifests (10 replacements)",
	} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r)
		}
	}

	r = aksbaseline(t, checkout, nil, append([]string{"configure"}, values...)...)
	if r.Code != 0 || r.Stdout != "" || !strings.Contains(r.Stderr, "✔ nothing to change in ./cluster-manifests") {
		t.Errorf("second run:\n%s", r)
	}

	r = aksbaseline(t, checkout, nil, "configure", "--check")
	if r.Code != 0 || r.Stdout != "" || !strings.Contains(r.Stderr, "✔ no placeholders remain in ./cluster-manifests (19 YAML files checked)") {
		t.Errorf("--check after configure:\n%s", r)
	}
	r = aksbaseline(t, checkout, nil, "configure", "--check", "-o", "json")
	if r.Code != 0 {
		t.Fatalf("--check -o json:\n%s", r)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &rep); err != nil {
		t.Fatalf("%v:\n%s", err, r)
	}
	if rep["remaining"] != float64(0) || !reflect.DeepEqual(rep["placeholders"], []any{}) {
		t.Errorf("--check -o json after configure: %v", rep)
	}
}

type checkReport struct {
	Dir          string `json:"dir"`
	YAMLFiles    int    `json:"yamlFiles"`
	Remaining    int    `json:"remaining"`
	Placeholders []struct {
		File   string `json:"file"`
		Line   int    `json:"line"`
		Column int    `json:"column"`
		Token  string `json:"token"`
		Flag   string `json:"flag"`
		Env    string `json:"env"`
	} `json:"placeholders"`
	Skipped []any `json:"skipped"`
}

func TestCheckListsWhatRemains(t *testing.T) {
	checkout := fork(t, "era-a")
	dir := filepath.Join(checkout, "cluster-manifests")

	r := aksbaseline(t, checkout, nil, "configure", "--check", dir)
	want := strings.Join([]string{
		"cluster-baseline-settings/kustomization.yaml:9: REPLACE_ME_WITH_YOUR_ACRNAME",
		"cluster-baseline-settings/kustomization.yaml:12: REPLACE_ME_WITH_YOUR_ACRNAME",
		"falco-system/kustomization.yaml:8: REPLACE_ME_WITH_YOUR_ACRNAME",
		"flux-system/gotk-sync.yaml:10: REPLACE_ME_WITH_YOUR_GITHUBACCOUNTNAME",
		"flux-system/kustomization.yaml:14: REPLACE_ME_WITH_YOUR_ACRNAME",
		"flux-system/kustomization.yaml:16: REPLACE_ME_WITH_YOUR_ACRNAME",
		"ingress-nginx/akv-tls-provider.yaml:17: KEYVAULT_NAME",
		"ingress-nginx/akv-tls-provider.yaml:23: KEYVAULT_TENANT",
		"ingress-nginx/kustomization.yaml:10: REPLACE_ME_WITH_YOUR_ACRNAME",
		"ingress-nginx/kustomization.yaml:12: REPLACE_ME_WITH_YOUR_ACRNAME",
		// Era A's tree carries the reference's own Flux: --check names it too.
		"flux-system/gotk-components.yaml: carries Flux v0.8.1, older than the supported window (v2.7 to v2.9): run 'configure --upgrade-flux'",
		"flux-system/gotk-sync.yaml: GitRepository flux-system/flux-system is at source.toolkit.fluxcd.io/v1beta1, which Flux " + manifests.FluxVersion + " no longer serves",
		"flux-system/gotk-sync.yaml: Kustomization flux-system/flux-system is at kustomize.toolkit.fluxcd.io/v1beta1, which Flux " + manifests.FluxVersion + " no longer serves",
	}, "\n") + "\n"
	if r.Code != 1 || r.Stdout != want || !strings.Contains(r.Stderr, "✗ 10 placeholders remain in 6 files") || !strings.Contains(r.Stderr, "carries a Flux that current Flux no longer supports (3 finding(s))") {
		t.Errorf("--check: got\n%s\nwant stdout\n%s", r, want)
	}

	// Values in the environment do not matter to --check: a pipeline exports them.
	r = aksbaseline(t, checkout, []string{"ACR_NAME=acraksabc123def"}, "configure", "--check", "-o", "json", dir)
	if r.Code != 1 {
		t.Fatalf("--check -o json:\n%s", r)
	}
	var rep checkReport
	if err := json.Unmarshal([]byte(r.Stdout), &rep); err != nil {
		t.Fatalf("%v:\n%s", err, r)
	}
	if rep.Remaining != 10 || len(rep.Placeholders) != 10 || rep.YAMLFiles != 23 || rep.Dir != dir {
		t.Errorf("report = %+v", rep)
	}
	p := rep.Placeholders[3]
	if p.File != "flux-system/gotk-sync.yaml" || p.Line != 10 || p.Column != 27 || p.Token != "REPLACE_ME_WITH_YOUR_GITHUBACCOUNTNAME" || p.Flag != "--github-account" || p.Env != "GITHUB_ACCOUNT_NAME" {
		t.Errorf("placeholders[3] = %+v", p)
	}
	for _, p := range rep.Placeholders {
		if p.Token == "YOUR_ACR" {
			t.Errorf("YOUR_ACR counted by --check: %+v", p)
		}
	}
}

func TestValuesFromTheEnvironmentFlagsWin(t *testing.T) {
	checkout := fork(t, "era-a")
	env := []string{
		"ACR_NAME=not-valid!",                // overridden by the flag: never validated
		"GITHUB_ACCOUNT_NAME=contoso-gitops", // used
		"KEYVAULT_NAME=",                     // empty means unset
	}
	r := aksbaseline(t, checkout, env, "configure", "--acr-name", "acraksabc123def")
	if r.Code != 0 {
		t.Fatalf("configure:\n%s", r)
	}
	b, _ := os.ReadFile(filepath.Join(checkout, "cluster-manifests", "flux-system", "gotk-sync.yaml"))
	if !strings.Contains(string(b), "url: https://github.com/contoso-gitops/aks-baseline-regulated\n") {
		t.Errorf("GITHUB_ACCOUNT_NAME not used:\n%s", b)
	}
	b, _ = os.ReadFile(filepath.Join(checkout, "cluster-manifests", "flux-system", "kustomization.yaml"))
	if !strings.Contains(string(b), "newName: acraksabc123def.azurecr.io/live/fluxcd/source-controller\n") {
		t.Errorf("--acr-name not used:\n%s", b)
	}
	if !strings.Contains(r.Stderr, "⚠ KEYVAULT_NAME left in 1 place (ingress-nginx/akv-tls-provider.yaml:17): no value given; set --keyvault-name or $KEYVAULT_NAME") {
		t.Errorf("the token left without a value is not reported:\n%s", r)
	}
	if !strings.Contains(r.Stderr, "◎ YOUR_ACR left in 4 places on purpose") {
		t.Errorf("YOUR_ACR note missing:\n%s", r)
	}
}

func TestUnusedValueIsNotAnError(t *testing.T) {
	checkout := fork(t, "era-a")
	r := aksbaseline(t, checkout, nil, "configure", "--ingress-client-id", "0e7c1d5b-3a4f-4b2e-9c8d-6f5a4b3c2d1e", "--acr-name", "acraksabc123def")
	if r.Code != 0 || !strings.Contains(r.Stderr, "◎ --ingress-client-id given, but INGRESS_CONTROLLER_WORKLOAD_IDENTITY_CLIENT_ID_BU0001A0005_01 occurs in no YAML file under ./cluster-manifests: nothing to replace") {
		t.Errorf("unused value:\n%s", r)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	checkout := fork(t, "era-c")
	before := contents(t, checkout)
	r := aksbaseline(t, checkout, nil, append([]string{"configure", "--dry-run"}, values...)...)
	if r.Code != 0 || !strings.Contains(r.Stdout, "-    keyvaultName: KEYVAULT_NAME\n+    keyvaultName: kv-aks-abc123def\n") {
		t.Fatalf("--dry-run:\n%s", r)
	}
	if !strings.Contains(r.Stderr, "◎ dry run: 4 files would change (10 replacements); nothing written") {
		t.Errorf("--dry-run summary:\n%s", r)
	}
	if !reflect.DeepEqual(before, contents(t, checkout)) {
		t.Error("--dry-run changed the folder")
	}
}

func TestRefusalsExitTwoAndWriteNothing(t *testing.T) {
	cases := []struct {
		name    string
		prepare func(t *testing.T, dir string)
		env     []string
		args    []string
		want    string
	}{
		{
			name: "invalid flag value",
			args: []string{"--acr-name", "acr-aks", "--keyvault-name", "kv-aks-abc123def"},
			want: `error: invalid --acr-name "acr-aks": an ACR name is 5 to 50 letters and digits`,
		},
		{
			name: "invalid environment value",
			env:  []string{"TENANTID_AZURERBAC=my-tenant"},
			want: `error: invalid TENANTID_AZURERBAC "my-tenant" (from the environment; --tenant-id overrides it): a tenant ID is a GUID`,
		},
		{
			name: "read-only file",
			prepare: func(t *testing.T, dir string) {
				if err := os.Chmod(filepath.Join(dir, "ingress-nginx", "kustomization.yaml"), 0o444); err != nil {
					t.Fatal(err)
				}
			},
			args: []string{"--acr-name", "acraksabc123def"},
			want: "error: nothing written to ./cluster-manifests:\n  ingress-nginx/kustomization.yaml is read-only (mode -r--r--r--): make it writable (chmod u+w) to configure it\n",
		},
		{
			name: "file that would no longer parse",
			prepare: func(t *testing.T, dir string) {
				cm := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: vaults\ndata:\n  KEYVAULT_NAME: primary\n  kv-aks-abc123def: secondary\n"
				if err := os.WriteFile(filepath.Join(dir, "ingress-nginx", "vaults.yaml"), []byte(cm), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			args: []string{"--acr-name", "acraksabc123def", "--keyvault-name", "kv-aks-abc123def"},
			want: "  ingress-nginx/vaults.yaml would no longer be valid: after substitution it does not parse as YAML: yaml: unmarshal errors: line 7: mapping key \"kv-aks-abc123def\" already defined at line 6\n",
		},
		{name: "no values", want: "error: no values given: set at least one of --acr-name ($ACR_NAME)"},
		{name: "missing folder", args: []string{"--acr-name", "acraksabc123def", "elsewhere"}, want: "error: elsewhere: no such folder"},
		{name: "check with a value", args: []string{"--check", "--acr-name", "acraksabc123def"}, want: "error: --check takes no values: --acr-name given"},
		{name: "output without check", args: []string{"-o", "json", "--acr-name", "acraksabc123def"}, want: "error: --output applies to --check only"},
		{name: "check and dry run", args: []string{"--check", "--dry-run"}, want: "error: --check and --dry-run do not go together"},
		{name: "two folders", args: []string{"--check", "a", "b"}, want: "error: accepts at most 1 arg(s), received 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkout := fork(t, "era-a")
			if c.prepare != nil {
				c.prepare(t, filepath.Join(checkout, "cluster-manifests"))
			}
			before := contents(t, checkout)
			r := aksbaseline(t, checkout, c.env, append([]string{"configure"}, c.args...)...)
			if r.Code != 2 || r.Stdout != "" || !strings.Contains(r.Stderr, c.want) {
				t.Errorf("got\n%s\nwant exit 2, no stdout, stderr with %q", r, c.want)
			}
			if !reflect.DeepEqual(before, contents(t, checkout)) {
				t.Error("the folder changed")
			}
		})
	}
}

// A Key Vault named off is a valid name; unquoted, kubectl apply -f would
// read it as false. The file is read here as kubectl reads it.
func TestValueYAMLReadsAsAnotherTypeIsQuoted(t *testing.T) {
	checkout := fork(t, "era-c")
	r := aksbaseline(t, checkout, nil, "configure", "--keyvault-name", "off")
	if r.Code != 0 || !strings.Contains(r.Stdout, "\n+    keyvaultName: \"off\"\n") {
		t.Fatalf("configure --keyvault-name off:\n%s", r)
	}
	f, err := os.Open(filepath.Join(checkout, "cluster-manifests", "ingress-nginx", "akv-tls-provider.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var obj struct {
		Spec struct {
			Parameters map[string]any `json:"parameters"`
		} `json:"spec"`
	}
	if err := k8syaml.NewYAMLOrJSONDecoder(f, 4096).Decode(&obj); err != nil {
		t.Fatal(err)
	}
	if v := obj.Spec.Parameters["keyvaultName"]; v != "off" {
		t.Errorf("kubectl reads keyvaultName as %#v, want the string \"off\"", v)
	}
}

func TestSymlinkOutOfTheFolderIsNotFollowed(t *testing.T) {
	checkout := fork(t, "era-c")
	outside := t.TempDir()
	victim := filepath.Join(outside, "victim.yaml")
	if err := os.WriteFile(victim, []byte("registry: REPLACE_ME_WITH_YOUR_ACRNAME\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(checkout, "cluster-manifests", "ingress-nginx", "shared.yaml")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	r := aksbaseline(t, checkout, nil, append([]string{"configure"}, values...)...)
	want := "⚠ ingress-nginx/shared.yaml: symlink to " + victim + " leads out of ./cluster-manifests: not followed, nothing read or written there\n"
	if r.Code != 0 || !strings.Contains(r.Stderr, want) {
		t.Errorf("got\n%s\nwant stderr with %q", r, want)
	}
	if b, _ := os.ReadFile(victim); string(b) != "registry: REPLACE_ME_WITH_YOUR_ACRNAME\n" {
		t.Errorf("the file outside the folder was written: %q", b)
	}
	// Every placeholder inside is filled, but the link's target holds one:
	// --check must not call the tree clean, and names the link and where
	// it leads.
	r = aksbaseline(t, checkout, nil, "configure", "--check", "-o", "json")
	var rep checkReport
	if err := json.Unmarshal([]byte(r.Stdout), &rep); err != nil || r.Code != 1 || len(rep.Skipped) != 1 || rep.Remaining != 0 {
		t.Errorf("--check -o json with an escaping link: want exit 1 and the link in skipped: %v\n%s", err, r)
	}
	r = aksbaseline(t, checkout, nil, "configure", "--check")
	line := "ingress-nginx/shared.yaml: symlink to " + victim + " leads out of ./cluster-manifests: not followed, nothing read or written there\n"
	if r.Code != 1 || r.Stdout != line || !strings.Contains(r.Stderr, "✗ 1 symlink leads out of ./cluster-manifests") || strings.Contains(r.Stderr, "no placeholders remain") {
		t.Errorf("--check with an escaping link: want exit 1 naming it and its target\n%s", r)
	}
	// A link within the folder is checked at its target's path, as before.
	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("akv-tls-provider.yaml", link); err != nil {
		t.Fatal(err)
	}
	if r := aksbaseline(t, checkout, nil, "configure", "--check"); r.Code != 0 || !strings.Contains(r.Stderr, "no placeholders remain") {
		t.Errorf("--check with a link within the folder: want exit 0\n%s", r)
	}
}

func TestFluxPluginName(t *testing.T) {
	checkout := fork(t, "era-c")
	flux := filepath.Join(filepath.Dir(binary), "flux-aksbaseline")
	r := plugintest.Run(t, plugintest.Cmd{Name: flux, Args: []string{"configure", "--check"}, Dir: checkout})
	if !strings.Contains(r.Stderr, "fill them with 'flux aksbaseline configure'") {
		t.Errorf("stderr = %q", r.Stderr)
	}
}
