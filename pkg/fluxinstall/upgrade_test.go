package fluxinstall

import (
	"context"
	"slices"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/oldflux"
)

// targetCRD is the embedded install's CRD of gk.
func targetCRD(t *testing.T, gk schema.GroupKind) *apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	idx, err := indexCRDs(embedded(t).objects)
	if err != nil {
		t.Fatal(err)
	}
	c, ok := idx[gk]
	if !ok {
		t.Fatalf("no embedded CRD for %s", gk)
	}
	return c
}

var (
	gkGitRepository = schema.GroupKind{Group: "source.toolkit.fluxcd.io", Kind: "GitRepository"}
	gkKustomization = schema.GroupKind{Group: "kustomize.toolkit.fluxcd.io", Kind: "Kustomization"}
)

func TestMoveObjectDropsAndConverts(t *testing.T) {
	objs := oldflux.TeamObjects("team-01", "app-001", "https://github.com/contoso/team-01")
	repo, ks := objs[0], objs[1]
	ks.SetManagedFields([]metav1.ManagedFieldsEntry{{
		Manager: "kubectl-client-side-apply", Operation: metav1.ManagedFieldsOperationUpdate,
		APIVersion: "kustomize.toolkit.fluxcd.io/v1beta1", FieldsType: "FieldsV1",
		FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:spec":{".":{},"f:interval":{},"f:patchesStrategicMerge":{},"f:validation":{}}}`)},
	}})
	ks.Object["status"] = map[string]any{"snapshot": map[string]any{"checksum": "x"}}

	m, err := moveObject(ks, targetCRD(t, gkKustomization), "v1")
	if err != nil {
		t.Fatal(err)
	}
	if got := m.moved.GetAPIVersion(); got != "kustomize.toolkit.fluxcd.io/v1" {
		t.Errorf("apiVersion %s", got)
	}
	if !slices.Equal(m.dropped, []string{"spec.validation"}) {
		t.Errorf("dropped %v, want [spec.validation]", m.dropped)
	}
	if len(m.converted) != 1 || m.converted[0] != "spec.patchesStrategicMerge → spec.patches" {
		t.Errorf("converted %v", m.converted)
	}
	patches, _, _ := unstructured.NestedSlice(m.moved.Object, "spec", "patches")
	if len(patches) != 1 || !strings.Contains(patches[0].(map[string]any)["patch"].(string), "replicas: 2") {
		t.Errorf("spec.patches %v: want the strategic-merge patch as YAML", patches)
	}
	if _, found := m.moved.Object["status"]; found {
		t.Error("status kept: a write of the main resource ignores it, so it must not be sent")
	}
	if _, found, _ := unstructured.NestedFieldNoCopy(ks.Object, "spec", "validation"); !found {
		t.Error("moveObject changed the live object")
	}
	mf := m.moved.GetManagedFields()
	if mf[0].APIVersion != "kustomize.toolkit.fluxcd.io/v1" || strings.Contains(string(mf[0].FieldsV1.Raw), "validation") || strings.Contains(string(mf[0].FieldsV1.Raw), "patchesStrategicMerge") {
		t.Errorf("managed fields not moved: %s %s", mf[0].APIVersion, mf[0].FieldsV1.Raw)
	}
	if errs := validateCustomResource(context.Background(), targetCRD(t, gkKustomization), m.moved); len(errs) > 0 {
		t.Errorf("moved Kustomization invalid at v1: %v", errs)
	}

	r, err := moveObject(repo, targetCRD(t, gkGitRepository), "v1")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.dropped, []string{"spec.gitImplementation"}) {
		t.Errorf("GitRepository dropped %v, want [spec.gitImplementation]", r.dropped)
	}
}

// A v1beta1 GitRepository verified by mode alone: v1 requires the key's
// Secret, so the move is rejected, naming object and field.
func TestMoveRejectedNamesField(t *testing.T) {
	repo := oldflux.TeamObjects("team-02", "signed", "https://github.com/contoso/signed")[0]
	_ = unstructured.SetNestedMap(repo.Object, map[string]any{"mode": "head"}, "spec", "verify")
	k := &kindMove{target: targetCRD(t, gkGitRepository), to: "v1"}
	m, err := moveObject(repo, k.target, "v1")
	if err != nil {
		t.Fatal(err)
	}
	k.objects = []*movedObject{m}
	rej := k.validate(context.Background())
	if len(rej) != 1 || rej[0].ref != "GitRepository/team-02/signed" || !strings.Contains(rej[0].reason, "spec.verify.secretRef") {
		t.Fatalf("rejections %+v, want GitRepository/team-02/signed naming spec.verify.secretRef", rej)
	}
}

