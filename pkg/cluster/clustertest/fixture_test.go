package clustertest

import (
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
)

func TestFromObjectsCarriesTheControlTypes(t *testing.T) {
	objs, err := cluster.DecodeObjects([]byte(`
apiVersion: v1
kind: Namespace
metadata: {name: a0005-i}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: a0005-i}
spec: {nodeName: n1, containers: [{name: c, image: i}]}
---
apiVersion: v1
kind: Service
metadata: {name: s, namespace: a0005-i}
spec: {type: LoadBalancer}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default, namespace: a0005-i}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: default, namespace: a0005-i}
---
apiVersion: v1
kind: LimitRange
metadata: {name: default, namespace: a0005-i}
`))
	if err != nil {
		t.Fatal(err)
	}
	s, err := FromObjects(Meta{Now: "2026-11-26T12:00:00Z"}, objs)
	if err != nil {
		t.Fatal(err)
	}
	if !s.HasNamespace("a0005-i") || s.HasNamespace("a0005-o") || len(s.Pods) != 1 || len(s.Services) != 1 || len(s.NetworkPolicies) != 1 ||
		len(s.ResourceQuotas) != 1 || len(s.LimitRanges) != 1 || s.Now.IsZero() {
		t.Errorf("snapshot %+v", s)
	}
}

func TestFromObjectsServesOnlyInstalledCRDs(t *testing.T) {
	objs, err := cluster.DecodeObjects([]byte(`
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
	s, err := FromObjects(Meta{Outcomes: map[cluster.Resource]string{cluster.Pods: "forbidden"}}, objs)
	if err != nil {
		t.Fatal(err)
	}
	if s.Absent(cluster.ConstraintTemplates) || !s.Absent(cluster.GitRepositories) || !s.Absent(cluster.Constraints) {
		t.Error("served types wrong")
	}
	if s.ReadStatus(cluster.Pods).Outcome != cluster.Forbidden {
		t.Error("outcome override ignored")
	}
	if len(s.Secrets) != 1 || s.Secrets[0].Data != nil {
		t.Error("Secret data must never be kept")
	}
}
