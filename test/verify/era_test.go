package verify

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/seed"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
	"github.com/aksbaseline/kubectl-aksbaseline/test/testenv"
)

const revision = "main@sha1:4f3c2b1a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"

// seedEra starts a control plane dressed as the reference cluster of era:
// what AKS and its add-ons put there (seed.Apply), the demo's
// cluster-manifests configured by the built configure and applied as Flux
// would (seed.ApplyTree), with the pods and statuses envtest's missing
// controllers and kubelets would add, and (eras where Flux is bootstrapped
// by hand) the Flux install and sync objects, with Ready statuses.
func seedEra(t *testing.T, era sim.Era) (*testenv.Env, client.Client) {
	t.Helper()
	env := testenv.StartT(t, testenv.Options{})
	ctx := ctxT(t)
	opts := seed.Options{SetStatus: true, SkipGitOps: true}
	if err := seed.Apply(ctx, env.Config, era, opts); err != nil {
		t.Fatalf("seeding era %s: %v", era, err)
	}
	tree := filepath.Join(testenv.ConfiguredFork(t, plugintest.Cmd{Name: plugin}, era), "cluster-manifests")
	if err := seed.ApplyTree(ctx, env.Config, tree, opts); err != nil {
		t.Fatalf("applying the cluster-manifests of era %s: %v", era, err)
	}
	c := newClient(t, env.Config)

	repo, ks := era.SyncNames()
	if !era.FluxFromExtension() {
		if err := seed.InstallFluxCRDs(ctx, env.Config); err != nil {
			t.Fatal(err)
		}
		c = newClient(t, env.Config) // discover the new kinds
		createWithStatus(t, c, &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "flux-system"}}})
		for _, name := range []string{"source-controller", "kustomize-controller"} {
			createWithStatus(t, c, deployment("flux-system", name, map[string]any{"app.kubernetes.io/part-of": "flux", "app.kubernetes.io/instance": "flux-system"}))
		}
		r := obj("source.toolkit.fluxcd.io/v1", "GitRepository", "flux-system", repo)
		r.Object["spec"] = map[string]any{"interval": "1m", "ref": map[string]any{"branch": "main"}, "url": sim.DefaultGitURL}
		createWithStatus(t, c, r)
		k := obj("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "flux-system", ks)
		k.Object["spec"] = map[string]any{"interval": "10m", "path": "./cluster-manifests", "prune": true, "sourceRef": map[string]any{"kind": "GitRepository", "name": repo}}
		createWithStatus(t, c, k)
	}
	setStatus(t, c, obj("source.toolkit.fluxcd.io/v1", "GitRepository", "flux-system", repo), map[string]any{"conditions": readyCondition("stored artifact for revision '" + revision + "'")})
	setStatus(t, c, obj("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "flux-system", ks), map[string]any{
		"conditions": readyCondition("Applied revision: " + revision), "lastAppliedRevision": revision})
	return env, c
}

func deployment(ns, name string, labels map[string]any) *unstructured.Unstructured {
	d := obj("apps/v1", "Deployment", ns, name)
	l := map[string]any{"app": name}
	for k, v := range labels {
		l[k] = v
	}
	d.Object["metadata"].(map[string]any)["labels"] = l
	d.Object["spec"] = map[string]any{"replicas": int64(1), "selector": map[string]any{"matchLabels": map[string]any{"app": name}},
		"template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": name}},
			"spec": map[string]any{"containers": []any{map[string]any{"name": "manager", "image": "ghcr.io/fluxcd/" + name + ":v1.9.5"}}}}}
	d.Object["status"] = readyDeploymentStatus()
	return d
}

