package check

import (
	"fmt"
	"strings"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/placeholder"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/progress"
)

func imagePlaceholders(s *cluster.Snapshot, p *profile.Profile) Result {
	excluded := map[string]bool{}
	for _, ns := range p.Images.ExcludeNamespaces {
		excluded[ns] = true
	}
	var bad, objs []string
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
				break
			}
		}
	}
	if len(bad) > 0 {
		return fail("%s still use a placeholder image: %s", progress.Count(len(objs), "pod", "pods"), strings.Join(progress.Clip(bad, 10), "; ")).with(objs...)
	}
	return pass("no placeholder in the images of %s", progress.Count(scanned, "pod", "pods"))
}
