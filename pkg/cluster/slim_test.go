package cluster

import (
	"fmt"
	"reflect"
	"runtime"
	"testing"
	"unsafe"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// fullPod is a pod as the API server returns it from a Deployment or a
// DaemonSet: two containers, labels, an owner, conditions, managed fields.
func fullPod(i int) corev1.Pod {
	ns := fmt.Sprintf("team-%02d", i%40)
	owner, ownerName := "ReplicaSet", fmt.Sprintf("app-%03d-5d8c7b9f6", i%400)
	if i%10 == 0 {
		owner, ownerName = "DaemonSet", "agent"
	}
	yes := true
	return corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: fmt.Sprintf("%s-%05d", ownerName, i), Namespace: ns, UID: "0b0e8d4c-6a1f-4c53-9a62-7c1d2f3e4a5b",
			Labels:          map[string]string{"app": ownerName, "pod-template-hash": "5d8c7b9f6", "pci-scope": "out-of-scope"},
			Annotations:     map[string]string{"kubectl.kubernetes.io/restartedAt": "2026-11-20T10:00:00Z"},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: owner, Name: ownerName, UID: "1c2d3e4f", Controller: &yes}},
			ManagedFields:   []metav1.ManagedFieldsEntry{{Manager: "kube-controller-manager", Operation: "Update", APIVersion: "v1"}},
		},
		Spec: corev1.PodSpec{
			NodeName: fmt.Sprintf("aks-npuser-26621167-vmss%06d", i%5000),
			Containers: []corev1.Container{
				{Name: "app", Image: fmt.Sprintf("acraks.azurecr.io/live/team/app-%03d:1.0", i%400), Args: []string{"--port=8080", "--log-level=info"},
					Env: []corev1.EnvVar{{Name: "POD_NAMESPACE", Value: ns}}},
				{Name: "sidecar", Image: "mcr.microsoft.com/oss/envoyproxy/envoy:v1.30.1"},
			},
		},
		Status: corev1.PodStatus{
			Phase: corev1.PodRunning, PodIP: "10.240.0.10", HostIP: "10.240.0.4",
			Conditions: []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionTrue}, {Type: corev1.PodReady, Status: corev1.ConditionTrue}},
			ContainerStatuses: []corev1.ContainerStatus{{Name: "app", Ready: true, Image: "acraks.azurecr.io/live/team/app:1.0", ImageID: "sha256:0123456789abcdef"},
				{Name: "sidecar", Ready: true, Image: "mcr.microsoft.com/oss/envoyproxy/envoy:v1.30.1", ImageID: "sha256:fedcba9876543210"}},
		},
	}
}

func TestReducePod(t *testing.T) {
	in := newInterner()
	p := fullPod(10)
	p.Spec.InitContainers = []corev1.Container{{Name: "init", Image: "busybox"}}
	p.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debug", Image: "docker.io/library/busybox:latest"}}}
	got := reducePod(&p, in)
	if got.Namespace != "team-10" || got.NodeName != "aks-npuser-26621167-vmss000010" || got.OwnerKind != "DaemonSet" || got.OwnerName != "agent" || !got.Ready || got.Phase != corev1.PodRunning {
		t.Errorf("reduced pod %+v", got)
	}
	kinds := []ContainerKind{InitContainer, RegularContainer, RegularContainer, EphemeralContainer}
	if len(got.Containers) != len(kinds) {
		t.Fatalf("containers %+v", got.Containers)
	}
	for i, k := range kinds {
		if got.Containers[i].Kind != k {
			t.Errorf("container %d: kind %d, want %d", i, got.Containers[i].Kind, k)
		}
	}
	sel, _ := labels.Parse("app=agent,pci-scope in (out-of-scope)")
	if !sel.Matches(got.Labels) || got.Labels.Get("pod-template-hash") != "5d8c7b9f6" || got.Labels.Has("missing") {
		t.Errorf("labels %v", got.Labels)
	}
	// Two pods of one namespace share the interned strings, not copies.
	other := fullPod(50)
	o := reducePod(&other, in)
	if unsafe.StringData(o.Namespace) != unsafe.StringData(got.Namespace) || unsafe.StringData(o.Containers[1].Image) != unsafe.StringData(got.Containers[2].Image) {
		t.Error("repeated strings are not interned")
	}
}

