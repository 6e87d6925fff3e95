package sim

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/oldflux"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

func TestParseEra(t *testing.T) {
	if e, err := ParseEra(""); err != nil || e != EraPodIdentity {
		t.Errorf(`ParseEra("") = %q, %v; want the default era podidentity`, e, err)
	}
	for _, e := range DemoEras() {
		if got, err := ParseEra(string(e)); err != nil || got != e {
			t.Errorf("ParseEra(%q) = %q, %v", e, got, err)
		}
	}
	if _, err := ParseEra("classic"); err == nil || !strings.Contains(err.Error(), "podidentity, workloadidentity, extension, migrated, oldflux") {
		t.Errorf("ParseEra(classic) error %v, want one naming every era", err)
	}
}

// The configure flags an operator passes per era (the reference's docs).
func TestConfigureArgs(t *testing.T) {
	base := []string{"configure", "cm", "--acr-name", ACRName, "--keyvault-name", KeyVaultName, "--tenant-id", TenantID}
	want := map[Era][]string{
		EraPodIdentity:      append(slices.Clone(base), "--github-account", "contoso"),
		EraWorkloadIdentity: append(slices.Clone(base), "--github-account", "contoso", "--ingress-client-id", IngressClientID),
		EraExtension:        append(slices.Clone(base), "--ingress-client-id", IngressClientID),
		EraMigrated:         append(slices.Clone(base), "--github-account", "contoso", "--ingress-client-id", IngressClientID),
		EraOldFlux:          append(slices.Clone(base), "--github-account", "contoso"),
	}
	for _, e := range DemoEras() {
		if got := e.ConfigureArgs("cm"); !slices.Equal(got, want[e]) {
			t.Errorf("%s: %q, want %q", e, got, want[e])
		}
	}
}

// Fork lays each era's overlays over the sample tree: every overlay folder
// replaces the sample's folder of the same name whole, and an era that
// starts at the old Flux carries the reference's v0.8.1 flux-system folder.
func TestForkAppliesTheOverlays(t *testing.T) {
	root := plugintest.RepoRoot(t)
	oldFolder := filepath.Join(t.TempDir(), "flux-system")
	if err := oldflux.WriteFolder(oldFolder); err != nil {
		t.Fatal(err)
	}
	for _, e := range DemoEras() {
		dst := filepath.Join(t.TempDir(), "cluster-manifests")
		if err := Fork(root, e, dst); err != nil {
			t.Fatalf("%s: %v", e, err)
		}
		replaced := map[string]string{}
		for _, o := range e.Overlays() {
			entries, err := os.ReadDir(filepath.Join(root, "demo", "era-overlays", o))
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range entries {
				if d.IsDir() {
					replaced[d.Name()] = filepath.Join(root, "demo", "era-overlays", o, d.Name())
				}
			}
		}
		if e.OldFlux() {
			replaced["flux-system"] = oldFolder
		}
		if e == EraPodIdentity && len(replaced) != 0 {
			t.Errorf("the default era has overlays %v", replaced)
		}
		samples, err := os.ReadDir(filepath.Join(root, "demo", "cluster-manifests"))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range samples {
			if !d.IsDir() {
				continue
			}
			src := filepath.Join(root, "demo", "cluster-manifests", d.Name())
			if o, ok := replaced[d.Name()]; ok {
				src = o
			}
			if a, b := listing(t, src), listing(t, filepath.Join(dst, d.Name())); !slices.Equal(a, b) {
				t.Errorf("%s: %s holds %v, want %v (from %s)", e, d.Name(), b, a, src)
			}
		}
	}
}

func listing(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if !d.IsDir() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out = append(out, rel+"="+string(b))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
