package simcluster

import (
	"context"
	"fmt"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// WaitReady waits until every node Seed made is Ready and every Deployment
// and DaemonSet it applied is fully available (on kwok this is kwok's and
// the controllers' doing; on envtest only Options.SetStatus gets there). The
// error names what is still not ready.
func WaitReady(ctx context.Context, cfg *rest.Config, era Era, opts Options, timeout time.Duration) error {
	if era == "" {
		era = EraPodIdentity
	}
	objs, err := Objects(era, opts)
	if err != nil {
		return err
	}
	pools, err := Pools(opts)
	if err != nil {
		return err
	}
	c, err := newClient(cfg)
	if err != nil {
		return err
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
		for _, o := range objs {
			key := client.ObjectKeyFromObject(o)
			switch {
			case o.GetAPIVersion() == "apps/v1" && o.GetKind() == "Deployment":
				var d appsv1.Deployment
				if err := c.Get(ctx, key, &d); err != nil {
					pending = append(pending, "deployment "+key.String()+": "+err.Error())
					continue
				}
				want := int32(1)
				if d.Spec.Replicas != nil {
					want = *d.Spec.Replicas
				}
				if d.Status.ObservedGeneration < d.Generation || d.Status.AvailableReplicas < want || d.Status.UpdatedReplicas < want {
					pending = append(pending, fmt.Sprintf("deployment %s: %d/%d available", key, d.Status.AvailableReplicas, want))
				}
			case o.GetAPIVersion() == "apps/v1" && o.GetKind() == "DaemonSet":
				var ds appsv1.DaemonSet
				if err := c.Get(ctx, key, &ds); err != nil {
					pending = append(pending, "daemonset "+key.String()+": "+err.Error())
					continue
				}
				s := ds.Status
				if s.ObservedGeneration < ds.Generation || s.DesiredNumberScheduled == 0 || s.NumberAvailable < s.DesiredNumberScheduled || s.UpdatedNumberScheduled < s.DesiredNumberScheduled {
					pending = append(pending, fmt.Sprintf("daemonset %s: %d/%d available", key, s.NumberAvailable, s.DesiredNumberScheduled))
				}
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

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
