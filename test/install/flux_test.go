package install

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/aksbaseline/kubectl-aksbaseline/hack/release"
)

// fluxManifest is the Flux CLI plugin schema (fluxcd/plugins
// schemas/plugin-cli-v1beta1.json, flux2 pkg/plugin/types.go). The schema
// sets additionalProperties: false at every level, which strict decoding
// into exactly these fields enforces.
type fluxManifest struct {
	APIVersion  string `json:"apiVersion"`
	Kind        string `json:"kind"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Homepage    string `json:"homepage"`
	Source      string `json:"source"`
	Bin         string `json:"bin"`
	Versions    []struct {
		Version   string `json:"version"`
		Platforms []struct {
			OS          string `json:"os"`
			Arch        string `json:"arch"`
			URL         string `json:"url"`
			Checksum    string `json:"checksum"`
			ExtractPath string `json:"extractPath"`
		} `json:"platforms"`
	} `json:"versions"`
}

var (
	fluxNameRe     = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	fluxVersionRe  = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+(-.+)?$`)
	fluxChecksumRe = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)
	// Commands flux2 v2.9 has built in; a plugin of the same name never runs.
	fluxBuiltins = []string{"bootstrap", "build", "check", "completion", "create", "debug", "delete", "diff", "envsubst", "events", "export", "get", "help", "install", "list", "logs", "migrate", "plugin", "pull", "push", "reconcile", "resume", "stats", "suspend", "tag", "trace", "tree", "uninstall", "version"}
)

// checkFluxSchema decodes a manifest and applies every rule of the schema.
func checkFluxSchema(t *testing.T, b []byte) fluxManifest {
	t.Helper()
	var m fluxManifest
	if err := yaml.UnmarshalStrict(b, &m); err != nil {
		t.Fatalf("not a cli.fluxcd.io/v1beta1 Plugin (unknown or mistyped field): %v", err)
	}
	if m.APIVersion != "cli.fluxcd.io/v1beta1" || m.Kind != "Plugin" {
		t.Errorf("apiVersion %q kind %q", m.APIVersion, m.Kind)
	}
	if !fluxNameRe.MatchString(m.Name) || slices.Contains(fluxBuiltins, m.Name) {
		t.Errorf("name %q: must match %s and not be a built-in command", m.Name, fluxNameRe)
	}
	if !fluxNameRe.MatchString(m.Bin) || path.Base(m.Bin) != m.Bin {
		t.Errorf("bin %q: must match %s", m.Bin, fluxNameRe)
	}
	if m.Description == "" {
		t.Error("description is required")
	}
	for field, u := range map[string]string{"homepage": m.Homepage, "source": m.Source} {
		if !strings.HasPrefix(u, "https://") {
			t.Errorf("%s %q: must be an https URL", field, u)
		}
	}
	if len(m.Versions) == 0 {
		t.Fatal("versions: at least one is required")
	}
	for i, v := range m.Versions {
		if !fluxVersionRe.MatchString(v.Version) {
			t.Errorf("versions[%d].version %q: must match %s (no leading v)", i, v.Version, fluxVersionRe)
		}
		if len(v.Platforms) == 0 {
			t.Errorf("versions[%d] (%s): no platforms", i, v.Version)
		}
		seen := map[string]bool{}
		for _, p := range v.Platforms {
			key := p.OS + "/" + p.Arch
			if !slices.Contains([]string{"darwin", "linux", "windows"}, p.OS) || !slices.Contains([]string{"amd64", "arm64"}, p.Arch) || seen[key] {
				t.Errorf("%s %s: os/arch outside the schema's enums, or listed twice", v.Version, key)
			}
			seen[key] = true
			if !strings.HasPrefix(p.URL, "https://") {
				t.Errorf("%s %s: url %q must be https", v.Version, key, p.URL)
			}
			if !fluxChecksumRe.MatchString(p.Checksum) {
				t.Errorf("%s %s: checksum %q must match %s", v.Version, key, p.Checksum, fluxChecksumRe)
			}
		}
	}
	return m
}

// oneContextKubeconfig names a cluster nothing listens for, under context "real".
const oneContextKubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: u
  user: {token: t}
