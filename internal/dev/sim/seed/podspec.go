package seed

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
)

// templateHash stands in for the controllers' pod-template-hash.
func templateHash(s string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(s))
	return strconv.FormatUint(uint64(h.Sum32()), 36)
}

func controllerRef(kind, name string, uid types.UID) metav1.OwnerReference {
	return metav1.OwnerReference{APIVersion: "apps/v1", Kind: kind, Name: name, UID: uid, Controller: ptr(true), BlockOwnerDeletion: ptr(true)}
}

// podSpec is a pod of two containers (the workload and a sidecar), with the
// requests and probes real workloads carry.
func podSpec(registry, image string, nodeSelector map[string]string) corev1.PodSpec {
	res := corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("50m"), corev1.ResourceMemory: resource.MustParse("64Mi")},
		Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("200m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
	}
	probe := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080)}}, PeriodSeconds: 10}
	return corev1.PodSpec{
		NodeSelector: nodeSelector,
		Containers: []corev1.Container{
			{Name: "main", Image: registry + image, Resources: res, ReadinessProbe: probe,
				Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP}}},
			{Name: "envoy", Image: "mcr.microsoft.com/oss/envoyproxy/envoy:v1.30.1", Resources: res},
		},
	}
}

func agentPod(ds *appsv1.DaemonSet, image, node string, i int) *corev1.Pod {
	spec := podSpec(sim.ACRName+".azurecr.io/live/", image, map[string]string{"kubernetes.io/os": "linux"})
	spec.NodeName = node
	// What the DaemonSet controller adds: pin to the node, tolerate its
	// transient conditions.
	spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
		NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchFields: []corev1.NodeSelectorRequirement{{Key: "metadata.name", Operator: corev1.NodeSelectorOpIn, Values: []string{node}}}}},
	}}}
	for _, t := range []string{"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable", "node.kubernetes.io/disk-pressure", "node.kubernetes.io/memory-pressure", "node.kubernetes.io/pid-pressure", "node.kubernetes.io/unschedulable"} {
		spec.Tolerations = append(spec.Tolerations, corev1.Toleration{Key: t, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule})
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: ds.Namespace,
			Name:      fmt.Sprintf("%s-%s", ds.Name, replicaSuffix(ds.Name, i)),
			Labels: map[string]string{"app.kubernetes.io/name": ds.Name, "controller-revision-hash": templateHash(ds.Namespace + "/" + ds.Name),
				"pod-template-generation": "1"},
			OwnerReferences: []metav1.OwnerReference{controllerRef("DaemonSet", ds.Name, ds.UID)},
		},
		Spec: spec,
	}
}

func deploymentPod(rs *appsv1.ReplicaSet, registry, node string, i int) *corev1.Pod {
	spec := podSpec(registry, rs.Labels["app.kubernetes.io/name"]+":1.0.0", nil)
	spec.NodeName = node
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Namespace:       rs.Namespace,
			Name:            fmt.Sprintf("%s-%s", rs.Name, replicaSuffix(rs.Name, i)),
			Labels:          rs.Spec.Template.Labels,
			OwnerReferences: []metav1.OwnerReference{controllerRef("ReplicaSet", rs.Name, rs.UID)},
		},
		Spec: spec,
	}
}

// replicaSuffix is a stable, distinct five-character name suffix for replica i,
// shaped like the controllers' random ones.
func replicaSuffix(owner string, i int) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(owner))
	return fmt.Sprintf("%05s", strconv.FormatUint(uint64(h.Sum32()%1000+uint32(i)*1000)%60466176, 36))
}

// runningStatus is what the kubelet reports for a pod whose containers all
// run and pass their probes.
func runningStatus(p *corev1.Pod) corev1.PodStatus {
	now := metav1.NewTime(time.Now().Truncate(time.Second))
	st := corev1.PodStatus{
		Phase:     corev1.PodRunning,
		HostIP:    "10.240.0.4",
		PodIP:     "10.244.0.10",
		PodIPs:    []corev1.PodIP{{IP: "10.244.0.10"}},
		StartTime: &now,
		QOSClass:  corev1.PodQOSBurstable,
	}
	for _, t := range []corev1.PodConditionType{"PodReadyToStartContainers", corev1.PodInitialized, corev1.PodReady, corev1.ContainersReady, corev1.PodScheduled} {
		st.Conditions = append(st.Conditions, corev1.PodCondition{Type: t, Status: corev1.ConditionTrue, LastTransitionTime: now})
	}
	for _, c := range p.Spec.Containers {
		st.ContainerStatuses = append(st.ContainerStatuses, corev1.ContainerStatus{
			Name: c.Name, Image: c.Image, ImageID: c.Image + "@sha256:0f6a3d5c2b1e4f7a9c8d0e2b3a4f5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b",
			ContainerID: "containerd://" + templateHash(p.Name+c.Name),
			Ready:       true, Started: ptr(true),
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}},
		})
	}
	return st
}
