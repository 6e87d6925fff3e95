package fluxinstall

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/version"
	fakediscovery "k8s.io/client-go/discovery/fake"
	clientgotesting "k8s.io/client-go/testing"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/fluxcd/pkg/ssa"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/progress"
)

// fakeInstaller runs Install's stages against an in-memory client that
// serves Namespaces and ConfigMaps and holds objs: enough for everything
// before the first write, without a control plane.
func fakeInstaller(t *testing.T, serverVersion string, objs ...client.Object) (*installer, *bytes.Buffer) {
	t.Helper()
	s := runtime.NewScheme()
	if err := apiextensionsv1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	mapper := meta.NewDefaultRESTMapper(nil)
	mapper.Add(schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}, meta.RESTScopeRoot)
	mapper.Add(schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, meta.RESTScopeNamespace)
	c := fake.NewClientBuilder().WithScheme(s).WithRESTMapper(mapper).WithObjects(objs...).Build()
	disc := &fakediscovery.FakeDiscovery{Fake: &clientgotesting.Fake{}, FakedServerVersion: &version.Info{GitVersion: serverVersion}}
	var stderr bytes.Buffer
	return &installer{
		client: c, mapper: mapper, discovery: disc, progress: progress.New(&stderr),
		manager:     ssa.NewResourceManager(c, nil, ssa.Owner{Field: fieldManager}),
		concurrency: 2, bulkConcurrency: 2, pollInterval: time.Millisecond, crdPollInterval: time.Millisecond,
	}, &stderr
}

// rejectedSet holds two objects validation refuses without writing: a
// kind nobody serves and a ConfigMap in a namespace nobody creates.
func rejectedSet() *Set {
	widget := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "example.com/v1", "kind": "Widget", "metadata": map[string]any{"name": "w"},
	}}
	cm := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "settings", "namespace": "team-x"},
	}}
	return &Set{objects: []object{{Unstructured: widget, origin: "w.yaml"}, {Unstructured: cm, origin: "cm.yaml"}}}
}

func extensionCRDObject() *apiextensionsv1.CustomResourceDefinition {
	return &apiextensionsv1.CustomResourceDefinition{ObjectMeta: metav1.ObjectMeta{Name: extensionCRD}}
}

func TestInstallRejectionWritesNothing(t *testing.T) {
	in, _ := fakeInstaller(t, "v1.34.0")
	r, err := in.install(context.Background(), rejectedSet(), Options{Wait: true}, time.Now().Add(time.Minute))
	var rej *RejectedError
	if !errors.As(err, &rej) || len(rej.rejections) != 2 {
		t.Fatalf("want both objects rejected, got %v", err)
	}
	for _, want := range []string{"Widget/w (w.yaml): the API server does not serve example.com/v1, Kind=Widget", `ConfigMap/team-x/settings (cm.yaml): namespace "team-x" does not exist`, "nothing was applied"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("rejection %q lacks %q", err, want)
		}
	}
	if r.Stage != StageValidate || r.Wrote || r.DryRun || r.Healthy != nil {
		t.Errorf("result %+v, want stopped at validation, nothing written, no health", r)
	}
	if n := len(r.Report().Changes); n != 0 {
		t.Errorf("a rejected set reports %d changes", n)
	}
	for _, format := range []string{"", "json", "yaml"} {
		var out bytes.Buffer
		if err := WriteChangeSet(&out, format, r); err != nil || out.Len() != 0 {
			t.Errorf("format %q after a rejection wrote %q (%v), want nothing", format, out.String(), err)
		}
	}
}

func TestInstallRefusesUnlessForced(t *testing.T) {
	for name, tc := range map[string]struct {
		version  string
		embedded bool
		objs     []client.Object
		refusal  string
		warning  string
	}{
		"foreign Flux":   {"v1.34.0", false, []client.Object{extensionCRDObject()}, "managed by the AKS microsoft.flux extension", "⚠ --force: taking over Flux managed by the AKS microsoft.flux extension (its CustomResourceDefinition " + extensionCRD + " exists)"},
		"old Kubernetes": {"v1.30.2", true, nil, "Kubernetes 1.30.2 is too old", "⚠ --force: Kubernetes 1.30.2 is too old"},
	} {
		t.Run(name, func(t *testing.T) {
			set := rejectedSet()
			set.embedded = tc.embedded
			in, stderr := fakeInstaller(t, tc.version, tc.objs...)
			r, err := in.install(context.Background(), set, Options{}, time.Now().Add(time.Minute))
			var ref *RefusedError
			if !errors.As(err, &ref) || !strings.Contains(err.Error(), tc.refusal) || !strings.Contains(err.Error(), "--force") {
				t.Fatalf("want a refusal mentioning %q and --force, got %v", tc.refusal, err)
			}
			if r.Stage != StageValidate || r.Wrote {
				t.Errorf("result %+v, want stopped at validation with nothing written", r)
			}
			if strings.Contains(stderr.String(), "validating") {
				t.Errorf("validation ran after a refusal:\n%s", stderr)
			}

			in, stderr = fakeInstaller(t, tc.version, tc.objs...)
			_, err = in.install(context.Background(), set, Options{Force: true}, time.Now().Add(time.Minute))
			if !errors.As(err, new(*RejectedError)) {
				t.Fatalf("--force should go on to validation (which rejects this set), got %v", err)
			}
			if !strings.Contains(stderr.String(), tc.warning) {
				t.Errorf("--force does not warn %q:\n%s", tc.warning, stderr)
			}
		})
	}
	// -k and -f sets carry their own Flux: the embedded minimum does not apply.
	t.Run("old Kubernetes with -k or -f", func(t *testing.T) {
		in, _ := fakeInstaller(t, "v1.30.2")
		if _, err := in.install(context.Background(), rejectedSet(), Options{}, time.Now().Add(time.Minute)); errors.As(err, new(*RefusedError)) {
			t.Errorf("the embedded Flux's Kubernetes minimum refused a set of the user's own: %v", err)
		}
	})
}

