package cluster

import (
	"encoding/binary"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// Meta is an object's identity for the evidence inventory: which version
// of which object verify judged.
type Meta struct {
	UID             types.UID
	ResourceVersion string
}

func metaOf(m *metav1.ObjectMeta) Meta { return Meta{m.UID, m.ResourceVersion} }

// Pod is what the checks need of a pod. A cluster can hold 50,000 pods:
// keeping them whole costs hundreds of MiB, this costs a few.
type Pod struct {
	Namespace string
	Name      string
	NodeName  string
	// OwnerKind and OwnerName are the controller's ("DaemonSet", "dummy-av").
	OwnerKind string
	OwnerName string
	Phase     corev1.PodPhase
	Ready     bool
	Labels    Labels
	// Containers holds init, regular and ephemeral containers, in that order.
	Containers []Container
	Meta
}

// ContainerKind tells init, regular and ephemeral containers apart.
type ContainerKind uint8

const (
	InitContainer ContainerKind = iota
	RegularContainer
	EphemeralContainer
)

// Container is one container's name and image.
type Container struct {
	Name  string
	Image string
	Kind  ContainerKind
}

// Labels are key, value pairs sorted by key; they satisfy labels.Labels so
// selectors match them without building a map per pod.
type Labels []string

// Has reports whether key is set.
func (l Labels) Has(key string) bool { return has(l, key) }

// Get returns the value of key, or "".
func (l Labels) Get(key string) string { return get(l, key) }

// lookup is a label set, of a pod (Labels) or a node (NodeLabels); has and
// get are what it answers to labels.Labels besides Lookup.
type lookup interface {
	Lookup(key string) (string, bool)
}

func has[L lookup](l L, key string) bool {
	_, ok := l.Lookup(key)
	return ok
}

func get[L lookup](l L, key string) string {
	v, _ := l.Lookup(key)
	return v
}

// Lookup returns the value of key and whether it is set.
func (l Labels) Lookup(key string) (string, bool) {
	n := len(l) / 2
	i := sort.Search(n, func(i int) bool { return l[2*i] >= key })
	if i < n && l[2*i] == key {
		return l[2*i+1], true
	}
	return "", false
}

// Service is a Service's type and, for load balancers only, its annotations.
type Service struct {
	Namespace string
	Name      string
	Type      corev1.ServiceType
	// Annotations are kept for LoadBalancer Services only: they say whether
	// the load balancer is internal.
	Annotations map[string]string
	Meta
}

// NetworkPolicy is what decides a policy's effect, as Kubernetes adds
// policies up: the pods it selects, the directions it isolates, and the
// rules that let traffic through (the object's labels and annotations go).
type NetworkPolicy struct {
	Namespace   string
	Name        string
	PodSelector metav1.LabelSelector
	// SelectsAll is true for an empty podSelector.
	SelectsAll bool
	// Ingress and Egress are the policy types, defaulted as the API server does.
	Ingress      bool
	Egress       bool
	IngressRules []networkingv1.NetworkPolicyIngressRule
	EgressRules  []networkingv1.NetworkPolicyEgressRule
	Meta
}

// ObjectRef names an object whose content no check reads (Namespace,
// ResourceQuota, LimitRange), and the version of it verify judged.
type ObjectRef struct {
	Namespace string
	Name      string
	Meta
}

// interner shares one copy of what repeats across objects: strings (image
// names, namespaces, node names, label keys and values) and, for pods, whole
// label sets and container lists, which the pods of one controller have in
// common, and for nodes taint lists and Ready conditions. 50,000 pods of a
// few hundred controllers then cost little more than their names. Shared
// values are read-only.
type interner struct {
	strs       map[string]string
	labels     map[string]Labels
	containers map[string][]Container
	taints     map[string][]corev1.Taint
	conditions map[NodeCondition]*NodeCondition
	key        []byte // scratch for the keys of labels, containers and taints
}

func newInterner() *interner {
	return &interner{strs: map[string]string{}, labels: map[string]Labels{}, containers: map[string][]Container{},
		taints: map[string][]corev1.Taint{}, conditions: map[NodeCondition]*NodeCondition{}}
}

func (in *interner) get(s string) string {
	if v, ok := in.strs[s]; ok {
		return v
	}
	in.strs[s] = s
	return s
}

// labelSet returns the shared copy of l.
func (in *interner) labelSet(l Labels) Labels {
	in.key = in.key[:0]
	for _, s := range l {
		in.key = appendKey(in.key, s)
	}
	if v, ok := in.labels[string(in.key)]; ok {
		return v
	}
	in.labels[string(in.key)] = l
	return l
}

// containerList returns the shared copy of cs.
func (in *interner) containerList(cs []Container) []Container {
	in.key = in.key[:0]
	for _, c := range cs {
		in.key = appendKey(appendKey(append(in.key, byte(c.Kind)), c.Name), c.Image)
	}
	if v, ok := in.containers[string(in.key)]; ok {
		return v
	}
	in.containers[string(in.key)] = cs
	return cs
}

// appendKey adds s to the key of a shared value, its length first: a key
// made of strings from the cluster must not read the same for two different
// lists, whatever bytes (a NUL among them) the strings hold.
func appendKey(key []byte, s string) []byte {
	return append(binary.AppendUvarint(key, uint64(len(s))), s...)
}

// reducePod keeps what checks read of p; in shares repeated strings.
func reducePod(p *corev1.Pod, in *interner) Pod {
	out := Pod{
		Namespace: in.get(p.Namespace),
		Name:      p.Name,
		NodeName:  in.get(p.Spec.NodeName),
		Phase:     corev1.PodPhase(in.get(string(p.Status.Phase))),
		Meta:      metaOf(&p.ObjectMeta),
	}
	if c := metav1.GetControllerOfNoCopy(p); c != nil {
		out.OwnerKind, out.OwnerName = in.get(c.Kind), in.get(c.Name)
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			out.Ready = c.Status == corev1.ConditionTrue
		}
	}
	if len(p.Labels) > 0 {
		out.Labels = in.labelSet(reduceLabels(p.Labels, in))
	}
	n := len(p.Spec.InitContainers) + len(p.Spec.Containers) + len(p.Spec.EphemeralContainers)
	cs := make([]Container, 0, n)
	for _, c := range p.Spec.InitContainers {
		cs = append(cs, Container{in.get(c.Name), in.get(c.Image), InitContainer})
	}
	for _, c := range p.Spec.Containers {
		cs = append(cs, Container{in.get(c.Name), in.get(c.Image), RegularContainer})
	}
	for _, c := range p.Spec.EphemeralContainers {
		cs = append(cs, Container{in.get(c.Name), in.get(c.Image), EphemeralContainer})
	}
	out.Containers = in.containerList(cs)
	return out
}

