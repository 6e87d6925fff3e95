package verify

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
	"github.com/aksbaseline/kubectl-aksbaseline/test/testenv"
)

var (
	// plugin is the binary built from the working tree for this run.
	plugin string
	// shared is one control plane for the tests that do not seed an era.
	shared *testenv.Env
)

func TestMain(m *testing.M) {
	os.Exit(plugintest.Main(m, func(dir string) (func(), error) {
		plugin = filepath.Join(dir, "kubectl-aksbaseline")
		var err error
		if shared, err = testenv.Start(testenv.Options{}); err != nil {
			return nil, err
		}
		return func() { _ = shared.Stop() }, nil
	}))
}

func runVerify(t *testing.T, args ...string) plugintest.Result {
	t.Helper()
	return plugintest.Run(t, plugintest.Cmd{Name: plugin, Args: args})
}

func verifyJSON(t *testing.T, kubeconfig string, args ...string) (plugintest.Result, *result.Report) {
	t.Helper()
	return plugintest.VerifyJSON(t, plugintest.Cmd{Name: plugin}, kubeconfig, args...)
}

func newClient(t *testing.T, cfg *rest.Config) client.Client {
	t.Helper()
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = 200, 400
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func obj(apiVersion, kind, ns, name string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	u.SetNamespace(ns)
	u.SetName(name)
	return u
}

// createWithStatus creates o and then writes its status through the status
// subresource, as the controller or kubelet that envtest lacks would.
func createWithStatus(t *testing.T, c client.Client, o *unstructured.Unstructured) {
	t.Helper()
	ctx := ctxT(t)
	status, hasStatus := o.Object["status"]
	o = o.DeepCopy()
	if err := c.Create(ctx, o); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("creating %s %s: %v", o.GetKind(), o.GetName(), err)
	}
	if hasStatus {
		setStatus(t, c, o, status)
	}
}

func setStatus(t *testing.T, c client.Client, o *unstructured.Unstructured, status any) {
	t.Helper()
	ctx := ctxT(t)
	live := obj(o.GetAPIVersion(), o.GetKind(), o.GetNamespace(), o.GetName())
	if err := c.Get(ctx, client.ObjectKeyFromObject(live), live); err != nil {
		t.Fatal(err)
	}
	if m, ok := status.(map[string]any); ok {
		if _, has := m["observedGeneration"]; has || o.GetKind() == "Deployment" || o.GetKind() == "DaemonSet" {
			m["observedGeneration"] = live.GetGeneration()
		}
	}
	live.Object["status"] = status
	if err := c.Status().Update(ctx, live); err != nil {
		t.Fatalf("status of %s %s: %v", o.GetKind(), o.GetName(), err)
	}
}

func readyCondition(msg string) []any {
	return []any{map[string]any{"type": "Ready", "status": "True", "reason": "Succeeded", "message": msg,
		"lastTransitionTime": metav1.Now().UTC().Format(time.RFC3339), "observedGeneration": int64(1)}}
}
