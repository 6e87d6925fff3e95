package verify

import (
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
)

// ReadPlan is everything a run of checks reads from a cluster: what the
// checks declare, and what verify itself reads beside them. The in-cluster
// verifier's read-only role is derived from it.
func ReadPlan(checks []*check.Check, p *profile.Profile) cluster.Request {
	plan := check.Plan(checks, p)
	for _, c := range checks {
		if c.ReadsAPI() {
			// /version doubles as the probe that tells no access from no permission.
			plan.Add(cluster.ServerVersion)
			// The kube-system UID names the cluster in reports, drift and evidence.
			plan.Add(cluster.ClusterIdentity)
			break
		}
	}
	return plan
}
