package flux_test

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/flux"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/gitserver"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/kwok"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/seed"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
	"github.com/aksbaseline/kubectl-aksbaseline/test/testenv"
)

// The real GitOps loop on a kwok cluster: the local source-controller pulls
// from the in-process Git server, the local kustomize-controller applies the
// repository's namespace, and a published change arrives too.
func TestLocalFluxReconcilesFromGitServer(t *testing.T) {
	ctx := context.Background()
	c := testenv.KwokT(t, kwok.Options{})
	if err := seed.InstallFluxCRDs(ctx, c.Config); err != nil {
		t.Fatal(err)
	}
	cl, err := client.New(c.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "flux-system"}}); err != nil {
		t.Fatal(err)
	}

	repo := t.TempDir()
	plugintest.WriteFile(t, filepath.Join(repo, "cluster-manifests", "team-a", "namespace.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n")
	plugintest.WriteFile(t, filepath.Join(repo, "cluster-manifests", "team-a", "kustomization.yaml"), "resources:\n- namespace.yaml\n")
	git, url := serve(t, repo)

	ctrl, err := flux.Start(ctx, c.Kubeconfig, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := ctrl.Stop(); err != nil {
			t.Error(err)
		}
		for _, pid := range ctrl.PIDs() {
			// Reaped children are gone from the process table.
			if err := syscall.Kill(pid, 0); err == nil {
				t.Errorf("flux controller pid %d still running after Stop", pid)
			}
		}
	})

	apply := func(o *unstructured.Unstructured) {
		t.Helper()
		if err := cl.Apply(ctx, client.ApplyConfigurationFromUnstructured(o), client.FieldOwner("test"), client.ForceOwnership); err != nil {
			t.Fatal(err)
		}
	}
	apply(&unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
		"metadata": map[string]any{"name": "flux-system", "namespace": "flux-system"},
		"spec":     map[string]any{"interval": "1m", "url": url, "ref": map[string]any{"branch": "main"}},
	}})
	apply(&unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
		"metadata": map[string]any{"name": "flux-system", "namespace": "flux-system"},
		"spec": map[string]any{"interval": "10m", "path": "./cluster-manifests", "prune": true,
			"sourceRef": map[string]any{"kind": "GitRepository", "name": "flux-system"}},
	}})
	waitReady(t, cl, "source.toolkit.fluxcd.io/v1", "GitRepository", "flux-system")
	waitReady(t, cl, "kustomize.toolkit.fluxcd.io/v1", "Kustomization", "flux-system")
	ns := waitNamespace(t, cl, "team-a")
	if ns.Labels["kustomize.toolkit.fluxcd.io/name"] != "flux-system" {
		t.Errorf("namespace team-a labels %v: not applied by the kustomize-controller", ns.Labels)
	}

	// A push reaches the cluster on the next reconcile.
	plugintest.WriteFile(t, filepath.Join(repo, "cluster-manifests", "team-b", "namespace.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-b\n")
	plugintest.WriteFile(t, filepath.Join(repo, "cluster-manifests", "team-b", "kustomization.yaml"), "resources:\n- namespace.yaml\n")
	if _, err := git.Publish(sim.RepoName, "main", repo, "Add team-b"); err != nil {
		t.Fatal(err)
	}
	if err := flux.ReconcileNow(ctx, c.Config, "flux-system", "flux-system"); err != nil {
		t.Fatal(err)
	}
	waitNamespace(t, cl, "team-b")
}

// The extension era as the demo runs it: Seed points the extension's
// GitRepository at the local Git server, and the local controllers make
// bootstrap and bootstrap-unified Ready.
func TestExtensionEraSyncsWithLocalFlux(t *testing.T) {
	ctx := context.Background()
	c := testenv.KwokT(t, kwok.Options{})
	repo := t.TempDir()
	plugintest.WriteFile(t, filepath.Join(repo, "cluster-manifests", "a0005-i", "namespace.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a0005-i\n  labels:\n    pci-scope: in-scope\n")
	plugintest.WriteFile(t, filepath.Join(repo, "cluster-manifests", "a0005-i", "kustomization.yaml"), "resources:\n- namespace.yaml\n")
	_, url := serve(t, repo)
	if err := seed.Apply(ctx, c.Config, sim.EraExtension, seed.Options{GitURL: url}); err != nil {
		t.Fatal(err)
	}
	flux, err := flux.Start(ctx, c.Kubeconfig, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = flux.Stop() })
	cl, err := client.New(c.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	waitReady(t, cl, "source.toolkit.fluxcd.io/v1", "GitRepository", "bootstrap")
	waitReady(t, cl, "kustomize.toolkit.fluxcd.io/v1", "Kustomization", "bootstrap-unified")
	ns := waitNamespace(t, cl, "a0005-i")
	if ns.Labels["kustomize.toolkit.fluxcd.io/name"] != "bootstrap-unified" {
		t.Errorf("namespace a0005-i labels %v: not applied by bootstrap-unified", ns.Labels)
	}
}

func waitReady(t *testing.T, cl client.Client, apiVersion, kind, name string) {
	t.Helper()
	var last string
	err := wait.PollUntilContextTimeout(context.Background(), 250*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		u := &unstructured.Unstructured{}
		u.SetAPIVersion(apiVersion)
		u.SetKind(kind)
		if err := cl.Get(ctx, client.ObjectKey{Namespace: "flux-system", Name: name}, u); err != nil {
			last = err.Error()
			return false, nil
		}
		conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
		for _, c := range conds {
			m, _ := c.(map[string]any)
			if m["type"] == "Ready" {
				last = m["status"].(string) + ": " + m["message"].(string)
				return m["status"] == "True", nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("%s flux-system/%s not Ready: %s", kind, name, last)
	}
}

func waitNamespace(t *testing.T, cl client.Client, name string) *corev1.Namespace {
	t.Helper()
	var ns corev1.Namespace
	err := wait.PollUntilContextTimeout(context.Background(), 250*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		err := cl.Get(ctx, client.ObjectKey{Name: name}, &ns)
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil, err
	})
	if err != nil {
		t.Fatalf("namespace %s never appeared: %v", name, err)
	}
	return &ns
}

// serve publishes dir as the fork's branch main on a new Git server.
func serve(t *testing.T, dir string) (*gitserver.Server, string) {
	t.Helper()
	git, url := testenv.ForkT(t)
	if _, err := git.Publish(sim.RepoName, "main", dir, "Add the cluster manifests"); err != nil {
		t.Fatal(err)
	}
	return git, url
}
