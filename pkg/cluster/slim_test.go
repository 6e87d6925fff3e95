package cluster

import (
	"bufio"
	"bytes"
	"fmt"
	"reflect"
	"runtime"
	"testing"
	"unsafe"

	kstatus "github.com/fluxcd/cli-utils/pkg/kstatus/status"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
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
	reportRetained(b, func() any {
		in := newInterner()
		out := make([]Pod, 0, total)
		for off := 0; off < total; off += page {
			for i := range full {
				full[i].Name = fmt.Sprintf("pod-%06d", off+i)
				full[i].Spec.NodeName = fmt.Sprintf("aks-npuser-26621167-vmss%06d", (off+i)%5000)
				out = append(out, reducePod(&full[i], in))
			}
		}
		return out
	})
}

// reportRetained runs reduce once per iteration and reports what its
// result keeps on the heap once the garbage of reducing is collected.
func reportRetained(b *testing.B, reduce func() any) {
	b.ReportAllocs()
	var retained uint64
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		out := reduce()
		runtime.GC()
		runtime.ReadMemStats(&after)
		retained = after.HeapAlloc - before.HeapAlloc
		runtime.KeepAlive(out)
	}
	b.ReportMetric(float64(retained)/(1<<20), "retained-MiB")
}

// BenchmarkDecodeReducePage reads one protobuf page of 500 pods from a
// stream item by item and reduces it: the reader's per-page work.
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
	var item bytes.Buffer
	for b.Loop() {
		out := make([]Pod, 0, len(list.Items))
		_, err := readProtoPage(bufio.NewReaderSize(bytes.NewReader(data), 32<<10), &item, func(it []byte) error {
			var p corev1.Pod
			if err := p.Unmarshal(it); err != nil {
				return err
			}
			out = append(out, reducePod(&p, in))
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// fullDeployment is a Deployment as the API server returns it, with the
// parts no check reads (annotations, template labels, probes, resources,
// volumes, init containers, tolerations, pod anti-affinity).
func fullDeployment() appsv1.Deployment {
	replicas, deadline := int32(2), int32(600)
	return appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "source-controller", Namespace: "flux-system", UID: "d-1", ResourceVersion: "77", Generation: 3,
			Labels:          map[string]string{"app.kubernetes.io/part-of": "flux"},
			Annotations:     map[string]string{"kubectl.kubernetes.io/last-applied-configuration": `{"big":"json"}`},
			OwnerReferences: []metav1.OwnerReference{{Kind: "Kustomization", Name: "flux-system"}},
			ManagedFields:   []metav1.ManagedFieldsEntry{{Manager: "kustomize-controller"}}},
		Spec: appsv1.DeploymentSpec{Replicas: &replicas, ProgressDeadlineSeconds: &deadline,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "source-controller"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "source-controller"}},
				Spec: corev1.PodSpec{
					NodeSelector:   map[string]string{"pci-scope": "out-of-scope"},
					InitContainers: []corev1.Container{{Name: "init", Image: "busybox"}},
					Containers: []corev1.Container{{Name: "manager", Image: "ghcr.io/fluxcd/source-controller:v1.6.0", Args: []string{"--log-level=info"},
						Resources:      corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1Gi")}},
						ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/"}}}}},
					Volumes:     []corev1.Volume{{Name: "tmp"}},
					Tolerations: []corev1.Toleration{{Key: "CriticalAddonsOnly", Operator: corev1.TolerationOpExists}},
					Affinity: &corev1.Affinity{
						NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{
							{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "pci-scope", Operator: corev1.NodeSelectorOpIn, Values: []string{"out-of-scope"}}}}}}},
						PodAntiAffinity: &corev1.PodAntiAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{Weight: 1}}}},
				}},
		},
		Status: appsv1.DeploymentStatus{ObservedGeneration: 3, Replicas: 2, UpdatedReplicas: 2, ReadyReplicas: 2, AvailableReplicas: 2,
			Conditions: []appsv1.DeploymentCondition{{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue},
				{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "NewReplicaSetAvailable"}}},
	}
}

// health is what kstatus makes of a workload, as the checks compute it.
func health(t *testing.T, obj any, kind string) kstatus.Result {
	t.Helper()
	m, err := k8sruntime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{Object: m}
	u.SetAPIVersion("apps/v1")
	u.SetKind(kind)
	res, err := kstatus.Compute(u)
	if err != nil {
		t.Fatal(err)
	}
	return *res
}

