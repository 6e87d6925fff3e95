package crd

import (
	"context"
	"fmt"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Flux names the CRDs of the kinds the local Flux controllers watch: they
// exit when one is not served, so they start only once these are
// established.
var Flux = []string{
	"gitrepositories.source.toolkit.fluxcd.io",
	"kustomizations.kustomize.toolkit.fluxcd.io",
}

// WaitEstablished polls every interval until each CRD of names reports
// Established, or ctx ends; the error then names the first CRD still
// missing and why. c reads CRDs as unstructured objects, so any client
// works, whatever its scheme.
func WaitEstablished(ctx context.Context, c client.Reader, interval time.Duration, names ...string) error {
	var pending, last string
	err := wait.PollUntilContextCancel(ctx, interval, true, func(ctx context.Context) (bool, error) {
		for _, name := range names {
			if ok, why := Established(ctx, c, name); !ok {
				pending, last = name, why
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("CRD %s: %s: %w", pending, last, err)
	}
	return nil
}

// Established reads the CRD name once and says whether it is Established
// and, when not, why.
func Established(ctx context.Context, c client.Reader, name string) (bool, string) {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion(apiextensionsv1.SchemeGroupVersion.String())
	u.SetKind("CustomResourceDefinition")
	if err := c.Get(ctx, client.ObjectKey{Name: name}, u); err != nil {
		return false, err.Error()
	}
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == string(apiextensionsv1.Established) && m["status"] == string(apiextensionsv1.ConditionTrue) {
			return true, ""
		}
	}
	return false, "not Established"
}
