package e2e

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// TestBootstrapAPIServerStoppedMidway stops the API server while bootstrap
// waits for the controllers it has just applied, expects exit code 1 or 2
// with a message that says what happened, and a re-run to converge once the
// server is back.
func TestBootstrapAPIServerStoppedMidway(t *testing.T) {
	s := newSim(t, sim.EraPodIdentity)
	ctx := ctxFor(t, 10*time.Minute)

	// Hold bootstrap in its wait, deterministically: with every node
	// cordoned the controller pods cannot be scheduled.
	nodes, err := s.cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes.Items {
		s.patch(t, gvrNodes, "", n.Name, `{"spec":{"unschedulable":true}}`)
	}

	bootstrap := plugin
	bootstrap.Args = []string{"bootstrap", "--kubeconfig", s.c.Kubeconfig, "--url", s.gitURL,
		"--branch", "main", "--path", "./cluster-manifests", "--timeout", "30s"}
	cmd := plugintest.Command(t, bootstrap)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	finished := false
	t.Cleanup(func() {
		if !finished {
			_ = cmd.Process.Kill()
			<-done
		}
	})

	// Mid-bootstrap: its controllers' Deployment exists, and it is waiting.
	err = wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		_, err := s.cs.AppsV1().Deployments("flux-system").Get(ctx, "kustomize-controller", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil, err
	})
	if err != nil {
		t.Fatalf("bootstrap never applied the controllers: %v\nstderr:\n%s", err, errb.String())
	}
	// The local Flux controllers run (they started on bootstrap's CRDs), so
	// the outage hits a working GitOps loop.
	select {
	case <-s.fluxUp:
	case <-ctx.Done():
		t.Fatal("the local Flux controllers never started")
	}
	if err := s.c.StopAPIServer(ctx); err != nil {
		t.Fatal(err)
	}
	var code int
	select {
	case err := <-done:
		finished = true
		code = plugintest.ExitCode(t, err)
	case <-ctx.Done():
		t.Fatalf("bootstrap did not end after the API server stopped\nstderr:\n%s", errb.String())
	}
	if code != 1 && code != 2 {
		t.Errorf("bootstrap with the API server gone: exit code %d, want 1 or 2\nstderr:\n%s", code, errb.String())
	}
	msg := errb.String()
	if !strings.Contains(msg, "error:") || !(strings.Contains(msg, "refused") || strings.Contains(msg, "unreachable") || strings.Contains(msg, "not reachable") || strings.Contains(msg, "connect")) {
		t.Errorf("bootstrap's message does not say the API server went away:\n%s", msg)
	}
	t.Logf("bootstrap with the API server stopped: exit code %d:\n%s", code, lastLines(msg, 4))

	if err := s.c.StartAPIServer(ctx); err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes.Items {
		s.patch(t, gvrNodes, "", n.Name, `{"spec":{"unschedulable":null}}`)
	}
	r := s.bootstrap(t)
	if r.Code != 0 {
		t.Fatalf("bootstrap re-run after the outage did not converge: %s", r)
	}
	if r, rep := verify(t, s.c.Kubeconfig, "flux", "--wait", "2m"); r.Code != 0 {
		t.Errorf("verify flux after the re-run: exit code %d\n%s", r.Code, plugintest.Describe(rep))
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
