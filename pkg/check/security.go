package check

import (
	"fmt"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/phrase"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// securityChecks are the security checks in report order, each declared beside the
// function that judges it.
var securityChecks = []*Check{securityAgentsCheck}

var securityAgentsCheck = &Check{ID: "security-agents", Severity: result.Critical, Uses: []cluster.Resource{cluster.Nodes, cluster.Pods, cluster.DaemonSets}, Run: securityAgents,
	Title: "Every security agent DaemonSet runs a ready pod on every node it must cover", Remediation: "check the DaemonSet named ('kubectl -n NAMESPACE describe daemonset NAME'): a missing one comes from cluster-manifests (cluster-baseline-settings, falco-system) through Flux; a node without a ready pod shows why in the pod's events (taints, resources, image pull)"}

func securityAgents(s *cluster.Snapshot, p *profile.Profile) result.Result {
	sec := p.Security
	if len(sec.Agents) == 0 {
		return skip("the profile lists no security agents")
	}
	sel, err := labels.Parse(sec.Nodes)
	if err != nil {
		return fail("profile security.nodes: %v", err)
	}
	ix := newNodeIndex(s, p)
	var cover []string
	for i := range s.Nodes {
		n := &s.Nodes[i]
		if !n.Unschedulable && sel.Matches(n.Labels) {
			cover = append(cover, n.Name)
		}
	}
	// Nodes with a ready pod, per DaemonSet.
	type dsKey struct{ ns, name string }
	ready := map[dsKey]map[string]bool{}
	for i := range s.Pods {
		pod := &s.Pods[i]
		if pod.OwnerKind != "DaemonSet" || !pod.Ready || pod.NodeName == "" {
			continue
		}
		k := dsKey{pod.Namespace, pod.OwnerName}
		if ready[k] == nil {
			ready[k] = map[string]bool{}
		}
		ready[k][pod.NodeName] = true
	}
	var problems, good, notes, objs, standIns, standInImages []string
	var fs findings
	for _, ag := range sec.Agents {
		name := ""
		for _, ds := range ag.DaemonSets {
			if s.DaemonSet(ag.Namespace, ds) != nil {
				name = ds
				break
			}
		}
		if name == "" {
			problems = append(problems, fmt.Sprintf("%s: no DaemonSet %s in %s", ag.Name, strings.Join(ag.DaemonSets, " or "), ag.Namespace))
			// The missing agent is named by the DaemonSet the profile lists first.
			fs.add("DaemonSet/"+ag.Namespace+"/"+ag.DaemonSets[0], "%s: no DaemonSet %s", ag.Name, strings.Join(ag.DaemonSets, " or "))
			continue
		}
		objs = append(objs, "DaemonSet/"+ag.Namespace+"/"+name)
		if ag.Note != "" {
			notes = append(notes, name+": "+ag.Note)
		}
		if img, ok := standIn(s.DaemonSet(ag.Namespace, name), sec.StandIns); ok {
			standIns = append(standIns, fmt.Sprintf("%s (%s)", name, ag.Name))
			standInImages = append(standInImages, img)
			fs.addStatus(result.Warn, "DaemonSet/"+ag.Namespace+"/"+name, "runs only %s, the reference's stand-in, not a %s product", img, ag.Name)
		}
		var missing []string
		for _, n := range cover {
			if !ready[dsKey{ag.Namespace, name}][n] {
				missing = append(missing, ix.describe(n))
			}
		}
		if len(missing) > 0 {
			problems = append(problems, fmt.Sprintf("%s (DaemonSet %s/%s) has no ready pod on %d of %s: %s", ag.Name, ag.Namespace, name, len(missing), phrase.Count(len(cover), "node", "nodes"), phrase.Summary(missing, 5)))
			fs.add("DaemonSet/"+ag.Namespace+"/"+name, "%s has no ready pod on %d of %s: %s", ag.Name, len(missing), phrase.Count(len(cover), "node", "nodes"), phrase.Summary(missing, 5))
			continue
		}
		good = append(good, ag.Namespace+"/"+name)
	}
	note := ""
	if len(notes) > 0 {
		note = " (" + strings.Join(notes, "; ") + ")"
	}
	if len(standIns) > 0 {
		verb := "runs"
		if len(standIns) > 1 {
			verb = "run"
		}
		note += fmt.Sprintf("; %s %s only %s, the reference's stand-in, not a product", joinAnd(standIns), verb, joinAnd(slices.Compact(standInImages)))
	}
	if len(problems) > 0 {
		return fail("%s%s", strings.Join(problems, "; "), note).With(objs...).About(fs...)
	}
	allReady := fmt.Sprintf("%s ready on all %s (%s)", strings.Join(good, ", "), phrase.Count(len(cover), "node", "nodes"), sec.Nodes)
	if len(standIns) > 0 {
		r := warnBecause("a stand-in known by its image (security.standIns) is at most a warning: verify sees the DaemonSet run, not a product that protects", "%s%s", allReady, note).With(objs...).About(fs...)
		r.Remediation = "replace the stand-ins with the anti-malware and file integrity products your assessor accepts (for example Microsoft Defender for Containers, or a vendor's DaemonSets) and name them in the profile's security.agents"
		return r
	}
	return pass("%s%s", allReady, note).With(objs...)
}

// standIn reports whether every container of ds's pods runs an image the
// profile marks as a stand-in, and the image's name without registry or tag.
func standIn(ds *appsv1.DaemonSet, images *profile.Regexp) (string, bool) {
	cs := ds.Spec.Template.Spec.Containers
	if len(cs) == 0 {
		return "", false
	}
	for _, c := range cs {
		if !images.MatchString(c.Image) {
			return "", false
		}
	}
	name := cs[0].Image
	name, _, _ = strings.Cut(name, "@")
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	name, _, _ = strings.Cut(name, ":")
	return name, true
}

// joinAnd lists items as a sentence does: "a", "a and b", "a, b and c".
func joinAnd(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
