package fluxinstall

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/oldflux"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/progress"
	"github.com/aksbaseline/kubectl-aksbaseline/test/testenv"
)

// fluxObjects lists every object of the v0.8.1 kinds at version, by UID.
func fluxObjects(ctx context.Context, t *testing.T, c client.Client, version string) map[types.UID]*unstructured.Unstructured {
	t.Helper()
	out := map[types.UID]*unstructured.Unstructured{}
	for _, gk := range []schema.GroupKind{
		{Group: "source.toolkit.fluxcd.io", Kind: "GitRepository"}, {Group: "source.toolkit.fluxcd.io", Kind: "HelmRepository"},
		{Group: "source.toolkit.fluxcd.io", Kind: "HelmChart"}, {Group: "source.toolkit.fluxcd.io", Kind: "Bucket"},
		{Group: "kustomize.toolkit.fluxcd.io", Kind: "Kustomization"},
	} {
		l := &unstructured.UnstructuredList{}
		l.SetGroupVersionKind(schema.GroupVersionKind{Group: gk.Group, Version: version, Kind: gk.Kind + "List"})
		if err := c.List(ctx, l); err != nil {
			t.Fatalf("listing %s at %s: %v", gk, version, err)
		}
		for i := range l.Items {
			out[l.Items[i].GetUID()] = &l.Items[i]
		}
	}
	return out
}

// upgradeSet is what 'bootstrap --github-account contoso' applies.
func upgradeSet(t *testing.T) *Set {
	t.Helper()
	s := embedded(t)
	s.add(syncObjects(SyncOptions{Name: "flux-system", Namespace: "flux-system", URL: "https://github.com/contoso/aks-baseline-regulated", Branch: "main", Path: "./cluster-manifests", Interval: time.Minute}))
	return s
}

func upgrade(ctx context.Context, t *testing.T, cfg *rest.Config, out *bytes.Buffer) (Result, error) {
	return Install(ctx, upgradeSet(t), Options{Config: cfg, Progress: progress.New(out), DefaultNamespace: "default", Timeout: time.Minute})
}

// checkUpgraded asserts the end state: every object of before there with
// its UID at v1, storedVersions only v1, the dropped fields gone, the
// controllers recreated with the embedded selector, the managing
// Kustomization resumed.
func checkUpgraded(ctx context.Context, t *testing.T, cfg *rest.Config, before map[types.UID]*unstructured.Unstructured) {
	t.Helper()
	admin := adminClient(t, cfg)
	names, err := oldflux.CRDNames()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := admin.Get(ctx, client.ObjectKey{Name: n}, crd); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(crd.Status.StoredVersions, []string{"v1"}) {
			t.Errorf("%s storedVersions %v, want [v1]", n, crd.Status.StoredVersions)
		}
		var vs []string
		for _, v := range crd.Spec.Versions {
			vs = append(vs, v.Name)
		}
		if !slices.Equal(vs, []string{"v1"}) {
			t.Errorf("%s versions %v, want the embedded [v1]", n, vs)
		}
	}
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	after := fluxObjects(ctx, t, c, "v1")
	for uid, o := range before {
		a, ok := after[uid]
		if !ok {
			t.Errorf("%s (UID %s) lost", objectRef(o), uid)
			continue
		}
		if _, found, _ := unstructured.NestedFieldNoCopy(a.Object, "spec", "validation"); found {
			t.Errorf("%s still has spec.validation", objectRef(a))
		}
		for _, mf := range a.GetManagedFields() {
			if mf.APIVersion != a.GetAPIVersion() {
				t.Errorf("%s managed fields of %s at %s", objectRef(a), mf.Manager, mf.APIVersion)
			}
		}
	}
	if len(after) != len(before) {
		t.Errorf("%d Flux objects after, %d before", len(after), len(before))
	}
	for _, name := range []string{"source-controller", "kustomize-controller"} {
		d := &unstructured.Unstructured{}
		d.SetGroupVersionKind(deploymentGVK)
		if err := c.Get(ctx, client.ObjectKey{Namespace: "flux-system", Name: name}, d); err != nil {
			t.Fatal(err)
		}
		sel, _, _ := unstructured.NestedStringMap(d.Object, "spec", "selector", "matchLabels")
		if len(sel) != 1 || sel["app"] != name {
			t.Errorf("%s selector %v, want the embedded app=%s", name, sel, name)
		}
	}
	ks := &unstructured.Unstructured{}
	ks.SetGroupVersionKind(schema.GroupVersionKind{Group: "kustomize.toolkit.fluxcd.io", Version: "v1", Kind: "Kustomization"})
	if err := c.Get(ctx, client.ObjectKey{Namespace: "flux-system", Name: "flux-system"}, ks); err != nil {
		t.Fatal(err)
	}
	if s, _, _ := unstructured.NestedBool(ks.Object, "spec", "suspend"); s || ks.GetAnnotations()[annotationSuspended] != "" {
		t.Errorf("flux-system Kustomization left suspended=%v annotations=%v", s, ks.GetAnnotations())
	}
}

