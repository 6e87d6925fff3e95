package fluxinstall

import (
	"context"
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/aksbaseline/kubectl-aksbaseline/manifests"
)

// embeddedCRDs indexes the CRDs of every embedded component, once.
var embeddedCRDs = sync.OnceValues(func() (crdIndex, error) {
	s, err := loadEmbedded(manifests.ComponentNames())
	if err != nil {
		return nil, err
	}
	return indexCRDs(s.objects)
})

// MoveManifest returns a Flux object as a file holds it moved to the
// version the embedded install stores its kind at, as the upgrade moves
// the cluster's objects: the fields the new API replaced rewritten, those
// it dropped removed, both named. An object whose version the embedded
// install serves, or of a kind it does not carry, comes back as it is.
func MoveManifest(u *unstructured.Unstructured) (moved *unstructured.Unstructured, dropped, converted []string, err error) {
	idx, err := embeddedCRDs()
	if err != nil {
		return nil, nil, nil, err
	}
	gvk := u.GroupVersionKind()
	target, ok := idx[gvk.GroupKind()]
	if !ok {
		return u, nil, nil, nil
	}
	to := ""
	for _, v := range target.Spec.Versions {
		if v.Name == gvk.Version && v.Served {
			return u, nil, nil, nil
		}
		if v.Storage {
			to = v.Name
		}
	}
	m, err := moveObject(u, target, to)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", objectRef(u), err)
	}
	if errs := validateCustomResource(context.Background(), target, m.moved); len(errs) > 0 {
		return nil, nil, nil, fmt.Errorf("%s at %s: %s", objectRef(u), m.moved.GetAPIVersion(), formatFieldErrors(errs))
	}
	return m.moved, m.dropped, m.converted, nil
}
