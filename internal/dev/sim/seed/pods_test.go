package seed_test

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/seed"
	"github.com/aksbaseline/kubectl-aksbaseline/test/testenv"
)

// Pods on envtest, at the size of the reference's seven nodes: every node
// runs the four agents, every pod is bound, Running and Ready, the in-scope
// team runs only on in-scope nodes, and a second run creates nothing.
func TestPodsOnEnvtest(t *testing.T) {
	env := testenv.StartT(t, testenv.Options{})
	ctx := context.Background()
	opts := seed.Options{SetStatus: true}
	if err := seed.Apply(ctx, env.Config, sim.EraExtension, opts); err != nil {
		t.Fatal(err)
	}
	const nodes, total = 7, 4*7 + 60
	created, err := seed.Pods(ctx, env.Config, opts, total, nil)
	if err != nil {
		t.Fatal(err)
	}
	if created != total {
		t.Errorf("Pods created %d pods, want %d", created, total)
	}
	cl, err := client.New(env.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var list corev1.PodList
	if err := cl.List(ctx, &list); err != nil {
		t.Fatal(err)
	}
	perAgent := map[string]map[string]bool{}
	seeded := 0
	for _, p := range list.Items {
		if len(p.OwnerReferences) == 0 {
			continue
		}
		seeded++
		if p.Spec.NodeName == "" || p.Status.Phase != corev1.PodRunning || len(p.Status.ContainerStatuses) != len(p.Spec.Containers) {
			t.Errorf("pod %s/%s: node %q, phase %q, %d container statuses", p.Namespace, p.Name, p.Spec.NodeName, p.Status.Phase, len(p.Status.ContainerStatuses))
		}
		if owner := p.OwnerReferences[0]; owner.Kind == "DaemonSet" {
			if perAgent[owner.Name] == nil {
				perAgent[owner.Name] = map[string]bool{}
			}
			perAgent[owner.Name][p.Spec.NodeName] = true
		}
		if p.Namespace == "a0005-i" && !strings.HasPrefix(p.Spec.NodeName, "aks-npinscope01-") {
			t.Errorf("in-scope pod %s runs on %s", p.Name, p.Spec.NodeName)
		}
	}
	if seeded < total {
		t.Errorf("the cluster holds %d owned pods, want at least %d", seeded, total)
	}
	if len(perAgent) != 4 {
		t.Errorf("%d agent DaemonSets have pods, want 4", len(perAgent))
	}
	for agent, on := range perAgent {
		if len(on) != nodes {
			t.Errorf("agent %s runs on %d nodes, want %d", agent, len(on), nodes)
		}
	}
	again, err := seed.Pods(ctx, env.Config, opts, total, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again != 0 {
		t.Errorf("a second run created %d pods, want 0", again)
	}
}
