package check

import (
	"strings"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/progress"
)

func namespaceGuardrails(s *cluster.Snapshot, p *profile.Profile) Result {
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
	for _, ns := range want {
		if !s.HasNamespace(ns) {
			bad.add("namespace does not exist", ns)
			continue
		}
		if q, ok := quotas[ns]; ok {
			objs = append(objs, "ResourceQuota/"+ns+"/"+q)
		} else {
			bad.add("no ResourceQuota", ns)
		}
		if l, ok := ranges[ns]; ok {
			objs = append(objs, "LimitRange/"+ns+"/"+l)
		} else {
			bad.add("no LimitRange", ns)
		}
	}
	if !bad.empty() {
		return fail("%s", bad.render(3, 10)).with(objs...)
	}
	return pass("%s with a ResourceQuota and a LimitRange: %s", progress.Count(len(want), "namespace", "namespaces"), strings.Join(want, ", ")).with(objs...)
}
