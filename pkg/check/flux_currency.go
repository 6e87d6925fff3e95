package check

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/blang/semver/v4"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/aksbaseline/kubectl-aksbaseline/manifests"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// currentFlux is what the Flux this tool installs serves, read once from
// the embedded manifests so that it never drifts from them.
var currentFlux = sync.OnceValues(func() (map[string][]string, error) {
	served := map[string][]string{}
	for _, c := range manifests.Components {
		b, err := manifests.YAML(c.Name)
		if err != nil {
			return nil, err
		}
		objs, err := cluster.DecodeObjects(b)
		if err != nil {
			return nil, fmt.Errorf("embedded %s manifest: %w", c.Name, err)
		}
		for _, o := range objs {
			if o.GetKind() != "CustomResourceDefinition" {
				continue
			}
			vs, _, _ := unstructured.NestedSlice(o.Object, "spec", "versions")
			for _, v := range vs {
				if m, ok := v.(map[string]any); ok && m["served"] == true {
					served[o.GetName()] = append(served[o.GetName()], fmt.Sprint(m["name"]))
				}
			}
		}
	}
	return served, nil
})

// behind reports whether have trails want by at least window minors, or
// by a major.
func behind(have, want semver.Version, window int) bool {
	if have.Major != want.Major {
		return have.Major < want.Major
	}
	return int(want.Minor)-int(have.Minor) >= window
}

var fluxCurrencyCheck = &Check{ID: "flux-currency", Severity: result.Critical, Uses: []cluster.Resource{cluster.CRDs, cluster.Deployments}, Run: fluxCurrency,
	Title: "The installed Flux is within the supported window and serves current APIs", Remediation: "move Git and the cluster together: '{cli} configure cluster-manifests --upgrade-flux', commit and push, then '{cli} bootstrap -k cluster-manifests/flux-system' (--dry-run first shows the plan), which re-stores every Flux object at the current APIs before it installs the Flux this tool carries; with the microsoft.flux extension, let the extension upgrade (autoUpgradeMinorVersion)"}

func fluxCurrency(s *cluster.Snapshot, p *profile.Profile) result.Result {
	window := p.Flux.SupportedMinors
	if window == 0 {
		return skip("the profile sets no flux.supportedMinors")
	}
	current, err := currentFlux()
	if err != nil {
		return result.Result{Status: result.Error, Message: err.Error(), Remediation: retryRemediation}
	}
	crds, err := installedFluxCRDs(s, p)
	if err != nil {
		return fail("%v", err)
	}
	var removed, objs []string
	var fs findings
	dist := ""
	for _, c := range crds {
		if v := c.Labels["app.kubernetes.io/version"]; v != "" && (dist == "" || c.Name == string(cluster.GitRepositories)) {
			dist = v
		}
		want, known := current[c.Name]
		if !known {
			continue
		}
		var have []string
		for _, v := range c.Spec.Versions {
			if v.Served {
				have = append(have, v.Name)
			}
		}
		if !overlaps(have, want) {
			removed = append(removed, fmt.Sprintf("%s serves only %s (Flux %s serves %s)", c.Name, strings.Join(have, ", "), manifests.FluxVersion, strings.Join(want, ", ")))
			objs = append(objs, "CustomResourceDefinition/"+c.Name)
			fs.addStatus(result.Fail, "CustomResourceDefinition/"+c.Name, "serves only %s (Flux %s serves %s)", strings.Join(have, ", "), manifests.FluxVersion, strings.Join(want, ", "))
		}
	}
	if len(crds) == 0 {
		return skip("no Flux CRDs (reported by flux-crds)")
	}
	cur := semver.MustParse(strings.TrimPrefix(manifests.FluxVersion, "v"))
	oldestSupported := fmt.Sprintf("v%d.%d", cur.Major, max(0, int(cur.Minor)-window+1))
	var old, seen []string
	if dist != "" {
		seen = append(seen, "Flux "+dist)
		if v, err := semver.ParseTolerant(dist); err == nil && behind(v, cur, window) {
			old = append(old, fmt.Sprintf("Flux %s (the CRDs' app.kubernetes.io/version)", dist))
			fs.addStatus(result.Warn, "CustomResourceDefinition/"+string(cluster.GitRepositories), "labelled Flux %s, older than the supported window", dist)
		}
	}
	for _, comp := range manifests.Components {
		d := s.Deployment(p.Flux.Namespace, comp.Name)
		if d == nil || len(d.Spec.Template.Spec.Containers) == 0 {
			continue
		}
		tag := manifests.ImageTag(d.Spec.Template.Spec.Containers[0].Image)
		have, err := semver.ParseTolerant(tag)
		if err != nil {
			continue
		}
		seen = append(seen, comp.Name+" "+tag)
		want := semver.MustParse(strings.TrimPrefix(comp.Version, "v"))
		if behind(have, want, window) {
			old = append(old, fmt.Sprintf("%s %s (Flux %s carries %s)", comp.Name, tag, manifests.FluxVersion, comp.Version))
			objs = append(objs, "Deployment/"+p.Flux.Namespace+"/"+comp.Name)
			fs.addStatus(result.Warn, "Deployment/"+p.Flux.Namespace+"/"+comp.Name, "%s %s, older than the supported window (Flux %s carries %s)", comp.Name, tag, manifests.FluxVersion, comp.Version)
		}
	}
	sort.Strings(objs)
	span := fmt.Sprintf("%s to v%d.%d, the current and previous %d minors", oldestSupported, cur.Major, cur.Minor, window-1)
	if len(removed) > 0 {
		msg := "the installed Flux serves only APIs current Flux has removed: " + strings.Join(removed, "; ")
		if len(old) > 0 {
			msg += "; older than the supported window (" + span + "): " + strings.Join(old, ", ")
		}
		return fail("%s", msg).With(objs...).About(fs...)
	}
	if len(old) > 0 {
		return warnBecause("it still serves the APIs current Flux serves: out of support, not yet broken", "older than the supported window (%s): %s", span, strings.Join(old, ", ")).With(objs...).About(fs...)
	}
	if len(seen) == 0 {
		return warnBecause("verify cannot tell the version; its APIs are current", "cannot tell the installed Flux version: no Flux CRD carries app.kubernetes.io/version and no controller image has a version tag; its APIs are current").
			About(result.Finding{Object: "CustomResourceDefinition/" + string(cluster.GitRepositories), Message: "no app.kubernetes.io/version label, and no controller image with a version tag"})
	}
	return pass("%s: within the supported window (%s)", strings.Join(seen, ", "), span).With(objs...)
}

func overlaps(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}
