package fluxinstall

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fluxcd/pkg/ssa"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/crd"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/progress"
	"github.com/aksbaseline/kubectl-aksbaseline/test/testenv"
)

func syncSet(t *testing.T) *Set {
	t.Helper()
	s := embedded(t)
	s.add(syncObjects(SyncOptions{Name: "flux-system", Namespace: "flux-system", URL: "https://github.com/contoso/aks-baseline-regulated", Branch: "main", Path: "./cluster-manifests", Interval: time.Minute}))
	return s
}

func adminClient(t *testing.T, cfg *rest.Config) client.Client {
	t.Helper()
	s := runtime.NewScheme()
	_ = apiextensionsv1.AddToScheme(s)
	c, err := client.New(cfg, client.Options{Scheme: s})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// roundTripFunc lets a test watch every request the installer sends.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// isCustomResourceRequest tells a request for Flux custom resources from
// discovery of their group.
func isCustomResourceRequest(r *http.Request) bool {
	p := strings.TrimPrefix(r.URL.Path, "/apis/")
	if p == r.URL.Path || !strings.Contains(p, "toolkit.fluxcd.io/") {
		return false
	}
	return len(strings.Split(p, "/")) > 2
}

// established says whether every CRD of names is Established now and, when
// not, which one is not and why.
func established(ctx context.Context, c client.Client, names []string) (bool, string) {
	for _, n := range names {
		if ok, why := crd.Established(ctx, c, n); !ok {
			return false, n + ": " + why
		}
	}
	return true, ""
}

// TestCRDsEstablishedBeforeCustomResources watches the wire: on a fresh
// cluster no request for a GitRepository or Kustomization (not even a
// dry-run) may leave before every CRD of the set is Established.
// noCRDs fails t when the cluster holds any CRD, when must say at which
// point none was expected.
func noCRDs(ctx context.Context, t *testing.T, admin client.Client, when string) {
	t.Helper()
	crds := &apiextensionsv1.CustomResourceDefinitionList{}
	if err := admin.List(ctx, crds); err != nil {
		t.Fatal(err)
	}
	if len(crds.Items) != 0 {
		t.Errorf("%d CRDs exist %s", len(crds.Items), when)
	}
}

func TestCRDsEstablishedBeforeCustomResources(t *testing.T) {
	env := testenv.StartT(t, testenv.Options{})
	admin := adminClient(t, env.Config)
	ctx := context.Background()

	t.Run("an invalid custom resource stops everything before the first write", func(t *testing.T) {
		s := syncSet(t)
		for _, o := range s.objects {
			if o.GetKind() == "Kustomization" {
				_ = unstructured.SetNestedField(o.Object, "not-a-kind", "spec", "sourceRef", "kind")
			}
		}
		in, err := newInstaller(env.Config, progress.New(&bytes.Buffer{}))
		if err != nil {
			t.Fatal(err)
		}
		_, err = in.validate(ctx, s, "default")
		var rej *RejectedError
		if !errors.As(err, &rej) || len(rej.rejections) != 1 || rej.rejections[0].ref != "Kustomization/flux-system/flux-system" || !strings.Contains(rej.rejections[0].reason, "spec.sourceRef.kind") {
			t.Fatalf("want one rejection of the Kustomization's sourceRef.kind, got %v", err)
		}
		if in.wrote.Load() {
			t.Error("validation wrote")
		}
		noCRDs(ctx, t, admin, "after a rejected validation")
	})

	t.Run("a plan-only Install records the change set and writes nothing", func(t *testing.T) {
		var stderr bytes.Buffer
		r, err := Install(ctx, syncSet(t), Options{Config: env.Config, Progress: progress.New(&stderr), DefaultNamespace: "default", PlanOnly: true, Timeout: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if r.Stage != StageDone || !r.DryRun || r.Wrote || r.Healthy != nil {
			t.Errorf("result %+v, want a finished dry run that wrote nothing", r)
		}
		if n := len(r.Report().Changes); n != 24 || !strings.HasPrefix(r.Summary(), "24 created") {
			t.Errorf("dry run reports %d changes (%s), want 24 created", n, r.Summary())
		}
		noCRDs(ctx, t, admin, "after a plan-only Install")
	})

	t.Run("custom resources only after their CRDs are established", func(t *testing.T) {
		s := syncSet(t)
		var crdNames []string
		for _, o := range s.objects {
			if o.GetKind() == "CustomResourceDefinition" {
				crdNames = append(crdNames, o.GetName())
			}
		}
		var (
			mu         sync.Mutex
			crRequests []string
			violations []string
		)
		cfg := rest.CopyConfig(env.Config)
		cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper {
			return roundTripFunc(func(r *http.Request) (*http.Response, error) {
				if isCustomResourceRequest(r) {
					mu.Lock()
					first := len(crRequests) == 0
					crRequests = append(crRequests, r.Method+" "+r.URL.String())
					mu.Unlock()
					if first {
						if ok, why := established(r.Context(), admin, crdNames); !ok {
							mu.Lock()
							violations = append(violations, r.Method+" "+r.URL.String()+" sent while "+why)
							mu.Unlock()
						}
					}
				}
				return rt.RoundTrip(r)
			})
		})
		in, err := newInstaller(cfg, progress.New(&bytes.Buffer{}))
		if err != nil {
			t.Fatal(err)
		}
		plan, err := in.validate(ctx, s, "default")
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		if len(crRequests) != 0 {
			t.Errorf("validation on a fresh cluster sent custom resources: %v", crRequests)
		}
		mu.Unlock()
		if err := in.apply(ctx, plan, time.Now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if len(crRequests) == 0 {
			t.Fatal("no custom resource was sent")
		}
		if len(violations) > 0 {
			t.Errorf("custom resources sent before the CRDs were established: %v", violations)
		}
		for _, c := range plan.changes {
			if c.action != ssa.CreatedAction {
				t.Errorf("%s %s on a fresh cluster", c.obj.ref(), c.action)
			}
		}
	})

	t.Run("an Install over the applied set writes nothing and finishes", func(t *testing.T) {
		var applied []string
		r, err := Install(ctx, syncSet(t), Options{Config: env.Config, Progress: progress.New(&bytes.Buffer{}), DefaultNamespace: "default", Timeout: time.Minute,
			Applied: func(r Result) { applied = append(applied, r.Stage.String()+": "+r.Summary()) }})
		if err != nil {
			t.Fatal(err)
		}
		if r.Stage != StageDone || r.Wrote || r.DryRun || r.Summary() != "24 unchanged" {
			t.Errorf("result %+v (%s), want finished, nothing written, all unchanged", r, r.Summary())
		}
		// The change set is handed over once, when the apply stage ends.
		if want := []string{StageApply.String() + ": 24 unchanged"}; !slices.Equal(applied, want) {
			t.Errorf("Applied got %q, want %q", applied, want)
		}
	})
}

// TestHalfWayFailureConverges cuts the connection in the middle of stage
// two, as an API server going away would, and checks that a re-run finishes
// the job and a third run has nothing left to do.
func TestHalfWayFailureConverges(t *testing.T) {
	env := testenv.StartT(t, testenv.Options{})
	ctx := context.Background()

	cutCtx, cut := context.WithCancel(ctx)
	defer cut()
	cfg := rest.CopyConfig(env.Config)
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			// The first real write of a Deployment: stage one is done,
			// stage two is under way.
			if r.Method == http.MethodPatch && strings.Contains(r.URL.Path, "/deployments/") && r.URL.Query().Get("dryRun") == "" {
				cut()
				return nil, errors.New("connection reset by peer")
			}
			return rt.RoundTrip(r)
		})
	})
	in, err := newInstaller(cfg, progress.New(&bytes.Buffer{}))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := in.validate(cutCtx, syncSet(t), "default")
	if err != nil {
		t.Fatal(err)
	}
	if err := in.apply(cutCtx, plan, time.Now().Add(time.Minute)); err == nil {
		t.Fatal("the cut apply succeeded")
	}
	if !in.wrote.Load() {
		t.Fatal("nothing was written before the cut; the test does not test a half-way failure")
	}

	for i, want := range []string{"converges", "unchanged"} {
		in, err := newInstaller(env.Config, progress.New(&bytes.Buffer{}))
		if err != nil {
			t.Fatal(err)
		}
		plan, err := in.validate(ctx, syncSet(t), "default")
		if err != nil {
			t.Fatalf("run %d: %v", i+2, err)
		}
		if want == "unchanged" {
			if !plan.unchanged() {
				t.Errorf("third run would still change: %s", plan.summary())
			}
			continue
		}
		if plan.unchanged() {
			t.Fatal("the re-run found nothing to do after a half-way failure")
		}
		if err := in.apply(ctx, plan, time.Now().Add(time.Minute)); err != nil {
			t.Fatalf("re-run: %v", err)
		}
	}
}
