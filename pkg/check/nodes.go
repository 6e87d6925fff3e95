package check

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/version"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/phrase"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// nodeChecks are the nodes checks in report order, each declared beside the
// function that judges it.
var nodeChecks = []*Check{
	nodesReadyCheck,
	nodesPoolsCheck,
	nodesKubeletVersionCheck,
	nodesCordonedCheck,
	nodesSystemTaintCheck,
	nodesImageAgeCheck,
}

func nodeReady(n *cluster.Node) (bool, string) {
	c := n.Ready
	if c == nil {
		return false, "no Ready condition"
	}
	if c.Status == corev1.ConditionTrue {
		return true, ""
	}
	reason := c.Reason
	if reason == "" {
		reason = "Ready=" + string(c.Status)
	}
	return false, reason
}

var nodesReadyCheck = &Check{ID: "nodes-ready", Severity: result.Critical, Uses: []cluster.Resource{cluster.Nodes}, Run: nodesReady,
	Title: "Every node is Ready", Remediation: "kubectl describe node NAME; on AKS, 'az aks nodepool show' and the node's kubelet logs explain the condition"}

func nodesReady(s *cluster.Snapshot, _ *profile.Profile) result.Result {
	if len(s.Nodes) == 0 {
		return fail("the cluster has no nodes")
	}
	var bad, objs []string
	var fs findings
	for i := range s.Nodes {
		n := &s.Nodes[i]
		if ok, reason := nodeReady(n); !ok {
			bad = append(bad, fmt.Sprintf("%s (%s)", n.Name, reason))
			objs = append(objs, "Node/"+n.Name)
			fs.add("Node/"+n.Name, "not Ready (%s)", reason)
		}
	}
	if len(bad) > 0 {
		return fail("%s of %d not Ready: %s", phrase.Count(len(bad), "node", "nodes"), len(s.Nodes), phrase.Summary(bad, 10)).With(objs...).About(fs...)
	}
	return pass("%s Ready", phrase.Count(len(s.Nodes), "node", "nodes"))
}

var nodesPoolsCheck = &Check{ID: "nodes-pools", Severity: result.Critical, Uses: []cluster.Resource{cluster.Nodes}, Run: nodesPools,
	Title: "Every expected node pool is present with its minimum count, mode and labels", Remediation: "scale or create the pool with 'az aks nodepool scale|add', with the labels the profile lists (--labels pci-scope=...)"}

func nodesPools(s *cluster.Snapshot, p *profile.Profile) result.Result {
	if len(p.Nodes.Pools) == 0 {
		return skip("the profile expects no node pools")
	}
	byPool := groupBy(s.Nodes, func(n *cluster.Node) string { return n.Labels.Get(p.Nodes.PoolLabel) })
	var bad, good, objs []string
	var fs findings
	for _, pool := range p.Nodes.Pools {
		nodes := byPool[pool.Name]
		if len(nodes) < pool.MinCount {
			bad = append(bad, fmt.Sprintf("pool %s has %s, want at least %d", pool.Name, phrase.Count(len(nodes), "node", "nodes"), pool.MinCount))
			objs = append(objs, "pool/"+pool.Name)
			fs.add("pool/"+pool.Name, "has %s, want at least %d", phrase.Count(len(nodes), "node", "nodes"), pool.MinCount)
			continue
		}
		var wrongMode, wrongLabels []string
		for _, n := range nodes {
			if pool.Mode != "" && p.Nodes.ModeLabel != "" && !strings.EqualFold(n.Labels.Get(p.Nodes.ModeLabel), pool.Mode) {
				wrongMode = append(wrongMode, n.Name)
				fs.add("Node/"+n.Name, "in pool %s but not in mode %s (%s=%q)", pool.Name, pool.Mode, p.Nodes.ModeLabel, n.Labels.Get(p.Nodes.ModeLabel))
			}
			for _, k := range sortedKeys(pool.Labels) {
				if v, ok := n.Labels.Lookup(k); !ok || v != pool.Labels[k] {
					wrongLabels = append(wrongLabels, n.Name)
					fs.add("Node/"+n.Name, "in pool %s without labels %s", pool.Name, labelString(pool.Labels))
					break
				}
			}
		}
		if len(wrongMode) > 0 {
			bad = append(bad, fmt.Sprintf("pool %s: %s not in mode %s (%s): %s", pool.Name, phrase.Count(len(wrongMode), "node", "nodes"), pool.Mode, p.Nodes.ModeLabel, phrase.Summary(wrongMode, 5)))
			objs = append(objs, "pool/"+pool.Name)
		}
		if len(wrongLabels) > 0 {
			bad = append(bad, fmt.Sprintf("pool %s: %s without labels %s: %s", pool.Name, phrase.Count(len(wrongLabels), "node", "nodes"), labelString(pool.Labels), phrase.Summary(wrongLabels, 5)))
			objs = append(objs, "pool/"+pool.Name)
		}
		if len(wrongMode) == 0 && len(wrongLabels) == 0 {
			good = append(good, fmt.Sprintf("%s %d", pool.Name, len(nodes)))
		}
	}
	if len(bad) > 0 {
		return fail("%s", strings.Join(bad, "; ")).With(objs...).About(fs...)
	}
	return pass("pools present: %s", strings.Join(good, ", "))
}

