package evidence

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
)

// Inventory lists every object a snapshot holds, by identity only. The
// reader keeps typed objects without their TypeMeta, so their type comes
// from the field they were read into; custom resources carry their own.
func Inventory(s *cluster.Snapshot) []InventoryItem {
	if s == nil {
		return nil
	}
	var out []InventoryItem
	add := func(apiVersion, kind, ns, name string, m cluster.Meta) {
		out = append(out, InventoryItem{APIVersion: apiVersion, Kind: kind, Namespace: ns, Name: name, UID: string(m.UID), ResourceVersion: m.ResourceVersion})
	}
	for _, o := range s.Namespaces {
		add("v1", "Namespace", "", o.Name, o.Meta)
	}
	if k := s.KubeSystem; k != nil && !s.HasNamespace(k.Name) {
		add("v1", "Namespace", "", k.Name, k.Meta)
	}
	for i := range s.Nodes {
		out = append(out, Item(schema.GroupVersionKind{Group: "", Version: "v1", Kind: "Node"}, &s.Nodes[i]))
	}
	for _, p := range s.Pods {
		add("v1", "Pod", p.Namespace, p.Name, p.Meta)
	}
	for _, sv := range s.Services {
		add("v1", "Service", sv.Namespace, sv.Name, sv.Meta)
	}
	for _, np := range s.NetworkPolicies {
		add("networking.k8s.io/v1", "NetworkPolicy", np.Namespace, np.Name, np.Meta)
	}
	for _, o := range s.ResourceQuotas {
		add("v1", "ResourceQuota", o.Namespace, o.Name, o.Meta)
	}
	for _, o := range s.LimitRanges {
		add("v1", "LimitRange", o.Namespace, o.Name, o.Meta)
	}
	for i := range s.ServiceAccounts {
		out = append(out, Item(schema.GroupVersionKind{Group: "", Version: "v1", Kind: "ServiceAccount"}, &s.ServiceAccounts[i]))
	}
	// A Secret is named, never its data: the reader dropped it on read.
	for i := range s.Secrets {
		out = append(out, Item(schema.GroupVersionKind{Group: "", Version: "v1", Kind: "Secret"}, &s.Secrets[i]))
	}
	for i := range s.Deployments {
		out = append(out, Item(schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, &s.Deployments[i]))
	}
	for i := range s.DaemonSets {
		out = append(out, Item(schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "DaemonSet"}, &s.DaemonSets[i]))
	}
	for i := range s.CRDs {
		out = append(out, Item(schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"}, &s.CRDs[i]))
	}
	for _, items := range s.Custom {
		for i := range items {
			out = append(out, custom(&items[i]))
		}
	}
	return out
}

func custom(u *unstructured.Unstructured) InventoryItem {
	return InventoryItem{APIVersion: u.GetAPIVersion(), Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName(),
		UID: string(u.GetUID()), ResourceVersion: u.GetResourceVersion()}
}