func reduceLabels(m map[string]string, in *interner) Labels {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make(Labels, 0, 2*len(keys))
	for _, k := range keys {
		out = append(out, in.get(k), in.get(m[k]))
	}
	return out
}

func reduceService(s *corev1.Service, in *interner) Service {
	out := Service{Namespace: in.get(s.Namespace), Name: s.Name, Type: corev1.ServiceType(in.get(string(s.Spec.Type))), Meta: metaOf(&s.ObjectMeta)}
	if s.Spec.Type == corev1.ServiceTypeLoadBalancer {
		out.Annotations = s.Annotations
	}
	return out
}

func reduceNetworkPolicy(np *networkingv1.NetworkPolicy, in *interner) NetworkPolicy {
	sel := np.Spec.PodSelector
	out := NetworkPolicy{
		Namespace:    in.get(np.Namespace),
		Name:         np.Name,
		PodSelector:  sel,
		SelectsAll:   len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0,
		IngressRules: np.Spec.Ingress,
		EgressRules:  np.Spec.Egress,
		Meta:         metaOf(&np.ObjectMeta),
	}
	for _, t := range np.Spec.PolicyTypes {
		switch t {
		case networkingv1.PolicyTypeIngress:
			out.Ingress = true
		case networkingv1.PolicyTypeEgress:
			out.Egress = true
		}
	}
	// The API server defaults policyTypes on write; a policy decoded from a
	// fixture may lack them, so apply the same default.
	if len(np.Spec.PolicyTypes) == 0 {
		out.Ingress = true
		out.Egress = len(np.Spec.Egress) > 0
	}
	return out
}

