package configure

import (
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ssautil "github.com/fluxcd/pkg/ssa/utils"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/oldflux"
	"github.com/aksbaseline/kubectl-aksbaseline/manifests"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/fluxinstall"
)

// v081Tree writes a fork's cluster-manifests whose flux-system folder is
// the reference's at Flux v0.8.1, configured for an ACR.
func v081Tree(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cluster-manifests")
	fs := filepath.Join(dir, "flux-system")
	if err := oldflux.WriteFolder(fs); err != nil {
		t.Fatal(err)
	}
	k := filepath.Join(fs, "kustomization.yaml")
	b, err := os.ReadFile(k)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(k, bytes.ReplaceAll(b, []byte("REPLACE_ME_WITH_YOUR_ACRNAME"), []byte("acraksexample1")), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func build(t *testing.T, dir string) map[string]*unstructured.Unstructured {
	t.Helper()
	rm, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	y, err := rm.AsYaml()
	if err != nil {
		t.Fatal(err)
	}
	objs, err := ssautil.ReadObjects(bytes.NewReader(y))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*unstructured.Unstructured{}
	for _, u := range objs {
		out[ssautil.FmtUnstructured(u)] = u
	}
	return out
}

func TestUpgradeFluxTree(t *testing.T) {
	ctx := context.Background()
	dir := v081Tree(t)
	plan, up, err := PrepareFluxUpgrade(ctx, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if up.From != oldflux.Version || up.To != manifests.FluxVersion || up.Folder != "flux-system" {
		t.Errorf("upgrade %+v", up)
	}
	if !maps.Equal(up.Pin, map[string]string{"pci-scope": "out-of-scope"}) {
		t.Errorf("pin %v, want the reference's pci-scope=out-of-scope", up.Pin)
	}
	if len(up.Moved) != 2 || !strings.Contains(strings.Join(up.Moved, "\n"), "spec.validation dropped") {
		t.Errorf("sync moves %v", up.Moved)
	}
	var changed []string
	for _, c := range plan.Changes {
		changed = append(changed, c.Path)
	}
	if got := strings.Join(changed, ","); got != "flux-system/gotk-crds.yaml,flux-system/gotk-components.yaml,flux-system/gotk-sync.yaml,flux-system/kustomization.yaml" {
		t.Errorf("changed %s", got)
	}
	if err := plan.Apply(ctx); err != nil {
		t.Fatal(err)
	}

	objs := build(t, filepath.Join(dir, "flux-system"))
	for ref, u := range objs {
		if u.GetKind() == "CustomResourceDefinition" && u.GetLabels()["app.kubernetes.io/version"] != manifests.FluxVersion {
			t.Errorf("%s labelled %v", ref, u.GetLabels())
		}
	}
	// The Deployments are the embedded install's pinned as bootstrap
	// --out-of-scope pins them, under the tree's ACR.
	want, err := fluxinstall.Build(fluxinstall.Source{Components: up.Components, Pin: up.Pin, Registry: "acraksexample1.azurecr.io/live/fluxcd"})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, w := range want.Objects() {
		if w.GetKind() != "Deployment" {
			continue
		}
		n++
		got := objs[ssautil.FmtUnstructured(w)]
		if got == nil {
			t.Fatalf("%s missing from the build", ssautil.FmtUnstructured(w))
		}
		for _, f := range [][]string{{"metadata", "labels"}, {"spec", "selector"}, {"spec", "template"}} {
			a, _, _ := unstructured.NestedFieldNoCopy(got.Object, f...)
			b, _, _ := unstructured.NestedFieldNoCopy(w.Object, f...)
			ay := ssautil.ObjectToYAML(&unstructured.Unstructured{Object: map[string]any{"x": a}})
			by := ssautil.ObjectToYAML(&unstructured.Unstructured{Object: map[string]any{"x": b}})
			if ay != by {
				t.Errorf("%s %s differs from bootstrap --out-of-scope:\n%s\nwant\n%s", ssautil.FmtUnstructured(w), strings.Join(f, "."), ay, by)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d controllers", n)
	}
	for _, ref := range []string{"GitRepository/flux-system/flux-system", "Kustomization/flux-system/flux-system"} {
		u := objs[ref]
		if u == nil || !strings.HasSuffix(u.GetAPIVersion(), "/v1") {
			t.Errorf("%s: %v", ref, u)
			continue
		}
		if _, found, _ := unstructured.NestedFieldNoCopy(u.Object, "spec", "validation"); found {
			t.Errorf("%s keeps spec.validation", ref)
		}
	}

	again, up2, err := PrepareFluxUpgrade(ctx, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Changes) != 0 {
		var b bytes.Buffer
		_ = again.WriteDiff(&b)
		t.Errorf("second run changes %d files:\n%s", len(again.Changes), b.String())
	}
	if up2.From != manifests.FluxVersion {
		t.Errorf("second run reads Flux %q", up2.From)
	}
}

func TestUpgradeFluxNoInstall(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ns.yaml"), []byte("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := PrepareFluxUpgrade(context.Background(), dir, ""); err != ErrNoFluxInstall {
		t.Errorf("got %v, want ErrNoFluxInstall", err)
	}
}