func TestPodsOfOneControllerShareLabelsAndContainers(t *testing.T) {
	in := newInterner()
	a, b, c := fullPod(1), fullPod(401), fullPod(2) // a and b: one ReplicaSet
	ra, rb, rc := reducePod(&a, in), reducePod(&b, in), reducePod(&c, in)
	if ra.Name == rb.Name || unsafe.SliceData(ra.Labels) != unsafe.SliceData(rb.Labels) || unsafe.SliceData(ra.Containers) != unsafe.SliceData(rb.Containers) {
		t.Error("pods with equal labels and containers do not share them")
	}
	if unsafe.SliceData(ra.Labels) == unsafe.SliceData(rc.Labels) || ra.Labels.Get("app") != "app-001-5d8c7b9f6" || rc.Labels.Get("app") != "app-002-5d8c7b9f6" {
		t.Errorf("pods of different controllers share labels: %v, %v", ra.Labels, rc.Labels)
	}
	if unsafe.SliceData(ra.Containers) == unsafe.SliceData(rc.Containers) || rc.Containers[0].Image != "acraks.azurecr.io/live/team/app-002:1.0" {
		t.Errorf("pods with different images share containers: %v, %v", ra.Containers, rc.Containers)
	}
	// The same name and image as another kind of container is a different list.
	d := fullPod(1)
	d.Spec.InitContainers, d.Spec.Containers = d.Spec.Containers[:1], d.Spec.Containers[1:]
	if rd := reducePod(&d, in); rd.Containers[0].Kind != InitContainer || rd.Containers[1].Kind != RegularContainer {
		t.Errorf("container kinds lost in sharing: %+v", rd.Containers)
	}
}

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
		Labels:        Labels{"kubernetes.azure.com/agentpool", "npinscope01", "kubernetes.io/hostname", "aks-npinscope01-1-vmss000000", "pci-scope", "in-scope"},
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
	if unsafe.StringData(a.Labels.Get("pci-scope")) != unsafe.StringData(b.Labels.Get("pci-scope")) || unsafe.StringData(a.KubeletVersion) != unsafe.StringData(b.KubeletVersion) {
		t.Error("strings repeated across nodes are not interned")
	}
	if unsafe.SliceData(a.Taints) != unsafe.SliceData(b.Taints) || a.Ready != b.Ready {
		t.Error("equal taints and conditions are not shared")
	}
	none := reduceNode(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "bare"}}, in)
	if none.Ready != nil || none.Labels != nil || none.Taints != nil {
		t.Errorf("a node without conditions, labels or taints reduces to %+v", none)
	}
}

// TestInternedListsNeverCollide: two different lists are never taken for
// one, whatever bytes their strings hold (a NUL can end one field and
// begin the next).
func TestInternedListsNeverCollide(t *testing.T) {
	in := newInterner()
	a := in.taintList([]corev1.Taint{{Key: "a\x00b", Value: "", Effect: "c"}})
	b := in.taintList([]corev1.Taint{{Key: "a", Value: "b\x00", Effect: "c"}})
	if a[0].Key == b[0].Key {
		t.Errorf("two taint lists share one copy: %+v", b)
	}
	l1 := in.labelSet(Labels{"k\x00", "v"})
	l2 := in.labelSet(Labels{"k", "\x00v"})
	if l1[0] == l2[0] {
		t.Errorf("two label sets share one copy: %q", l2)
	}
	c1 := in.containerList([]Container{{Name: "n\x00", Image: "i"}})
	c2 := in.containerList([]Container{{Name: "n", Image: "\x00i"}})
	if c1[0].Name == c2[0].Name {
		t.Errorf("two container lists share one copy: %+v", c2)
	}
}

