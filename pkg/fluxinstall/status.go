package fluxinstall

import (
	"fmt"
	"strings"

	"github.com/fluxcd/cli-utils/pkg/kstatus/polling/engine"
	"github.com/fluxcd/cli-utils/pkg/kstatus/polling/statusreaders"
	"github.com/fluxcd/cli-utils/pkg/kstatus/status"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// isFluxKind reports whether gk is one of Flux's own APIs (GitRepository,
// Kustomization, HelmRelease, ...).
func isFluxKind(gk schema.GroupKind) bool {
	return strings.HasSuffix(gk.Group, ".toolkit.fluxcd.io")
}

// fluxStatusReader computes the status of Flux objects from their Ready
// condition. Generic kstatus calls an object without conditions Current, so
// a GitRepository no controller has looked at yet would pass as synced; Flux
// objects are Current only once their controller reports Ready=True for the
// current generation, Failed when Stalled, and InProgress otherwise, with
// the Ready message (the reason a sync is not happening) as the message.
type fluxStatusReader struct{ engine.StatusReader }

func newFluxStatusReader(mapper meta.RESTMapper) engine.StatusReader {
	return fluxStatusReader{statusreaders.NewGenericStatusReader(mapper, fluxStatus)}
}

func (fluxStatusReader) Supports(gk schema.GroupKind) bool { return isFluxKind(gk) }

func fluxStatus(u *unstructured.Unstructured) (*status.Result, error) {
	if _, found := u.Object["status"]; !found && u.GetDeletionTimestamp() == nil {
		return &status.Result{Status: status.InProgressStatus, Message: "no status yet: is its controller running?"}, nil
	}
	res, err := status.Compute(u)
	if err != nil || res.Status != status.CurrentStatus {
		return res, err
	}
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if !ok || m["type"] != "Ready" {
			continue
		}
		msg, _ := m["message"].(string)
		if m["status"] == "True" {
			return &status.Result{Status: status.CurrentStatus, Message: msg}, nil
		}
		return &status.Result{Status: status.InProgressStatus, Message: fmt.Sprintf("Ready=%v: %s", m["status"], msg)}, nil
	}
	return &status.Result{Status: status.InProgressStatus, Message: "waiting for its controller to report Ready"}, nil
}
