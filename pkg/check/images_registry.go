package check

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/phrase"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// imageRule is one pattern images are judged by and where it came from.
type imageRule struct {
	from     string
	re       *regexp.Regexp
	excluded map[string]bool
	// seen memoises verdicts: a few hundred images repeat over 50,000 pods.
	seen map[string]bool
}

func (r *imageRule) allows(image string) bool {
	ok, done := r.seen[image]
	if !done {
		ok = r.re.MatchString(image)
		r.seen[image] = ok
	}
	return ok
}

var imagesAllowedRegistryCheck = &Check{ID: "images-allowed-registry", Severity: result.Critical, Uses: []cluster.Resource{cluster.Pods, cluster.ConstraintTemplates, cluster.Constraints}, Run: imagesAllowedRegistry,
	Title: "Every container image comes from the registry the allowed-images policy allows", Remediation: "import the image through the registry's quarantine into its live/ path ('az acr import', as the reference's pre-bootstrap step does) and point the workload's kustomization images: at it; Flux re-applies it"}

func imagesAllowedRegistry(s *cluster.Snapshot, p *profile.Profile) result.Result {
	a := p.Images.Allowed
	if a.Policy == "" && a.Pattern == "" {
		return skip("the profile sets neither images.allowed.policy nor images.allowed.pattern")
	}
	var rules []imageRule
	var objs []string
	if a.Policy != "" && !s.Absent(cluster.ConstraintTemplates) && !s.Absent(cluster.Constraints) {
		for _, c := range constraintsByPolicy(s, p)[a.Policy] {
			ref := c.Kind + "/" + c.Name
			objs = append(objs, ref)
			src, ok := c.Parameters[a.Parameter].(string)
			if !ok {
				return result.Result{Status: result.Error, Message: fmt.Sprintf("constraint %s has no string spec.parameters.%s to judge images by", ref, a.Parameter),
					Remediation: "re-assign the allowed-images policy with its image regex parameter", Objects: objs}
			}
			// Gatekeeper evaluates the regex with Go's regexp, as OPA does: one syntax.
			re, err := regexp.Compile(src)
			if err != nil {
				return result.Result{Status: result.Error, Message: fmt.Sprintf("constraint %s: spec.parameters.%s %q is not a valid regular expression: %v", ref, a.Parameter, src, err),
					Remediation: "fix the regex parameter of the allowed-images policy assignment; the constraint cannot match any image as it is", Objects: objs}
			}
			rules = append(rules, imageRule{from: fmt.Sprintf("%s of %s", a.Parameter, ref), re: re, excluded: set(append(append([]string(nil), c.ExcludedNamespaces...), a.ExcludeNamespaces...)), seen: map[string]bool{}})
		}
	}
	enforced := len(rules) > 0
	if !enforced {
		if a.Pattern == "" {
			return fail("the cluster has no constraint of the %s policy, and the profile gives no pattern to judge images by", a.Policy).
				About(result.Finding{Object: "policy/" + a.Policy, Message: "no constraint, and no pattern in the profile"})
		}
		re, err := a.Regexp()
		if err != nil {
			return result.Result{Status: result.Error, Message: fmt.Sprintf("the cluster has no constraint of the %s policy and %v", a.Policy, err),
				Remediation: "pass the registry name with --acr-name (or ACR_NAME), or set images.allowed.acrName in the profile"}
		}
		rules = append(rules, imageRule{from: "the profile's pattern " + re.String(), re: re, excluded: set(a.ExcludeNamespaces), seen: map[string]bool{}})
	}
	bad := map[string][]string{}
	var badPods []string
	var fs findings
	scanned, images := 0, map[string]bool{}
	for i := range s.Pods {
		pod := &s.Pods[i]
		counted := false
		var flagged []string
		for i := range rules {
			r := &rules[i]
			if r.excluded[pod.Namespace] {
				continue
			}
			if !counted {
				scanned, counted = scanned+1, true
			}
			for _, c := range pod.Containers {
				images[c.Image] = true
				if r.allows(c.Image) {
					continue
				}
				ps := bad[c.Image]
				if n := len(ps); n == 0 || ps[n-1] != pod.Namespace+"/"+pod.Name {
					bad[c.Image] = append(ps, pod.Namespace+"/"+pod.Name)
				}
				if !slices.Contains(flagged, c.Image) {
					flagged = append(flagged, c.Image)
				}
			}
		}
		if len(flagged) > 0 {
			badPods = append(badPods, podRef(pod))
			fs.add(podRef(pod), "%s", strings.Join(flagged, ", "))
		}
	}
	var froms []string
	for _, r := range rules {
		froms = append(froms, r.from)
	}
	judge := strings.Join(froms, " and ")
	if len(bad) > 0 {
		keys := sortedKeys(bad)
		sort.SliceStable(keys, func(i, j int) bool { return len(bad[keys[i]]) > len(bad[keys[j]]) })
		var parts []string
		for i, img := range keys {
			if i == 10 {
				parts = append(parts, fmt.Sprintf("and %d more images", len(keys)-10))
				break
			}
			parts = append(parts, fmt.Sprintf("%s (%s: %s)", img, phrase.Count(len(bad[img]), "pod", "pods"), phrase.Summary(bad[img], 3)))
		}
		msg := fmt.Sprintf("%s in %s do not match %s: %s", phrase.Count(len(keys), "image", "images"), phrase.Count(len(badPods), "pod", "pods"), judge, strings.Join(parts, "; "))
		if !enforced {
			msg += fmt.Sprintf("; the cluster has no constraint of the %s policy, so nothing stops them", a.Policy)
			fs.add("policy/"+a.Policy, "no constraint, so nothing stops such images")
		}
		return fail("%s", msg).With(append(objs, badPods...)...).About(fs...)
	}
	if !enforced {
		return warnBecause("every image matches today; nothing in the cluster stops one that does not", "the %s images of %s match %s, but the cluster has no constraint of the %s policy, so nothing enforces it", fmt.Sprint(len(images)), phrase.Count(scanned, "pod", "pods"), judge, a.Policy).With(objs...).
			About(result.Finding{Object: "policy/" + a.Policy, Message: "no constraint, so nothing enforces it"})
	}
	return pass("%s of %s match %s", phrase.Count(len(images), "image", "images"), phrase.Count(scanned, "pod", "pods"), judge).With(objs...)
}
