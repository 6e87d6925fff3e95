package evidence

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
)

func TestInventory(t *testing.T) {
	s := cluster.NewSnapshot()
	s.Namespaces = []cluster.ObjectRef{{Name: "ingress-nginx", Meta: cluster.Meta{UID: "ns-1", ResourceVersion: "1"}}}
	s.KubeSystem = &cluster.ObjectRef{Name: "kube-system", Meta: cluster.Meta{UID: "ks-1", ResourceVersion: "2"}}
	s.Pods = []cluster.Pod{{Namespace: "ingress-nginx", Name: "p", Meta: cluster.Meta{UID: "pod-1", ResourceVersion: "3"}}}
	s.Secrets = []corev1.Secret{{ObjectMeta: metav1.ObjectMeta{Namespace: "ingress-nginx", Name: "tls", UID: "sec-1", ResourceVersion: "4"}}}
	gr := unstructured.Unstructured{}
	gr.SetAPIVersion("source.toolkit.fluxcd.io/v1")
	gr.SetKind("GitRepository")
	gr.SetNamespace("flux-system")
	gr.SetName("flux-system")
	gr.SetUID("gr-1")
	gr.SetResourceVersion("5")
	s.Custom[cluster.GitRepositories] = []unstructured.Unstructured{gr}

	want := map[InventoryItem]bool{
		{APIVersion: "v1", Kind: "Namespace", Name: "ingress-nginx", UID: "ns-1", ResourceVersion: "1"}:                                                      true,
		{APIVersion: "v1", Kind: "Namespace", Name: "kube-system", UID: "ks-1", ResourceVersion: "2"}:                                                        true,
		{APIVersion: "v1", Kind: "Pod", Namespace: "ingress-nginx", Name: "p", UID: "pod-1", ResourceVersion: "3"}:                                           true,
		{APIVersion: "v1", Kind: "Secret", Namespace: "ingress-nginx", Name: "tls", UID: "sec-1", ResourceVersion: "4"}:                                      true,
		{APIVersion: "source.toolkit.fluxcd.io/v1", Kind: "GitRepository", Namespace: "flux-system", Name: "flux-system", UID: "gr-1", ResourceVersion: "5"}: true,
	}
	got := Inventory(s)
	if len(got) != len(want) {
		t.Errorf("%d items, want %d: %+v", len(got), len(want), got)
	}
	for _, it := range got {
		if !want[it] {
			t.Errorf("unexpected item %+v", it)
		}
	}
	// kube-system listed with the namespaces is named once.
	s.Namespaces = append(s.Namespaces, *s.KubeSystem)
	if n := len(Inventory(s)); n != len(want) {
		t.Errorf("kube-system read twice is listed %d times", n-len(want)+1)
	}
}
