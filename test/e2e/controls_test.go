package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/kwok"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/oldflux"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/seed"
	"github.com/aksbaseline/kubectl-aksbaseline/test/testenv"
)

var (
	gvrNetworkPolicies = schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "networkpolicies"}
	gvrResourceQuotas  = schema.GroupVersionResource{Version: "v1", Resource: "resourcequotas"}
	gvrServices        = schema.GroupVersionResource{Version: "v1", Resource: "services"}
	// The allowed-images policy's constraints (its template's kind, lower-cased).
	gvrAllowedImages = schema.GroupVersionResource{Group: "constraints.gatekeeper.sh", Version: "v1beta1", Resource: "k8sazurev2containerallowedimages"}
)

// The broken variants of the regulated controls (issue 11), one per check,
// added to breakers.
func init() {
	for id, b := range map[string]breaker{
		"segmentation-pci-scope": {what: "an a0005-i pod lands on an out-of-scope node", apply: func(t *testing.T, s *simCluster) func() {
			pod := s.createPod(t, "a0005-i", "card-vault", nil, sim.ACRName+".azurecr.io/live/a0005/chain-api:1.0")
			node := s.podNode(t, "a0005-i", pod)
			s.mentions = []string{pod, node, "pool npooscope01", "pci-scope=out-of-scope"}
			return func() { s.delete(t, gvrPods, "a0005-i", pod) }
		}},
		"segmentation-in-scope-node-selector": {what: "web-frontend in a0005-i loses its pci-scope nodeSelector", apply: func(t *testing.T, s *simCluster) func() {
			s.patch(t, gvrDeployments, "a0005-i", "web-frontend", `{"spec":{"template":{"spec":{"nodeSelector":{"pci-scope":null}}}}}`)
			s.mentions = []string{"Deployment/a0005-i/web-frontend", "pci-scope=in-scope"}
			return func() {
				s.patch(t, gvrDeployments, "a0005-i", "web-frontend", `{"spec":{"template":{"spec":{"nodeSelector":{"pci-scope":"in-scope"}}}}}`)
			}
		}},
		// The deny-all stays: Kubernetes adds policies up, so one beside it
		// that lets every source in opens the namespace; and a waiver for
		// the other namespaces (the shape) must leave it failing.
		"network-deny-all": {what: "a policy beside a0005-i's deny-all lets every source in, under a waiver for a0005-o/* and default/*", apply: func(t *testing.T, s *simCluster) func() {
			open := &unstructured.Unstructured{Object: map[string]any{
				"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
				"metadata": map[string]any{"name": "allow-everything", "namespace": "a0005-i"},
				"spec":     map[string]any{"podSelector": map[string]any{}, "policyTypes": []any{"Ingress"}, "ingress": []any{map[string]any{}}},
			}}
			s.recreate(t, gvrNetworkPolicies, open)
			s.mentions = []string{"a0005-i: NetworkPolicy allow-everything opens ingress from every source on every port"}
			return func() { s.delete(t, gvrNetworkPolicies, "a0005-i", "allow-everything") }
		}, extra: func(t *testing.T, s *simCluster) []string {
			file := filepath.Join(t.TempDir(), "waivers.yaml")
			doc := "apiVersion: aksbaseline.io/v1alpha1\nkind: Waivers\nwaivers:\n" +
				"  - {check: network-deny-all, objects: [\"a0005-o/*\", \"default/*\"], reason: other namespaces, expires: 2099-12-31}\n"
			if err := os.WriteFile(file, []byte(doc), 0o600); err != nil {
				t.Fatal(err)
			}
			return []string{"--waivers", file}
		}},
		"security-agents": {what: "dummy-av no longer runs on one in-scope node", apply: func(t *testing.T, s *simCluster) func() {
			node := s.nodeOf(t, "npinscope01")
			// An affinity that avoids the node: the DaemonSet controller
			// removes its pod there, as a taint it does not tolerate would.
			s.patch(t, gvrDaemonSets, "cluster-baseline-settings", "dummy-av", fmt.Sprintf(
				`{"spec":{"template":{"spec":{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"kubernetes.io/hostname","operator":"NotIn","values":[%q]}]}]}}}}}}}`, node))
			s.waitNoPod(t, "cluster-baseline-settings", "app=dummy-av", node)
			s.waitRolledOut(t, "cluster-baseline-settings", "dummy-av")
			s.mentions = []string{"dummy-av", node, "pool npinscope01", "pci-scope=in-scope"}
			return func() {
				s.patch(t, gvrDaemonSets, "cluster-baseline-settings", "dummy-av", `{"spec":{"template":{"spec":{"affinity":null}}}}`)
			}
		}},
		"images-allowed-registry": {what: "a pod runs an image from Docker Hub", apply: func(t *testing.T, s *simCluster) func() {
			const image = "docker.io/library/nginx:1.27"
			pod := s.createPod(t, "a0005-o", "nginx", nil, image)
			s.mentions = []string{image, pod}
			return func() { s.delete(t, gvrPods, "a0005-o", pod) }
		}},
		"policies-enforcement": {what: "the allowed-images constraint is switched to dryrun", apply: func(t *testing.T, s *simCluster) func() {
			name := s.allowedImagesConstraint(t)
			s.patch(t, gvrAllowedImages, "", name, `{"spec":{"enforcementAction":"dryrun"}}`)
			s.mentions = []string{"container-allowed-images", "dryrun"}
			return func() { s.patch(t, gvrAllowedImages, "", name, `{"spec":{"enforcementAction":"deny"}}`) }
		}},
		"policies-violations": {what: "Gatekeeper's audit finds two Docker Hub images", apply: func(t *testing.T, s *simCluster) func() {
			name := s.allowedImagesConstraint(t)
			s.patchStatus(t, gvrAllowedImages, "", name, `{"status":{"auditTimestamp":"2026-11-26T09:00:00Z","totalViolations":2,"violations":[`+
				`{"kind":"Pod","namespace":"a0005-o","name":"nginx-7d9c5b8f6-abcde","enforcementAction":"deny","message":"Container image docker.io/library/nginx:1.27 for container nginx has not been allowed."},`+
				`{"kind":"Pod","namespace":"a0005-o","name":"nginx-7d9c5b8f6-fghij","enforcementAction":"deny","message":"Container image docker.io/library/nginx:1.27 for container nginx has not been allowed."}]}}`)
			s.mentions = []string{"2 violations", "a0005-o/nginx-7d9c5b8f6-abcde", "has not been allowed"}
			return func() {
				s.patchStatus(t, gvrAllowedImages, "", name, `{"status":{"auditTimestamp":null,"totalViolations":0,"violations":null}}`)
			}
		}},
		"network-internal-load-balancers": {what: "a public LoadBalancer Service", apply: func(t *testing.T, s *simCluster) func() {
			svc := &corev1.Service{
				ObjectMeta: metav1.ObjectMeta{Name: "ingress-nginx-public", Namespace: "ingress-nginx"},
				Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer,
					Selector: map[string]string{"app.kubernetes.io/name": "ingress-nginx"},
					Ports:    []corev1.ServicePort{{Name: "https", Port: 443}}},
			}
			if _, err := s.cs.CoreV1().Services("ingress-nginx").Create(ctxFor(t, time.Minute), svc, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			s.mentions = []string{"ingress-nginx/ingress-nginx-public"}
			return func() { s.delete(t, gvrServices, "ingress-nginx", svc.Name) }
		}},
		"namespaces-guardrails": {what: "a0005-o loses its ResourceQuota", apply: func(t *testing.T, s *simCluster) func() {
			s.mentions = []string{"a0005-o"}
			return s.deleteSaved(t, gvrResourceQuotas, "a0005-o", "default")
		}},
		"nodes-image-age": {what: "one node runs a node image 90 days old", apply: func(t *testing.T, s *simCluster) func() {
			node := s.nodeOf(t, "npooscope01")
			const label = "kubernetes.azure.com/node-image-version"
			saved := s.get(t, gvrNodes, "", node).GetLabels()[label]
			old := seed.NodeImageVersion(time.Now().AddDate(0, 0, -90))
			s.patch(t, gvrNodes, "", node, fmt.Sprintf(`{"metadata":{"labels":{%q:%q}}}`, label, old))
			s.mentions = []string{node, old, "npooscope01"}
			return func() { s.patch(t, gvrNodes, "", node, fmt.Sprintf(`{"metadata":{"labels":{%q:%q}}}`, label, saved)) }
		}},
		// Eras A and B installed Flux v0.8.1 by hand: a cluster of its own,
		// as the running Flux cannot be swapped for it.
		"flux-currency": {what: "Flux v0.8.1 installed by hand (v1beta1 APIs only)", eras: []sim.Era{sim.EraPodIdentity},
			apply: func(t *testing.T, s *simCluster) func() { return nil },
			kubeconfig: func(t *testing.T, s *simCluster) string {
				s.mentions = []string{"v1beta1", "v0.8.1"}
				return fluxV081Cluster(t)
			}},
	} {
		if _, dup := breakers[id]; dup {
			panic("two broken variants for " + id)
		}
		breakers[id] = b
	}
}

