package cluster

import (
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
)

// Node is what the checks read of a node. A corev1.Node, even slimmed,
// costs kilobytes (its label map alone about two); 5,000 of them were a
// third of verify's heap. This keeps under two hundred bytes a node: its
// labels, taints and condition are shared with the other nodes of its pool.
type Node struct {
	Name string
	// Labels are all of the node's labels: the profile names which ones
	// matter (pool, mode, scope, image version, the security agents'
	// selector), so none can be dropped on read.
	Labels NodeLabels
	// Unschedulable is set on a cordoned node.
	Unschedulable bool
	// Taints keep key, value and effect; equal lists are shared.
	Taints []corev1.Taint
	// Ready is the node's first Ready condition, as a kubelet posts it; nil
	// when the node reports none.
	Ready *NodeCondition
	// KubeletVersion is status.nodeInfo.kubeletVersion.
	KubeletVersion string
	Meta
}

// NodeCondition is the status and reason of a node condition (its times
// and message go).
type NodeCondition struct {
	Status corev1.ConditionStatus
	Reason string
}

func (n *Node) ref() ObjectRef { return ObjectRef{Name: n.Name, Meta: n.Meta} }

// reduceNode keeps what checks read of n; in shares the strings that repeat
// across nodes (label keys and values, taints, versions).
func reduceNode(n *corev1.Node, in *interner) Node {
	out := Node{
		Name:           n.Name,
		Unschedulable:  n.Spec.Unschedulable,
		KubeletVersion: in.get(n.Status.NodeInfo.KubeletVersion),
		Meta:           metaOf(&n.ObjectMeta),
	}
	if len(n.Labels) > 0 {
		out.Labels = in.nodeLabels(n.Name, n.Labels)
	}
	if len(n.Spec.Taints) > 0 {
		out.Taints = in.taintList(n.Spec.Taints)
	}
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			out.Ready = in.condition(NodeCondition{Status: corev1.ConditionStatus(in.get(string(c.Status))), Reason: in.get(c.Reason)})
			break
		}
	}
	return out
}

// NodeLabels are a node's labels in two shared parts: the keys whose value
// is the node's own name (kubernetes.io/hostname), and every other pair,
// which the nodes of one pool and zone have in common. 5,000 nodes then
// share a few label sets instead of each holding its own (the labels were
// most of what a node cost). They satisfy labels.Labels, as Labels do:
// read them through Lookup, Get and Has, which see both parts.
type NodeLabels struct {
	// Pairs are the labels but those of Self, as sorted key, value pairs.
	Pairs Labels
	// Self are the sorted keys whose value is the node's name, Name.
	Self []string
	Name string
}

// NewNodeLabels returns the labels m of the node called name, as the
// reader keeps them.
func NewNodeLabels(name string, m map[string]string) NodeLabels {
	return newInterner().nodeLabels(name, m)
}

// Lookup returns the value of key and whether it is set.
func (l NodeLabels) Lookup(key string) (string, bool) {
	if v, ok := l.Pairs.Lookup(key); ok {
		return v, true
	}
	if _, ok := slices.BinarySearch(l.Self, key); ok {
		return l.Name, true
	}
	return "", false
}

// Has reports whether key is set.
func (l NodeLabels) Has(key string) bool { return has(l, key) }

// Get returns the value of key, or "".
func (l NodeLabels) Get(key string) string { return get(l, key) }

// nodeLabels splits m, the labels of the node called name, into its shared
// parts.
func (in *interner) nodeLabels(name string, m map[string]string) NodeLabels {
	keys := slices.Sorted(maps.Keys(m))
	pairs := make(Labels, 0, 2*len(keys))
	var self []string
	for _, k := range keys {
		if v := m[k]; v == name {
			self = append(self, in.get(k))
		} else {
			pairs = append(pairs, in.get(k), in.get(v))
		}
	}
	l := NodeLabels{Name: name}
	if len(pairs) > 0 {
		l.Pairs = in.labelSet(pairs)
	}
	if len(self) > 0 {
		// A list of keys is shared as a label set is: by its strings.
		l.Self = in.labelSet(self)
	}
	return l
}

// taintList returns the shared copy of ts, without the times taints were
// added.
func (in *interner) taintList(ts []corev1.Taint) []corev1.Taint {
	in.key = in.key[:0]
	for _, t := range ts {
		in.key = appendKey(appendKey(appendKey(in.key, t.Key), t.Value), string(t.Effect))
	}
	if v, ok := in.taints[string(in.key)]; ok {
		return v
	}
	out := make([]corev1.Taint, len(ts))
	for i, t := range ts {
		out[i] = corev1.Taint{Key: in.get(t.Key), Value: in.get(t.Value), Effect: corev1.TaintEffect(in.get(string(t.Effect)))}
	}
	in.taints[string(in.key)] = out
	return out
}

// condition returns the shared copy of c.
func (in *interner) condition(c NodeCondition) *NodeCondition {
	if v, ok := in.conditions[c]; ok {
		return v
	}
	v := &c
	in.conditions[c] = v
	return v
}