func TestCheckNotNewer(t *testing.T) {
	for _, c := range []struct {
		installed, target string
		refused           bool
	}{
		{"v0.8.1", "v2.9.5", false}, {"v2.9.5", "v2.9.5", false}, {"", "v2.9.5", false},
		{"v2.10.0", "v2.9.5", true}, {"v3.0.0", "v2.9.5", true},
	} {
		err := checkNotNewer(c.installed, c.target)
		if (err != nil) != c.refused {
			t.Errorf("checkNotNewer(%q, %q) = %v, want refused %v", c.installed, c.target, err, c.refused)
		}
		if err != nil && (!strings.Contains(err.Error(), c.installed) || !strings.Contains(err.Error(), c.target)) {
			t.Errorf("refusal %q does not name both versions", err)
		}
	}
}

func TestBridgeVersions(t *testing.T) {
	live := &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{"versions": []any{
		map[string]any{"name": "v1beta1", "served": true, "storage": true, "schema": map[string]any{"openAPIV3Schema": map[string]any{"type": "object"}}},
	}}}}
	k := &kindMove{crd: live, target: targetCRD(t, gkGitRepository), to: "v1", listed: "v1beta1"}
	for _, storeNew := range []bool{false, true} {
		vs, err := k.bridgeVersions(storeNew)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range vs {
			m := v.(map[string]any)
			got = append(got, m["name"].(string)+map[bool]string{true: "*", false: ""}[m["storage"] == true]+map[bool]string{true: "", false: "-"}[m["served"] == true])
		}
		// Both served while the moves are dry-run; once the new version
		// stores, the old one stays listed but is no longer served.
		want := []string{"v1beta1*", "v1"}
		if storeNew {
			want = []string{"v1beta1-", "v1*"}
		}
		if !slices.Equal(got, want) {
			t.Errorf("storeNew=%v: versions %v, want %v (* = storage, - = not served)", storeNew, got, want)
		}
	}
}

// An admission rule sees an update of a Flux kind when its operations,
// groups and resources all cover it, at any version.
func TestRuleMatchesUpdate(t *testing.T) {
	rule := func(ops, groups, resources []any, scope string) map[string]any {
		r := map[string]any{"operations": ops, "apiGroups": groups, "apiVersions": []any{"v1beta2"}, "resources": resources}
		if scope != "" {
			r["scope"] = scope
		}
		return r
	}
	const g, res = "source.toolkit.fluxcd.io", "gitrepositories"
	for name, c := range map[string]struct {
		rule map[string]any
		want bool
	}{
		"exact":                    {rule([]any{"UPDATE"}, []any{g}, []any{res}, ""), true},
		"wildcards, as Gatekeeper": {rule([]any{"*"}, []any{"*"}, []any{"*"}, "*"), true},
		"all subresources too":     {rule([]any{"CREATE", "UPDATE"}, []any{"*"}, []any{"*/*"}, "Namespaced"), true},
		"create only":              {rule([]any{"CREATE"}, []any{g}, []any{res}, ""), false},
		"another group":            {rule([]any{"UPDATE"}, []any{"apps"}, []any{"*"}, ""), false},
		"another resource":         {rule([]any{"UPDATE"}, []any{g}, []any{"buckets"}, ""), false},
		"status only":              {rule([]any{"UPDATE"}, []any{g}, []any{res + "/status"}, ""), false},
		"cluster-scoped only":      {rule([]any{"*"}, []any{"*"}, []any{"*"}, "Cluster"), false},
		"not a rule":               {nil, false},
	} {
		var r any = c.rule
		if c.rule == nil {
			r = "garbage"
		}
		if got := ruleMatchesUpdate(r, g, res); got != c.want {
			t.Errorf("%s: %v, want %v", name, got, c.want)
		}
	}
}
