package kwok_test

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/kwok"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/proc"
)

// One cluster's whole life: it serves, keeps a fake node Ready, survives an
// API server restart, and leaves no process, port or file behind.
func TestClusterLifecycleLeavesNothing(t *testing.T) {
	ctx := context.Background()
	c, err := kwok.Create(ctx, kwok.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stop := c.DeleteOnSignal()
	defer stop()
	deleted := false
	defer func() {
		if !deleted {
			_ = c.Delete(ctx)
		}
	}()

	comps, err := c.Components()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"etcd": true, "kube-apiserver": true, "kube-controller-manager": true, "kube-scheduler": true, "kwok-controller": true}
	for _, comp := range comps {
		delete(want, comp.Name)
		if comp.PID <= 0 || !proc.Alive(comp.PID, "") {
			t.Errorf("component %s: no live process (pid %d)", comp.Name, comp.PID)
		}
		if len(comp.Ports) == 0 {
			t.Errorf("component %s: no ports", comp.Name)
		}
	}
	if len(want) != 0 {
		t.Errorf("components missing: %v", want)
	}

	cs := kubernetes.NewForConfigOrDie(c.Config)
	v, err := cs.Discovery().ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	if v.GitVersion != c.KubeVersion {
		t.Errorf("server version %s, cluster says %s", v.GitVersion, c.KubeVersion)
	}

	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{
		Name:        "fake-0",
		Annotations: map[string]string{"kwok.x-k8s.io/node": "fake"},
	}}
	if _, err := cs.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitNodeReady(t, cs, "fake-0")

	// The API server goes away and comes back; the data is still there.
	t.Log("stopping the API server")
	if err := c.StopAPIServer(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().Nodes().Get(ctx, "fake-0", metav1.GetOptions{}); err == nil {
		t.Fatal("API server still answers after StopAPIServer")
	}
	t.Log("starting the API server")
	if err := c.StartAPIServer(ctx); err != nil {
		t.Fatal(err)
	}
	waitNodeReady(t, cs, "fake-0")

	comps, err = c.Components()
	if err != nil {
		t.Fatal(err)
	}
	t.Log("deleting the cluster")
	if err := c.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	deleted = true
	t.Log("deleted")
	for _, comp := range comps {
		if proc.Alive(comp.PID, "") {
			t.Errorf("component %s (pid %d) still running after Delete", comp.Name, comp.PID)
		}
		for _, p := range comp.Ports {
			if kwok.PortOpen(p) {
				out, _ := exec.Command("ss", "-ltnp").CombinedOutput()
				t.Logf("ss -ltnp:\n%s", out)
				t.Errorf("component %s: port %d still open after Delete", comp.Name, p)
			}
		}
	}
	if _, err := os.Stat(c.Workdir); !os.IsNotExist(err) {
		t.Errorf("workdir %s still exists after Delete (%v)", c.Workdir, err)
	}
	if err := c.Delete(ctx); err != nil {
		t.Errorf("second Delete: %v", err)
	}
}

func waitNodeReady(t *testing.T, cs kubernetes.Interface, name string) {
	t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		n, err := cs.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		for _, c := range n.Status.Conditions {
			if c.Type == corev1.NodeReady {
				return c.Status == corev1.ConditionTrue, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("node %s never Ready: %v", name, err)
	}
}
