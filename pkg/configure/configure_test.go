package configure

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/placeholder"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// replaced flattens a plan into file → token → count.
func replaced(p *Plan) map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, c := range p.Changes {
		out[c.Path] = map[string]int{}
		for _, r := range c.Replaced {
			out[c.Path][r.Token] = r.N
		}
	}
	return out
}

func TestConfigureBothEras(t *testing.T) {
	acr, gh, kv, tn, cid := placeholder.ACRName, placeholder.GitHubAccount, placeholder.KeyVaultName, placeholder.KeyVaultTenant, placeholder.IngressClientID
	cases := []struct {
		era    string
		want   map[string]map[string]int
		unused []string
	}{
		{
			era: "era-a",
			want: map[string]map[string]int{
				"cluster-baseline-settings/kustomization.yaml": {acr: 2},
				"falco-system/kustomization.yaml":              {acr: 1},
				"flux-system/gotk-sync.yaml":                   {gh: 1},
				"flux-system/kustomization.yaml":               {acr: 2},
				"ingress-nginx/akv-tls-provider.yaml":          {kv: 1, tn: 1},
				"ingress-nginx/kustomization.yaml":             {acr: 2},
			},
			// Pod identity: there is no workload-identity client ID to fill.
			unused: []string{cid},
		},
		{
			era: "era-c",
			want: map[string]map[string]int{
				"cluster-baseline-settings/kustomization.yaml": {acr: 2},
				"falco-system/kustomization.yaml":              {acr: 3},
				"ingress-nginx/akv-tls-provider.yaml":          {cid: 1, kv: 1, tn: 1},
				"ingress-nginx/kustomization.yaml":             {acr: 2},
			},
			// The AKS Flux extension: no gotk-sync.yaml in the repository.
			unused: []string{gh},
		},
	}
	for _, c := range cases {
		t.Run(c.era, func(t *testing.T) {
			ctx := context.Background()
			dir := copyTree(t, c.era)
			before := snapshot(t, dir)

			p := prepareAll(ctx, t, dir)
			if got := replaced(p); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("replacements = %v\nwant %v", got, c.want)
			}
			if !reflect.DeepEqual(p.Unused, c.unused) {
				t.Errorf("Unused = %v, want %v", p.Unused, c.unused)
			}
			if len(p.Left) != 0 {
				t.Errorf("Left = %v, want none", p.Left)
			}
			if len(p.Kept) != 4 {
				t.Errorf("Kept = %v, want the 4 YOUR_ACR occurrences", p.Kept)
			}
			if err := p.Apply(ctx); err != nil {
				t.Fatal(err)
			}
			after := snapshot(t, dir)

			// Exactly the planned files changed, to exactly the planned text.
			for path, e := range before {
				rel := filepath.ToSlash(path)
				a := after[path]
				if _, changed := c.want[rel]; !changed {
					if a != e {
						t.Errorf("%s changed but was not in the plan", rel)
					}
					continue
				}
				if a.Mode != e.Mode {
					t.Errorf("%s: mode %v → %v", rel, e.Mode, a.Mode)
				}
				if strings.Contains(a.Data, "REPLACE_ME") || strings.Contains(a.Data, "KEYVAULT_") || strings.Contains(a.Data, "INGRESS_CONTROLLER") {
					t.Errorf("%s still holds a placeholder:\n%s", rel, a.Data)
				}
			}
			if len(after) != len(before) {
				t.Errorf("the tree has %d entries after, %d before (a temporary file left?)", len(after), len(before))
			}
			kust := after[filepath.Join("ingress-nginx", "kustomization.yaml")].Data
			if !strings.Contains(kust, "newName: "+testACR+".azurecr.io/live/ingress-nginx/controller\n") ||
				!strings.Contains(kust, "- name: YOUR_ACR.azurecr.io/live/ingress-nginx/controller\n") {
				t.Errorf("ingress-nginx/kustomization.yaml not configured as expected:\n%s", kust)
			}

			tree, err := Scan(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			if r := tree.Remaining(); len(r) != 0 {
				t.Errorf("Remaining() after configure = %v", r)
			}

			// Idempotent: a second run finds nothing to change.
			again := prepareAll(ctx, t, dir)
			if len(again.Changes) != 0 {
				t.Errorf("second run would change %v", replaced(again))
			}
			if len(again.Unused) != 5 {
				t.Errorf("second run: Unused = %v, want all five tokens", again.Unused)
			}
		})
	}
}