// slimMeta keeps what the checks and the evidence inventory read of a
// workload's metadata: its identity, labels (the Flux controllers are found
// by label) and what kstatus judges (generation, deletion).
func slimMeta(m *metav1.ObjectMeta) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: m.Name, Namespace: m.Namespace, UID: m.UID, ResourceVersion: m.ResourceVersion,
		Generation: m.Generation, DeletionTimestamp: m.DeletionTimestamp, Labels: m.Labels}
}

// slimPodSpec keeps what the checks read of a workload's pod template: where
// it may be scheduled (nodeSelector, required node affinity) and each
// container's name and image. Init containers, volumes, probes, resources
// and the rest are what make a Deployment kilobytes.
func slimPodSpec(ps *corev1.PodSpec, in *interner) corev1.PodSpec {
	out := corev1.PodSpec{NodeSelector: ps.NodeSelector}
	if a := ps.Affinity; a != nil && a.NodeAffinity != nil {
		out.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution}}
	}
	if len(ps.Containers) > 0 {
		out.Containers = make([]corev1.Container, len(ps.Containers))
		for i, c := range ps.Containers {
			out.Containers[i] = corev1.Container{Name: in.get(c.Name), Image: in.get(c.Image)}
		}
	}
	return out
}

// slimDeployment keeps what the checks read of a Deployment: the metadata
// slimMeta keeps, the pod template slimPodSpec keeps, and what kstatus
// computes its health from (spec.replicas, spec.progressDeadlineSeconds,
// the whole status).
func slimDeployment(d *appsv1.Deployment, in *interner) appsv1.Deployment {
	return appsv1.Deployment{ObjectMeta: slimMeta(&d.ObjectMeta), Status: d.Status,
		Spec: appsv1.DeploymentSpec{Replicas: d.Spec.Replicas, ProgressDeadlineSeconds: d.Spec.ProgressDeadlineSeconds,
			Template: corev1.PodTemplateSpec{Spec: slimPodSpec(&d.Spec.Template.Spec, in)}}}
}

// slimDaemonSet keeps what the checks read of a DaemonSet: as for a
// Deployment, with kstatus judging from the status alone.
func slimDaemonSet(d *appsv1.DaemonSet, in *interner) appsv1.DaemonSet {
	return appsv1.DaemonSet{ObjectMeta: slimMeta(&d.ObjectMeta), Status: d.Status,
		Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{Spec: slimPodSpec(&d.Spec.Template.Spec, in)}}}
}

// slimCRD drops what no check reads of a CRD: managed fields, annotations
// and the schemas, which make most of a Flux CRD's size.
func slimCRD(c *apiextensionsv1.CustomResourceDefinition, _ *interner) apiextensionsv1.CustomResourceDefinition {
	c.ManagedFields = nil
	c.Annotations = nil
	for i := range c.Spec.Versions {
		c.Spec.Versions[i].Schema = nil
	}
	return *c
}

// reduceSecret keeps what a Secret's table row shows (getSecret): its
// name and type, nothing of its data or metadata.
func reduceSecret(s *corev1.Secret, _ *interner) corev1.Secret {
	return corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: s.Namespace, Name: s.Name}, Type: s.Type}
}

func (p *Pod) ref() ObjectRef { return ObjectRef{p.Namespace, p.Name, p.Meta} }

func (s *Service) ref() ObjectRef { return ObjectRef{s.Namespace, s.Name, s.Meta} }

func (np *NetworkPolicy) ref() ObjectRef { return ObjectRef{np.Namespace, np.Name, np.Meta} }
