package seed

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/fluxcd/cli-utils/pkg/kstatus/status"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
)

// WaitReady waits until every node Apply made is Ready and every workload it
// applied is Current as kstatus computes it (on kwok this is kwok's and the
// controllers' doing; on envtest only Options.SetStatus gets there). The
// error names what is still not ready.
func WaitReady(ctx context.Context, cfg *rest.Config, era sim.Era, opts Options, timeout time.Duration) error {
	_, objs, pools, err := plan(era, opts)
	if err != nil {
		return err
	}
	c, err := newClient(cfg)
	if err != nil {
		return err
	}
	var workloads []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetAPIVersion() == "apps/v1" && (o.GetKind() == "Deployment" || o.GetKind() == "DaemonSet") {
			workloads = append(workloads, o)
		}
	}
	var pending []string
	err = wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		pending = pending[:0]
		for _, p := range pools {
			for i := 0; i < p.Count; i++ {
				var n corev1.Node
				if err := c.Get(ctx, client.ObjectKey{Name: NodeName(p.Name, i)}, &n); err != nil {
					pending = append(pending, "node "+NodeName(p.Name, i)+": "+err.Error())
					continue
				}
				if !nodeReady(&n) {
					pending = append(pending, "node "+n.Name+" not Ready")
				}
			}
		}
		for _, o := range workloads {
			if why := notCurrent(ctx, c, o); why != "" {
				pending = append(pending, why)
			}
		}
		return len(pending) == 0, nil
	})
	if err != nil {
		if len(pending) > 10 {
			pending = append(pending[:10], fmt.Sprintf("and %d more", len(pending)-10))
		}
		return fmt.Errorf("simulated cluster not ready: %s", strings.Join(pending, "; "))
	}
	return nil
}

// notCurrent reads o's live object and says why kstatus does not find it
// Current, or returns "" when it does.
func notCurrent(ctx context.Context, c client.Client, o *unstructured.Unstructured) string {
	what := strings.ToLower(o.GetKind()) + " " + objName(o)
	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(o.GroupVersionKind())
	if err := c.Get(ctx, client.ObjectKeyFromObject(o), live); err != nil {
		return what + ": " + err.Error()
	}
	res, err := status.Compute(live)
	if err != nil {
		return what + ": " + err.Error()
	}
	if res.Status != status.CurrentStatus {
		return fmt.Sprintf("%s: %s: %s", what, res.Status, res.Message)
	}
	return ""
}

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
