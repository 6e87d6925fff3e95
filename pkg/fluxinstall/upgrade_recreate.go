package fluxinstall

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

var (
	deploymentGVK = schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}
	replicaSetGVK = schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "ReplicaSetList"}
)

// selectorChanges lists the set's Deployments whose live spec.selector
// differs from the set's: the field is immutable, so an apply would be
// refused (the reference pinned its controllers' selectors to the
// out-of-scope pool; the embedded install does not).
func (in *installer) selectorChanges(ctx context.Context, set *Set) (map[string]bool, error) {
	out := map[string]bool{}
	for _, o := range set.objects {
		if o.GroupVersionKind() != deploymentGVK {
			continue
		}
		live := &unstructured.Unstructured{}
		live.SetGroupVersionKind(deploymentGVK)
		ns := o.GetNamespace()
		if ns == "" {
			continue // the default namespace is decided in validate; a new object anyway
		}
		if err := in.client.Get(ctx, client.ObjectKey{Namespace: ns, Name: o.GetName()}, live); err != nil {
			if apierrors.IsNotFound(err) {
				continue
			}
			return nil, err
		}
		if selectorDiffers(live, o.Unstructured) {
			out[o.ref()] = true
		}
	}
	return out, nil
}

// selectorDiffers reports whether the live Deployment's spec.selector is
// not the desired one's.
func selectorDiffers(live, desired *unstructured.Unstructured) bool {
	have, _, _ := unstructured.NestedFieldNoCopy(live.Object, "spec", "selector")
	want, _, _ := unstructured.NestedFieldNoCopy(desired.Object, "spec", "selector")
	return !equality.Semantic.DeepEqual(have, want)
}

// recreate removes the live Deployment of c and its ReplicaSets, and
// waits until they are gone, so that applying c creates it afresh rather
// than failing on the immutable selector. Deleting the ReplicaSets
// ourselves, not leaving them to the garbage collector, keeps their pods
// (labelled for the old selector) from lingering beside the new ones.
// Idempotent: a Deployment already gone, or already carrying the new
// selector, is left alone.
func (in *installer) recreate(ctx context.Context, c *change, deadline time.Time) error {
	o := c.obj
	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(deploymentGVK)
	key := client.ObjectKey{Namespace: o.GetNamespace(), Name: o.GetName()}
	if err := in.client.Get(ctx, key, live); err != nil {
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	}
	if !selectorDiffers(live, o.Unstructured) {
		return nil
	}
	uid := live.GetUID()
	bg := metav1.DeletePropagationBackground
	if err := in.client.Delete(ctx, live, client.Preconditions{UID: &uid}, client.PropagationPolicy(bg)); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting %s to recreate it: %w", o.ref(), err)
	}
	in.wrote.Store(true)
	rss := &unstructured.UnstructuredList{}
	rss.SetGroupVersionKind(replicaSetGVK)
	if err := in.client.List(ctx, rss, client.InNamespace(o.GetNamespace())); err != nil {
		return err
	}
	for i := range rss.Items {
		rs := &rss.Items[i]
		for _, ref := range rs.GetOwnerReferences() {
			if ref.UID == uid {
				if err := in.client.Delete(ctx, rs, client.PropagationPolicy(bg)); err != nil && !apierrors.IsNotFound(err) {
					return fmt.Errorf("deleting ReplicaSet %s/%s of %s: %w", rs.GetNamespace(), rs.GetName(), o.ref(), err)
				}
			}
		}
	}
	wctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	err := in.pollSoon(wctx, func(ctx context.Context) (bool, error) {
		d := &metav1.PartialObjectMetadata{}
		d.SetGroupVersionKind(deploymentGVK)
		err := in.client.Get(ctx, key, d)
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return err == nil && d.UID != uid, err
	})
	if err != nil {
		return &TimeoutError{What: "the old " + o.ref() + " to be deleted", Pending: []string{o.ref()}}
	}
	return nil
}
