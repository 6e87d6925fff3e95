package flux

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
)

// ReconcileNow asks the controllers to fetch the GitRepository repo and
// apply the Kustomization ks, both in flux-system, at once rather than at
// their next interval, as 'flux reconcile ks KS --with-source' does: it
// stamps Flux's reconcile.fluxcd.io/requestedAt annotation on both.
func ReconcileNow(ctx context.Context, cfg *rest.Config, repo, ks string) error {
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	patch := []byte(fmt.Sprintf(`{"metadata":{"annotations":{"reconcile.fluxcd.io/requestedAt":%q}}}`, now))
	for _, o := range []struct {
		gvr  schema.GroupVersionResource
		name string
	}{
		{schema.GroupVersionResource{Group: "source.toolkit.fluxcd.io", Version: "v1", Resource: "gitrepositories"}, repo},
		{schema.GroupVersionResource{Group: "kustomize.toolkit.fluxcd.io", Version: "v1", Resource: "kustomizations"}, ks},
	} {
		if _, err := dyn.Resource(o.gvr).Namespace("flux-system").Patch(ctx, o.name, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
			return err
		}
	}
	return nil
}