func labelString(m map[string]string) string {
	var out []string
	for _, k := range sortedKeys(m) {
		out = append(out, k+"="+m[k])
	}
	return strings.Join(out, ",")
}

var nodesKubeletVersionCheck = &Check{ID: "nodes-kubelet-version", Severity: result.Critical, Uses: []cluster.Resource{cluster.Nodes, cluster.ServerVersion}, Run: nodesKubelet,
	Title: "One kubelet minor version across nodes, within supported skew of the API server", Remediation: "upgrade the lagging pools with 'az aks nodepool upgrade' to the control plane's version"}

func nodesKubelet(s *cluster.Snapshot, p *profile.Profile) result.Result {
	if len(s.Nodes) == 0 {
		return fail("the cluster has no nodes")
	}
	minors := map[string][]string{}
	var unparsable []string
	var fs findings
	for i := range s.Nodes {
		n := &s.Nodes[i]
		v, err := version.ParseGeneric(n.KubeletVersion)
		if err != nil {
			unparsable = append(unparsable, n.Name)
			fs.add("Node/"+n.Name, "reports no kubelet version (%q)", n.KubeletVersion)
			continue
		}
		k := fmt.Sprintf("%d.%d", v.Major(), v.Minor())
		minors[k] = append(minors[k], n.Name)
	}
	if len(unparsable) > 0 {
		return fail("%s report no kubelet version: %s", phrase.Count(len(unparsable), "node", "nodes"), phrase.Summary(unparsable, 5)).About(fs...)
	}
	keys := sortedKeys(minors)
	if len(keys) > 1 {
		var parts []string
		// The nodes off the most common minor are the ones to upgrade (or
		// to waive); on a tie, those off the newest.
		common := keys[len(keys)-1]
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s on %s", k, phrase.Count(len(minors[k]), "node", "nodes")))
			if len(minors[k]) > len(minors[common]) {
				common = k
			}
		}
		for _, k := range keys {
			if k == common {
				continue
			}
			for _, n := range minors[k] {
				fs.add("Node/"+n, "runs kubelet %s while %s run %s", k, phrase.Count(len(minors[common]), "node", "nodes"), common)
			}
		}
		return fail("kubelets run %d minor versions: %s", len(keys), strings.Join(parts, ", ")).About(fs...)
	}
	kubelet := version.MustParseGeneric(keys[0])
	server, err := version.ParseGeneric(s.Version.GitVersion)
	if err != nil {
		return fail("cannot parse the API server version %q", s.Version.GitVersion)
	}
	skew := int(server.Minor()) - int(kubelet.Minor())
	var why string
	switch {
	case server.Major() != kubelet.Major() || skew < 0:
		why = fmt.Sprintf("kubelets run %s, newer than the API server %s", keys[0], s.Version.GitVersion)
	case skew > p.Nodes.MaxKubeletSkew:
		why = fmt.Sprintf("kubelets run %s, %d minors behind the API server %s (at most %d supported)", keys[0], skew, s.Version.GitVersion, p.Nodes.MaxKubeletSkew)
	}
	if why != "" {
		for i := range s.Nodes {
			fs.add("Node/"+s.Nodes[i].Name, "runs kubelet %s; the API server runs %s", s.Nodes[i].KubeletVersion, s.Version.GitVersion)
		}
		return fail("%s", why).About(fs...)
	}
	return pass("all %s run kubelet %s; API server %s", phrase.Count(len(s.Nodes), "node", "nodes"), keys[0], s.Version.GitVersion)
}

