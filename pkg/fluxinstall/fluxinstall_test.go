package fluxinstall

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fluxcd/pkg/ssa"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/aksbaseline/kubectl-aksbaseline/manifests"
)

func embedded(t *testing.T, components ...string) *Set {
	t.Helper()
	if len(components) == 0 {
		components = manifests.DefaultComponents()
	}
	s, err := loadEmbedded(components)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func images(s *Set) []string {
	var out []string
	for _, o := range s.objects {
		_ = eachContainer(o.Unstructured, func(c map[string]any) bool {
			out = append(out, c["image"].(string))
			return false
		})
	}
	return out
}

func TestEmbeddedComponents(t *testing.T) {
	s := embedded(t)
	imgs := images(s)
	want := []string{
		"ghcr.io/fluxcd/source-controller:" + manifests.SourceControllerVersion,
		"ghcr.io/fluxcd/kustomize-controller:" + manifests.KustomizeControllerVersion,
	}
	if strings.Join(imgs, ",") != strings.Join(want, ",") {
		t.Errorf("default install images %v, want %v", imgs, want)
	}
	all := embedded(t, "source-controller", "kustomize-controller", "helm-controller", "notification-controller")
	if n := len(images(all)); n != 4 {
		t.Errorf("all four components give %d images", n)
	}
	if _, err := loadEmbedded([]string{"image-reflector-controller"}); err == nil {
		t.Error("an unknown component was accepted")
	}
	for _, o := range s.objects {
		if o.GetLabels()["app.kubernetes.io/part-of"] != "flux" || o.GetLabels()["app.kubernetes.io/version"] != manifests.FluxVersion {
			t.Errorf("%s lacks the Flux install labels: %v", o.ref(), o.GetLabels())
		}
	}
}

func TestRewriteRegistryKeepsTags(t *testing.T) {
	s := embedded(t)
	if err := rewriteRegistry(s, "myacr.azurecr.io/fluxcd/"); err != nil {
		t.Fatal(err)
	}
	for _, img := range images(s) {
		if !strings.HasPrefix(img, "myacr.azurecr.io/fluxcd/") || !strings.Contains(img, ":v") {
			t.Errorf("image %s not rewritten with its tag kept", img)
		}
	}
}

func TestValidateRegistry(t *testing.T) {
	for r, ok := range map[string]bool{
		"myacr.azurecr.io/fluxcd":        true,
		"registry.local:5000/mirror":     true,
		"myacr.azurecr.io":               true,
		"https://myacr.azurecr.io":       false,
		"myacr.azurecr.io/fluxcd:v1":     false,
		"myacr.azurecr.io/fluxcd/":       false,
		"myacr.azurecr.io/fluxcd@sha256": false,
	} {
		if err := validateRegistry(r); (err == nil) != ok {
			t.Errorf("validateRegistry(%q) = %v, want ok=%v", r, err, ok)
		}
	}
}

func TestImagePullSecretOnlyOnFluxPods(t *testing.T) {
	s := embedded(t)
	other := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": "web", "namespace": "default"},
		"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
			"containers": []any{map[string]any{"name": "web", "image": "nginx"}},
		}}},
	}}
	s.objects = append(s.objects, object{Unstructured: other})
	if err := addImagePullSecret(s, "acr-pull"); err != nil {
		t.Fatal(err)
	}
	// Twice must not duplicate it.
	if err := addImagePullSecret(s, "acr-pull"); err != nil {
		t.Fatal(err)
	}
	for _, o := range s.objects {
		if o.GetKind() != "Deployment" {
			continue
		}
		secrets, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "imagePullSecrets")
		want := 1
		if o.GetName() == "web" {
			want = 0
		}
		if len(secrets) != want {
			t.Errorf("%s has %d pull secrets, want %d", o.ref(), len(secrets), want)
		}
	}
	if err := addImagePullSecret(s, "Bad_Name"); err == nil {
		t.Error("an invalid Secret name was accepted")
	}
}

func TestCheckPlaceholdersNamesTokenObjectAndOrigin(t *testing.T) {
	s := embedded(t)
	s.add(syncObjects(SyncOptions{Name: "flux-system", Namespace: "flux-system", URL: GitHubURL("REPLACE_ME_WITH_YOUR_GITHUBACCOUNTNAME"), Branch: "main", Path: "./cluster-manifests", Interval: time.Minute, Origin: "--github-account"}))
	err := checkPlaceholders(s, "fix it")
	if err == nil {
		t.Fatal("placeholder not refused")
	}
	msg := err.Error()
	for _, want := range []string{"REPLACE_ME_WITH_YOUR_GITHUBACCOUNTNAME", "GitRepository/flux-system/flux-system", "(--github-account)", "fix it"} {
		if !strings.Contains(msg, want) {
			t.Errorf("refusal %q lacks %q", msg, want)
		}
	}
	if err := checkPlaceholders(embedded(t), ""); err != nil {
		t.Errorf("the embedded install has placeholders: %v", err)
	}
}