// TestUpgradeFromV081 upgrades the reference's Flux v0.8.1 with teams'
// objects in other namespaces, then runs again: nothing left to do.
func TestUpgradeFromV081(t *testing.T) {
	env := testenv.StartT(t, testenv.Options{})
	ctx := context.Background()
	n, err := oldflux.Install(ctx, env.Config, oldflux.Options{URL: "https://github.com/contoso/aks-baseline-regulated", Teams: 3, PerTeam: 2, SelfManaged: true})
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(env.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	before := fluxObjects(ctx, t, c, "v1beta1")
	if len(before) != n || n != 14 {
		t.Fatalf("%d objects seeded, %d listed; want 14", n, len(before))
	}

	var dry bytes.Buffer
	r, err := Install(ctx, upgradeSet(t), Options{Config: env.Config, Progress: progress.New(&dry), DefaultNamespace: "default", Timeout: time.Minute, PlanOnly: true})
	if err != nil {
		t.Fatalf("dry run: %v\n%s", err, dry.String())
	}
	if r.Wrote {
		t.Error("the dry run wrote")
	}
	for _, want := range []string{
		"upgrade plan: Flux v0.8.1 (the image tag of Deployment flux-system/source-controller) to Flux " + r.Report().Upgrade.Target,
		"GitRepository: 7 objects stored at v1beta1, moving to v1",
		"Kustomization: 7 objects stored at v1beta1, moving to v1",
		"Bucket: 0 objects stored at v1beta1, moving to v1",
		"Kustomization spec.validation: dropped from 7 objects (the new API has no such field): flux-system/flux-system, team-01/app-001",
		"Kustomization spec.patchesStrategicMerge → spec.patches: in 6 objects: team-01/app-001",
		"GitRepository spec.gitImplementation: dropped",
		"Deployment/flux-system/kustomize-controller, Deployment/flux-system/source-controller",
		"Kustomization flux-system/flux-system applies Flux from Git: suspended while Flux moves, resumed at the end",
	} {
		if !strings.Contains(dry.String(), want) {
			t.Errorf("the plan lacks %q:\n%s", want, dry.String())
		}
	}
	if now := fluxObjects(ctx, t, c, "v1beta1"); len(now) != n {
		t.Fatalf("after the dry run %d objects", len(now))
	}
	rep := r.Report().Upgrade
	if rep == nil || len(rep.Dropped) != 14 || len(rep.Converted) != 6 || len(rep.Recreated) != 2 || rep.ManagedBy != "Kustomization/flux-system/flux-system" {
		t.Errorf("report %+v", rep)
	}

	// Watch the wire: each Flux kind is read in full once (the plan's
	// list; later reads are by metadata, to compare UIDs), and each
	// object is written at most once (the suspended Kustomization also
	// gets its suspend and resume).
	var (
		mu     sync.Mutex
		lists  = map[string]int{}
		writes = map[string]int{}
	)
	cfg := rest.CopyConfig(env.Config)
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			resp, err := rt.RoundTrip(r)
			p := r.URL.Path
			// Only what the server did counts: a write refused with a
			// conflict (a controller wrote the status meanwhile) is
			// read again and retried, and is no write.
			if err == nil && resp.StatusCode < 300 && strings.Contains(p, ".toolkit.fluxcd.io/") && r.URL.Query().Get("dryRun") == "" {
				mu.Lock()
				switch {
				case r.Method == http.MethodGet && !strings.Contains(r.Header.Get("Accept"), "PartialObjectMetadata") && strings.Count(strings.TrimPrefix(p, "/apis/"), "/") == 2:
					lists[p]++
				case r.Method != http.MethodGet:
					writes[r.Method+" "+p]++
				}
				mu.Unlock()
			}
			return resp, err
		})
	})
	// With the wait: the sync objects' controllers are played by
	// markReady, and the wait must find them at their new version.
	defer markReady(t, env.Config)()
	var out bytes.Buffer
	r, err = Install(ctx, upgradeSet(t), Options{Config: cfg, Progress: progress.New(&out), DefaultNamespace: "default", Timeout: time.Minute, Wait: true})
	if err != nil {
		t.Fatalf("upgrade: %v\n%s", err, out.String())
	}
	if len(lists) != 5 {
		t.Errorf("full lists of %d kinds, want the 5 of v0.8.1: %v", len(lists), lists)
	}
	for p, n := range lists {
		if n > 1 {
			t.Errorf("%s listed in full %d times", p, n)
		}
	}
	restored := 0
	for w, n := range writes {
		if strings.HasPrefix(w, "PUT ") {
			restored++
		}
		if n > 1 && !strings.HasSuffix(w, "/kustomizations/flux-system") {
			t.Errorf("%s sent %d times", w, n)
		}
	}
	if restored != n {
		t.Errorf("%d objects re-stored, want %d: %v", restored, n, writes)
	}
	if !strings.Contains(out.String(), "14 of 14 Flux objects kept, every one with its UID") {
		t.Errorf("no UID verdict:\n%s", out.String())
	}
	checkUpgraded(ctx, t, env.Config, before)

	out.Reset()
	r, err = upgrade(ctx, t, env.Config, &out)
	if err != nil {
		t.Fatalf("second run: %v\n%s", err, out.String())
	}
	if r.Wrote || r.upgrade != nil || strings.Contains(out.String(), "upgrade plan") {
		t.Errorf("second run wrote=%v upgrade=%v:\n%s", r.Wrote, r.upgrade, out.String())
	}
}

