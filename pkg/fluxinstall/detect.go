package fluxinstall

import (
	"context"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/aksbaseline/kubectl-aksbaseline/manifests"
)

// Labels Flux tooling reads off the GitRepository CRD to tell who installed Flux.
const (
	labelManagedBy = "app.kubernetes.io/managed-by"
	// extensionCRD is the AKS microsoft.flux extension's own API.
	extensionCRD = "fluxconfigs.clusterconfig.azure.com"
	// gitRepositoryCRD is where 'flux check' reads the distribution labels.
	gitRepositoryCRD = "gitrepositories.source.toolkit.fluxcd.io"
)

// RefusedError is a cluster bootstrap does not install on unless forced: a
// Flux another installer manages, or a Kubernetes older than the embedded
// Flux supports. Nothing has been written when it is returned.
type RefusedError struct {
	msg string
	// forced is the warning printed when --force goes ahead anyway.
	forced string
}

func (e *RefusedError) Error() string { return e.msg }

// foreign explains why bootstrap will not take over a Flux that another
// installer manages: both would fight over the same objects, and the other
// installer would undo our changes on its next upgrade.
func foreign(manager, reason string) *RefusedError {
	return &RefusedError{
		msg: fmt.Sprintf("Flux on this cluster is managed by %s (%s): bootstrap would take over objects that %s keeps reconciling, "+
			"and its next upgrade would undo ours. Remove that installation first, or pass --force to take ownership anyway", manager, reason, manager),
		forced: fmt.Sprintf("taking over Flux managed by %s (%s)", manager, reason),
	}
}

var crdGVK = schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"}

// detectForeign looks for a Flux installed by the AKS microsoft.flux
// extension or by Helm (or any other manager). It returns a *RefusedError,
// nil when the cluster has no Flux or one that bootstrap (or the Flux CLI)
// put there, or an access error. Reading CRDs needs only metadata.
func detectForeign(ctx context.Context, c client.Reader) error {
	ext := &metav1.PartialObjectMetadata{}
	ext.SetGroupVersionKind(crdGVK)
	switch err := c.Get(ctx, client.ObjectKey{Name: extensionCRD}, ext); {
	case err == nil:
		return foreign("the AKS microsoft.flux extension", "its CustomResourceDefinition "+extensionCRD+" exists")
	case !apierrors.IsNotFound(err):
		return err
	}
	gr := &metav1.PartialObjectMetadata{}
	gr.SetGroupVersionKind(crdGVK)
	switch err := c.Get(ctx, client.ObjectKey{Name: gitRepositoryCRD}, gr); {
	case apierrors.IsNotFound(err):
		return nil
	case err != nil:
		return err
	}
	labels := gr.GetLabels()
	if m := labels[labelManagedBy]; m != "" && m != "flux" && m != fieldManager {
		name := m
		if m == "Helm" {
			if rel := gr.GetAnnotations()["meta.helm.sh/release-name"]; rel != "" {
				name = fmt.Sprintf("Helm (release %q)", rel)
			}
		}
		return foreign(name, fmt.Sprintf("CustomResourceDefinition %s is labelled %s=%s", gitRepositoryCRD, labelManagedBy, m))
	}
	for k := range labels {
		if strings.HasPrefix(k, "clusterconfig.azure.com/") {
			return foreign("the AKS microsoft.flux extension", fmt.Sprintf("CustomResourceDefinition %s carries the extension's label %s", gitRepositoryCRD, k))
		}
	}
	return nil
}

// checkKubernetesVersion refuses a server older than the embedded Flux
// supports (manifests.KubernetesMinimum): its controllers would crash-loop
// on APIs the server lacks, long after the apply looked fine. A version it
// cannot parse is refused the same way.
func checkKubernetesVersion(gitVersion string) error {
	ok, err := manifests.SupportsKubernetes(gitVersion)
	if err != nil {
		return &RefusedError{msg: err.Error(), forced: err.Error()}
	}
	if !ok {
		msg := fmt.Sprintf("Kubernetes %s is too old for Flux %s, which needs %s: upgrade the cluster (or pass --force to apply anyway)",
			strings.TrimPrefix(gitVersion, "v"), manifests.FluxVersion, manifests.KubernetesMinimum)
		return &RefusedError{msg: msg, forced: msg}
	}
	return nil
}
