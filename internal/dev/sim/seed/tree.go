package seed

import (
	"context"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// TreeObjects builds a configured cluster-manifests folder the way Flux's
// kustomize-controller does when no kustomization.yaml sits at its root:
// every sub-folder holding one, and only what each lists.
func TreeObjects(dir string) ([]*unstructured.Unstructured, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	fs := filesys.MakeFsOnDisk()
	var out []*unstructured.Unstructured
	for _, e := range entries {
		sub := filepath.Join(dir, e.Name())
		if !e.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(sub, "kustomization.yaml")); err != nil {
			continue
		}
		m, err := k.Run(fs, sub)
		if err != nil {
			return nil, fmt.Errorf("kustomize build %s: %w", e.Name(), err)
		}
		for _, r := range m.Resources() {
			// Through JSON: kustomize's maps hold Go ints, which
			// unstructured objects cannot copy.
			j, err := r.MarshalJSON()
			if err != nil {
				return nil, err
			}
			u := &unstructured.Unstructured{}
			if err := u.UnmarshalJSON(j); err != nil {
				return nil, fmt.Errorf("%s: %w", e.Name(), err)
			}
			out = append(out, u)
		}
	}
	return out, nil
}

// ApplyTree applies TreeObjects(dir) server-side, as Flux would, for a
// control plane that runs no Flux (envtest). With opts.SetStatus it also
// plays the controllers and kubelets there are none of: each Deployment
// replica and each DaemonSet's pod on every node it selects becomes a ready
// pod bound to a node, and the workloads report it. ResourceQuotas come
// last: without a quota controller a quota would refuse every pod.
func ApplyTree(ctx context.Context, cfg *rest.Config, dir string, opts Options) error {
	objs, err := TreeObjects(dir)
	if err != nil {
		return err
	}
	c, err := newClient(cfg)
	if err != nil {
		return err
	}
	rank := func(o *unstructured.Unstructured) int {
		switch o.GetKind() {
		case "Namespace":
			return 0
		case "ResourceQuota":
			return 2
		}
		return 1
	}
	sort.SliceStable(objs, func(i, j int) bool { return rank(objs[i]) < rank(objs[j]) })
	var nodes []corev1.Node
	if opts.SetStatus {
		var list corev1.NodeList
		if err := c.List(ctx, &list); err != nil {
			return err
		}
		nodes = list.Items
		sort.Slice(nodes, func(i, j int) bool { return nodes[i].Name < nodes[j].Name })
	}
	for _, o := range objs {
		if opts.SetStatus && o.GetKind() == "ResourceQuota" {
			// Pods of every workload exist before the first quota.
			opts.SetStatus = false
		}
		live, err := apply(ctx, c, o)
		if err != nil {
			return err
		}
		if !opts.SetStatus {
			continue
		}
		seeded := make([]seededNode, len(nodes))
		for i, n := range nodes {
			seeded[i] = seededNode{name: n.Name, labels: n.Labels}
		}
		if err := setWorkloadStatus(ctx, c, o, live, seeded); err != nil {
			return err
		}
		if err := runPods(ctx, c, live, nodes); err != nil {
			return err
		}
	}
	return nil
}

// runPods creates the ready pods the Deployment or DaemonSet o would have,
// bound to the nodes its nodeSelector picks; anything else has none.
func runPods(ctx context.Context, c client.Client, o *unstructured.Unstructured, nodes []corev1.Node) error {
	if o.GetAPIVersion() != "apps/v1" || (o.GetKind() != "Deployment" && o.GetKind() != "DaemonSet") {
		return nil
	}
	tmplObj, _, _ := unstructured.NestedMap(o.Object, "spec", "template")
	var tmpl corev1.PodTemplateSpec
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(tmplObj, &tmpl); err != nil {
		return fmt.Errorf("%s %s: %w", o.GetKind(), objName(o), err)
	}
	sel := labels.SelectorFromSet(tmpl.Spec.NodeSelector)
	var fit []string
	for _, n := range nodes {
		if sel.Matches(labels.Set(n.Labels)) {
			fit = append(fit, n.Name)
		}
	}
	if len(fit) == 0 {
		return fmt.Errorf("%s %s: no node matches its nodeSelector %s", o.GetKind(), objName(o), sel)
	}
	owner := metav1.OwnerReference{APIVersion: "apps/v1", Kind: o.GetKind(), Name: o.GetName(), UID: o.GetUID(),
		Controller: ptr(true), BlockOwnerDeletion: ptr(true)}
	var placed []string
	if o.GetKind() == "DaemonSet" {
		placed = fit
	} else {
		replicas, found, _ := unstructured.NestedInt64(o.Object, "spec", "replicas")
		if !found {
			replicas = 1
		}
		// The ReplicaSet the Deployment controller would make (no such
		// object exists here; verify follows the pod's owner by name).
		owner.Kind, owner.Name = "ReplicaSet", o.GetName()+"-"+suffix(o.GetName(), 10)
		for i := range int(replicas) {
			placed = append(placed, fit[i%len(fit)])
		}
	}
	for i, node := range placed {
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{
				Name:            owner.Name + "-" + suffix(fmt.Sprint(node, i), 5),
				Namespace:       o.GetNamespace(),
				Labels:          tmpl.Labels,
				Annotations:     tmpl.Annotations,
				OwnerReferences: []metav1.OwnerReference{owner},
			},
			Spec: tmpl.Spec,
		}
		pod.Spec.NodeName = node
		if err := c.Create(ctx, pod, client.FieldOwner(FieldManager)); err != nil {
			if !apierrors.IsAlreadyExists(err) {
				return fmt.Errorf("creating pod %s/%s: %w", pod.Namespace, pod.Name, err)
			}
			if err := c.Get(ctx, client.ObjectKeyFromObject(pod), pod); err != nil {
				return err
			}
		}
		if pod.Status.Phase == corev1.PodRunning {
			continue
		}
		at := metav1.Now()
		pod.Status = corev1.PodStatus{Phase: corev1.PodRunning, StartTime: &at, Conditions: []corev1.PodCondition{
			{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: at},
			{Type: corev1.PodInitialized, Status: corev1.ConditionTrue, LastTransitionTime: at},
			{Type: corev1.ContainersReady, Status: corev1.ConditionTrue, LastTransitionTime: at},
			{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: at},
		}}
		if err := c.Status().Update(ctx, pod); err != nil {
			return fmt.Errorf("status of pod %s/%s: %w", pod.Namespace, pod.Name, err)
		}
	}
	return nil
}

// suffix is n characters of the kind Kubernetes appends to generated names,
// derived from s so a second run names the same pods.
func suffix(s string, n int) string {
	const alphabet = "bcdfghjklmnpqrstvwxz2456789"
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	v := h.Sum64()
	var b strings.Builder
	for range n {
		b.WriteByte(alphabet[v%uint64(len(alphabet))])
		v /= uint64(len(alphabet))
	}
	return b.String()
}

func ptr[T any](v T) *T { return &v }