// TestUpgradeInterruptedConverges stops the upgrade after the first
// write, then after a few more, then in the middle of the re-store, as a
// killed process or a stopped API server would, and checks that a final
// run converges with every object and UID kept.
func TestUpgradeInterruptedConverges(t *testing.T) {
	env := testenv.StartT(t, testenv.Options{})
	ctx := context.Background()
	if _, err := oldflux.Install(ctx, env.Config, oldflux.Options{Teams: 4, PerTeam: 3, SelfManaged: true}); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(env.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	before := fluxObjects(ctx, t, c, "v1beta1")

	// Each run is cut at its nth write (a dry-run is not a write): the
	// suspend, the first bridge, one re-store, the storedVersions.
	for _, nth := range []int{1, 3, 14, 9, 1} {
		writes, err := upgradeCutAt(ctx, t, env.Config, nth)
		if err == nil {
			t.Logf("run cut at write %d finished before it: %v", nth, writes)
			break
		}
		t.Logf("cut at write %d (%s): %v", nth, writes[len(writes)-1], err)
	}
	var out bytes.Buffer
	if _, err := upgrade(ctx, t, env.Config, &out); err != nil {
		t.Fatalf("final run: %v\n%s", err, out.String())
	}
	checkUpgraded(ctx, t, env.Config, before)
	out.Reset()
	if r, err := upgrade(ctx, t, env.Config, &out); err != nil || r.Wrote {
		t.Errorf("run after convergence: wrote=%v err=%v\n%s", r.Wrote, err, out.String())
	}
}

// upgradeCutAt runs the upgrade and cuts it at its nth write (a dry-run
// is not a write), as a killed process or a stopped API server would. It
// returns the writes sent and the run's error.
func upgradeCutAt(ctx context.Context, t *testing.T, config *rest.Config, nth int) ([]string, error) {
	var (
		mu     sync.Mutex
		writes []string
	)
	runCtx, cut := context.WithCancel(ctx)
	defer cut()
	cfg := rest.CopyConfig(config)
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if r.Method != http.MethodGet && r.URL.Query().Get("dryRun") == "" {
				mu.Lock()
				writes = append(writes, r.Method+" "+r.URL.Path)
				stop := len(writes) == nth
				mu.Unlock()
				if stop {
					cut()
					return nil, errors.New("connection reset by peer")
				}
			}
			return rt.RoundTrip(r)
		})
	})
	var out bytes.Buffer
	_, err := upgrade(runCtx, t, cfg, &out)
	mu.Lock()
	defer mu.Unlock()
	return slices.Clone(writes), err
}

