package check

import (
	"fmt"
	"strings"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/phrase"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/placeholder"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// imageChecks are the images checks in report order, each declared beside the
// function that judges it.
var imageChecks = []*Check{
	imagesPlaceholdersCheck,
	imagesAllowedRegistryCheck,
}

var imagesPlaceholdersCheck = &Check{ID: "images-placeholders", Severity: result.Critical, Uses: []cluster.Resource{cluster.Pods}, Run: imagePlaceholders,
	Title: "No pod image still names a placeholder registry", Remediation: "replace " + placeholder.ACRName + " in the kustomizations' images: ('{cli} configure'), commit and push; Flux re-applies the workloads"}

func imagePlaceholders(s *cluster.Snapshot, p *profile.Profile) result.Result {
	excluded := map[string]bool{}
	for _, ns := range p.Images.ExcludeNamespaces {
		excluded[ns] = true
	}
	var bad, objs []string
	var fs findings
	scanned := 0
	// Images repeat over thousands of pods: scan each once.
	hasToken := map[string]bool{}
	for i := range s.Pods {
		pod := &s.Pods[i]
		if excluded[pod.Namespace] {
			continue
		}
		scanned++
		for _, c := range pod.Containers {
			if c.Kind == cluster.EphemeralContainer {
				continue
			}
			found, seen := hasToken[c.Image]
			if !seen {
				found = len(placeholder.FindIn(c.Image)) > 0
				hasToken[c.Image] = found
			}
			if found {
				bad = append(bad, fmt.Sprintf("%s/%s %s: %s", pod.Namespace, pod.Name, c.Name, c.Image))
				objs = append(objs, "Pod/"+pod.Namespace+"/"+pod.Name)
				fs.add(podRef(pod), "container %s: %s", c.Name, c.Image)
				break
			}
		}
	}
	if len(bad) > 0 {
		return fail("%s still use a placeholder image: %s", phrase.Count(len(objs), "pod", "pods"), strings.Join(phrase.Clip(bad, 10), "; ")).With(objs...).About(fs...)
	}
	return pass("no placeholder in the images of %s", phrase.Count(scanned, "pod", "pods"))
}