// TestWriteChangeSetByStage: text shows the change set once apply began,
// so a failed apply still says what it did; a -o document is written only
// once the outcome is known.
func TestWriteChangeSetByStage(t *testing.T) {
	cm := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "settings", "namespace": "team-a"},
	}}
	pl := &plan{changes: []*change{{obj: object{Unstructured: cm}, action: ssa.CreatedAction}}}
	healthy := false
	for _, tc := range []struct {
		r          Result
		text, json bool
	}{
		{Result{Stage: StageValidate}, false, false},
		{Result{Stage: StageApply, plan: pl}, true, false},
		{Result{Stage: StageWait, plan: pl, Healthy: &healthy}, true, true},
		{Result{Stage: StageVerify, plan: pl, Healthy: &healthy}, true, true},
		{Result{Stage: StageDone, plan: pl}, true, true},
		{Result{Stage: StageDone, DryRun: true, plan: pl}, true, true},
	} {
		var text, js bytes.Buffer
		if err := WriteChangeSet(&text, "", tc.r); err != nil {
			t.Fatal(err)
		}
		if err := WriteChangeSet(&js, "json", tc.r); err != nil {
			t.Fatal(err)
		}
		if got := text.String() == "ConfigMap/team-a/settings created\n"; got != tc.text {
			t.Errorf("%s: text %q, want written=%v", tc.r.Stage, text.String(), tc.text)
		}
		if got := js.Len() > 0; got != tc.json {
			t.Errorf("%s: json %q, want written=%v", tc.r.Stage, js.String(), tc.json)
		}
		if tc.json && (strings.Contains(js.String(), `"healthy"`) != (tc.r.Healthy != nil) || strings.Contains(js.String(), `"dryRun": true`) != tc.r.DryRun) {
			t.Errorf("%s: json does not carry the health and dry-run of the result:\n%s", tc.r.Stage, js.String())
		}
	}
}

func TestStageNamesTheInterruptedStep(t *testing.T) {
	for s, want := range map[Stage]string{
		StageValidate: "validating", StageApply: "applying", StageWait: "waiting for the controllers", StageVerify: "running the Flux checks",
	} {
		if s.String() != want {
			t.Errorf("stage %d is %q, want %q", s, s, want)
		}
	}
}

// TestStuckCRDIsNudged: a CRD an outage left with its names accepted but
// not Established stays so until it changes (the API server establishes on
// an update event); an unchanged apply changes nothing, so a re-run must
// update it. CRDs that are established or that this run creates are not
// touched.
func TestStuckCRDIsNudged(t *testing.T) {
	crd := func(name string, conds ...string) *apiextensionsv1.CustomResourceDefinition {
		c := &apiextensionsv1.CustomResourceDefinition{ObjectMeta: metav1.ObjectMeta{Name: name}}
		for i := 0; i < len(conds); i += 2 {
			c.Status.Conditions = append(c.Status.Conditions, apiextensionsv1.CustomResourceDefinitionCondition{
				Type: apiextensionsv1.CustomResourceDefinitionConditionType(conds[i]), Status: apiextensionsv1.ConditionStatus(conds[i+1])})
		}
		return c
	}
	stuckCRD := crd("kustomizations.kustomize.toolkit.fluxcd.io", "NamesAccepted", "True", "Established", "False")
	fine := crd("gitrepositories.source.toolkit.fluxcd.io", "NamesAccepted", "True", "Established", "True")
	fresh := crd("buckets.source.toolkit.fluxcd.io", "NamesAccepted", "True")
	in, stderr := fakeInstaller(t, "v1.34.0", stuckCRD, fine, fresh)
	var patched []string
	in.client = interceptor.NewClient(in.client.(client.WithWatch), interceptor.Funcs{
		Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
			patched = append(patched, obj.GetName())
			return c.Patch(ctx, obj, patch, opts...)
		},
	})
	changeOf := func(c *apiextensionsv1.CustomResourceDefinition, a ssa.Action) *change {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(apiextensionsv1.SchemeGroupVersion.WithKind("CustomResourceDefinition"))
		u.SetName(c.Name)
		return &change{obj: object{Unstructured: u}, action: a}
	}
	n, err := in.nudgeStuck(context.Background(), []*change{
		changeOf(stuckCRD, ssa.UnchangedAction), changeOf(fine, ssa.UnchangedAction), changeOf(fresh, ssa.CreatedAction),
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || len(patched) != 2 || patched[0] != stuckCRD.Name || patched[1] != stuckCRD.Name {
		t.Errorf("nudged %d, patches %v: want the stuck CRD updated twice (annotation set, then removed)", n, patched)
	}
	if !in.wrote.Load() {
		t.Error("a nudge is a write, but the result says nothing was written")
	}
	got := &apiextensionsv1.CustomResourceDefinition{}
	if err := in.client.Get(context.Background(), client.ObjectKey{Name: stuckCRD.Name}, got); err != nil {
		t.Fatal(err)
	}
	if _, ok := got.Annotations[nudgeAnnotation]; ok {
		t.Errorf("the nudge left its annotation behind: %v", got.Annotations)
	}
	if !strings.Contains(stderr.String(), stuckCRD.Name) {
		t.Errorf("no warning names the stuck CRD:\n%s", stderr.String())
	}
}