func TestDuplicatesRefused(t *testing.T) {
	s := embedded(t)
	s.add(embedded(t))
	if err := s.checkDuplicates(); err == nil || !strings.Contains(err.Error(), "Deployment/flux-system/source-controller") {
		t.Errorf("duplicate objects not refused: %v", err)
	}
}

func TestSchemaValidationOfSyncObjects(t *testing.T) {
	s := embedded(t)
	crds, err := indexCRDs(s.objects)
	if err != nil {
		t.Fatal(err)
	}
	sync := syncObjects(SyncOptions{Name: "flux-system", Namespace: "flux-system", URL: "https://github.com/contoso/aks-baseline-regulated", Branch: "main", Path: "./cluster-manifests", Interval: time.Minute})
	for _, o := range sync.objects {
		if errs := validateCustomResource(context.Background(), crds[o.GroupVersionKind().GroupKind()], o.Unstructured); len(errs) > 0 {
			t.Errorf("%s rejected: %v", o.ref(), errs)
		}
	}
	bad := sync.objects[0].DeepCopy()
	_ = unstructured.SetNestedField(bad.Object, "every minute", "spec", "interval")
	_ = unstructured.SetNestedField(bad.Object, true, "spec", "shallow")
	errs := validateCustomResource(context.Background(), crds[bad.GroupVersionKind().GroupKind()], bad)
	msg := formatFieldErrors(errs)
	if !strings.Contains(msg, "spec.interval") || !strings.Contains(msg, "unknown field") {
		t.Errorf("want an interval pattern error and an unknown-field error, got %q", msg)
	}
	old := sync.objects[0].DeepCopy()
	old.SetAPIVersion("source.toolkit.fluxcd.io/v1beta1")
	if errs := validateCustomResource(context.Background(), crds[old.GroupVersionKind().GroupKind()], old); len(errs) == 0 {
		t.Error("v1beta1 GitRepository (removed in Flux 2.7) accepted")
	}
}

func TestWriteDiffMasksSecrets(t *testing.T) {
	secret := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Secret",
		"metadata":   map[string]any{"name": "flux-system", "namespace": "flux-system"},
		"stringData": map[string]any{"password": "hunter2"},
	}}
	p := &plan{changes: []*change{{obj: object{Unstructured: secret}, action: ssa.CreatedAction, desired: secret}}}
	var b bytes.Buffer
	if err := WriteDiff(&b, Result{Stage: StageDone, DryRun: true, plan: p}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "hunter2") || !strings.Contains(b.String(), "+  password: '***'") {
		t.Errorf("diff does not mask the Secret:\n%s", b.String())
	}
}

func TestFluxStatusNeedsReady(t *testing.T) {
	obj := func(status map[string]any) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
			"metadata": map[string]any{"name": "flux-system", "namespace": "flux-system", "generation": int64(2)},
		}}
		if status != nil {
			u.Object["status"] = status
		}
		return u
	}
	ready := func(s, msg string) map[string]any {
		return map[string]any{"type": "Ready", "status": s, "reason": "x", "message": msg}
	}
	for name, tc := range map[string]struct {
		status map[string]any
		want   string
	}{
		"no status yet":    {nil, "InProgress"},
		"not ready":        {map[string]any{"observedGeneration": int64(2), "conditions": []any{ready("False", "authentication required")}}, "InProgress"},
		"ready":            {map[string]any{"observedGeneration": int64(2), "conditions": []any{ready("True", "stored artifact")}}, "Current"},
		"ready, stale gen": {map[string]any{"observedGeneration": int64(1), "conditions": []any{ready("True", "stored artifact")}}, "InProgress"},
		"stalled":          {map[string]any{"observedGeneration": int64(2), "conditions": []any{map[string]any{"type": "Stalled", "status": "True", "reason": "InvalidURL", "message": "bad url"}}}, "Failed"},
	} {
		res, err := fluxStatus(obj(tc.status))
		if err != nil {
			t.Fatal(err)
		}
		if string(res.Status) != tc.want {
			t.Errorf("%s: %s (%s), want %s", name, res.Status, res.Message, tc.want)
		}
	}
}

func TestCheckKubernetesVersion(t *testing.T) {
	for v, ok := range map[string]bool{"v1.33.0": true, "v1.37.2": true, "v1.34.1-aks.1": true, "v1.32.9": false, "garbage": false} {
		if err := checkKubernetesVersion(v); (err == nil) != ok {
			t.Errorf("checkKubernetesVersion(%q) = %v, want ok=%v", v, err, ok)
		}
	}
}