contexts:
- name: real
  context: {cluster: c, user: u}
current-context: real
`

func fluxManifestPath() string { return filepath.Join(pluginDir, release.FluxBin+".yaml") }

func TestFluxManifestFollowsTheSchema(t *testing.T) {
	b, err := os.ReadFile(fluxManifestPath())
	if err != nil {
		t.Fatal(err)
	}
	m := checkFluxSchema(t, b)
	if m.Name != "aksbaseline" || m.Bin != "flux-aksbaseline" || m.Homepage != repoURL || m.Source != repoURL {
		t.Errorf("name %q bin %q homepage %q source %q", m.Name, m.Bin, m.Homepage, m.Source)
	}
	if len(m.Versions) != 1 || m.Versions[0].Version != strings.TrimPrefix(version, "v") {
		t.Fatalf("versions %+v, want only %s", m.Versions, strings.TrimPrefix(version, "v"))
	}
	plats := m.Versions[0].Platforms
	if len(plats) != len(release.Platforms) {
		t.Errorf("%d platforms, want %d", len(plats), len(release.Platforms))
	}
	for _, p := range plats {
		pf := release.Platform{OS: p.OS, Arch: p.Arch}
		if want := repoURL + "/releases/download/" + version + "/" + release.ArchiveName(version, pf); p.URL != want {
			t.Errorf("%s: url %s, want %s", pf, p.URL, want)
		}
		sum, err := hashLocalArchive(p.URL)
		if err != nil || p.Checksum != "sha256:"+sum {
			t.Errorf("%s: checksum %s, archive hashes to %s (%v)", pf, p.Checksum, sum, err)
		}
		// Flux extracts extractPath (else bin, which the archive does not
		// hold): it must name the executable in the archive.
		entries, err := release.ReadArchive(filepath.Join(distDir, path.Base(p.URL)))
		if err != nil {
			t.Fatal(err)
		}
		e, ok := release.FindEntry(entries, p.ExtractPath)
		if p.ExtractPath == "" || !ok || (p.OS != "windows" && e.Mode&0o111 == 0) {
			t.Errorf("%s: extractPath %q is not an executable in %s", pf, p.ExtractPath, path.Base(p.URL))
		}
	}
}

// installAsFlux does what 'flux plugin install' does with the manifest:
// newest version, this machine's platform, checksum verified, extractPath
// written as bin (0755) into $FLUXCD_PLUGINS (flux2 internal/plugin/install.go).
func installAsFlux(t *testing.T) (pluginsDir, exe string) {
	t.Helper()
	b, err := os.ReadFile(fluxManifestPath())
	if err != nil {
		t.Fatal(err)
	}
	m := checkFluxSchema(t, b)
	for _, p := range m.Versions[0].Platforms {
		if p.OS != host.OS || p.Arch != host.Arch {
			continue
		}
		archive := filepath.Join(distDir, path.Base(p.URL))
		sum, err := hashLocalArchive(p.URL)
		if err != nil || "sha256:"+sum != p.Checksum {
			t.Fatalf("checksum of %s: %s (%v), manifest says %s", archive, sum, err, p.Checksum)
		}
		entries, err := release.ReadArchive(archive)
		if err != nil {
			t.Fatal(err)
		}
		e, ok := release.FindEntry(entries, p.ExtractPath)
		if !ok {
			t.Fatalf("%s holds no %s", archive, p.ExtractPath)
		}
		// Flux names the installed file after bin, and discovers flux-<name>:
		// the two must agree or the plugin installs but never runs.
		if m.Bin != "flux-"+m.Name {
			t.Fatalf("bin %q is not flux-%s", m.Bin, m.Name)
		}
		pluginsDir = t.TempDir()
		exe = filepath.Join(pluginsDir, m.Bin)
		if err := os.WriteFile(exe, e.Data, 0o755); err != nil {
			t.Fatal(err)
		}
		return pluginsDir, exe
	}
	t.Fatalf("the Flux manifest has no %s platform", host)
	return "", ""
}

// TestFluxRunsThePluginAsFluxAksbaseline installs from the Flux manifest and
// starts the plugin as flux does: discovered in $FLUXCD_PLUGINS (a regular,
// executable flux-* file), run with its own path as argv[0] and every word
// after 'flux aksbaseline' as its arguments. The flux CLI itself is not built
// here; its discovery and exec rules are flux.md §4's.
func TestFluxRunsThePluginAsFluxAksbaseline(t *testing.T) {
	dir, exe := installAsFlux(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, e := range entries {
		info, err := os.Stat(filepath.Join(dir, e.Name()))
		if err == nil && info.Mode().IsRegular() && info.Mode()&0o111 != 0 && strings.HasPrefix(e.Name(), "flux-") {
			found = append(found, strings.TrimPrefix(e.Name(), "flux-"))
		}
	}
	if !slices.Equal(found, []string{"aksbaseline"}) {
		t.Fatalf("flux would discover %v in $FLUXCD_PLUGINS, want [aksbaseline]", found)
	}

	env := []string{"FLUXCD_PLUGINS=" + dir, "KUBECONFIG=" + filepath.Join(t.TempDir(), "none")}
	r := runIn(t, nil, env, exe, "--help")
	if r.Code != 0 || !strings.Contains(r.Stdout, "flux aksbaseline [command]") || strings.Contains(r.Stdout, "kubectl aksbaseline") {
		t.Fatalf("help does not speak as flux aksbaseline: %s", r)
	}

	// Flux users put the kubeconfig flags first, as with flux's own commands.
	for _, args := range [][]string{
		{"--context", "x", "-n", "y", "version", "--client"},
		{"--context=x", "--namespace=y", "version", "--client"},
		{"-n", "y", "--kubeconfig", "/nonexistent", "version", "--client", "-o", "yaml"},
	} {
		r := runIn(t, nil, env, exe, args...)
		if r.Code != 0 || !strings.Contains(r.Stdout, version) {
			t.Errorf("flux aksbaseline %s: %s", strings.Join(args, " "), r)
		}
	}
	r = runIn(t, nil, env, exe, "--context", "x", "-n", "y", "version", "--help")
	if r.Code != 0 || !strings.Contains(r.Stdout, "flux aksbaseline version") {
		t.Errorf("flux aksbaseline --context x -n y version --help: %s", r)
	}
	// The flags before the subcommand are really used: the kubeconfig has
	// one context, and the one asked for is not it.
	kubeconfig := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(kubeconfig, []byte(oneContextKubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	r = runIn(t, nil, env, exe, "--kubeconfig", kubeconfig, "--context", "no-such-context", "-n", "y", "version")
	if r.Code != 2 || !strings.Contains(r.Stderr, "no-such-context") {
		t.Errorf("flux aksbaseline --context no-such-context version: want exit 2 naming the context: %s", r)
	}
}

// TestCommittedFluxManifest checks krew/flux-aksbaseline.yaml against the
// schema and against the committed krew manifest: same repository, same
// newest version, same archives with the same checksums.
func TestCommittedFluxManifest(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "krew", release.FluxBin+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m := checkFluxSchema(t, b)
	_, k := readKrew(t, filepath.Join(root, "krew", release.KrewName+".yaml"))
	if m.Homepage != repoURL || m.Source != repoURL {
		t.Errorf("homepage %q source %q, want REPO_URL %q: run 'make plugin-manifests-refresh'", m.Homepage, m.Source, repoURL)
	}
	if m.Versions[0].Version != strings.TrimPrefix(k.Spec.Version, "v") {
		t.Fatalf("newest Flux version %s, krew version %s", m.Versions[0].Version, k.Spec.Version)
	}
	krewSums := map[string]string{}
	for _, p := range k.Spec.Platforms {
		krewSums[p.URI] = p.Sha256
	}
	for _, p := range m.Versions[0].Platforms {
		if s, ok := krewSums[p.URL]; !ok || "sha256:"+s != p.Checksum {
			t.Errorf("%s/%s: %s %s, krew manifest has %q", p.OS, p.Arch, p.URL, p.Checksum, s)
		}
	}
}
