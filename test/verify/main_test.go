package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/report"
	"github.com/aksbaseline/kubectl-aksbaseline/test/testbin"
	"github.com/aksbaseline/kubectl-aksbaseline/test/testenv"
)

var (
	pluginDir string
	// shared is one control plane for the tests that do not seed an era.
	shared *testenv.Env
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, cleanup, err := testbin.BuildPlugin()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer cleanup()
	pluginDir = dir
	if shared, err = testenv.Start(testenv.Options{}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = shared.Stop() }()
	return m.Run()
}

type result struct {
	code           int
	stdout, stderr string
}

// runVerify runs the built binary with a clean environment (PATH and an
// empty HOME only) so no kubeconfig of the machine leaks in.
func runVerify(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(filepath.Join(pluginDir, "kubectl-aksbaseline"), args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running verify: %v", err)
	}
	return result{code, out.String(), errb.String()}
}

// verifyJSON runs verify -o json and decodes the report.
func verifyJSON(t *testing.T, kubeconfig string, args ...string) (result, *report.Report) {
	t.Helper()
	r := runVerify(t, nil, append([]string{"verify", "--kubeconfig", kubeconfig, "-o", "json"}, args...)...)
	var rep report.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("exit %d, stdout is not a report: %v\nstdout:\n%s\nstderr:\n%s", r.code, err, r.stdout, r.stderr)
	}
	return r, &rep
}

func byID(rep *report.Report) map[string]check.Result {
	m := map[string]check.Result{}
	for _, r := range rep.Results {
		m[r.ID] = r
	}
	return m
}

func describe(rep *report.Report) string {
	var b strings.Builder
	for _, r := range rep.Results {
		fmt.Fprintf(&b, "  %-5s %s: %s\n", r.Status, r.ID, r.Message)
	}
	return b.String()
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
