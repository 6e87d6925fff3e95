package cluster

import (
	"fmt"
	"reflect"
	"testing"
	"unsafe"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
)

func TestReduceNodeKeepsWhatChecksRead(t *testing.T) {
	in := newInterner()
	added := metav1.Now()
	mk := func(name string) corev1.Node {
		return corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Name: name, UID: "u-" + types.UID(name), ResourceVersion: "7",
				Labels:      map[string]string{"kubernetes.azure.com/agentpool": "npinscope01", "pci-scope": "in-scope", "kubernetes.io/hostname": name},
				Annotations: map[string]string{"node.alpha.kubernetes.io/ttl": "0"}},
			Spec: corev1.NodeSpec{ProviderID: "azure:///subscriptions/x/" + name, Unschedulable: true,
				Taints: []corev1.Taint{{Key: "CriticalAddonsOnly", Value: "true", Effect: corev1.TaintEffectNoSchedule, TimeAdded: &added}}},
			Status: corev1.NodeStatus{
				Conditions: []corev1.NodeCondition{
					{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientMemory"},
					{Type: corev1.NodeReady, Status: corev1.ConditionFalse, Reason: "KubeletNotReady", Message: "PLEG is not healthy"},
					{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "a second Ready condition"},
				},
				NodeInfo:  corev1.NodeSystemInfo{KubeletVersion: "v1.31.2", MachineID: name, OSImage: "Ubuntu 22.04.5 LTS"},
				Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "10.240.0.4"}},
				Images:    []corev1.ContainerImage{{Names: []string{"busybox"}}},
			},
		}
	}
	fa, fb := mk("aks-npinscope01-1-vmss000000"), mk("aks-npinscope01-1-vmss000001")
	a, b := reduceNode(&fa, in), reduceNode(&fb, in)
	want := Node{Name: "aks-npinscope01-1-vmss000000",
		Labels: NodeLabels{Pairs: Labels{"kubernetes.azure.com/agentpool", "npinscope01", "pci-scope", "in-scope"},
			Self: []string{"kubernetes.io/hostname"}, Name: "aks-npinscope01-1-vmss000000"},
		Unschedulable: true, Taints: []corev1.Taint{{Key: "CriticalAddonsOnly", Value: "true", Effect: corev1.TaintEffectNoSchedule}},
		Ready: &NodeCondition{Status: corev1.ConditionFalse, Reason: "KubeletNotReady"}, KubeletVersion: "v1.31.2",
		Meta: Meta{UID: "u-aks-npinscope01-1-vmss000000", ResourceVersion: "7"}}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("reduced node\n%+v\nwant\n%+v", a, want)
	}
	sel, _ := labels.Parse("pci-scope=in-scope,kubernetes.azure.com/agentpool")
	if !sel.Matches(a.Labels) {
		t.Errorf("labels %v do not match %s", a.Labels, sel)
	}
	for _, k := range []string{"kubernetes.azure.com/agentpool", "pci-scope", "kubernetes.io/hostname"} {
		if v, ok := a.Labels.Lookup(k); !ok || v != fa.Labels[k] || a.Labels.Get(k) != fa.Labels[k] || !a.Labels.Has(k) {
			t.Errorf("label %s: %q, %v, want %q", k, v, ok, fa.Labels[k])
		}
	}
	if v, ok := a.Labels.Lookup("missing"); ok || v != "" || a.Labels.Has("missing") {
		t.Errorf("an unset label reads %q, %v", v, ok)
	}
	if b.Labels.Get("kubernetes.io/hostname") != "aks-npinscope01-1-vmss000001" {
		t.Errorf("the second node's hostname label reads %q", b.Labels.Get("kubernetes.io/hostname"))
	}
	if unsafe.SliceData(a.Labels.Pairs) != unsafe.SliceData(b.Labels.Pairs) || unsafe.SliceData(a.Labels.Self) != unsafe.SliceData(b.Labels.Self) ||
		unsafe.StringData(a.KubeletVersion) != unsafe.StringData(b.KubeletVersion) {
		t.Error("what nodes of one pool have in common is not shared")
	}
	if fb.Labels["pci-scope"] = "out-of-scope"; reduceNode(&fb, in).Labels.Get("pci-scope") != "out-of-scope" {
		t.Error("a node with other labels shares another's")
	}
	if unsafe.SliceData(a.Taints) != unsafe.SliceData(b.Taints) || a.Ready != b.Ready {
		t.Error("equal taints and conditions are not shared")
	}
	none := reduceNode(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "bare"}}, in)
	if none.Ready != nil || none.Labels.Pairs != nil || none.Labels.Self != nil || none.Taints != nil {
		t.Errorf("a node without conditions, labels or taints reduces to %+v", none)
	}
}

// aksNode is a node as AKS registers it: the labels of its pool and zone,
// its own name as kubernetes.io/hostname, four conditions, images.
func aksNode(i int) corev1.Node {
	pool := []string{"npsystem", "npinscope01", "npooscope01"}[min(i%10, 2)]
	name := fmt.Sprintf("aks-%s-26621167-vmss%06d", pool, i)
	labels := map[string]string{"kubernetes.azure.com/agentpool": pool, "agentpool": pool, "kubernetes.io/hostname": name,
		"kubernetes.azure.com/node-image-version": "AKSUbuntu-2204gen2containerd-202611.16.0", "kubernetes.io/os": "linux",
		"kubernetes.io/arch": "amd64", "node.kubernetes.io/instance-type": "Standard_DS2_v2", "topology.kubernetes.io/region": "eastus2",
		"topology.kubernetes.io/zone": fmt.Sprintf("eastus2-%d", i%3+1), "kubernetes.azure.com/mode": "user", "kubernetes.azure.com/role": "agent"}
	var conds []corev1.NodeCondition
	for _, c := range []corev1.NodeConditionType{corev1.NodeMemoryPressure, corev1.NodeDiskPressure, corev1.NodePIDPressure, corev1.NodeReady} {
		st := corev1.ConditionFalse
		if c == corev1.NodeReady {
			st = corev1.ConditionTrue
		}
		conds = append(conds, corev1.NodeCondition{Type: c, Status: st, Reason: "Kubelet" + string(c), Message: "kubelet posts " + string(c)})
	}
	return corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID(fmt.Sprintf("0b0e8d4c-6a1f-4c53-9a62-%012d", i)), ResourceVersion: fmt.Sprint(1000 + i), Labels: labels},
		Status: corev1.NodeStatus{Conditions: conds, NodeInfo: corev1.NodeSystemInfo{KubeletVersion: "v1.33.2", MachineID: name},
			Images: []corev1.ContainerImage{{Names: []string{"mcr.microsoft.com/oss/kubernetes/pause:3.6"}, SizeBytes: 300000}}},
	}
}

// BenchmarkReduceNodes reduces 5,000 nodes as the reader does and reports
// what they keep on the heap.
func BenchmarkReduceNodes(b *testing.B) {
	const total = 5000
	reportRetained(b, func() any {
		in := newInterner()
		out := make([]Node, 0, total)
		for i := range total {
			n := aksNode(i)
			out = append(out, reduceNode(&n, in))
		}
		return out
	})
}
