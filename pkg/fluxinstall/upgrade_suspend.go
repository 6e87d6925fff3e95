package fluxinstall

import (
	"context"
	"encoding/json"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// annotationSuspended marks the Kustomization the upgrade suspended, so
// that a re-run after an interruption resumes it, and never one a person
// suspended.
const annotationSuspended = "aksbaseline.io/suspended-for-upgrade"

// upgradeManager is the field manager of the suspend and resume: apart
// from bootstrap's own, so applying the sync objects never touches
// spec.suspend.
const upgradeManager = "aksbaseline-upgrade"

const kustomizationCRD = "kustomizations.kustomize.toolkit.fluxcd.io"

// kustomizationGVK is the Kustomization at the live CRD's storage version:
// the one version certain to be served whatever step the upgrade is at.
func (in *installer) kustomizationGVK(ctx context.Context) (schema.GroupVersionKind, error) {
	crd := &unstructured.Unstructured{}
	crd.SetGroupVersionKind(crdGVK)
	if err := in.client.Get(ctx, client.ObjectKey{Name: kustomizationCRD}, crd); err != nil {
		return schema.GroupVersionKind{}, err
	}
	v := storageVersion(crd)
	if v == "" {
		return schema.GroupVersionKind{}, fmt.Errorf("CustomResourceDefinition %s has no storage version", kustomizationCRD)
	}
	return schema.GroupVersionKind{Group: "kustomize.toolkit.fluxcd.io", Version: v, Kind: "Kustomization"}, nil
}

// getManager reads the Kustomization key; nil when it does not exist.
func (in *installer) getManager(ctx context.Context, key types.NamespacedName) (*unstructured.Unstructured, error) {
	gvk, err := in.kustomizationGVK(ctx)
	if err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	ks := &unstructured.Unstructured{}
	ks.SetGroupVersionKind(gvk)
	if err := in.client.Get(ctx, client.ObjectKey(key), ks); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	return ks, nil
}

// setSuspended suspends (and marks) or resumes (and unmarks) the
// Kustomization key with a merge patch; it returns the patched object.
func (in *installer) setSuspended(ctx context.Context, key types.NamespacedName, suspend bool) (*unstructured.Unstructured, error) {
	gvk, err := in.kustomizationGVK(ctx)
	if err != nil {
		return nil, err
	}
	var mark any // null removes the annotation
	if suspend {
		mark = "true"
	}
	body, err := json.Marshal(map[string]any{
		"metadata": map[string]any{"annotations": map[string]any{annotationSuspended: mark}},
		"spec":     map[string]any{"suspend": suspend},
	})
	if err != nil {
		return nil, err
	}
	ks := &unstructured.Unstructured{}
	ks.SetGroupVersionKind(gvk)
	ks.SetNamespace(key.Namespace)
	ks.SetName(key.Name)
	if err := in.client.Patch(ctx, ks, client.RawPatch(types.MergePatchType, body), client.FieldOwner(upgradeManager)); err != nil {
		return nil, fmt.Errorf("%s Kustomization %s: %w", map[bool]string{true: "suspending", false: "resuming"}[suspend], key, err)
	}
	in.wrote.Store(true)
	return ks, nil
}
