package cluster

import (
	"errors"
	"testing"
)

func TestStatusMessage(t *testing.T) {
	for _, tc := range []struct {
		st   Status
		r    Resource
		want string
	}{
		{Status{Outcome: OK}, Nodes, ""},
		{Status{Outcome: Forbidden, Verb: "list"}, ConstraintTemplates, "forbidden: list constrainttemplates.templates.gatekeeper.sh"},
		{Status{Outcome: Forbidden, Verb: "list", Target: "k8sazurev1blockdefault.constraints.gatekeeper.sh"}, Constraints, "forbidden: list k8sazurev1blockdefault.constraints.gatekeeper.sh"},
		{Status{Outcome: Forbidden, Verb: "get"}, Secrets, "forbidden: get secrets"},
		{Status{Outcome: NotFound, Verb: "list"}, AzureIdentities, "azureidentities.aadpodidentity.k8s.io is not served by the cluster (its CRD is absent)"},
		{Status{Outcome: Error, Verb: "list", Err: errors.New("boom")}, Pods, "list pods: boom"},
	} {
		if got := tc.st.Message(tc.r); got != tc.want {
			t.Errorf("%v %s: %q, want %q", tc.st, tc.r, got, tc.want)
		}
	}
	if g := ConstraintTemplates.Group(); g != "templates.gatekeeper.sh" {
		t.Errorf("group %q", g)
	}
}

func TestFromObjectsServesOnlyInstalledCRDs(t *testing.T) {
	objs, err := DecodeObjects([]byte(`
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: constrainttemplates.templates.gatekeeper.sh}
spec: {group: templates.gatekeeper.sh}
---
apiVersion: v1
kind: Secret
metadata: {name: tls, namespace: ingress}
type: kubernetes.io/tls
data: {tls.key: c2VjcmV0}
`))
	if err != nil {
		t.Fatal(err)
	}
	s, err := FromObjects(FixtureMeta{Outcomes: map[Resource]string{Pods: "forbidden"}}, objs)
	if err != nil {
		t.Fatal(err)
	}
	if s.Absent(ConstraintTemplates) || !s.Absent(GitRepositories) || !s.Absent(Constraints) {
		t.Error("served types wrong")
	}
	if s.Status(Pods).Outcome != Forbidden {
		t.Error("outcome override ignored")
	}
	if len(s.Secrets) != 1 || s.Secrets[0].Data != nil {
		t.Error("Secret data must never be kept")
	}
}