// deleteSaved deletes an object Flux applied and returns what creates it
// again as it was (Flux would only at its next interval).
func (s *simCluster) deleteSaved(t *testing.T, gvr schema.GroupVersionResource, ns, name string) func() {
	t.Helper()
	saved := s.get(t, gvr, ns, name)
	s.delete(t, gvr, ns, name)
	return func() { s.recreate(t, gvr, saved) }
}

// podNode returns the node the running pod is bound to.
func (s *simCluster) podNode(t *testing.T, ns, name string) string {
	t.Helper()
	p, err := s.cs.CoreV1().Pods(ns).Get(ctxFor(t, time.Minute), name, metav1.GetOptions{})
	if err != nil || p.Spec.NodeName == "" {
		t.Fatalf("pod %s/%s: node %q, %v", ns, name, p.Spec.NodeName, err)
	}
	return p.Spec.NodeName
}

// waitNoPod waits until no pod matching selector runs on node.
func (s *simCluster) waitNoPod(t *testing.T, ns, selector, node string) {
	t.Helper()
	err := wait.PollUntilContextCancel(ctxFor(t, 2*time.Minute), 200*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		pods, err := s.cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector, FieldSelector: "spec.nodeName=" + node})
		return err == nil && len(pods.Items) == 0, nil
	})
	if err != nil {
		t.Fatalf("a %s pod still runs on %s: %v", selector, node, err)
	}
}