var nodesCordonedCheck = &Check{ID: "nodes-cordoned", Severity: result.Warning, Uses: []cluster.Resource{cluster.Nodes}, Run: nodesCordoned,
	Title: "No node is cordoned", Remediation: "kubectl uncordon NAME once maintenance is over"}

func nodesCordoned(s *cluster.Snapshot, _ *profile.Profile) result.Result {
	var names, objs []string
	var fs findings
	for i := range s.Nodes {
		if s.Nodes[i].Unschedulable {
			names = append(names, s.Nodes[i].Name)
			objs = append(objs, "Node/"+s.Nodes[i].Name)
			fs.add("Node/"+s.Nodes[i].Name, "cordoned")
		}
	}
	if len(names) > 0 {
		return fail("%s cordoned: %s", phrase.Count(len(names), "node", "nodes"), phrase.Summary(names, 10)).With(objs...).About(fs...)
	}
	return pass("no node is cordoned")
}

var nodesSystemTaintCheck = &Check{ID: "nodes-system-taint", Severity: result.Critical, Uses: []cluster.Resource{cluster.Nodes}, Run: nodesSystemTaint,
	Title: "The system pool carries the taint the profile asks for", Remediation: "add the taint to the system pool ('az aks nodepool update --node-taints CriticalAddonsOnly=true:NoSchedule'), or set nodes.systemTaint.required: false in the profile"}

func nodesSystemTaint(s *cluster.Snapshot, p *profile.Profile) result.Result {
	t := p.Nodes.SystemTaint
	if t.Pool == "" {
		return skip("the profile sets no system-pool taint")
	}
	want := fmt.Sprintf("%s=%s:%s", t.Key, t.Value, t.Effect)
	var nodes, missing []string
	for i := range s.Nodes {
		n := &s.Nodes[i]
		if n.Labels.Get(p.Nodes.PoolLabel) != t.Pool {
			continue
		}
		nodes = append(nodes, n.Name)
		has := false
		for _, taint := range n.Taints {
			if taint.Key == t.Key && taint.Value == t.Value && string(taint.Effect) == t.Effect {
				has = true
			}
		}
		if !has {
			missing = append(missing, n.Name)
		}
	}
	sort.Strings(missing)
	if len(nodes) == 0 {
		return skip("pool %s has no nodes (reported by nodes-pools)", t.Pool)
	}
	if len(missing) == 0 {
		return pass("all %s of pool %s carry %s", phrase.Count(len(nodes), "node", "nodes"), t.Pool, want)
	}
	// The nodes are named so that a waiver can cover them by pattern.
	objs := make([]string, len(missing))
	var fs findings
	for i, n := range missing {
		objs[i] = "Node/" + n
		fs.add(objs[i], "lacks the taint %s", want)
	}
	if !t.Required {
		r := warnBecause("the profile does not require the taint (nodes.systemTaint.required: false), as the regulated reference leaves it off",
			"%s of pool %s lack the taint %s; the profile allows it (the regulated reference leaves it off), but user pods can then schedule on system nodes", phrase.Count(len(missing), "node", "nodes"), t.Pool, want).With(objs...).About(fs...)
		// The profile already accepts it: the only step left is the taint.
		r.Remediation = fmt.Sprintf("to keep user pods off the system nodes, taint the pool: 'az aks nodepool update --name %s --node-taints %s' (the profile accepts the pool untainted, so this warning is by design until then)", t.Pool, want)
		return r
	}
	return fail("%s of pool %s lack the taint %s: %s", phrase.Count(len(missing), "node", "nodes"), t.Pool, want, phrase.Summary(missing, 5)).With(objs...).About(fs...)
}
