package cluster

import (
	"context"
	"fmt"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
)

// descriptor is everything verify knows of one resource type: how to read
// it, what an item is reduced to, the kind of its objects and how each item
// is named in the evidence inventory. The Reader, Snapshot.Add (which
// clustertest's fixture builder uses) and Snapshot.Identities all go
// through it, so a snapshot read from a cluster and one built from objects
// hold the same reductions.
type descriptor struct {
	resource Resource
	// kind of the type's objects; a constraint's is any kind of its group.
	// Zero for what holds no objects (the server's version).
	kind schema.GroupVersionKind
	// named types are read one asked-for object at a time (Request.Named),
	// never listed.
	named bool
	// read fetches the type and returns how it went and what to keep;
	// nil for the custom types, which readCustom reads together after one
	// discovery request.
	read func(ctx context.Context, rd *Reader, q Request) (ReadStatus, func(*Snapshot))
	// add keeps u, an object of kind, reduced as read reduces its items.
	add func(s *Snapshot, u *unstructured.Unstructured) error
	// each yields every item of the type s holds.
	each func(s *Snapshot, yield func(ObjectRef))
}

func gvk(group, version, kind string) schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: group, Version: version, Kind: kind}
}

// descriptors are the types verify reads, one each.
var descriptors = []descriptor{
	{resource: ServerVersion, read: readVersion},
	{resource: ClusterIdentity, read: readClusterIdentity, each: func(s *Snapshot, yield func(ObjectRef)) {
		if k := s.KubeSystem; k != nil && !s.HasNamespace(k.Name) {
			yield(*k)
		}
	}},
	listed(Nodes, gvk("", "v1", "Node"), core, func(l *corev1.NodeList) []corev1.Node { return l.Items },
		slot[corev1.Node, Node]{field: func(s *Snapshot) *[]Node { return &s.Nodes }, reduce: reduceNode, ref: (*Node).ref}),
	metadataListed(Namespaces, gvk("", "v1", "Namespace"), func(s *Snapshot) *[]ObjectRef { return &s.Namespaces }, byName),
	listed(Pods, gvk("", "v1", "Pod"), core, func(l *corev1.PodList) []corev1.Pod { return l.Items },
		slot[corev1.Pod, Pod]{field: func(s *Snapshot) *[]Pod { return &s.Pods }, reduce: reducePod, ref: (*Pod).ref}),
	listed(Services, gvk("", "v1", "Service"), core, func(l *corev1.ServiceList) []corev1.Service { return l.Items },
		slot[corev1.Service, Service]{field: func(s *Snapshot) *[]Service { return &s.Services }, reduce: reduceService, ref: (*Service).ref}),
	listed(NetworkPolicies, gvk("networking.k8s.io", "v1", "NetworkPolicy"), func(rd *Reader) rest.Interface { return rd.typed.NetworkingV1().RESTClient() },
		func(l *networkingv1.NetworkPolicyList) []networkingv1.NetworkPolicy { return l.Items },
		slot[networkingv1.NetworkPolicy, NetworkPolicy]{field: func(s *Snapshot) *[]NetworkPolicy { return &s.NetworkPolicies }, reduce: reduceNetworkPolicy, ref: (*NetworkPolicy).ref}),
	metadataListed(ResourceQuotas, gvk("", "v1", "ResourceQuota"), func(s *Snapshot) *[]ObjectRef { return &s.ResourceQuotas }, nil),
	metadataListed(LimitRanges, gvk("", "v1", "LimitRange"), func(s *Snapshot) *[]ObjectRef { return &s.LimitRanges }, nil),
	named(ServiceAccounts, gvk("", "v1", "ServiceAccount"), getServiceAccount,
		slot[corev1.ServiceAccount, corev1.ServiceAccount]{field: func(s *Snapshot) *[]corev1.ServiceAccount { return &s.ServiceAccounts },
			reduce: dropManagedFields[corev1.ServiceAccount], ref: refOf[corev1.ServiceAccount], compare: byKey[corev1.ServiceAccount]}),
	named(Secrets, gvk("", "v1", "Secret"), getSecret,
		slot[corev1.Secret, corev1.Secret]{field: func(s *Snapshot) *[]corev1.Secret { return &s.Secrets }, reduce: reduceSecret,
			ref: refOf[corev1.Secret], compare: byKey[corev1.Secret], scrub: []string{"data", "stringData"}}),
	listed(Deployments, gvk("apps", "v1", "Deployment"), apps, func(l *appsv1.DeploymentList) []appsv1.Deployment { return l.Items },
		slot[appsv1.Deployment, appsv1.Deployment]{field: func(s *Snapshot) *[]appsv1.Deployment { return &s.Deployments },
			reduce: slimDeployment, ref: refOf[appsv1.Deployment]}),
	listed(DaemonSets, gvk("apps", "v1", "DaemonSet"), apps, func(l *appsv1.DaemonSetList) []appsv1.DaemonSet { return l.Items },
		slot[appsv1.DaemonSet, appsv1.DaemonSet]{field: func(s *Snapshot) *[]appsv1.DaemonSet { return &s.DaemonSets },
			reduce: slimDaemonSet, ref: refOf[appsv1.DaemonSet]}),
	listed(CRDs, gvk("apiextensions.k8s.io", "v1", "CustomResourceDefinition"), func(rd *Reader) rest.Interface { return rd.ext.ApiextensionsV1().RESTClient() },
		func(l *apiextensionsv1.CustomResourceDefinitionList) []apiextensionsv1.CustomResourceDefinition {
			return l.Items
		},
		slot[apiextensionsv1.CustomResourceDefinition, apiextensionsv1.CustomResourceDefinition]{field: func(s *Snapshot) *[]apiextensionsv1.CustomResourceDefinition { return &s.CRDs },
			reduce: slimCRD, ref: refOf[apiextensionsv1.CustomResourceDefinition]}),
	custom(ConstraintTemplates, "ConstraintTemplate"),
	custom(Constraints, ""),
	custom(AzureIdentities, "AzureIdentity"),
	custom(AzureIdentityBindings, "AzureIdentityBinding"),
	custom(SecretProviderClasses, "SecretProviderClass"),
	custom(GitRepositories, "GitRepository"),
	custom(Kustomizations, "Kustomization"),
}