// waitRolledOut waits until the DaemonSet's rolling update is done, so
// that only the node it no longer selects lacks its pod.
func (s *simCluster) waitRolledOut(t *testing.T, ns, name string) {
	t.Helper()
	err := wait.PollUntilContextCancel(ctxFor(t, 2*time.Minute), 200*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		ds, err := s.cs.AppsV1().DaemonSets(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		st := ds.Status
		return st.ObservedGeneration == ds.Generation && st.UpdatedNumberScheduled == st.DesiredNumberScheduled && st.NumberReady == st.DesiredNumberScheduled, nil
	})
	if err != nil {
		t.Fatalf("DaemonSet %s/%s never rolled out: %v", ns, name, err)
	}
}

func (s *simCluster) allowedImagesConstraint(t *testing.T) string {
	t.Helper()
	list, err := s.dyn.Resource(gvrAllowedImages).List(ctxFor(t, time.Minute), metav1.ListOptions{})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("allowed-images constraints: %v (%d found, want 1)", err, len(list.Items))
	}
	return list.Items[0].GetName()
}

// fluxV081Cluster starts a cluster of the era whose walkthrough installed
// Flux v0.8.1 by hand, with that Flux as oldflux's fixture holds it: CRDs
// that serve only v1beta1, controllers tagged v0.8.1.
func fluxV081Cluster(t *testing.T) string {
	t.Helper()
	c := testenv.KwokT(t, kwok.Options{})
	ctx := ctxFor(t, 3*time.Minute)
	if err := seed.Apply(ctx, c.Config, sim.EraOldFlux, seed.Options{SkipGitOps: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := oldflux.Install(ctx, c.Config, oldflux.Options{}); err != nil {
		t.Fatal(err)
	}
	return c.Kubeconfig
}
