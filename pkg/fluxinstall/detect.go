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
	labelVersion   = "app.kubernetes.io/version"
	// extensionCRD is the AKS microsoft.flux extension's own API.
	extensionCRD = "fluxconfigs.clusterconfig.azure.com"
	// gitRepositoryCRD is where 'flux check' reads the distribution labels.
	gitRepositoryCRD = "gitrepositories.source.toolkit.fluxcd.io"
)

// ForeignError explains why bootstrap will not take over a Flux that another
// installer manages: both would fight over the same objects, and the other
// installer would undo our changes on its next upgrade.
type ForeignError struct {
	Manager string
	Reason  string
}

func (e *ForeignError) Error() string {
	return fmt.Sprintf("Flux on this cluster is managed by %s (%s): bootstrap would take over objects that %s keeps reconciling, "+
		"and its next upgrade would undo ours. Remove that installation first, or pass --force to take ownership anyway", e.Manager, e.Reason, e.Manager)
}

var crdGVK = schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"}

// DetectForeign looks for a Flux installed by the AKS microsoft.flux
// extension or by Helm (or any other manager). It returns a *ForeignError, nil
// when the cluster has no Flux or one that bootstrap (or the Flux CLI) put
// there, or an access error. Reading CRDs needs only metadata.
func DetectForeign(ctx context.Context, c client.Reader) error {
	ext := &metav1.PartialObjectMetadata{}
	ext.SetGroupVersionKind(crdGVK)
	switch err := c.Get(ctx, client.ObjectKey{Name: extensionCRD}, ext); {
	case err == nil:
		return &ForeignError{Manager: "the AKS microsoft.flux extension", Reason: "its CustomResourceDefinition " + extensionCRD + " exists"}
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
	if m := labels[labelManagedBy]; m != "" && m != "flux" && m != FieldManager {
		name := m
		if m == "Helm" {
			name = "Helm"
			if rel := gr.GetAnnotations()["meta.helm.sh/release-name"]; rel != "" {
				name = fmt.Sprintf("Helm (release %q)", rel)
			}
		}
		return &ForeignError{Manager: name, Reason: fmt.Sprintf("CustomResourceDefinition %s is labelled %s=%s", gitRepositoryCRD, labelManagedBy, m)}
	}
	for k := range labels {
		if strings.HasPrefix(k, "clusterconfig.azure.com/") {
			return &ForeignError{Manager: "the AKS microsoft.flux extension", Reason: fmt.Sprintf("CustomResourceDefinition %s carries the extension's label %s", gitRepositoryCRD, k)}
		}
	}
	return nil
}

// CheckKubernetesVersion refuses a server older than the embedded Flux
// supports (manifests.KubernetesMinimum): its controllers would crash-loop
// on APIs the server lacks, long after the apply looked fine.
func CheckKubernetesVersion(gitVersion string) error {
	ok, err := manifests.SupportsKubernetes(gitVersion)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("Kubernetes %s is too old for Flux %s, which needs %s: upgrade the cluster (or pass --force to apply anyway)",
			strings.TrimPrefix(gitVersion, "v"), manifests.FluxVersion, manifests.KubernetesMinimum)
	}
	return nil
}
