package bootstrap

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
	"github.com/aksbaseline/kubectl-aksbaseline/test/testenv"
)

// assertNothingApplied checks that no Flux object and no namespace of the
// set reached the cluster.
func assertNothingApplied(t *testing.T, c client.Client, namespaces ...string) {
	t.Helper()
	ctx := context.Background()
	for _, ns := range namespaces {
		if err := c.Get(ctx, client.ObjectKey{Name: ns}, &corev1.Namespace{}); !apierrors.IsNotFound(err) {
			t.Errorf("namespace %s exists after a refused bootstrap (err %v)", ns, err)
		}
	}
	crds := &apiextensionsv1.CustomResourceDefinitionList{}
	if err := c.List(ctx, crds); err != nil {
		t.Fatal(err)
	}
	for _, crd := range crds.Items {
		if strings.HasSuffix(crd.Spec.Group, "toolkit.fluxcd.io") {
			t.Errorf("CRD %s exists after a refused bootstrap", crd.Name)
		}
	}
}

const denyPolicy = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: deny-kustomize-controller
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: ["apps"]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["deployments"]
  validations:
  - expression: "object.metadata.name != 'kustomize-controller'"
    message: "the platform team forbids kustomize-controller here"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: deny-kustomize-controller
spec:
  policyName: deny-kustomize-controller
  validationActions: ["Deny"]
`

// TestRejectedObjectMeansNothingApplied: one object refused by admission or
// by schema validation stops the whole bootstrap before the first write.
func TestRejectedObjectMeansNothingApplied(t *testing.T) {
	env := testenv.StartT(t, testenv.Options{})
	c := newClient(t, env)
	ctx := context.Background()

	t.Run("admission policy denies one Deployment", func(t *testing.T) {
		for _, doc := range strings.Split(denyPolicy, "\n---\n") {
			var obj map[string]any
			if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
				t.Fatal(err)
			}
			u := unstructuredFrom(obj)
			if err := c.Create(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		// The policy takes effect asynchronously: probe until it denies.
		probe := &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: "kustomize-controller", Namespace: "default"},
			Spec: appsv1.DeploymentSpec{
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"a": "b"}},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"a": "b"}},
					Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "x"}}},
				},
			},
		}
		err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
			err := c.Create(ctx, probe.DeepCopy(), client.DryRunAll)
			return err != nil && strings.Contains(err.Error(), "forbids kustomize-controller"), nil
		})
		if err != nil {
			t.Fatalf("the admission policy never took effect: %v", err)
		}

		r := run(t, env.Kubeconfig, "--github-account", "contoso", "--wait=false")
		if r.Code != 2 {
			t.Fatalf("want exit 2:\n%s", r)
		}
		if !strings.Contains(r.Stderr, "Deployment/flux-system/kustomize-controller") || !strings.Contains(r.Stderr, "the platform team forbids kustomize-controller here") {
			t.Errorf("the error does not name the object and the server's reason:\n%s", r)
		}
		if !strings.Contains(r.Stderr, "nothing was applied") {
			t.Errorf("the error does not say nothing was applied:\n%s", r)
		}
		assertNothingApplied(t, c, "flux-system")
	})

	t.Run("invalid field in a file", func(t *testing.T) {
		dir := t.TempDir()
		f := writeFile(t, dir, "app.yaml", `apiVersion: v1
kind: Namespace
metadata:
  name: team-a
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: team-a
data:
  mode: strict
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: team-a
spec:
  ports:
  - port: "eighty"
`)
		r := run(t, env.Kubeconfig, "-f", f, "--wait=false")
		if r.Code != 2 {
			t.Fatalf("want exit 2:\n%s", r)
		}
		if !strings.Contains(r.Stderr, "Service/team-a/web ("+f+")") {
			t.Errorf("the error does not name the object and its file:\n%s", r)
		}
		assertNothingApplied(t, c, "team-a")
	})
}

// TestPlaceholdersRefusedBeforeClusterAccess: the reference's placeholders
// are refused naming token, object and file, and the API server never hears
// from us.
func TestPlaceholdersRefusedBeforeClusterAccess(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.Error(w, "no", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	dir := t.TempDir()
	kubeconfig := plugintest.Kubeconfig(t, srv.URL, "    token: x")
	fs := filepath.Join(dir, "flux-system")
	writeFile(t, fs, "kustomization.yaml", `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: flux-system
resources:
- namespace.yaml
- gotk-sync.yaml
`)
	writeFile(t, fs, "namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: flux-system\n")
	writeFile(t, fs, "gotk-sync.yaml", `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
spec:
  interval: 1m
  ref:
    branch: main
  url: https://github.com/REPLACE_ME_WITH_YOUR_GITHUBACCOUNTNAME/aks-baseline-regulated