func core(rd *Reader) rest.Interface { return rd.typed.CoreV1().RESTClient() }
func apps(rd *Reader) rest.Interface { return rd.typed.AppsV1().RESTClient() }

// Types lists every resource type a snapshot can hold objects of or a
// status for, in the order verify describes them.
func Types() []Resource {
	out := make([]Resource, 0, len(descriptors)+1)
	for _, d := range descriptors {
		out = append(out, d.resource)
	}
	return append(out, Kubeconfig)
}

// CustomTypes lists the types a CRD serves: a cluster without the CRD
// answers NotFound for them.
func CustomTypes() []Resource {
	var out []Resource
	for _, d := range descriptors {
		if d.custom() {
			out = append(out, d.resource)
		}
	}
	return out
}

func (d *descriptor) custom() bool { return d.read == nil }

// wanted reports whether q asks for d's type.
func (d *descriptor) wanted(q Request) bool {
	if d.named {
		return len(q.Named[d.resource]) > 0
	}
	return q.Resources[d.resource]
}

// holds reports whether objects of kind k are d's.
func (d *descriptor) holds(k schema.GroupVersionKind) bool {
	if d.kind.Empty() || d.kind.Group != k.Group {
		return false
	}
	return d.kind.Kind == "" || d.kind.Kind == k.Kind
}

// Add keeps u in s as a Reader would have read it: converted to its type
// and reduced alike. It builds snapshots without a cluster (clustertest);
// an object of a kind verify does not read is an error.
func (s *Snapshot) Add(u *unstructured.Unstructured) error {
	k := u.GroupVersionKind()
	for i := range descriptors {
		if d := &descriptors[i]; d.add != nil && d.holds(k) {
			if err := d.add(s, u); err != nil {
				return fmt.Errorf("%s %s: %w", u.GetKind(), u.GetName(), err)
			}
			return nil
		}
	}
	return fmt.Errorf("%s %s: verify reads no objects of kind %s", u.GetKind(), u.GetName(), strings.TrimPrefix(k.GroupKind().String(), "."))
}

// Identity names one object a snapshot holds: its type and which version
// of it verify judged.
type Identity struct {
	APIVersion string
	Kind       string
	ObjectRef
}

// Identities lists every object s holds, by identity only (the evidence
// inventory). kube-system read for ClusterIdentity is named once.
func (s *Snapshot) Identities() []Identity {
	var out []Identity
	for i := range descriptors {
		d := &descriptors[i]
		if d.custom() {
			// Custom resources carry their own type.
			for _, u := range s.Custom[d.resource] {
				out = append(out, Identity{u.GetAPIVersion(), u.GetKind(), unstructuredRef(&u)})
			}
			continue
		}
		if d.each == nil {
			continue
		}
		apiVersion, kind := d.kind.GroupVersion().String(), d.kind.Kind
		if d.resource == ClusterIdentity {
			apiVersion, kind = "v1", "Namespace"
		}
		d.each(s, func(r ObjectRef) { out = append(out, Identity{apiVersion, kind, r}) })
	}
	return out
}

// custom is a type a CRD serves, read through discovery and the dynamic
// client, and kept whole but for its managed fields. kind "" stands for
// every kind of the type's group (the constraints).
func custom(r Resource, kind string) descriptor {
	group := r.Group()
	if r == Constraints {
		group = ConstraintsGroup
	}
	return descriptor{resource: r, kind: schema.GroupVersionKind{Group: group, Kind: kind},
		add: func(s *Snapshot, u *unstructured.Unstructured) error {
			u = u.DeepCopy()
			unstructured.RemoveNestedField(u.Object, "metadata", "managedFields")
			s.Custom[r] = append(s.Custom[r], *u)
			return nil
		}}
}

func unstructuredRef(u *unstructured.Unstructured) ObjectRef {
	return ObjectRef{Namespace: u.GetNamespace(), Name: u.GetName(), Meta: Meta{u.GetUID(), u.GetResourceVersion()}}
}

func byName(a, b *ObjectRef) int { return strings.Compare(a.Name, b.Name) }

// byKey orders named objects by namespace and name: their gets finish in
// any order, and the snapshot is deterministic.
func byKey[T any, PT interface {
	*T
	GetNamespace() string
	GetName() string
}](a, b *T) int {
	if c := strings.Compare(PT(a).GetNamespace(), PT(b).GetNamespace()); c != 0 {
		return c
	}
	return strings.Compare(PT(a).GetName(), PT(b).GetName())
}

// sorted returns items ordered by compare, or as they are when it is nil.
func sorted[O any](items []O, compare func(a, b *O) int) []O {
	if compare != nil {
		slices.SortFunc(items, func(a, b O) int { return compare(&a, &b) })
	}
	return items
}
