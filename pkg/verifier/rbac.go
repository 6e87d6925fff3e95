package verifier

import (
	"maps"
	"slices"
	"sort"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/verify"
)

// Reads is what verify reads, as RBAC rules: Cluster for the cluster-wide
// role, Namespaced for the single objects the profile names (a Secret, a
// ServiceAccount), each in its own namespace's Role.
//
// Two reads need no rule: /version and API discovery, which Kubernetes'
// default roles (system:public-info-viewer, system:discovery) grant every
// authenticated user; the kubeconfig is read locally.
type Reads struct {
	Cluster    []rbacv1.PolicyRule
	Namespaced map[string][]rbacv1.PolicyRule
}

// ReadRules derives the rules from the checks' declared reads under p.
func ReadRules(checks []*check.Check, p *profile.Profile) Reads {
	plan := verify.ReadPlan(checks, p)
	lists := map[string][]string{}
	var out Reads
	for r := range plan.Resources {
		switch r {
		case cluster.Kubeconfig, cluster.ServerVersion:
		case cluster.ClusterIdentity:
			out.Cluster = append(out.Cluster, rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"namespaces"}, ResourceNames: []string{cluster.KubeSystem}, Verbs: []string{"get"}})
		case cluster.Constraints:
			// Every constraint kind is a resource of its own, created with its template.
			lists[cluster.ConstraintsGroup] = append(lists[cluster.ConstraintsGroup], "*")
		default:
			lists[r.Group()] = append(lists[r.Group()], r.Plural())
		}
	}
	for _, g := range slices.Sorted(maps.Keys(lists)) {
		res := lists[g]
		sort.Strings(res)
		out.Cluster = append(out.Cluster, rbacv1.PolicyRule{APIGroups: []string{g}, Resources: res, Verbs: []string{"list"}})
	}
	for r, names := range plan.Named {
		for _, n := range names {
			if out.Namespaced == nil {
				out.Namespaced = map[string][]rbacv1.PolicyRule{}
			}
			out.Namespaced[n.Namespace] = append(out.Namespaced[n.Namespace],
				rbacv1.PolicyRule{APIGroups: []string{r.Group()}, Resources: []string{r.Plural()}, ResourceNames: []string{n.Name}, Verbs: []string{"get"}})
		}
	}
	for _, rules := range out.Namespaced {
		sort.Slice(rules, func(i, j int) bool {
			return rules[i].Resources[0]+"/"+rules[i].ResourceNames[0] < rules[j].Resources[0]+"/"+rules[j].ResourceNames[0]
		})
	}
	return out
}
