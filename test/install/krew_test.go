package install

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"text/template"

	"sigs.k8s.io/yaml"

	"github.com/aksbaseline/kubectl-aksbaseline/hack/release"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/testbin"
)

// krewPlugin mirrors the fields of sigs.k8s.io/krew/pkg/index.Plugin the
// manifest uses; strict decoding catches a misspelt one.
type krewPlugin struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Version          string `json:"version"`
		Homepage         string `json:"homepage"`
		ShortDescription string `json:"shortDescription"`
		Description      string `json:"description"`
		Caveats          string `json:"caveats"`
		Platforms        []struct {
			Selector struct {
				MatchLabels map[string]string `json:"matchLabels"`
			} `json:"selector"`
			URI    string `json:"uri"`
			Sha256 string `json:"sha256"`
			Files  []struct {
				From string `json:"from"`
				To   string `json:"to"`
			} `json:"files"`
			Bin string `json:"bin"`
		} `json:"platforms"`
	} `json:"spec"`
}

func krewManifestPath() string { return filepath.Join(pluginDir, release.KrewName+".yaml") }

func readKrew(t *testing.T, file string) ([]byte, krewPlugin) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var p krewPlugin
	if err := yaml.UnmarshalStrict(b, &p); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return b, p
}

// renderLikeBot renders a .krew.yaml as krew-release-bot does (text/template
// with addURIAndSha and its indent), asking sum for each asset's SHA-256
// instead of downloading it.
func renderLikeBot(t *testing.T, tmpl []byte, tag string, sum func(url string) (string, error)) []byte {
	t.Helper()
	funcs := template.FuncMap{
		"addURIAndSha": func(urlTmpl, tag string) (string, error) {
			ut, err := template.New("url").Parse(urlTmpl)
			if err != nil {
				return "", err
			}
			var u strings.Builder
			if err := ut.Execute(&u, map[string]string{"TagName": tag, "Version": strings.TrimPrefix(tag, "v")}); err != nil {
				return "", err
			}
			s, err := sum(u.String())
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("uri: %s\n    sha256: %s", u.String(), s), nil
		},
		"indent": func(n int, s string) string {
			s = strings.ReplaceAll(s, "    sha256:", "sha256:")
			pad := strings.Repeat(" ", n)
			return strings.TrimSpace(pad + strings.ReplaceAll(s, "\n", "\n"+pad))
		},
	}
	tp, err := template.New(".krew.yaml").Funcs(funcs).Parse(string(tmpl))
	if err != nil {
		t.Fatalf("parsing the template: %v", err)
	}
	var out bytes.Buffer
	if err := tp.Execute(&out, map[string]string{"TagName": tag}); err != nil {
		t.Fatalf("rendering the template: %v", err)
	}
	return out.Bytes()
}

// hashLocalArchive is the test's addURIAndSha download: the asset named by
// the URL, from the local release folder, under this release's URL.
func hashLocalArchive(u string) (string, error) {
	prefix := strings.TrimSuffix(repoURL, "/") + "/releases/download/" + version + "/"
	if !strings.HasPrefix(u, prefix) {
		return "", fmt.Errorf("asset URL %s is not under %s", u, prefix)
	}
	b, err := os.ReadFile(filepath.Join(distDir, path.Base(u)))
	if err != nil {
		return "", err
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:]), nil
}