func TestTokensWithoutValueAreLeftAndReported(t *testing.T) {
	ctx := context.Background()
	dir := copyTree(t, "era-c")
	p, err := Prepare(ctx, dir, map[string]string{placeholder.ACRName: testACR})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, f := range p.Left {
		left = append(left, f.String())
	}
	want := []string{
		"ingress-nginx/akv-tls-provider.yaml:16: " + placeholder.IngressClientID,
		"ingress-nginx/akv-tls-provider.yaml:19: " + placeholder.KeyVaultName,
		"ingress-nginx/akv-tls-provider.yaml:25: " + placeholder.KeyVaultTenant,
	}
	if !reflect.DeepEqual(left, want) {
		t.Fatalf("Left = %v\nwant %v", left, want)
	}
	tree, err := Scan(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(tree.Remaining()); got != 3 {
		t.Errorf("Remaining() = %d, want 3", got)
	}
}

func TestInvalidValueIsRefusedBeforeAnyFileIsRead(t *testing.T) {
	// The folder does not exist: a value error must come first, proving
	// values are checked before the walk.
	dir := filepath.Join(t.TempDir(), "missing")
	_, err := Prepare(context.Background(), dir, map[string]string{
		placeholder.ACRName:        "acr-aks-1",
		placeholder.KeyVaultTenant: "not-a-guid",
	})
	if err == nil {
		t.Fatal("Prepare accepted invalid values")
	}
	for _, tok := range []string{placeholder.ACRName, placeholder.KeyVaultTenant} {
		rule := mustLookup(t, tok).Rule
		if !strings.Contains(err.Error(), rule) {
			t.Errorf("error %q does not quote the rule %q", err, rule)
		}
	}
	if strings.Contains(err.Error(), "no such folder") {
		t.Errorf("the folder was looked at before the values were checked: %v", err)
	}
	if _, err := Prepare(context.Background(), dir, map[string]string{placeholder.ACRImageRegistry: "acraks1"}); err == nil || !strings.Contains(err.Error(), "not replaced by hand") {
		t.Errorf("a value for YOUR_ACR: err = %v", err)
	}
}

func mustLookup(t *testing.T, name string) placeholder.Token {
	t.Helper()
	tok, ok := placeholder.Lookup(name)
	if !ok {
		t.Fatalf("no token %s", name)
	}
	return tok
}

func TestSymlinksAreNotFollowedOutOfTheFolder(t *testing.T) {
	ctx := context.Background()
	dir := copyTree(t, "era-c")
	outside := filepath.Join(t.TempDir(), "outside")
	secret := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  vault: KEYVAULT_NAME\n"
	plugintest.WriteFile(t, filepath.Join(outside, "vault.yaml"), secret)
	plugintest.WriteFile(t, filepath.Join(outside, "sub", "more.yaml"), "image: REPLACE_ME_WITH_YOUR_ACRNAME.azurecr.io/x\n")
	// A file link and a folder link that lead out, and a relative link that
	// climbs out through "..".
	mustSymlink(t, filepath.Join(outside, "vault.yaml"), filepath.Join(dir, "ingress-nginx", "vault.yaml"))
	mustSymlink(t, filepath.Join(outside, "sub"), filepath.Join(dir, "vendored"))
	rel, _ := filepath.Rel(filepath.Join(dir, "kube-system"), filepath.Join(outside, "vault.yaml"))
	mustSymlink(t, rel, filepath.Join(dir, "kube-system", "escape.yml"))
	// A link that stays inside is not followed either, and stays a link.
	mustSymlink(t, filepath.Join("..", "ingress-nginx", "kustomization.yaml"), filepath.Join(dir, "kube-system", "alias.yaml"))
	outsideBefore := snapshot(t, outside)

	p := prepareAll(ctx, t, dir)
	escapes := map[string]bool{}
	for _, s := range p.Tree.Skipped {
		escapes[s.Path] = s.Escapes
	}
	want := map[string]bool{"ingress-nginx/vault.yaml": true, "vendored": true, "kube-system/escape.yml": true, "kube-system/alias.yaml": false}
	if !reflect.DeepEqual(escapes, want) {
		t.Fatalf("Skipped = %+v, want escapes %v", p.Tree.Skipped, want)
	}
	for _, f := range p.Tree.Findings {
		if strings.HasPrefix(f.File, "vendored/") || f.File == "ingress-nginx/vault.yaml" || f.File == "kube-system/escape.yml" {
			t.Errorf("a placeholder was read through a symlink: %v", f)
		}
	}
	if err := p.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	assertUnchanged(t, outsideBefore, snapshot(t, outside))
	info, err := os.Lstat(filepath.Join(dir, "kube-system", "alias.yaml"))
	if err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the inside link was replaced by a file: %v, %v", info, err)
	}

	// --check walks the same way.
	tree, err := Scan(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if r := tree.Remaining(); len(r) != 0 {
		t.Errorf("Remaining() = %v: read through a link", r)
	}
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func TestFolderGivenThroughASymlink(t *testing.T) {
	ctx := context.Background()
	dir := copyTree(t, "era-a")
	link := filepath.Join(t.TempDir(), "manifests")
	mustSymlink(t, dir, link)
	p, err := Prepare(ctx, link, allValues())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	tree, err := Scan(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(tree.Remaining()) != 0 || len(p.Changes) != 6 {
		t.Errorf("configuring through a linked folder: %d changes, %v remaining", len(p.Changes), tree.Remaining())
	}
}

func TestReadOnlyFileRefusesEverything(t *testing.T) {
	ctx := context.Background()
	dir := copyTree(t, "era-a")
	ro := filepath.Join(dir, "ingress-nginx", "akv-tls-provider.yaml")
	if err := os.Chmod(ro, 0o444); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)

	// The check is on the mode, not on a failed write: rename replaces a
	// read-only file in a writable folder, and root may write anything, so
	// only an explicit check honours the user's chmod.
	p, err := Prepare(ctx, dir, allValues())
	var refused *RefusedError
	if !errors.As(err, &refused) {
		t.Fatalf("Prepare() error = %v, want a refusal", err)
	}
	if len(refused.Problems) != 1 || !strings.Contains(refused.Problems[0], "ingress-nginx/akv-tls-provider.yaml is read-only (mode -r--r--r--)") {
		t.Errorf("problems = %q", refused.Problems)
	}
	if err := p.Apply(ctx); !errors.As(err, &refused) {
		t.Errorf("Apply() on a refused plan = %v", err)
	}
	assertUnchanged(t, before, snapshot(t, dir))

	// Without a value for the read-only file's tokens, the rest goes ahead.
	p, err = Prepare(ctx, dir, map[string]string{placeholder.ACRName: testACR})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(ro); info.Mode().Perm() != 0o444 {
		t.Errorf("read-only file mode now %v", info.Mode())
	}
}

func TestModesAreKept(t *testing.T) {
	ctx := context.Background()
	dir := copyTree(t, "era-a")
	modes := map[string]os.FileMode{
		filepath.Join(dir, "flux-system", "gotk-sync.yaml"):                   0o600,
		filepath.Join(dir, "flux-system", "kustomization.yaml"):               0o664,
		filepath.Join(dir, "cluster-baseline-settings", "kustomization.yaml"): 0o755,
	}
	for p, m := range modes {
		if err := os.Chmod(p, m); err != nil {
			t.Fatal(err)
		}
	}
	p := prepareAll(ctx, t, dir)
	if err := p.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	for path, m := range modes {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != m {
			t.Errorf("%s: mode %v, want %v", path, info.Mode().Perm(), m)
		}
		b, _ := os.ReadFile(path)
		if bytes.Contains(b, []byte("REPLACE_ME")) {
			t.Errorf("%s not configured", path)
		}
	}
}

func TestFailedWriteRollsBack(t *testing.T) {
	ctx := context.Background()
	dir := copyTree(t, "era-a")
	before := snapshot(t, dir)
	p := prepareAll(ctx, t, dir)
	// The fourth rename fails, after three files were already replaced.
	calls := 0
	orig := rename
	rename = func(root *os.Root, from, to string) error {
		calls++
		if calls == 4 {
			return errors.New("injected: no space left on device")
		}
		return orig(root, from, to)
	}
	defer func() { rename = orig }()

	err := p.Apply(ctx)
	if err == nil {
		t.Fatal("Apply() succeeded despite the failed rename")
	}
	want := "writing " + p.Changes[3].Path + ": injected: no space left on device; the 3 file(s) already written were restored, nothing changed"
	if err.Error() != want {
		t.Errorf("Apply() error = %q\nwant %q", err, want)
	}
	// Same bytes, same modes, and no temporary file left behind.
	assertUnchanged(t, before, snapshot(t, dir))
}

func TestStagingFailureWritesNothing(t *testing.T) {
	ctx := context.Background()
	dir := copyTree(t, "era-c")
	before := snapshot(t, dir)
	p := prepareAll(ctx, t, dir)
	// The last file is edited between the plan and the write: the plan is stale.
	last := filepath.Join(dir, filepath.FromSlash(p.Changes[len(p.Changes)-1].Path))
	b, _ := os.ReadFile(last)
	edited := append(b, []byte("# edited meanwhile\n")...)
	if err := os.WriteFile(last, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	before[mustRel(t, dir, last)] = entry{Mode: 0o644, Data: string(edited)}
	err := p.Apply(ctx)
	if err == nil || !strings.Contains(err.Error(), "changed while configuring") {
		t.Fatalf("Apply() = %v", err)
	}
	assertUnchanged(t, before, snapshot(t, dir))
}

func mustRel(t *testing.T, base, p string) string {
	t.Helper()
	r, err := filepath.Rel(base, p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestFileThatWouldNoLongerParse(t *testing.T) {
	cases := []struct {
		name, file, content string
		values              map[string]string
		want                string
	}{
		{
			// A ConfigMap keyed by vault name: the placeholder key becomes a
			// duplicate of a real one, which YAML forbids.
			name: "duplicate key",
			file: "ingress-nginx/vault-routing.yaml",
			content: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: vault-routing\ndata:\n" +
				"  KEYVAULT_NAME: primary\n  " + testVault + ": secondary\n",
			values: map[string]string{placeholder.KeyVaultName: testVault},
			want:   "ingress-nginx/vault-routing.yaml would no longer be valid: after substitution it does not parse as YAML: yaml: unmarshal errors: line 7: mapping key \"" + testVault + "\" already defined at line 6",
		},
		{
			// An all-digit ACR name is valid, but as a plain scalar it reads
			// as a number. A whole plain scalar is quoted (TestQuoting); one
			// behind an anchor is replaced as text, and the string field
			// would become an int.
			name:    "type change",
			file:    "cluster-baseline-settings/registry.yaml",
			content: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: registry\ndata:\n  acrName: &acr REPLACE_ME_WITH_YOUR_ACRNAME\n",
			values:  map[string]string{placeholder.ACRName: "20240101"},
			want:    "cluster-baseline-settings/registry.yaml would no longer be valid: document 1: line 6: \"20240101\" would be read as !!int instead of !!str; quote it",
		},
		{
			// The second document of a file is broken already: a file that
			// does not parse is never written, whatever the cause.
			name:    "broken second document",
			file:    "flux-system/extra.yaml",
			content: "url: https://github.com/REPLACE_ME_WITH_YOUR_GITHUBACCOUNTNAME/x\n---\nkey: [unclosed\n",
			values:  map[string]string{placeholder.GitHubAccount: testGitHub},
			want:    "flux-system/extra.yaml would no longer be valid: it does not parse as YAML (nor did it before substitution): document 2: yaml: line ",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			dir := copyTree(t, "era-a")
			plugintest.WriteFile(t, filepath.Join(dir, filepath.FromSlash(c.file)), c.content)
			before := snapshot(t, dir)
			p, err := Prepare(ctx, dir, c.values)
			var refused *RefusedError
			if !errors.As(err, &refused) {
				t.Fatalf("Prepare() = %v, want a refusal", err)
			}
			if len(refused.Problems) != 1 || !strings.HasPrefix(refused.Problems[0], c.want) {
				t.Errorf("problems = %q\nwant %q", refused.Problems, c.want)
			}
			// Other files were fine, yet nothing at all is written.
			if len(p.Changes) < 2 {
				t.Errorf("the case should also change other files, changes = %v", replaced(p))
			}
			if err := p.Apply(ctx); err == nil {
				t.Error("Apply() wrote a refused plan")
			}
			assertUnchanged(t, before, snapshot(t, dir))
		})
	}
}

func TestCRLFAndMissingFinalNewline(t *testing.T) {
	ctx := context.Background()
	dir := copyTree(t, "era-c")
	crlf := "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: acr\r\ndata:\r\n  registry: REPLACE_ME_WITH_YOUR_ACRNAME.azurecr.io\r\n  other: x\r\n"
	plugintest.WriteFile(t, filepath.Join(dir, "kube-system", "crlf.yaml"), crlf)
	p := prepareAll(ctx, t, dir)
	if err := p.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "kube-system", "crlf.yaml"))
	if want := strings.Replace(crlf, "REPLACE_ME_WITH_YOUR_ACRNAME", testACR, 1); string(got) != want {
		t.Errorf("CRLF file = %q, want %q", got, want)
	}
	// The reference's akv-tls-provider.yaml ends without a newline; it must stay so.
	got, _ = os.ReadFile(filepath.Join(dir, "ingress-nginx", "akv-tls-provider.yaml"))
	if !bytes.HasSuffix(got, []byte("tenantID: "+testTenant)) {
		t.Errorf("akv-tls-provider.yaml end = %q", got[len(got)-40:])
	}
}

// The diff must be a real patch: applied to the original tree by git it
// yields exactly the configured tree, CRLF and missing final newline included.
func TestDiffAppliesWithGit(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Fatal("git is required (see README: Go, gcc, make, git and kubectl)")
	}
	ctx := context.Background()
	dir := copyTree(t, "era-c")
	plugintest.WriteFile(t, filepath.Join(dir, "kube-system", "crlf.yaml"), "a: 1\r\nregistry: REPLACE_ME_WITH_YOUR_ACRNAME.azurecr.io\r\nb: 2\r\n")
	pristine := t.TempDir()
	if out, err := exec.Command("cp", "-a", dir+"/.", pristine).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	p := prepareAll(ctx, t, dir)
	var diff bytes.Buffer
	if err := p.WriteDiff(&diff); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(diff.String(), "+    tenantID: "+testTenant+"\n\\ No newline at end of file\n") {
		t.Errorf("diff lacks the no-newline marker:\n%s", diff.String())
	}
	if err := p.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	patch := filepath.Join(t.TempDir(), "configure.patch")
	if err := os.WriteFile(patch, diff.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(git, "apply", "-p1", "--whitespace=nowarn", patch)
	cmd.Dir = pristine
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "GIT_CONFIG_NOSYSTEM=1"}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git apply: %v\n%s\n%s", err, out, diff.String())
	}
	assertUnchanged(t, snapshot(t, dir), snapshot(t, pristine))
}

