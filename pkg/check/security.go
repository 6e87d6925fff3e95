package check

import (
	"fmt"
	"strings"

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
		if !n.Spec.Unschedulable && sel.Matches(labels.Set(n.Labels)) {
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
	var problems, good, notes, objs []string
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
			continue
		}
		objs = append(objs, "DaemonSet/"+ag.Namespace+"/"+name)
		if ag.Note != "" {
			notes = append(notes, name+": "+ag.Note)
		}
		var missing []string
		for _, n := range cover {
			if !ready[dsKey{ag.Namespace, name}][n] {
				missing = append(missing, ix.describe(n))
			}
		}
		if len(missing) > 0 {
			problems = append(problems, fmt.Sprintf("%s (DaemonSet %s/%s) has no ready pod on %d of %s: %s", ag.Name, ag.Namespace, name, len(missing), phrase.Count(len(cover), "node", "nodes"), phrase.Summary(missing, 5)))
			continue
		}
		good = append(good, ag.Namespace+"/"+name)
	}
	note := ""
	if len(notes) > 0 {
		note = " (" + strings.Join(notes, "; ") + ")"
	}
	if len(problems) > 0 {
		return fail("%s%s", strings.Join(problems, "; "), note).With(objs...)
	}
	return pass("%s ready on all %s (%s)%s", strings.Join(good, ", "), phrase.Count(len(cover), "node", "nodes"), sec.Nodes, note).With(objs...)
}
