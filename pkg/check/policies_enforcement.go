package check

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/phrase"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// constraintsByPolicy maps each expected policy to the constraints of the
// templates that match it.
func constraintsByPolicy(s *cluster.Snapshot, p *profile.Profile) map[string][]cluster.Constraint {
	matched, _ := matchTemplates(s, p)
	byKind := map[string][]cluster.Constraint{}
	for _, c := range s.Constraints() {
		k := strings.ToLower(c.Kind)
		byKind[k] = append(byKind[k], c)
	}
	out := map[string][]cluster.Constraint{}
	for policy, ts := range matched {
		for _, t := range ts {
			out[policy] = append(out[policy], byKind[strings.ToLower(templateKind(t))]...)
		}
	}
	return out
}

// templateKind is the constraint kind a template defines.
func templateKind(t *unstructured.Unstructured) string {
	if k := str(t, "spec", "crd", "spec", "names", "kind"); k != "" {
		return k
	}
	return t.GetName()
}

var policiesEnforcementCheck = &Check{ID: "policies-enforcement", Severity: result.Critical, Uses: constraintUses, Run: policiesEnforcement,
	Title: "The policies the profile marks deny are enforced with deny", Remediation: "set the effect of each policy assignment named to Deny in Azure Policy (the add-on writes it to the constraint's spec.enforcementAction within about 15 minutes); an audit effect becomes dryrun"}

func policiesEnforcement(s *cluster.Snapshot, p *profile.Profile) result.Result {
	if s.Absent(cluster.ConstraintTemplates) {
		return gatekeeperAbsent()
	}
	pc := constraintsByPolicy(s, p)
	var bad, good, absent, objs []string
	var fs findings
	n := 0
	for _, t := range p.Policies.Templates {
		if t.Enforcement == "" {
			continue
		}
		n++
		cs := pc[t.Policy]
		if len(cs) == 0 {
			// A missing template or constraint is policies-templates' and
			// policies-constraints' finding: named there, not twice.
			absent = append(absent, t.Policy)
			continue
		}
		ok := true
		for _, c := range cs {
			objs = append(objs, fmt.Sprintf("%s/%s (%s)", c.Kind, c.Name, c.EnforcementAction))
			if c.EnforcementAction != t.Enforcement {
				ok = false
				bad = append(bad, fmt.Sprintf("%s: %s/%s is on %s, not %s", t.Policy, c.Kind, c.Name, c.EnforcementAction, t.Enforcement))
				fs.add(c.Kind+"/"+c.Name, "%s: on %s, not %s", t.Policy, c.EnforcementAction, t.Enforcement)
			}
		}
		if ok {
			good = append(good, t.Policy)
		}
	}
	if n == 0 {
		return skip("the profile marks no policy with an enforcement")
	}
	unchecked := ""
	if len(absent) > 0 {
		unchecked = fmt.Sprintf("; without a constraint to judge (see policies-templates and policies-constraints): %s", strings.Join(absent, ", "))
	}
	if len(bad) > 0 {
		return fail("%s not enforced as the profile says: %s%s", phrase.Count(n-len(good)-len(absent), "policy", "policies"), strings.Join(bad, "; "), unchecked).With(objs...).About(fs...)
	}
	if len(good) == 0 {
		return skip("no policy the profile marks has a constraint%s", unchecked)
	}
	return pass("%s enforced as the profile says: %s%s", phrase.Count(len(good), "policy", "policies"), strings.Join(good, ", "), unchecked).With(objs...)
}

var policiesViolationsCheck = &Check{ID: "policies-violations", Severity: result.Warning, Uses: constraintUses, Run: policiesViolations,
	Title: "Gatekeeper's audit finds no violation", Remediation: "fix or remove each object named (the message says which rule it breaks); Gatekeeper's audit refreshes status.violations every minute and Azure Policy reports the same compliance state"}

func policiesViolations(s *cluster.Snapshot, _ *profile.Profile) result.Result {
	if s.Absent(cluster.ConstraintTemplates) || s.Absent(cluster.Constraints) {
		return gatekeeperAbsent()
	}
	cs := s.Constraints()
	if len(cs) == 0 {
		return skip("the cluster has no constraint to audit")
	}
	var unaudited, objs []string
	var fs findings
	var with []cluster.Constraint
	var total int64
	for _, c := range cs {
		switch {
		case !c.Audited:
			unaudited = append(unaudited, c.Kind+"/"+c.Name)
			fs.add(c.Kind+"/"+c.Name, "not audited yet (no status.totalViolations)")
		case c.TotalViolations > 0:
			with = append(with, c)
			total += c.TotalViolations
			objs = append(objs, c.Kind+"/"+c.Name)
			fs.add(c.Kind+"/"+c.Name, "%s", phrase.Count(int(c.TotalViolations), "violation", "violations"))
		}
	}
	sort.SliceStable(with, func(i, j int) bool { return with[i].TotalViolations > with[j].TotalViolations })
	var parts []string
	if len(with) > 0 {
		var per, top []string
		for _, c := range with {
			per = append(per, fmt.Sprintf("%s/%s %d", c.Kind, c.Name, c.TotalViolations))
			for _, v := range c.Violations {
				obj := v.Kind + " " + v.Name
				if v.Namespace != "" {
					obj = v.Kind + " " + v.Namespace + "/" + v.Name
				}
				top = append(top, fmt.Sprintf("%s: %s: %s", c.Name, obj, v.Message))
			}
		}
		parts = append(parts, fmt.Sprintf("%s in %s (%s); top: %s", phrase.Count(int(total), "violation", "violations"),
			phrase.Count(len(with), "constraint", "constraints"), phrase.Summary(per, 5), strings.Join(phrase.Clip(top, 10), "; ")))
	}
	if len(unaudited) > 0 {
		parts = append(parts, fmt.Sprintf("the audit has not run yet on %s (no status.totalViolations): %s", phrase.Count(len(unaudited), "constraint", "constraints"), phrase.Summary(unaudited, 5)))
	}
	if len(parts) > 0 {
		return fail("%s", strings.Join(parts, "; ")).With(objs...).About(fs...)
	}
	return pass("%s audited, no violation", phrase.Count(len(cs), "constraint", "constraints"))
}
