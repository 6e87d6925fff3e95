package clustertest

import (
	"errors"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/version"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
)

// Meta is the optional first document of a fixture (kind Kind): what the
// kubeconfig and /version say, and how reading each type went.
type Meta struct {
	// Now is the time the snapshot is judged at (RFC 3339), so age checks
	// give the same answer every day.
	Now           string                      `json:"now"`
	ServerVersion string                      `json:"serverVersion"`
	Context       string                      `json:"context"`
	Server        string                      `json:"server"`
	ExecCommand   string                      `json:"execCommand"`
	ExecFound     bool                        `json:"execFound"`
	InCluster     bool                        `json:"inCluster"`
	Outcomes      map[cluster.Resource]string `json:"outcomes"`
}

// Kind marks the meta document of a fixture.
const Kind = "Snapshot"

// FromObjects builds a snapshot from objects, as if read from a cluster
// that holds exactly them: each object is kept as the reader keeps what it
// reads (cluster.Snapshot.Add), and every type reads OK unless meta says
// otherwise.
func FromObjects(meta Meta, objs []*unstructured.Unstructured) (*cluster.Snapshot, error) {
	s := cluster.NewSnapshot()
	s.Access = cluster.Access{Context: meta.Context, Server: meta.Server, ExecCommand: meta.ExecCommand, ExecFound: meta.ExecFound, InCluster: meta.InCluster}
	if meta.ServerVersion != "" {
		s.Version = &version.Info{GitVersion: meta.ServerVersion}
	}
	if meta.Now != "" {
		t, err := time.Parse(time.RFC3339, meta.Now)
		if err != nil {
			return nil, fmt.Errorf("fixture: now: %w", err)
		}
		s.Now = t
	}
	for _, r := range cluster.Types() {
		// kube-system's identity comes from the namespaces below.
		if r != cluster.ClusterIdentity {
			s.SetReadStatus(r, cluster.ReadStatus{Outcome: cluster.OK, Verb: "list"})
		}
	}
	// A custom type is served only when its CRD is among the objects, as on
	// a real API server.
	served := map[cluster.Resource]bool{}
	for _, u := range objs {
		if u.GetKind() == "CustomResourceDefinition" {
			served[cluster.Resource(u.GetName())] = true
			if g, _, _ := unstructured.NestedString(u.Object, "spec", "group"); g == cluster.ConstraintsGroup {
				served[cluster.Constraints] = true
			}
		}
	}
	for _, r := range cluster.CustomTypes() {
		if !served[r] {
			s.SetReadStatus(r, cluster.ReadStatus{Outcome: cluster.NotFound, Verb: "list"})
		}
	}
	for r, o := range meta.Outcomes {
		st := cluster.ReadStatus{Outcome: cluster.ReadOutcome(o), Verb: "list"}
		if st.Outcome == cluster.Error {
			st.Err = errors.New("simulated error")
		}
		s.SetReadStatus(r, st)
	}
	for _, u := range objs {
		if err := s.Add(u); err != nil {
			return nil, fmt.Errorf("fixture: %w", err)
		}
	}
	for i := range s.Namespaces {
		if ns := s.Namespaces[i]; ns.Name == cluster.KubeSystem {
			s.KubeSystem = &ns
		}
	}
	return s, nil
}
