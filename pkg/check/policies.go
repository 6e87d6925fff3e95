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

// policyChecks are the policies checks in report order, each declared beside the
// function that judges it.
var policyChecks = []*Check{
	policiesAzurePolicyCheck,
	policiesGatekeeperCheck,
	policiesTemplatesCheck,
	policiesConstraintsCheck,
	policiesEnforcementCheck,
	policiesViolationsCheck,
}

var policiesAzurePolicyCheck = &Check{ID: "policies-azure-policy", Severity: result.Critical, Uses: []cluster.Resource{cluster.Deployments},
	Run:         judgeDeployments("Azure Policy add-on", func(p *profile.Profile) []profile.Ref { return p.Policies.AddonDeployments }),
	Title:       "The Azure Policy add-on deployments are available",
	Remediation: "enable the add-on ('az aks enable-addons --addons azure-policy') and check its pods in kube-system"}

var policiesGatekeeperCheck = &Check{ID: "policies-gatekeeper", Severity: result.Critical, Uses: []cluster.Resource{cluster.Deployments},
	Run:         judgeDeployments("Gatekeeper", func(p *profile.Profile) []profile.Ref { return p.Policies.GatekeeperDeployments }),
	Title:       "The Gatekeeper deployments are available",
	Remediation: "the Azure Policy add-on installs Gatekeeper in gatekeeper-system: check the add-on and 'kubectl -n gatekeeper-system get pods'"}

// constraintUses are what the checks of Gatekeeper's constraints read.
var constraintUses = []cluster.Resource{cluster.ConstraintTemplates, cluster.Constraints}

// matchTemplates maps each expected policy to the templates that match it.
func matchTemplates(s *cluster.Snapshot, p *profile.Profile) (map[string][]*unstructured.Unstructured, []string) {
	matched := map[string][]*unstructured.Unstructured{}
	var extra []string
	items := s.Custom[cluster.ConstraintTemplates]
	for i := range items {
		t := &items[i]
		hit := false
		for _, want := range p.Policies.Templates {
			if want.Match.MatchString(t.GetName()) {
				matched[want.Policy] = append(matched[want.Policy], t)
				hit = true
			}
		}
		if !hit && p.Policies.Informational.MatchString(t.GetName()) {
			extra = append(extra, t.GetName())
		}
	}
	sort.Strings(extra)
	return matched, extra
}

func gatekeeperAbsent() result.Result {
	return fail("Gatekeeper is not installed: the cluster does not serve %s (its CRD is absent); the Azure Policy add-on installs it", cluster.ConstraintTemplates).
		About(crdMissing(cluster.ConstraintTemplates))
}

// crdMissing is the finding of a type the cluster does not serve: it names
// the CRD that would serve it.
func crdMissing(r cluster.Resource) result.Finding {
	return result.Finding{Object: "CustomResourceDefinition/" + string(r), Message: "not served: the CRD is absent"}
}

var policiesTemplatesCheck = &Check{ID: "policies-templates", Severity: result.Critical, Uses: []cluster.Resource{cluster.ConstraintTemplates}, Run: policiesTemplates,
	Title: "Every expected ConstraintTemplate is present and created", Remediation: "assign the reference's policies to the cluster's resource group; the add-on syncs them within about 15 minutes ('kubectl get constrainttemplates')"}

func policiesTemplates(s *cluster.Snapshot, p *profile.Profile) result.Result {
	if s.Absent(cluster.ConstraintTemplates) {
		return gatekeeperAbsent()
	}
	if len(p.Policies.Templates) == 0 {
		return skip("the profile expects no templates")
	}
	matched, extra := matchTemplates(s, p)
	var missing, notCreated, objs []string
	var fs findings
	for _, want := range p.Policies.Templates {
		ts := matched[want.Policy]
		if len(ts) == 0 {
			missing = append(missing, fmt.Sprintf("%s (%s)", want.Policy, want.Match.String()))
			// No template to name: the policy assignment is what is missing.
			fs.add("policy/"+want.Policy, "no ConstraintTemplate matches %s", want.Match.String())
			continue
		}
		created := false
		for _, t := range ts {
			objs = append(objs, "ConstraintTemplate/"+t.GetName())
			if c, _, _ := unstructured.NestedBool(t.Object, "status", "created"); c {
				created = true
			}
		}
		if !created {
			notCreated = append(notCreated, ts[0].GetName())
			fs.add("ConstraintTemplate/"+ts[0].GetName(), "not created (status.created is not true)")
		}
	}
	var bad []string
	if len(missing) > 0 {
		bad = append(bad, fmt.Sprintf("%d of %d expected templates missing: %s", len(missing), len(p.Policies.Templates), strings.Join(missing, ", ")))
	}
	if len(notCreated) > 0 {
		bad = append(bad, fmt.Sprintf("not created (status.created is not true): %s", strings.Join(notCreated, ", ")))
	}
	info := ""
	if len(extra) > 0 {
		info = fmt.Sprintf(" (%s besides, informational: %s)", phrase.Count(len(extra), "other template", "other templates"), phrase.Summary(extra, 6))
	}
	if len(bad) > 0 {
		return fail("%s%s", strings.Join(bad, "; "), info).With(objs...).About(fs...)
	}
	return pass("all %d expected templates present and created%s", len(p.Policies.Templates), info).With(objs...)
}

var policiesConstraintsCheck = &Check{ID: "policies-constraints", Severity: result.Critical, Uses: constraintUses, Run: policiesConstraints,
	Title: "Every expected ConstraintTemplate has at least one constraint", Remediation: "the add-on creates one constraint per policy assignment: check the assignments and the add-on's logs"}

func policiesConstraints(s *cluster.Snapshot, p *profile.Profile) result.Result {
	if s.Absent(cluster.ConstraintTemplates) {
		return gatekeeperAbsent()
	}
	matched, _ := matchTemplates(s, p)
	byKind := groupBy(s.Custom[cluster.Constraints], func(u *unstructured.Unstructured) string { return strings.ToLower(u.GetKind()) })
	var missing, objs []string
	var fs findings
	actions := map[string]int{}
	checked := 0
	for _, want := range p.Policies.Templates {
		ts := matched[want.Policy]
		if len(ts) == 0 {
			continue // reported by policies-templates
		}
		checked++
		found := false
		for _, t := range ts {
			kind := str(t, "spec", "crd", "spec", "names", "kind")
			if kind == "" {
				kind = t.GetName()
			}
			for _, c := range byKind[strings.ToLower(kind)] {
				found = true
				action := str(c, "spec", "enforcementAction")
				if action == "" {
					action = "deny"
				}
				actions[action]++
				objs = append(objs, fmt.Sprintf("%s/%s (%s)", c.GetKind(), c.GetName(), action))
			}
		}
		if !found {
			missing = append(missing, ts[0].GetName())
			fs.add("ConstraintTemplate/"+ts[0].GetName(), "has no constraint")
		}
	}
	if checked == 0 {
		return skip("no expected template is present (reported by policies-templates)")
	}
	var acts []string
	for _, a := range sortedKeys(actions) {
		acts = append(acts, fmt.Sprintf("%s %d", a, actions[a]))
	}
	enforcement := ""
	if len(acts) > 0 {
		enforcement = "; enforcement: " + strings.Join(acts, ", ")
	}
	if len(missing) > 0 {
		return fail("%s without a constraint: %s%s", phrase.Count(len(missing), "template", "templates"), strings.Join(missing, ", "), enforcement).With(objs...).About(fs...)
	}
	return pass("%s constrained%s", phrase.Count(checked, "template", "templates"), enforcement).With(objs...)
}
