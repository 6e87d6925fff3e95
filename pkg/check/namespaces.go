package check

import (
	"strings"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/phrase"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// namespaceChecks are the namespaces checks in report order, each declared beside the
// function that judges it.
var namespaceChecks = []*Check{namespacesGuardrailsCheck}

var namespacesGuardrailsCheck = &Check{ID: "namespaces-guardrails", Severity: result.Critical, Uses: []cluster.Resource{cluster.Namespaces, cluster.ResourceQuotas, cluster.LimitRanges}, Run: namespaceGuardrails,
	Title: "Each namespace the profile lists has a ResourceQuota and a LimitRange", Remediation: "add the reference's resource-quota.yaml and limit-range.yaml (both named default) to the namespace's folder in cluster-manifests and list them in its kustomization.yaml"}

func namespaceGuardrails(s *cluster.Snapshot, p *profile.Profile) result.Result {
	want := p.Namespaces.Guardrails
	if len(want) == 0 {
		return skip("the profile lists no namespace for guardrails")
	}
	quotas, ranges := map[string]string{}, map[string]string{}
	for _, o := range s.ResourceQuotas {
		quotas[o.Namespace] = o.Name
	}
	for _, o := range s.LimitRanges {
		ranges[o.Namespace] = o.Name
	}
	var bad groups
	var objs []string
	var fs findings
	for _, ns := range want {
		if !s.HasNamespace(ns) {
			bad.add("namespace does not exist", ns)
			fs.add("Namespace/"+ns, "does not exist")
			continue
		}
		if q, ok := quotas[ns]; ok {
			objs = append(objs, "ResourceQuota/"+ns+"/"+q)
		} else {
			bad.add("no ResourceQuota", ns)
			fs.add("Namespace/"+ns, "has no ResourceQuota")
		}
		if l, ok := ranges[ns]; ok {
			objs = append(objs, "LimitRange/"+ns+"/"+l)
		} else {
			bad.add("no LimitRange", ns)
			fs.add("Namespace/"+ns, "has no LimitRange")
		}
	}
	if !bad.empty() {
		return fail("%s", bad.render(3, 10)).With(objs...).About(fs...)
	}
	return pass("%s with a ResourceQuota and a LimitRange: %s", phrase.Count(len(want), "namespace", "namespaces"), strings.Join(want, ", ")).With(objs...)
}

// missingNamespaces returns the namespaces of names the cluster lacks.
func missingNamespaces(s *cluster.Snapshot, names []string) []string {
	var out []string
	for _, n := range names {
		if !s.HasNamespace(n) {
			out = append(out, n)
		}
	}
	return out
}