func TestReduceNetworkPolicy(t *testing.T) {
	dns := intstr.FromInt32(53)
	web := intstr.FromInt32(8080)
	dnsEgress := []networkingv1.NetworkPolicyEgressRule{{Ports: []networkingv1.NetworkPolicyPort{{Port: &dns}}}}
	webEgress := []networkingv1.NetworkPolicyEgressRule{{Ports: []networkingv1.NetworkPolicyPort{{Port: &web}}}}
	sel := metav1.LabelSelector{MatchLabels: map[string]string{"a": "b"}}
	for _, tc := range []struct {
		name string
		spec networkingv1.NetworkPolicySpec
		want NetworkPolicy
	}{
		{"deny all", networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{"Ingress", "Egress"}},
			NetworkPolicy{SelectsAll: true, Ingress: true, Egress: true}},
		{"dns egress", networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{"Ingress", "Egress"}, Egress: dnsEgress},
			NetworkPolicy{SelectsAll: true, Ingress: true, Egress: true, EgressRules: dnsEgress}},
		{"web egress", networkingv1.NetworkPolicySpec{PodSelector: sel, PolicyTypes: []networkingv1.PolicyType{"Egress"}, Egress: webEgress},
			NetworkPolicy{PodSelector: sel, Egress: true, EgressRules: webEgress}},
		{"defaulted types", networkingv1.NetworkPolicySpec{Ingress: []networkingv1.NetworkPolicyIngressRule{{}}},
			NetworkPolicy{SelectsAll: true, Ingress: true, IngressRules: []networkingv1.NetworkPolicyIngressRule{{}}}},
		{"defaulted types with egress", networkingv1.NetworkPolicySpec{Egress: webEgress},
			NetworkPolicy{SelectsAll: true, Ingress: true, Egress: true, EgressRules: webEgress}},
	} {
		np := networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: "a0005-i"}, Spec: tc.spec}
		tc.want.Namespace, tc.want.Name = "a0005-i", "default"
		if got := reduceNetworkPolicy(&np, newInterner()); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestReduceServiceKeepsAnnotationsOfLoadBalancersOnly(t *testing.T) {
	ann := map[string]string{"service.beta.kubernetes.io/azure-load-balancer-internal": "true"}
	lb := corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "lb", Annotations: ann}, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer}}
	ip := corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "ip", Annotations: ann}, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP}}
	if got := reduceService(&lb, newInterner()); got.Annotations == nil {
		t.Error("load balancer annotations dropped")
	}
	if got := reduceService(&ip, newInterner()); got.Annotations != nil {
		t.Error("ClusterIP annotations kept")
	}
}

// BenchmarkReducePods reduces 50,000 pods (on 5,000 nodes) page by page,
// as the reader does, and reports what the slim pods keep on the heap.
func BenchmarkReducePods(b *testing.B) {
	const total, page = 50000, 500
	full := make([]corev1.Pod, page)
	for i := range full {
		full[i] = fullPod(i)
	}
	b.ReportAllocs()
	var retained uint64
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		in := newInterner()
		out := make([]Pod, 0, total)
		for off := 0; off < total; off += page {
			for i := range full {
				full[i].Name = fmt.Sprintf("pod-%06d", off+i)
				full[i].Spec.NodeName = fmt.Sprintf("aks-npuser-26621167-vmss%06d", (off+i)%5000)
				out = append(out, reducePod(&full[i], in))
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		retained = after.HeapAlloc - before.HeapAlloc
		runtime.KeepAlive(out)
	}
	b.ReportMetric(float64(retained)/(1<<20), "retained-MiB")
}

// BenchmarkDecodeReducePage decodes one protobuf page of 500 pods item by
// item and reduces it: the reader's per-page work.
func BenchmarkDecodeReducePage(b *testing.B) {
	list := corev1.PodList{}
	for i := 0; i < 500; i++ {
		list.Items = append(list.Items, fullPod(i))
	}
	raw, err := list.Marshal()
	if err != nil {
		b.Fatal(err)
	}
	data := envelope(b, raw)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	in := newInterner()
	for b.Loop() {
		_, items, err := splitList(data)
		if err != nil {
			b.Fatal(err)
		}
		out := make([]Pod, len(items))
		for i, it := range items {
			var p corev1.Pod
			if err := p.Unmarshal(it); err != nil {
				b.Fatal(err)
			}
			out[i] = reducePod(&p, in)
		}
	}
}
