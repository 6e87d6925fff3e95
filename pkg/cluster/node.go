package cluster

import (
	corev1 "k8s.io/api/core/v1"
)

// Node is what the checks read of a node. A corev1.Node, even slimmed,
// costs kilobytes (its label map alone about two); 5,000 of them were a
// third of verify's heap. This keeps a few hundred bytes a node, most of it
// the label pairs, whose strings are shared with every other node's.
type Node struct {
	Name string
	// Labels are all of the node's labels: the profile names which ones
	// matter (pool, mode, scope, image version, the security agents'
	// selector), so none can be dropped on read.
	Labels Labels
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
		out.Labels = reduceLabels(n.Labels, in)
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