// TestUpgradeCutBeforeResumeConverges cuts the upgrade at its first write
// after the last storedVersions patch (suspend, 5 CRDs, 4 re-stores, 5
// patches): nothing is left to move, and the re-run still resumes the
// Kustomization the cut run suspended.
func TestUpgradeCutBeforeResumeConverges(t *testing.T) {
	env := testenv.StartT(t, testenv.Options{})
	ctx := context.Background()
	if _, err := oldflux.Install(ctx, env.Config, oldflux.Options{Teams: 1, PerTeam: 1, SelfManaged: true}); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(env.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	before := fluxObjects(ctx, t, c, "v1beta1")
	writes, err := upgradeCutAt(ctx, t, env.Config, 16)
	if err == nil || len(writes) != 16 || !strings.HasSuffix(writes[14], "/status") {
		t.Fatalf("the run was not cut right after the storedVersions patches: %v, writes %v", err, writes)
	}
	var out bytes.Buffer
	if _, err := upgrade(ctx, t, env.Config, &out); err != nil {
		t.Fatalf("re-run: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "left suspended by an interrupted upgrade: resumed at the end") {
		t.Errorf("the re-run's plan does not say it resumes the Kustomization:\n%s", out.String())
	}
	checkUpgraded(ctx, t, env.Config, before)
}

// TestUpgradeCatchesUpObjectsCreatedDuringIt creates a v1beta1
// GitRepository after the plan has read the kind and before its CRD
// stores v1, as a team's pipeline might mid-upgrade: it is stored at the
// old version and was never listed, so the catch-up must find and
// re-store it before the old version is forgotten, or the embedded CRD
// would leave it unreadable.
func TestUpgradeCatchesUpObjectsCreatedDuringIt(t *testing.T) {
	env := testenv.StartT(t, testenv.Options{})
	ctx := context.Background()
	if _, err := oldflux.Install(ctx, env.Config, oldflux.Options{Teams: 1, PerTeam: 2, SelfManaged: true}); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(env.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	before := fluxObjects(ctx, t, c, "v1beta1")
	late := oldflux.TeamObjects("team-01", "late", "https://github.com/contoso/late")[0]
	var once sync.Once
	cfg := rest.CopyConfig(env.Config)
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if r.Method == http.MethodPut && r.URL.Query().Get("dryRun") == "" && strings.HasSuffix(r.URL.Path, "/customresourcedefinitions/"+gitRepositoryCRD) {
				once.Do(func() {
					if err := c.Create(ctx, late); err != nil {
						t.Errorf("creating the late GitRepository: %v", err)
					}
				})
			}
			return rt.RoundTrip(r)
		})
	})
	var out bytes.Buffer
	if _, err := upgrade(ctx, t, cfg, &out); err != nil {
		t.Fatalf("upgrade: %v\n%s", err, out.String())
	}
	if late.GetUID() == "" {
		t.Fatalf("the late GitRepository was never created: the upgrade sent no storage switch\n%s", out.String())
	}
	before[late.GetUID()] = late
	checkUpgraded(ctx, t, env.Config, before)
	if want := fmt.Sprintf("%d of %d Flux objects kept", len(before), len(before)); !strings.Contains(out.String(), want) {
		t.Errorf("the UID check does not count the late object (want %q):\n%s", want, out.String())
	}
}

