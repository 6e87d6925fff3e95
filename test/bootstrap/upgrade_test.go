package bootstrap

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	simcrd "github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/crd"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/oldflux"
	"github.com/aksbaseline/kubectl-aksbaseline/manifests"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/fluxinstall"
	"github.com/aksbaseline/kubectl-aksbaseline/test/testenv"
)

// The two kinds the fixture's sync objects and teams use, at the version
// v0.8.1 stored them.
var v1beta1Kinds = []schema.GroupVersionKind{
	{Group: "source.toolkit.fluxcd.io", Version: "v1beta1", Kind: "GitRepositoryList"},
	{Group: "kustomize.toolkit.fluxcd.io", Version: "v1beta1", Kind: "KustomizationList"},
}

// v1beta1Objects reads the Flux objects v0.8.1 stored, by Kind/ns/name.
func v1beta1Objects(t *testing.T, c client.Client) map[string]*unstructured.Unstructured {
	t.Helper()
	out := map[string]*unstructured.Unstructured{}
	for _, gvk := range v1beta1Kinds {
		l := &unstructured.UnstructuredList{}
		l.SetGroupVersionKind(gvk)
		if err := c.List(context.Background(), l); err != nil {
			t.Fatal(err)
		}
		for i := range l.Items {
			u := &l.Items[i]
			out[fmt.Sprintf("%s/%s/%s", u.GetKind(), u.GetNamespace(), u.GetName())] = u
		}
	}
	return out
}

// clusterState is the resourceVersion of every object an upgrade could
// write: the Flux objects, the five v0.8.1 CRDs, the controllers and the
// namespace; any write changes one.
func clusterState(t *testing.T, c client.Client) map[string]string {
	t.Helper()
	out := map[string]string{}
	for ref, u := range v1beta1Objects(t, c) {
		out[ref] = u.GetResourceVersion()
	}
	names, err := oldflux.CRDNames()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		out["CustomResourceDefinition/"+n] = lookup(t, c, "CustomResourceDefinition/"+n).GetResourceVersion()
	}
	for _, s := range []string{"Deployment/flux-system/source-controller", "Deployment/flux-system/kustomize-controller", "Namespace/flux-system"} {
		out[s] = lookup(t, c, s).GetResourceVersion()
	}
	return out
}

func sameState(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s changed %s (resourceVersion %s, now %s)", what, k, v, after[k])
		}
	}
	if len(after) != len(before) {
		t.Errorf("%s changed the number of objects: %d, now %d", what, len(before), len(after))
	}
}

