package bootstrap

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
	"github.com/aksbaseline/kubectl-aksbaseline/test/testenv"
)

// resourceVersions reads the resourceVersion of every object a change set names.
func resourceVersions(t *testing.T, c client.Client, objs map[string]string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for subject := range objs {
		u := lookup(t, c, subject)
		out[subject] = u.GetResourceVersion()
	}
	return out
}

var kinds = map[string]schema.GroupVersionKind{
	"Namespace":                {Version: "v1", Kind: "Namespace"},
	"ServiceAccount":           {Version: "v1", Kind: "ServiceAccount"},
	"Service":                  {Version: "v1", Kind: "Service"},
	"ResourceQuota":            {Version: "v1", Kind: "ResourceQuota"},
	"Deployment":               {Group: "apps", Version: "v1", Kind: "Deployment"},
	"ClusterRole":              {Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRole"},
	"ClusterRoleBinding":       {Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRoleBinding"},
	"NetworkPolicy":            {Group: "networking.k8s.io", Version: "v1", Kind: "NetworkPolicy"},
	"CustomResourceDefinition": {Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"},
	"GitRepository":            {Group: "source.toolkit.fluxcd.io", Version: "v1", Kind: "GitRepository"},
	"Kustomization":            {Group: "kustomize.toolkit.fluxcd.io", Version: "v1", Kind: "Kustomization"},
}

// lookup GETs the object a change-set subject (Kind/ns/name or Kind/name) names.
func lookup(t *testing.T, c client.Client, subject string) *unstructured.Unstructured {
	t.Helper()
	parts := strings.Split(subject, "/")
	gvk, ok := kinds[parts[0]]
	if !ok {
		t.Fatalf("test does not know kind %s", parts[0])
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	key := client.ObjectKey{Name: parts[len(parts)-1]}
	if len(parts) == 3 {
		key.Namespace = parts[1]
	}
	if err := c.Get(context.Background(), key, u); err != nil {
		t.Fatalf("%s: %v", subject, err)
	}
	return u
}

// TestBootstrapLifecycle runs bootstrap on a fresh API server the way a user
// would: dry-run, apply, re-run, someone else edits a field, re-run.
func TestBootstrapLifecycle(t *testing.T) {
	env := testenv.StartT(t, testenv.Options{})
	c := newClient(t, env)
	ctx := context.Background()
	args := []string{"--github-account", "contoso", "--wait=false"}

	t.Run("dry-run writes nothing", func(t *testing.T) {
		r := run(t, env.Kubeconfig, append(args, "--dry-run")...)
		if r.Code != 0 {
			t.Fatal(r)
		}
		cs := changeSet(t, r.Stdout)
		if cs["GitRepository/flux-system/flux-system"] != "created" || cs["CustomResourceDefinition/gitrepositories.source.toolkit.fluxcd.io"] != "created" {
			t.Fatalf("dry-run change set lacks the objects it would create:\n%s", r)
		}
		err := c.Get(ctx, client.ObjectKey{Name: "flux-system"}, &corev1.Namespace{})
		if !apierrors.IsNotFound(err) {
			t.Fatalf("namespace flux-system after --dry-run: %v, want NotFound", err)
		}
		crds := &apiextensionsv1.CustomResourceDefinitionList{}
		if err := c.List(ctx, crds); err != nil {
			t.Fatal(err)
		}
		if len(crds.Items) != 0 {
			t.Fatalf("--dry-run created %d CRDs", len(crds.Items))
		}
	})

	var first map[string]string
	t.Run("fresh apply creates everything", func(t *testing.T) {
		r := run(t, env.Kubeconfig, args...)
		if r.Code != 0 {
			t.Fatal(r)
		}
		first = changeSet(t, r.Stdout)
		if len(first) != 24 {
			t.Errorf("change set has %d objects, want 24 (embedded install of two controllers + 2 sync objects):\n%s", len(first), r)
		}
		for s, a := range first {
			if a != "created" {
				t.Errorf("%s %s, want created", s, a)
			}
		}
		for s := range first {
			if !strings.HasPrefix(s, "CustomResourceDefinition/") {
				continue
			}
			crd := &apiextensionsv1.CustomResourceDefinition{}
			if err := c.Get(ctx, client.ObjectKey{Name: strings.TrimPrefix(s, "CustomResourceDefinition/")}, crd); err != nil {
				t.Fatal(err)
			}
			if crd.Labels["app.kubernetes.io/version"] == "" || crd.Labels["app.kubernetes.io/part-of"] != "flux" {
				t.Errorf("%s lacks the Flux version labels: %v", s, crd.Labels)
			}
		}
		gr := lookup(t, c, "GitRepository/flux-system/flux-system")
		if url, _, _ := unstructured.NestedString(gr.Object, "spec", "url"); url != "https://github.com/contoso/aks-baseline-regulated" {
			t.Errorf("GitRepository url %q", url)
		}
		for _, mf := range gr.GetManagedFields() {
			if mf.Manager != "aksbaseline" {
				t.Errorf("GitRepository has field manager %q, want only aksbaseline", mf.Manager)
			}
		}
	})

	t.Run("re-run is all unchanged and bumps no resourceVersion", func(t *testing.T) {
		before := resourceVersions(t, c, first)
		r := run(t, env.Kubeconfig, args...)
		if r.Code != 0 {
			t.Fatal(r)
		}
		cs := changeSet(t, r.Stdout)
		if len(cs) != len(first) {
			t.Fatalf("re-run change set has %d objects, first run %d", len(cs), len(first))
		}
		for s, a := range cs {
			if a != "unchanged" {
				t.Errorf("%s %s on re-run, want unchanged", s, a)
			}
		}
		js := run(t, env.Kubeconfig, append(args, "-o", "json")...)
		if js.Code != 0 {
			t.Fatal(js)
		}
		var rep struct {
			Changes []struct{ Subject, Kind, Namespace, Name, Action string }
		}
		if err := json.Unmarshal([]byte(js.Stdout), &rep); err != nil {
			t.Fatalf("-o json: %v\n%s", err, js)
		}
		if len(rep.Changes) != len(first) {
			t.Errorf("-o json lists %d changes, want %d", len(rep.Changes), len(first))
		}
		for _, ch := range rep.Changes {
			if ch.Action != "unchanged" || first[ch.Subject] == "" {
				t.Errorf("-o json entry %+v", ch)
			}
		}
		after := resourceVersions(t, c, first)
		for s, rv := range before {
			if after[s] != rv {
				t.Errorf("%s resourceVersion %s → %s: the re-runs wrote", s, rv, after[s])
			}
		}
	})

	t.Run("a field another manager set is taken over and reported", func(t *testing.T) {
		// Someone scales the controller with their own field manager.
		patch := []byte(`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"source-controller","namespace":"flux-system"},"spec":{"replicas":3}}`)
		d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "source-controller", Namespace: "flux-system"}}
		if err := c.Patch(ctx, d, client.RawPatch("application/apply-patch+yaml", patch), client.FieldOwner("ops-team"), client.ForceOwnership); err != nil {
			t.Fatal(err)
		}
		if err := c.Get(ctx, client.ObjectKeyFromObject(d), d); err != nil {
			t.Fatal(err)
		}
		rv := d.ResourceVersion

		diff := run(t, env.Kubeconfig, append(args, "--diff")...)
		if diff.Code != 0 {
			t.Fatal(diff)
		}
		if !strings.Contains(diff.Stdout, "+++ Deployment/flux-system/source-controller (bootstrap)") || !strings.Contains(diff.Stdout, "-  replicas: 3") || !strings.Contains(diff.Stdout, "+  replicas: 1") {
			t.Errorf("--diff does not show the replicas change:\n%s", diff)
		}
		if strings.Contains(diff.Stdout, "GitRepository") {
			t.Errorf("--diff shows unchanged objects:\n%s", diff)
		}
		if err := c.Get(ctx, client.ObjectKeyFromObject(d), d); err != nil {
			t.Fatal(err)
		}
		if d.ResourceVersion != rv {
			t.Fatalf("--diff wrote: resourceVersion %s → %s", rv, d.ResourceVersion)
		}

		r := run(t, env.Kubeconfig, args...)
		if r.Code != 0 {
			t.Fatal(r)
		}
		cs := changeSet(t, r.Stdout)
		if cs["Deployment/flux-system/source-controller"] != "configured" {
			t.Errorf("source-controller %q, want configured:\n%s", cs["Deployment/flux-system/source-controller"], r)
		}
		if !strings.Contains(r.Stderr, `Deployment/flux-system/source-controller: taking over .spec.replicas from field manager "ops-team"`) {
			t.Errorf("stderr does not report the take-over:\n%s", r)
		}
		if err := c.Get(ctx, client.ObjectKeyFromObject(d), d); err != nil {
			t.Fatal(err)
		}
		if *d.Spec.Replicas != 1 {
			t.Errorf("replicas %d after bootstrap, want 1", *d.Spec.Replicas)
		}
		for _, mf := range d.ManagedFields {
			if mf.Manager == "ops-team" && strings.Contains(string(mf.FieldsV1.Raw), "replicas") {
				t.Errorf("ops-team still owns replicas: %s", mf.FieldsV1.Raw)
			}
		}
	})
}

// TestKustomizeFolder applies a user's folder the reference's way (-k),
// built in-process, with the namespace defaulting 'kubectl apply' does.
func TestKustomizeFolder(t *testing.T) {
	env := testenv.StartT(t, testenv.Options{})
	c := newClient(t, env)
	dir := t.TempDir()
	writeFile(t, dir, "kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- namespace.yaml\n- settings.yaml\nconfigMapGenerator:\n- name: generated\n  literals: [mode=strict]\n")
	writeFile(t, dir, "namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-k\n")
	writeFile(t, dir, "settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n")
	r := run(t, env.Kubeconfig, "-k", dir, "-n", "team-k", "--wait=false")
	if r.Code != 0 {
		t.Fatal(r)
	}
	cs := changeSet(t, r.Stdout)
	if cs["Namespace/team-k"] != "created" || cs["ConfigMap/team-k/settings"] != "created" || len(cs) != 3 {
		t.Errorf("change set:\n%s", r)
	}
	cm := &corev1.ConfigMap{}
	if err := c.Get(context.Background(), client.ObjectKey{Namespace: "team-k", Name: "settings"}, cm); err != nil {
		t.Fatal(err)
	}
}

// TestWaitOutcomes: on envtest no controller runs, so the Deployments never
// become available: bootstrap must say so with exit 1 at the deadline, and
// stop promptly with exit 130 when interrupted while waiting.
func TestWaitOutcomes(t *testing.T) {
	env := testenv.StartT(t, testenv.Options{})

	t.Run("not healthy in time is exit 1", func(t *testing.T) {
		r := run(t, env.Kubeconfig, "--github-account", "contoso", "--timeout", "3s")
		if r.Code != 1 {
			t.Fatalf("want exit 1:\n%s", r)
		}
		if !strings.Contains(r.Stderr, "timed out waiting for controllers") || !strings.Contains(r.Stderr, "Deployment/flux-system/source-controller") {
			t.Errorf("the error does not name what is not ready:\n%s", r)
		}
		if cs := changeSet(t, r.Stdout); cs["Deployment/flux-system/source-controller"] != "created" {
			t.Errorf("the change set is missing from stdout:\n%s", r)
		}
	})

	t.Run("Ctrl-C while waiting is exit 130", func(t *testing.T) {
		cmd := plugintest.Command(t, plugintest.Cmd{Name: binary, Args: []string{"bootstrap", "--kubeconfig", env.Kubeconfig, "--github-account", "contoso", "--timeout", "10m"}})
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var seen strings.Builder
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			seen.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "waiting for 2 controller(s)") {
				break
			}
		}
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		rest, _ := io.ReadAll(stderr)
		seen.Write(rest)
		err = cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 130 {
			t.Fatalf("want exit 130, got %v:\n%s", err, seen.String())
		}
		if !strings.Contains(seen.String(), "interrupted while waiting for the controllers") {
			t.Errorf("no clear interrupt message:\n%s", seen.String())
		}
	})
}