// TestSlimWorkloadsKeepWhatChecksRead: a slim Deployment or DaemonSet keeps
// its identity, labels, scheduling and images, and kstatus judges it
// exactly as the whole object, whatever state it is in.
func TestSlimWorkloadsKeepWhatChecksRead(t *testing.T) {
	now := metav1.Now()
	zero, one := int32(0), int32(1)
	deployments := map[string]func(*appsv1.Deployment){
		"available":           func(*appsv1.Deployment) {},
		"being deleted":       func(d *appsv1.Deployment) { d.DeletionTimestamp = &now },
		"generation not seen": func(d *appsv1.Deployment) { d.Status.ObservedGeneration = 2 },
		"too few replicas":    func(d *appsv1.Deployment) { d.Status.Replicas, d.Status.ReadyReplicas = 1, 1 },
		"not yet ready":       func(d *appsv1.Deployment) { d.Status.ReadyReplicas = 1 },
		"deadline exceeded":   func(d *appsv1.Deployment) { d.Status.Conditions[1].Reason = "ProgressDeadlineExceeded" },
		"no deadline": func(d *appsv1.Deployment) {
			d.Spec.ProgressDeadlineSeconds = nil
			d.Status.Conditions[1].Reason = "ReplicaSetUpdated"
		},
		"replicas unset": func(d *appsv1.Deployment) { d.Spec.Replicas = nil },
		"scaled to zero": func(d *appsv1.Deployment) { d.Spec.Replicas = &zero },
		"stalled": func(d *appsv1.Deployment) {
			d.Status.Conditions = append(d.Status.Conditions, appsv1.DeploymentCondition{Type: "Stalled", Status: corev1.ConditionTrue, Message: "m"})
		},
		"pending termination":  func(d *appsv1.Deployment) { d.Spec.Replicas = &one },
		"no affinity, no pods": func(d *appsv1.Deployment) { d.Spec.Template.Spec = corev1.PodSpec{} },
	}
	for name, change := range deployments {
		full := fullDeployment()
		change(&full)
		whole := full.DeepCopy()
		slim := slimDeployment(&full, newInterner())
		if got, want := health(t, &slim, "Deployment"), health(t, whole, "Deployment"); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: kstatus judges the slim Deployment %+v, the whole one %+v", name, got, want)
		}
		if slim.Name != whole.Name || slim.Namespace != whole.Namespace || slim.UID != whole.UID || slim.ResourceVersion != whole.ResourceVersion ||
			!reflect.DeepEqual(slim.Labels, whole.Labels) || !reflect.DeepEqual(slim.Spec.Template.Spec.NodeSelector, whole.Spec.Template.Spec.NodeSelector) {
			t.Errorf("%s: slim Deployment lost its identity, labels or node selector: %+v", name, slim.ObjectMeta)
		}
		if a := whole.Spec.Template.Spec.Affinity; a != nil && !reflect.DeepEqual(slim.Spec.Template.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution, a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution) {
			t.Errorf("%s: slim Deployment lost its required node affinity", name)
		}
		if len(slim.Spec.Template.Spec.Containers) != len(whole.Spec.Template.Spec.Containers) {
			t.Fatalf("%s: containers %+v", name, slim.Spec.Template.Spec.Containers)
		}
		for i, c := range slim.Spec.Template.Spec.Containers {
			if w := whole.Spec.Template.Spec.Containers[i]; c.Name != w.Name || c.Image != w.Image {
				t.Errorf("%s: container %d is %s %s, want %s %s", name, i, c.Name, c.Image, w.Name, w.Image)
			}
		}
	}
	slim := slimDeployment(new(fullDeployment()), newInterner())
	if slim.Annotations != nil || slim.ManagedFields != nil || slim.OwnerReferences != nil || slim.Spec.Selector != nil || slim.Spec.Template.Labels != nil ||
		slim.Spec.Template.Spec.InitContainers != nil || slim.Spec.Template.Spec.Volumes != nil || slim.Spec.Template.Spec.Tolerations != nil ||
		slim.Spec.Template.Spec.Affinity.PodAntiAffinity != nil || slim.Spec.Template.Spec.Containers[0].Args != nil || slim.Spec.Template.Spec.Containers[0].ReadinessProbe != nil {
		t.Errorf("slim Deployment keeps what no check reads: %+v", slim)
	}

	daemonSets := map[string]func(*appsv1.DaemonSet){
		"ready":               func(*appsv1.DaemonSet) {},
		"being deleted":       func(d *appsv1.DaemonSet) { d.DeletionTimestamp = &now },
		"generation unset":    func(d *appsv1.DaemonSet) { d.Generation = 0 },
		"generation not seen": func(d *appsv1.DaemonSet) { d.Status.ObservedGeneration = 1 },
		"not scheduled":       func(d *appsv1.DaemonSet) { d.Status.CurrentNumberScheduled = 3 },
		"not ready":           func(d *appsv1.DaemonSet) { d.Status.NumberReady = 4 },
	}
	for name, change := range daemonSets {
		full := appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "aks-falco", Namespace: "falco-system", Generation: 2, Annotations: map[string]string{"a": "b"}},
			Spec:   appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "falco", Image: "falco:0.38", Args: []string{"-v"}}}}}},
			Status: appsv1.DaemonSetStatus{ObservedGeneration: 2, DesiredNumberScheduled: 5, CurrentNumberScheduled: 5, UpdatedNumberScheduled: 5, NumberAvailable: 5, NumberReady: 5}}
		change(&full)
		whole := full.DeepCopy()
		slim := slimDaemonSet(&full, newInterner())
		if got, want := health(t, &slim, "DaemonSet"), health(t, whole, "DaemonSet"); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: kstatus judges the slim DaemonSet %+v, the whole one %+v", name, got, want)
		}
		if slim.Annotations != nil || slim.Spec.Template.Spec.Containers[0].Image != "falco:0.38" || slim.Spec.Template.Spec.Containers[0].Args != nil || !reflect.DeepEqual(slim.Status, whole.Status) {
			t.Errorf("%s: slim DaemonSet %+v", name, slim)
		}
	}
}