// TestUpgradeFromV081CLI is the upgrade through the built binary, on a
// cluster holding the reference's Flux v0.8.1 with two teams' objects at
// v1beta1: the plan on stderr and the data on stdout, --dry-run and
// -o json writing nothing, a move the new API refuses (exit 2 naming
// object and field, nothing written), then the upgrade and a re-run.
func TestUpgradeFromV081CLI(t *testing.T) {
	env := testenv.StartT(t, testenv.Options{})
	c := newClient(t, env)
	ctx := context.Background()
	n, err := oldflux.Install(ctx, env.Config, oldflux.Options{URL: "https://github.com/contoso/aks-baseline-regulated", Teams: 2, SelfManaged: true})
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"--github-account", "contoso", "--wait=false"}

	t.Run("--dry-run shows the plan on stderr, the change set on stdout, and writes nothing", func(t *testing.T) {
		before := clusterState(t, c)
		r := run(t, env.Kubeconfig, append(args, "--dry-run")...)
		if r.Code != 0 {
			t.Fatal(r)
		}
		for _, want := range []string{
			"► upgrade plan: Flux " + oldflux.Version + " (the image tag of Deployment flux-system/source-controller) to Flux " + manifests.FluxVersion,
			"GitRepository: 3 objects stored at v1beta1, moving to v1",
			"Kustomization: 3 objects stored at v1beta1, moving to v1",
			"Bucket: 0 objects stored at v1beta1, moving to v1",
			"Kustomization spec.validation: dropped from 3 objects (the new API has no such field): flux-system/flux-system, team-01/app-001, team-02/app-001",
			"Kustomization spec.patchesStrategicMerge → spec.patches: in 2 objects: team-01/app-001, team-02/app-001",
			"recreated, their spec.selector being immutable (old Deployment and its ReplicaSets removed, then applied): Deployment/flux-system/kustomize-controller, Deployment/flux-system/source-controller",
			"Kustomization flux-system/flux-system applies Flux from Git: suspended while Flux moves, resumed at the end",
		} {
			if !strings.Contains(r.Stderr, want) {
				t.Errorf("the plan on stderr lacks %q:\n%s", want, r.Stderr)
			}
		}
		if strings.Contains(r.Stdout, "upgrade plan") || strings.ContainsAny(r.Stdout, "►✔◎✗") {
			t.Errorf("stdout carries progress; it is for the change set alone:\n%s", r.Stdout)
		}
		cs := changeSet(t, r.Stdout)
		if cs["Deployment/flux-system/source-controller"] != "created" || cs["CustomResourceDefinition/ocirepositories.source.toolkit.fluxcd.io"] != "created" || cs["GitRepository/flux-system/flux-system"] != "configured" {
			t.Errorf("dry-run change set: want the recreated controller and the new CRD created, the sync GitRepository configured:\n%s", r.Stdout)
		}
		sameState(t, "--dry-run", before, clusterState(t, c))
	})

	t.Run("-o json: the plan as data on stdout, nothing written", func(t *testing.T) {
		before := clusterState(t, c)
		r := run(t, env.Kubeconfig, append(args, "--dry-run", "-o", "json")...)
		if r.Code != 0 {
			t.Fatal(r)
		}
		var rep fluxinstall.Report
		dec := json.NewDecoder(strings.NewReader(r.Stdout))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rep); err != nil {
			t.Fatalf("stdout is not one JSON report: %v\n%s", err, r.Stdout)
		}
		up := rep.Upgrade
		if !rep.DryRun || up == nil {
			t.Fatalf("dryRun %v, upgrade %v:\n%s", rep.DryRun, up, r.Stdout)
		}
		if up.Installed != oldflux.Version || up.Target != manifests.FluxVersion || up.ManagedBy != "Kustomization/flux-system/flux-system" || up.Kept != nil {
			t.Errorf("installed %q target %q managedBy %q kept %v", up.Installed, up.Target, up.ManagedBy, up.Kept)
		}
		counts := map[string]int{}
		for _, k := range up.Kinds {
			counts[k.Kind] = k.Objects
			if !slices.Equal(k.StoredVersions, []string{"v1beta1"}) || k.To != "v1" {
				t.Errorf("%s: stored %v to %s, want [v1beta1] to v1", k.Kind, k.StoredVersions, k.To)
			}
		}
		want := map[string]int{"Bucket": 0, "GitRepository": 3, "HelmChart": 0, "HelmRepository": 0, "Kustomization": 3}
		if fmt.Sprint(counts) != fmt.Sprint(want) {
			t.Errorf("kinds %v, want %v", counts, want)
		}
		if !slices.Contains(up.Dropped, fluxinstall.UpgradeField{Object: "Kustomization/team-02/app-001", Field: "spec.validation"}) ||
			!slices.Contains(up.Dropped, fluxinstall.UpgradeField{Object: "GitRepository/flux-system/flux-system", Field: "spec.gitImplementation"}) {
			t.Errorf("dropped fields %v lack the teams' validation and the sync's gitImplementation", up.Dropped)
		}
		if !slices.Contains(up.Converted, fluxinstall.UpgradeField{Object: "Kustomization/team-01/app-001", Field: "spec.patchesStrategicMerge → spec.patches"}) {
			t.Errorf("converted fields %v", up.Converted)
		}
		if !slices.Equal(up.Recreated, []string{"Deployment/flux-system/kustomize-controller", "Deployment/flux-system/source-controller"}) {
			t.Errorf("recreated %v", up.Recreated)
		}
		if !strings.Contains(r.Stderr, "upgrade plan: Flux "+oldflux.Version) {
			t.Errorf("-o json: the plan's text still belongs on stderr:\n%s", r.Stderr)
		}
		sameState(t, "--dry-run -o json", before, clusterState(t, c))
	})

	t.Run("a move the new API refuses: exit 2 naming object and field, nothing written", func(t *testing.T) {
		// v1 requires verify.secretRef, which v1beta1 left optional.
		signed := oldflux.TeamObjects("team-01", "signed", "https://github.com/contoso/signed")[0]
		_ = unstructured.SetNestedMap(signed.Object, map[string]any{"mode": "head"}, "spec", "verify")
		if err := c.Create(ctx, signed); err != nil {
			t.Fatal(err)
		}
		before := clusterState(t, c)
		for _, extra := range [][]string{nil, {"--dry-run"}} {
			r := run(t, env.Kubeconfig, append(slices.Clone(args), extra...)...)
			if r.Code != 2 || !strings.Contains(r.Stderr, "GitRepository/team-01/signed") || !strings.Contains(r.Stderr, "spec.verify.secretRef") {
				t.Errorf("%v: want exit 2 naming GitRepository/team-01/signed and spec.verify.secretRef:\n%s", extra, r)
			}
			if r.Stdout != "" || strings.Contains(r.Stderr, "goroutine ") {
				t.Errorf("%v: a refusal prints no change set and no stack:\n%s", extra, r)
			}
		}
		sameState(t, "a refused upgrade", before, clusterState(t, c))
		if err := c.Delete(ctx, signed); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("the upgrade keeps every object with its UID; a re-run writes nothing", func(t *testing.T) {
		uids := map[string]string{}
		for ref, u := range v1beta1Objects(t, c) {
			uids[ref] = string(u.GetUID())
		}
		if len(uids) != n {
			t.Fatalf("%d Flux objects before the upgrade, want the %d installed", len(uids), n)
		}
		r := run(t, env.Kubeconfig, args...)
		if r.Code != 0 || !strings.Contains(r.Stderr, fmt.Sprintf("%d of %d Flux objects kept, every one with its UID", n, n)) {
			t.Fatalf("upgrade: want exit 0 and every object kept:\n%s", r)
		}
		for ref, uid := range uids {
			if got := lookup(t, c, ref).GetUID(); string(got) != uid {
				t.Errorf("%s has UID %s, had %s", ref, got, uid)
			}
		}
		for _, name := range []string{"gitrepositories.source.toolkit.fluxcd.io", "kustomizations.kustomize.toolkit.fluxcd.io"} {
			crd := &apiextensionsv1.CustomResourceDefinition{}
			if err := c.Get(ctx, client.ObjectKey{Name: name}, crd); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(crd.Status.StoredVersions, []string{"v1"}) || crd.Labels["app.kubernetes.io/version"] != manifests.FluxVersion {
				t.Errorf("%s: storedVersions %v, version %q", name, crd.Status.StoredVersions, crd.Labels["app.kubernetes.io/version"])
			}
		}
		again := run(t, env.Kubeconfig, args...)
		if again.Code != 0 || strings.Contains(again.Stderr, "upgrade plan") {
			t.Fatalf("re-run: want exit 0 and no upgrade plan:\n%s", again)
		}
		for s, a := range changeSet(t, again.Stdout) {
			if a != "unchanged" {
				t.Errorf("re-run: %s %s, want unchanged", s, a)
			}
		}
	})
}

// TestNewerFluxRefusedCLI: bootstrap on a cluster whose Flux is newer than
// the one it carries exits 2 naming both versions and writes nothing;
// --force goes ahead and says it downgrades.
func TestNewerFluxRefusedCLI(t *testing.T) {
	env := testenv.StartT(t, testenv.Options{})
	c := newClient(t, env)
	ctx := context.Background()
	crd := minimalCRD("source.toolkit.fluxcd.io", "GitRepository", "gitrepositories", map[string]string{"app.kubernetes.io/part-of": "flux", "app.kubernetes.io/version": "v2.99.0"})
	if err := c.Create(ctx, crd); err != nil {
		t.Fatal(err)
	}
	// The API server writes the CRD's conditions once after the create.
	if err := simcrd.WaitEstablished(ctx, c, 100*time.Millisecond, crd.Name); err != nil {
		t.Fatal(err)
	}
	rv := lookup(t, c, "CustomResourceDefinition/"+crd.Name).GetResourceVersion()
	for _, extra := range [][]string{nil, {"--dry-run"}, {"-o", "json"}} {
		r := run(t, env.Kubeconfig, append([]string{"--github-account", "contoso", "--wait=false"}, extra...)...)
		if r.Code != 2 || !strings.Contains(r.Stderr, "Flux v2.99.0 on this cluster is newer than Flux "+manifests.FluxVersion) || !strings.Contains(r.Stderr, "--force") {
			t.Errorf("%v: want exit 2 naming v2.99.0, %s and --force:\n%s", extra, manifests.FluxVersion, r)
		}
		if r.Stdout != "" {
			t.Errorf("%v: a refusal prints nothing on stdout:\n%s", extra, r.Stdout)
		}
	}
	if err := c.Get(ctx, client.ObjectKey{Name: "flux-system"}, &corev1.Namespace{}); !apierrors.IsNotFound(err) {
		t.Errorf("flux-system exists after the refusal: %v", err)
	}
	if now := lookup(t, c, "CustomResourceDefinition/"+crd.Name).GetResourceVersion(); now != rv {
		t.Errorf("the refusal wrote the GitRepository CRD (resourceVersion %s, now %s)", rv, now)
	}
	r := run(t, env.Kubeconfig, "--github-account", "contoso", "--wait=false", "--force", "--dry-run")
	if r.Code != 0 || !strings.Contains(r.Stderr, "⚠ --force: downgrading Flux v2.99.0 to "+manifests.FluxVersion) {
		t.Errorf("--force --dry-run: want exit 0 saying it downgrades:\n%s", r)
	}
	if now := lookup(t, c, "CustomResourceDefinition/"+crd.Name).GetResourceVersion(); now != rv {
		t.Errorf("--force --dry-run wrote the GitRepository CRD")
	}
}
