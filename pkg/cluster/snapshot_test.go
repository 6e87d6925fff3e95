package cluster

import (
	"errors"
	"testing"
)

func TestReadStatusMessage(t *testing.T) {
	for _, tc := range []struct {
		st   ReadStatus
		r    Resource
		want string
	}{
		{ReadStatus{Outcome: OK}, Nodes, ""},
		{ReadStatus{Outcome: Forbidden, Verb: "list"}, ConstraintTemplates, "forbidden: list constrainttemplates.templates.gatekeeper.sh"},
		{ReadStatus{Outcome: Forbidden, Verb: "list", Target: "k8sazurev1blockdefault.constraints.gatekeeper.sh"}, Constraints, "forbidden: list k8sazurev1blockdefault.constraints.gatekeeper.sh"},
		{ReadStatus{Outcome: Forbidden, Verb: "get"}, Secrets, "forbidden: get secrets"},
		{ReadStatus{Outcome: NotFound, Verb: "list"}, AzureIdentities, "azureidentities.aadpodidentity.k8s.io is not served by the cluster (its CRD is absent)"},
		{ReadStatus{Outcome: Error, Verb: "list", Err: errors.New("boom")}, Pods, "list pods: boom"},
	} {
		if got := tc.st.Message(tc.r); got != tc.want {
			t.Errorf("%v %s: %q, want %q", tc.st, tc.r, got, tc.want)
		}
	}
	if g := ConstraintTemplates.Group(); g != "templates.gatekeeper.sh" {
		t.Errorf("group %q", g)
	}
}