func TestGitFolderAndNonYAMLAreIgnored(t *testing.T) {
	ctx := context.Background()
	dir := copyTree(t, "era-c")
	plugintest.WriteFile(t, filepath.Join(dir, ".git", "hooks", "x.yaml"), "a: REPLACE_ME_WITH_YOUR_ACRNAME\n")
	plugintest.WriteFile(t, filepath.Join(dir, "notes.txt"), "REPLACE_ME_WITH_YOUR_ACRNAME\n")
	plugintest.WriteFile(t, filepath.Join(dir, "extra", "upper.YML"), "a: REPLACE_ME_WITH_YOUR_ACRNAME\n")
	tree, err := Scan(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]bool{}
	for _, f := range tree.Findings {
		files[f.File] = true
	}
	if files[".git/hooks/x.yaml"] || files["notes.txt"] || !files["extra/upper.YML"] {
		t.Errorf("scanned files = %v", files)
	}
}

func TestScanRefusesAMissingFolderOrAFile(t *testing.T) {
	ctx := context.Background()
	missing := filepath.Join(t.TempDir(), "cluster-manifests")
	if _, err := Scan(ctx, missing); err == nil || !strings.Contains(err.Error(), "no such folder") {
		t.Errorf("Scan(missing) = %v", err)
	}
	f := filepath.Join(t.TempDir(), "file.yaml")
	plugintest.WriteFile(t, f, "a: b\n")
	if _, err := Scan(ctx, f); err == nil || !strings.Contains(err.Error(), "is not a folder") {
		t.Errorf("Scan(file) = %v", err)
	}
}

func TestLongLinesDoNotHidePlaceholders(t *testing.T) {
	dir := copyTree(t, "era-c")
	long := "data: \"" + strings.Repeat("x", 17<<20) + "\"\nregistry: REPLACE_ME_WITH_YOUR_ACRNAME.azurecr.io\n"
	plugintest.WriteFile(t, filepath.Join(dir, "kube-system", "long.yaml"), long)
	tree, err := Scan(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range tree.Findings {
		if f.File == "kube-system/long.yaml" && f.Line == 2 && f.Token == placeholder.ACRName {
			found = true
		}
	}
	if !found {
		t.Error("the placeholder after a 17 MiB line was not reported")
	}
}
