package fluxinstall

import (
	"context"
	"fmt"

	"github.com/blang/semver/v4"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/aksbaseline/kubectl-aksbaseline/manifests"
)

// Labels kustomize-controller sets on what a Kustomization applies.
const (
	labelKustomizationName      = "kustomize.toolkit.fluxcd.io/name"
	labelKustomizationNamespace = "kustomize.toolkit.fluxcd.io/namespace"
)

// gitRepositoryLabels reads the labels of the live GitRepository CRD, by
// which installedFlux and fluxManager find their answers; nil when there
// is no such CRD.
func (in *installer) gitRepositoryLabels(ctx context.Context) (map[string]string, error) {
	crd := &metav1.PartialObjectMetadata{}
	crd.SetGroupVersionKind(crdGVK)
	if err := in.client.Get(ctx, client.ObjectKey{Name: gitRepositoryCRD}, crd); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	if l := crd.GetLabels(); l != nil {
		return l, nil
	}
	return map[string]string{}, nil // there, unlabelled (v0.8.1)
}

// installedFlux tells the Flux version on the cluster: the GitRepository
// CRD's app.kubernetes.io/version label (Flux 0.9 and later set it), else
// the source-controller image tag (v0.8.1 tagged its controllers with the
// release; it labelled nothing with a version). "" when there is no Flux
// (crdLabels nil: no GitRepository CRD) or neither says.
func (in *installer) installedFlux(ctx context.Context, crdLabels map[string]string) (version, from string, err error) {
	if crdLabels == nil {
		return "", "", nil
	}
	if v := crdLabels["app.kubernetes.io/version"]; v != "" {
		return v, "the label app.kubernetes.io/version of CustomResourceDefinition " + gitRepositoryCRD, nil
	}
	d := &unstructured.Unstructured{}
	d.SetGroupVersionKind(schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"})
	switch err := in.client.Get(ctx, client.ObjectKey{Namespace: manifests.Namespace, Name: "source-controller"}, d); {
	case apierrors.IsNotFound(err):
		return "", "", nil
	case err != nil:
		return "", "", err
	}
	cs, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
	for _, c := range cs {
		m, _ := c.(map[string]any)
		img, _ := m["image"].(string)
		if tag := manifests.ImageTag(img); tag != "" {
			if _, err := semver.ParseTolerant(tag); err == nil {
				return tag, "the image tag of Deployment " + manifests.Namespace + "/source-controller", nil
			}
		}
	}
	return "", "", nil
}

// checkNotNewer refuses to install Flux target over a newer installed one:
// a downgrade, whose CRDs may lack versions the cluster stores objects at.
func checkNotNewer(installed, target string) error {
	have, err1 := semver.ParseTolerant(installed)
	want, err2 := semver.ParseTolerant(target)
	if err1 != nil || err2 != nil || !have.GT(want) {
		return nil
	}
	msg := fmt.Sprintf("Flux %s on this cluster is newer than Flux %s, which bootstrap would install: that would downgrade it. Use a release of this tool that carries Flux %s or later, or pass --force to downgrade anyway", installed, target, installed)
	return &RefusedError{msg: msg, forced: fmt.Sprintf("downgrading Flux %s to %s", installed, target)}
}

// fluxManager finds the Kustomization that applies Flux's own manifests
// from Git (the reference's flux-system, reconciling ./cluster-manifests
// with the flux-system folder in it): kustomize-controller labels what it
// applies with the Kustomization's name and namespace, and the
// GitRepository CRD is among them. resume says bootstrap may resume it at
// the end: it is not suspended, or a previous run of the upgrade
// suspended it (leftSuspended: it says so in an annotation). crdLabels
// are the GitRepository CRD's.
func (in *installer) fluxManager(ctx context.Context, crdLabels map[string]string) (key *types.NamespacedName, resume, leftSuspended bool, err error) {
	name, ns := crdLabels[labelKustomizationName], crdLabels[labelKustomizationNamespace]
	if name == "" || ns == "" {
		return nil, false, false, nil
	}
	ks, err := in.getManager(ctx, types.NamespacedName{Namespace: ns, Name: name})
	if err != nil || ks == nil {
		return nil, false, false, err
	}
	suspended, _, _ := unstructured.NestedBool(ks.Object, "spec", "suspend")
	leftSuspended = suspended && ks.GetAnnotations()[annotationSuspended] == "true"
	return &types.NamespacedName{Namespace: ns, Name: name}, !suspended || leftSuspended, leftSuspended, nil
}