func TestKrewTemplateIsTheOneDerivedFromRepoURL(t *testing.T) {
	committed, err := os.ReadFile(filepath.Join(root, ".krew.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	generated, err := os.ReadFile(filepath.Join(work, "krew-template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(committed, generated) {
		t.Fatalf(".krew.yaml is not what 'make plugin-manifests' derives from REPO_URL=%s: run 'make plugin-manifests-refresh'", repoURL)
	}
	for _, want := range []string{"{{ .TagName }}", "addURIAndSha", "| indent 4", "homepage: " + repoURL + "\n"} {
		if !strings.Contains(string(committed), want) {
			t.Errorf(".krew.yaml lacks %q", want)
		}
	}
	if regexp.MustCompile(`[a-f0-9]{64}`).Match(committed) {
		t.Error(".krew.yaml holds a hash; the bot must compute every sha256")
	}
}

func TestRenderedKrewTemplateEqualsGeneratedManifest(t *testing.T) {
	tmpl, err := os.ReadFile(filepath.Join(root, ".krew.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rendered := renderLikeBot(t, tmpl, version, hashLocalArchive)
	generated, err := os.ReadFile(krewManifestPath())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(rendered, generated) {
		t.Fatalf(".krew.yaml rendered for %s differs from the generated manifest\nrendered:\n%s\ngenerated:\n%s", version, rendered, generated)
	}
}

func TestKrewManifestFollowsKrewIndexRules(t *testing.T) {
	_, p := readKrew(t, krewManifestPath())
	if p.APIVersion != "krew.googlecontainertools.github.com/v1alpha2" || p.Kind != "Plugin" || p.Metadata.Name != "aksbaseline" {
		t.Errorf("apiVersion %q kind %q name %q", p.APIVersion, p.Kind, p.Metadata.Name)
	}
	s := p.Spec
	if s.Version != version || s.Homepage != repoURL {
		t.Errorf("version %q homepage %q, want %q and %q", s.Version, s.Homepage, version, repoURL)
	}
	if n := len(s.ShortDescription); n == 0 || n > 50 || strings.ContainsAny(s.ShortDescription, "\r\n") {
		t.Errorf("shortDescription %q: %d characters, want 1..50 on one line", s.ShortDescription, n)
	}
	for _, line := range strings.Split(strings.TrimRight(s.Description, "\n"), "\n") {
		// As it sits in the file, under 'spec: description: |'.
		if len("    "+line) > 80 {
			t.Errorf("description line wider than 80 columns: %q", line)
		}
	}
	if regexp.MustCompile(`(?m)^\s*(\$ |kubectl |flux |#)|` + "```").MatchString(s.Description) {
		t.Errorf("description holds a usage example:\n%s", s.Description)
	}
	for _, want := range []string{"kubelogin", "kubectl_complete-aksbaseline", "completion kubectl-plugin"} {
		if !strings.Contains(s.Caveats, want) {
			t.Errorf("caveats do not mention %q:\n%s", want, s.Caveats)
		}
	}
	hex64 := regexp.MustCompile(`^[a-f0-9]{64}$`)
	seen := map[string]bool{}
	for _, pl := range s.Platforms {
		goos, goarch := pl.Selector.MatchLabels["os"], pl.Selector.MatchLabels["arch"]
		key := goos + "/" + goarch
		if seen[key] || len(pl.Selector.MatchLabels) != 2 {
			t.Errorf("selector %v overlaps or has keys other than os and arch", pl.Selector.MatchLabels)
		}
		seen[key] = true
		pf := release.Platform{OS: goos, Arch: goarch}
		if want := repoURL + "/releases/download/" + version + "/" + release.ArchiveName(version, pf); pl.URI != want {
			t.Errorf("%s: uri %s, want %s", key, pl.URI, want)
		}
		if sum, err := hashLocalArchive(pl.URI); err != nil || !hex64.MatchString(pl.Sha256) || pl.Sha256 != sum {
			t.Errorf("%s: sha256 %q, archive hashes to %q (%v)", key, pl.Sha256, sum, err)
		}
		if pl.Bin != pf.BinaryName() {
			t.Errorf("%s: bin %q, want %q", key, pl.Bin, pf.BinaryName())
		}
		var license bool
		for _, f := range pl.Files {
			license = license || f.From == "LICENSE"
		}
		if !license {
			t.Errorf("%s: files do not copy LICENSE out of the archive", key)
		}
	}
	if len(seen) != len(release.Platforms) {
		t.Errorf("platforms %v, want %v", seen, release.Platforms)
	}
}

func TestValidateKrewManifestAcceptsTheManifest(t *testing.T) {
	validate, err := testbin.Path("validate-krew-manifest")
	if err != nil {
		t.Fatal(err)
	}
	r := runIn(t, nil, nil, validate, "-manifest", krewManifestPath(), "-skip-install")
	if r.Code != 0 {
		t.Fatalf("validate-krew-manifest: %s", r)
	}

	// The same tool must refuse a broken copy, or passing proves nothing.
	b, _ := readKrew(t, krewManifestPath())
	bad := regexp.MustCompile(`sha256: ([a-f0-9]{64})`).ReplaceAllFunc(b, bytes.ToUpper)
	bad = bytes.ReplaceAll(bad, []byte("SHA256:"), []byte("sha256:"))
	badPath := filepath.Join(t.TempDir(), release.KrewName+".yaml")
	if err := os.WriteFile(badPath, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runIn(t, nil, nil, validate, "-manifest", badPath, "-skip-install"); r.Code == 0 || !strings.Contains(r.Stderr, "must match pattern ^[a-f0-9]{64}$") {
		t.Fatalf("validate-krew-manifest did not refuse upper-case sha256 values: %s", r)
	}
}

// TestKrewInstallsFromTheLocalArchive installs with the real krew into a
// throwaway KREW_ROOT, then runs the plugin through the real kubectl from
// krew's bin folder.
func TestKrewInstallsFromTheLocalArchive(t *testing.T) {
	krewRoot := t.TempDir()
	pathList := append([]string{filepath.Join(krewRoot, "bin"), tools}, systemPath...)
	env := []string{"KREW_ROOT=" + krewRoot}
	r := runIn(t, pathList, env, "kubectl", "krew", "install", "--manifest="+krewManifestPath(), "--archive="+hostArchive())
	all := r.Stdout + r.Stderr
	if r.Code != 0 || !strings.Contains(all, "Installed plugin: aksbaseline") {
		t.Fatalf("krew install: %s", r)
	}
	if !strings.Contains(all, "kubelogin") {
		t.Errorf("krew did not show the caveats: %s", r)
	}
	if _, err := os.Stat(filepath.Join(krewRoot, "store", "aksbaseline", version, "LICENSE")); err != nil {
		t.Errorf("no LICENSE in the installed plugin: %v", err)
	}
	link := filepath.Join(krewRoot, "bin", "kubectl-aksbaseline")
	if target, err := os.Readlink(link); err != nil || !strings.HasPrefix(target, filepath.Join(krewRoot, "store")) {
		t.Fatalf("%s -> %q (%v), want a link into krew's store", link, target, err)
	}

	r = runIn(t, pathList, env, "kubectl", "aksbaseline", "version", "--client")
	if r.Code != 0 || !strings.HasPrefix(r.Stdout, "Client Version: "+version+" ") {
		t.Fatalf("kubectl aksbaseline version --client: %s", r)
	}
	r = runIn(t, pathList, env, "kubectl", "aksbaseline", "--help")
	if r.Code != 0 || !strings.Contains(r.Stdout, "kubectl aksbaseline [command]") {
		t.Fatalf("kubectl aksbaseline --help does not speak as kubectl aksbaseline: %s", r)
	}
}

// TestKrewInstallsEveryPlatform does what validate-krew-manifest does without
// -skip-install, offline: krew installs each platform's archive (stubs for
// the ones not built here) as that platform, and must find bin and LICENSE.
func TestKrewInstallsEveryPlatform(t *testing.T) {
	for _, p := range release.Platforms {
		t.Run(p.String(), func(t *testing.T) {
			krewRoot := t.TempDir()
			pathList := append([]string{tools}, systemPath...)
			env := []string{"KREW_ROOT=" + krewRoot, "KREW_OS=" + p.OS, "KREW_ARCH=" + p.Arch}
			archive := filepath.Join(distDir, release.ArchiveName(version, p))
			r := runIn(t, pathList, env, "kubectl", "krew", "install", "--manifest="+krewManifestPath(), "--archive="+archive)
			if r.Code != 0 {
				t.Fatalf("krew install as %s: %s", p, r)
			}
			store := filepath.Join(krewRoot, "store", "aksbaseline", version)
			for _, f := range []string{p.BinaryName(), "LICENSE"} {
				if _, err := os.Stat(filepath.Join(store, f)); err != nil {
					t.Errorf("installed plugin lacks %s: %v", f, err)
				}
			}
		})
	}
}

// TestCommittedKrewManifestMatchesTheTemplate guards krew/aksbaseline.yaml
// against hand edits and a REPO_URL or template change without regeneration:
// the template rendered for the committed version, with the committed
// checksums, must give the committed file back.
func TestCommittedKrewManifestMatchesTheTemplate(t *testing.T) {
	file := filepath.Join(root, "krew", release.KrewName+".yaml")
	committed, p := readKrew(t, file)
	sums := map[string]string{}
	for _, pl := range p.Spec.Platforms {
		sums[pl.URI] = pl.Sha256
	}
	tmpl, err := os.ReadFile(filepath.Join(root, ".krew.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rendered := renderLikeBot(t, tmpl, p.Spec.Version, func(u string) (string, error) {
		if s, ok := sums[u]; ok {
			return s, nil
		}
		return "", fmt.Errorf("krew/aksbaseline.yaml has no platform for %s", u)
	})
	if !bytes.Equal(rendered, committed) {
		t.Fatalf("krew/aksbaseline.yaml is not .krew.yaml rendered for %s: run 'make plugin-manifests-refresh'\nrendered:\n%s", p.Spec.Version, rendered)
	}
}

// TestRefreshRederivesTheSameManifests: 'make plugin-manifests-refresh'
// rebuilds the manifests from the krew manifest alone, byte for byte.
func TestRefreshRederivesTheSameManifests(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile(krewManifestPath())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, release.KrewName+".yaml"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	tmpl := filepath.Join(dir, "krew-template.yaml")
	if out, err := runMake("plugin-manifests-refresh", "PLUGIN_DIR="+dir, "KREW_TEMPLATE="+tmpl); err != nil {
		t.Fatalf("make plugin-manifests-refresh: %v\n%s", err, out)
	}
	for got, want := range map[string]string{
		tmpl: filepath.Join(work, "krew-template.yaml"),
		filepath.Join(dir, release.KrewName+".yaml"): krewManifestPath(),
		filepath.Join(dir, release.FluxBin+".yaml"):  fluxManifestPath(),
	} {
		g, err1 := os.ReadFile(got)
		w, err2 := os.ReadFile(want)
		if err1 != nil || err2 != nil || !bytes.Equal(g, w) {
			t.Errorf("%s differs from %s (%v, %v)", got, want, err1, err2)
		}
	}
}
