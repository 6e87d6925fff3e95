package fluxinstall

import (
	"context"
	"fmt"
	"time"

	"github.com/fluxcd/pkg/ssa"
	ssautil "github.com/fluxcd/pkg/ssa/utils"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// nudgeAnnotation is written to a stuck CRD and removed at once: the two
// updates are what the API server needs to see, the annotation itself means
// nothing.
const nudgeAnnotation = "aksbaseline.io/establish"

// nudgeStuck finds the plan's CRDs that an earlier run created and that
// are stuck with their names accepted but not Established, and updates
// each so that the API server establishes it.
//
// The API server establishes a CRD when its informer sees the CRD change
// while NamesAccepted is True and Established is not. An API server stopped
// between those two moments (bootstrap interrupted by an outage) starts
// again with the CRD in that state and only an add event for it, so the CRD
// stays "Install in progress" until something writes to it; an unchanged
// server-side apply writes nothing. CRDs this run created or changed are
// left alone: that write is the change that leads to Established (an
// upgrade changes every CRD it moves).
func (in *installer) nudgeStuck(ctx context.Context, changes []*change) (int, error) {
	n := 0
	for _, c := range changes {
		if !ssautil.IsCRD(c.obj.Unstructured) || c.action == ssa.CreatedAction || c.action == ssa.ConfiguredAction {
			continue
		}
		live := &unstructured.Unstructured{}
		live.SetGroupVersionKind(c.obj.GroupVersionKind())
		if err := in.client.Get(ctx, client.ObjectKey{Name: c.obj.GetName()}, live); err != nil {
			if apierrors.IsNotFound(err) {
				continue
			}
			return n, err
		}
		if !stuck(live) {
			continue
		}
		in.progress.Warningf("CRD %s has its names accepted but was never established (the API server restarted in between): updating it so that the API server establishes it", live.GetName())
		for _, v := range []string{fmt.Sprintf("%q", time.Now().UTC().Format(time.RFC3339Nano)), "null"} {
			patch := []byte(fmt.Sprintf(`{"metadata":{"annotations":{%q:%s}}}`, nudgeAnnotation, v))
			if err := in.client.Patch(ctx, live, client.RawPatch(types.MergePatchType, patch), client.FieldOwner(fieldManager)); err != nil {
				return n, fmt.Errorf("updating CRD %s so that it is established: %w", live.GetName(), err)
			}
			in.wrote.Store(true)
		}
		n++
	}
	return n, nil
}

// stuck reports whether a CRD has NamesAccepted=True and Established not True.
func stuck(crd *unstructured.Unstructured) bool {
	conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
	state := map[string]any{}
	for _, c := range conds {
		if m, ok := c.(map[string]any); ok {
			if t, ok := m["type"].(string); ok {
				state[t] = m["status"]
			}
		}
	}
	return state["NamesAccepted"] == "True" && state["Established"] != "True"
}