// TestUpgradeRejectedWritesNothing: a v1beta1 GitRepository that v1 would
// refuse stops the upgrade before the first write, naming it and the field.
func TestUpgradeRejectedWritesNothing(t *testing.T) {
	env := testenv.StartT(t, testenv.Options{})
	ctx := context.Background()
	if _, err := oldflux.Install(ctx, env.Config, oldflux.Options{Teams: 1, SelfManaged: true}); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(env.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	signed := oldflux.TeamObjects("team-01", "signed", "https://github.com/contoso/signed")[0]
	_ = unstructured.SetNestedMap(signed.Object, map[string]any{"mode": "head"}, "spec", "verify")
	if err := c.Create(ctx, signed); err != nil {
		t.Fatal(err)
	}
	rvs := func() string {
		var lines []string
		for _, o := range fluxObjects(ctx, t, c, "v1beta1") {
			lines = append(lines, fmt.Sprintf("%s=%s", objectRef(o), o.GetResourceVersion()))
		}
		slices.Sort(lines)
		var b strings.Builder
		b.WriteString(strings.Join(lines, " ") + " ")
		crd := &metav1.PartialObjectMetadata{}
		crd.SetGroupVersionKind(crdGVK)
		_ = c.Get(ctx, client.ObjectKey{Name: gitRepositoryCRD}, crd)
		return b.String() + crd.ResourceVersion
	}
	was := rvs()
	var out bytes.Buffer
	r, err := upgrade(ctx, t, env.Config, &out)
	var rej *RejectedError
	if !errors.As(err, &rej) || !strings.Contains(err.Error(), "GitRepository/team-01/signed") || !strings.Contains(err.Error(), "spec.verify.secretRef") {
		t.Fatalf("got %v, want a rejection naming GitRepository/team-01/signed and spec.verify.secretRef\n%s", err, out.String())
	}
	if r.Wrote {
		t.Error("a rejected upgrade wrote")
	}
	if now := rvs(); now != was {
		t.Errorf("a rejected upgrade changed the cluster:\n%s\n%s", was, now)
	}
}

// markReady plays source-controller and kustomize-controller for the
// flux-system sync objects at v1 (Ready for each generation they reach),
// and kube-controller-manager for their Deployments.
func markReady(t *testing.T, cfg *rest.Config) (stop func()) {
	t.Helper()
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			for _, gvk := range []schema.GroupVersionKind{
				{Group: "source.toolkit.fluxcd.io", Version: "v1", Kind: "GitRepository"},
				{Group: "kustomize.toolkit.fluxcd.io", Version: "v1", Kind: "Kustomization"},
			} {
				u := &unstructured.Unstructured{}
				u.SetGroupVersionKind(gvk)
				if err := c.Get(ctx, client.ObjectKey{Namespace: "flux-system", Name: "flux-system"}, u); err != nil {
					continue
				}
				if g, _, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration"); g == u.GetGeneration() {
					continue
				}
				u.Object["status"] = map[string]any{"observedGeneration": u.GetGeneration(), "conditions": []any{map[string]any{
					"type": "Ready", "status": "True", "reason": "Succeeded", "message": "played by the test",
					"lastTransitionTime": time.Now().UTC().Format(time.RFC3339), "observedGeneration": u.GetGeneration(),
				}}}
				_ = c.Status().Update(ctx, u)
			}
			// No kube-controller-manager runs beside envtest: the
			// controllers' Deployments are rolled out here.
			for _, name := range []string{"source-controller", "kustomize-controller"} {
				d := &unstructured.Unstructured{}
				d.SetGroupVersionKind(deploymentGVK)
				if err := c.Get(ctx, client.ObjectKey{Namespace: "flux-system", Name: name}, d); err != nil {
					continue
				}
				if g, _, _ := unstructured.NestedInt64(d.Object, "status", "observedGeneration"); g == d.GetGeneration() {
					continue
				}
				now := time.Now().UTC().Format(time.RFC3339)
				d.Object["status"] = map[string]any{"observedGeneration": d.GetGeneration(), "replicas": int64(1), "updatedReplicas": int64(1),
					"readyReplicas": int64(1), "availableReplicas": int64(1), "conditions": []any{
						map[string]any{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable", "lastUpdateTime": now, "lastTransitionTime": now},
						map[string]any{"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable", "lastUpdateTime": now, "lastTransitionTime": now},
					}}
				_ = c.Status().Update(ctx, d)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	return func() { cancel(); <-done }
}

// TestNewerFluxRefused: a cluster whose Flux is newer than the embedded
// one is refused before anything is written, naming both versions, unless
// forced.
func TestNewerFluxRefused(t *testing.T) {
	env := testenv.StartT(t, testenv.Options{})
	ctx := context.Background()
	c, err := client.New(env.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range embedded(t).objects {
		if o.GetName() != gitRepositoryCRD {
			continue
		}
		u := o.DeepCopy()
		l := u.GetLabels()
		l["app.kubernetes.io/version"] = "v2.99.0"
		u.SetLabels(l)
		if err := c.Create(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	_, err = Install(ctx, upgradeSet(t), Options{Config: env.Config, Progress: progress.New(&out), DefaultNamespace: "default", Timeout: time.Minute, PlanOnly: true})
	var re *RefusedError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "Flux v2.99.0") || !strings.Contains(err.Error(), "Flux "+embeddedVersion(t)) {
		t.Fatalf("got %v, want a refusal naming v2.99.0 and the embedded version", err)
	}
	out.Reset()
	if _, err := Install(ctx, upgradeSet(t), Options{Config: env.Config, Progress: progress.New(&out), DefaultNamespace: "default", Timeout: time.Minute, PlanOnly: true, Force: true}); err != nil {
		t.Fatalf("--force: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "--force: downgrading Flux v2.99.0") {
		t.Errorf("--force did not say it downgrades:\n%s", out.String())
	}
}

// embeddedVersion is the Flux version the embedded install labels itself with.
func embeddedVersion(t *testing.T) string {
	t.Helper()
	return setFluxVersion(embedded(t))
}

// TestUpgradeAdmissionJudgesMoves: where a webhook sees updates of a Flux
// kind, each move of that kind is dry-run by the server before the first
// re-store, and the webhook's refusal stops the upgrade (the bridge taken
// back, the managing Kustomization resumed, no object moved); kinds no
// admission sees are not dry-run.
func TestUpgradeAdmissionJudgesMoves(t *testing.T) {
	env := testenv.StartT(t, testenv.Options{})
	ctx := context.Background()
	if _, err := oldflux.Install(ctx, env.Config, oldflux.Options{Teams: 1, SelfManaged: true}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var review admissionv1.AdmissionReview
		if err := json.NewDecoder(r.Body).Decode(&review); err != nil || review.Request == nil {
			http.Error(w, "bad review", http.StatusBadRequest)
			return
		}
		mu.Lock()
		seen = append(seen, fmt.Sprintf("%s %s/%s dryRun=%v", review.Request.Resource.Resource, review.Request.Namespace, review.Request.Name, review.Request.DryRun != nil && *review.Request.DryRun))
		mu.Unlock()
		review.Response = &admissionv1.AdmissionResponse{UID: review.Request.UID, Allowed: false, Result: &metav1.Status{Code: http.StatusForbidden, Message: "GitRepositories move only after the platform team's review"}}
		_ = json.NewEncoder(w).Encode(review)
	}))
	t.Cleanup(srv.Close)
	c, err := client.New(env.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	none, fail, url := admissionregistrationv1.SideEffectClassNone, admissionregistrationv1.Fail, srv.URL+"/validate"
	vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "platform-review"},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name:                    "review.platform.example.com",
			ClientConfig:            admissionregistrationv1.WebhookClientConfig{URL: &url, CABundle: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})},
			Rules:                   []admissionregistrationv1.RuleWithOperations{{Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Update}, Rule: admissionregistrationv1.Rule{APIGroups: []string{"source.toolkit.fluxcd.io"}, APIVersions: []string{"*"}, Resources: []string{"gitrepositories"}}}},
			SideEffects:             &none,
			FailurePolicy:           &fail,
			AdmissionReviewVersions: []string{"v1"},
		}},
	}
	if err := c.Create(ctx, vwc); err != nil {
		t.Fatal(err)
	}
	before := fluxObjects(ctx, t, c, "v1beta1")
	var out bytes.Buffer
	r, err := upgrade(ctx, t, env.Config, &out)
	var rej *RejectedError
	if !errors.As(err, &rej) || !strings.Contains(err.Error(), "GitRepository/team-01/app-001") || !strings.Contains(err.Error(), "platform team's review") {
		t.Fatalf("got %v, want a rejection naming GitRepository/team-01/app-001 and the webhook's reason\n%s", err, out.String())
	}
	if r.Wrote {
		t.Error("a refused upgrade reports writes")
	}
	mu.Lock()
	slices.Sort(seen)
	if want := []string{"gitrepositories flux-system/flux-system dryRun=true", "gitrepositories team-01/app-001 dryRun=true"}; !slices.Equal(seen, want) {
		t.Errorf("the webhook saw %v, want each GitRepository's move once, dry-run", seen)
	}
	mu.Unlock()
	for uid, now := range fluxObjects(ctx, t, c, "v1beta1") {
		if objectRef(now) == "Kustomization/flux-system/flux-system" {
			// Suspended while the moves were dry-run, resumed on the refusal.
			if s, _, _ := unstructured.NestedBool(now.Object, "spec", "suspend"); s {
				t.Error("the managing Kustomization is left suspended")
			}
			continue
		}
		if before[uid] == nil || before[uid].GetResourceVersion() != now.GetResourceVersion() {
			t.Errorf("%s written by a refused upgrade", objectRef(now))
		}
	}
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := c.Get(ctx, client.ObjectKey{Name: gitRepositoryCRD}, crd); err != nil {
		t.Fatal(err)
	}
	if len(crd.Spec.Versions) != 1 || crd.Spec.Versions[0].Name != "v1beta1" {
		t.Errorf("the bridge was not taken back: the CRD serves %v", servedVersions(crd))
	}
}