`)

	for _, args := range [][]string{
		{"-k", fs},
		{"-k", fs, "--export"},
		{"--url", "https://github.com/REPLACE_ME_WITH_YOUR_GITHUBACCOUNTNAME/aks-baseline-regulated"},
		{"--github-account", "contoso", "--registry", "REPLACE_ME_WITH_YOUR_ACRNAME.azurecr.io/fluxcd"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := run(t, kubeconfig, args...)
			if r.Code != 2 {
				t.Fatalf("want exit 2:\n%s", r)
			}
			if !strings.Contains(r.Stderr, "unreplaced placeholder") {
				t.Errorf("no placeholder refusal:\n%s", r)
			}
			if r.Stdout != "" {
				t.Errorf("stdout not empty:\n%s", r)
			}
		})
	}
	r := run(t, kubeconfig, "-k", fs)
	wantFile := filepath.Join(fs, "gotk-sync.yaml") + ":9"
	if !strings.Contains(r.Stderr, "REPLACE_ME_WITH_YOUR_GITHUBACCOUNTNAME in GitRepository/flux-system/flux-system ("+wantFile+")") {
		t.Errorf("the refusal does not name token, object and file:line %s:\n%s", wantFile, r)
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("the API server got %d requests; placeholders must be refused before any cluster access", n)
	}
}

// TestForeignFluxRefused: Flux installed by the AKS extension or by Helm is
// not taken over without --force.
func TestForeignFluxRefused(t *testing.T) {
	env := testenv.StartT(t, testenv.Options{})
	c := newClient(t, env)
	ctx := context.Background()
	establish := func(crd *apiextensionsv1.CustomResourceDefinition) {
		t.Helper()
		if err := c.Create(ctx, crd); err != nil {
			t.Fatal(err)
		}
		err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
			got := &apiextensionsv1.CustomResourceDefinition{}
			if err := c.Get(ctx, client.ObjectKeyFromObject(crd), got); err != nil {
				return false, err
			}
			for _, cond := range got.Status.Conditions {
				if cond.Type == apiextensionsv1.Established && cond.Status == apiextensionsv1.ConditionTrue {
					return true, nil
				}
			}
			return false, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	t.Run("Helm", func(t *testing.T) {
		establish(minimalCRD("source.toolkit.fluxcd.io", "GitRepository", "gitrepositories", map[string]string{"app.kubernetes.io/managed-by": "Helm"}))
		r := run(t, env.Kubeconfig, "--github-account", "contoso", "--wait=false")
		if r.Code != 2 || !strings.Contains(r.Stderr, "managed by Helm") || !strings.Contains(r.Stderr, "--force") {
			t.Fatalf("want exit 2 explaining Helm and --force:\n%s", r)
		}
		if err := c.Get(ctx, client.ObjectKey{Name: "flux-system"}, &corev1.Namespace{}); !apierrors.IsNotFound(err) {
			t.Errorf("flux-system exists after the refusal: %v", err)
		}
	})

	t.Run("microsoft.flux extension", func(t *testing.T) {
		establish(minimalCRD("clusterconfig.azure.com", "FluxConfig", "fluxconfigs", nil))
		r := run(t, env.Kubeconfig, "--github-account", "contoso", "--wait=false")
		if r.Code != 2 || !strings.Contains(r.Stderr, "microsoft.flux extension") || !strings.Contains(r.Stderr, "fluxconfigs.clusterconfig.azure.com") {
			t.Fatalf("want exit 2 naming the extension:\n%s", r)
		}
		if err := c.Get(ctx, client.ObjectKey{Name: "flux-system"}, &corev1.Namespace{}); !apierrors.IsNotFound(err) {
			t.Errorf("flux-system exists after the refusal: %v", err)
		}
		r = run(t, env.Kubeconfig, "--github-account", "contoso", "--force", "--dry-run")
		if r.Code != 0 || !strings.Contains(r.Stderr, "--force: taking over Flux managed by the AKS microsoft.flux extension") {
			t.Fatalf("--force should proceed with a warning:\n%s", r)
		}
	})
}

func minimalCRD(group, kind, plural string, labels map[string]string) *apiextensionsv1.CustomResourceDefinition {
	preserve := true
	return &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: plural + "." + group, Labels: labels},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: group,
			Names: apiextensionsv1.CustomResourceDefinitionNames{Kind: kind, Plural: plural, ListKind: kind + "List", Singular: strings.ToLower(kind)},
			Scope: apiextensionsv1.NamespaceScoped,
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{
				Name: "v1", Served: true, Storage: true,
				Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{Type: "object", XPreserveUnknownFields: &preserve}},
			}},
		},
	}
}