func readyDeploymentStatus() map[string]any {
	return map[string]any{"replicas": int64(1), "updatedReplicas": int64(1), "readyReplicas": int64(1), "availableReplicas": int64(1),
		"conditions": []any{
			map[string]any{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability."},
			map[string]any{"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable", "message": "ReplicaSet has successfully progressed."},
		}}
}

// variant breaks one thing in a seeded cluster and returns how to undo it.
type variant struct {
	name   string
	expect map[string]result.Status
	args   []string
	breakc func(t *testing.T, c client.Client) (undo func())
}

func live(t *testing.T, c client.Client, apiVersion, kind, ns, name string) *unstructured.Unstructured {
	t.Helper()
	o := obj(apiVersion, kind, ns, name)
	if err := c.Get(ctxT(t), client.ObjectKeyFromObject(o), o); err != nil {
		t.Fatalf("%s %s/%s: %v", kind, ns, name, err)
	}
	return o
}

// remove deletes an object; undo creates it again with its status.
func remove(apiVersion, kind, ns, name string) func(t *testing.T, c client.Client) func() {
	return func(t *testing.T, c client.Client) func() {
		o := live(t, c, apiVersion, kind, ns, name)
		if err := c.Delete(ctxT(t), o); err != nil {
			t.Fatal(err)
		}
		return func() {
			fresh := o.DeepCopy()
			unstructured.RemoveNestedField(fresh.Object, "metadata", "resourceVersion")
			unstructured.RemoveNestedField(fresh.Object, "metadata", "uid")
			unstructured.RemoveNestedField(fresh.Object, "metadata", "creationTimestamp")
			unstructured.RemoveNestedField(fresh.Object, "metadata", "managedFields")
			createWithStatus(t, c, fresh)
		}
	}
}

// edit changes an object (spec or status, written through the right
// endpoint); undo writes the original back.
func edit(apiVersion, kind, ns, name string, change func(o *unstructured.Unstructured)) func(t *testing.T, c client.Client) func() {
	return func(t *testing.T, c client.Client) func() {
		orig := live(t, c, apiVersion, kind, ns, name)
		o := orig.DeepCopy()
		change(o)
		write(t, c, orig, o)
		return func() { write(t, c, o, orig) }
	}
}

func write(t *testing.T, c client.Client, from, to *unstructured.Unstructured) {
	t.Helper()
	ctx := ctxT(t)
	cur := live(t, c, to.GetAPIVersion(), to.GetKind(), to.GetNamespace(), to.GetName())
	next := to.DeepCopy()
	next.SetResourceVersion(cur.GetResourceVersion())
	if err := c.Update(ctx, next); err != nil {
		t.Fatal(err)
	}
	if _, ok := to.Object["status"]; ok {
		cur = live(t, c, to.GetAPIVersion(), to.GetKind(), to.GetNamespace(), to.GetName())
		next = cur.DeepCopy()
		next.Object["status"] = to.Object["status"]
		if err := c.Status().Update(ctx, next); err != nil {
			t.Fatal(err)
		}
	}
}

// add creates an object; undo deletes it.
func add(o *unstructured.Unstructured) func(t *testing.T, c client.Client) func() {
	return func(t *testing.T, c client.Client) func() {
		createWithStatus(t, c, o)
		return func() {
			if err := c.Delete(ctxT(t), o.DeepCopy()); err != nil && !apierrors.IsNotFound(err) {
				t.Fatal(err)
			}
		}
	}
}

func both(a, b func(t *testing.T, c client.Client) func()) func(t *testing.T, c client.Client) func() {
	return func(t *testing.T, c client.Client) func() {
		ua := a(t, c)
		ub := b(t, c)
		return func() { ub(); ua() }
	}
}

func set(path ...string) func(v any) func(o *unstructured.Unstructured) {
	return func(v any) func(o *unstructured.Unstructured) {
		return func(o *unstructured.Unstructured) { _ = unstructured.SetNestedField(o.Object, v, path...) }
	}
}

func findName(t *testing.T, c client.Client, apiVersion, kind string, re *regexp.Regexp) string {
	t.Helper()
	l := &unstructured.UnstructuredList{}
	l.SetAPIVersion(apiVersion)
	l.SetKind(kind + "List")
	if err := c.List(ctxT(t), l); err != nil {
		t.Fatal(err)
	}
	for _, o := range l.Items {
		if re.MatchString(o.GetName()) {
			return o.GetName()
		}
	}
	t.Fatalf("no %s matches %s", kind, re)
	return ""
}

func waitGone(t *testing.T, c client.Client, o *unstructured.Unstructured) {
	t.Helper()
	ctx := ctxT(t)
	for {
		err := c.Get(ctx, client.ObjectKeyFromObject(o), o.DeepCopy())
		if apierrors.IsNotFound(err) {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s %s still there", o.GetKind(), o.GetName())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func placeholderPod() *unstructured.Unstructured {
	p := obj("v1", "Pod", "ingress-nginx", "web-frontend-6c9f7d8b5-qwert")
	p.Object["spec"] = map[string]any{"containers": []any{map[string]any{"name": "web-frontend", "image": "REPLACE_ME_WITH_YOUR_ACRNAME.azurecr.io/live/a0005/chain-api:1.0"}}}
	return p
}

func nodeName(t *testing.T, c client.Client, pool string) string {
	return findName(t, c, "v1", "Node", regexp.MustCompile("^aks-"+pool+"-"))
}

func taintedProfile(t *testing.T) string {
	t.Helper()
	root := plugintest.RepoRoot(t)
	b, err := os.ReadFile(filepath.Join(root, "pkg", "check", "testdata", "profiles", "regulated-tainted.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "tainted.yaml")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
