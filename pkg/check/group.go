package check

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/progress"
)

// groups collects findings under headings (a namespace, a pool, an image)
// so that a message on 50,000 pods stays readable: a few items per group,
// with counts; Result.Objects keeps every object.
type groups struct {
	order []string
	items map[string][]string
	total int
}

func (g *groups) add(key, item string) {
	if g.items == nil {
		g.items = map[string][]string{}
	}
	if _, ok := g.items[key]; !ok {
		g.order = append(g.order, key)
	}
	g.items[key] = append(g.items[key], item)
	g.total++
}

func (g *groups) empty() bool { return g.total == 0 }

// render shows at most maxGroups groups of at most maxItems items each.
func (g *groups) render(maxGroups, maxItems int) string {
	var parts []string
	for i, k := range g.order {
		if i == maxGroups {
			parts = append(parts, fmt.Sprintf("and %d more groups", len(g.order)-maxGroups))
			break
		}
		its := g.items[k]
		parts = append(parts, fmt.Sprintf("%s (%d): %s", k, len(its), progress.Summary(its, maxItems)))
	}
	return strings.Join(parts, "; ")
}

// nodeIndex describes nodes by pool and PCI scope, as findings name them.
type nodeIndex struct {
	byName              map[string]*corev1.Node
	poolLabel, scopeLbl string
}

func newNodeIndex(s *cluster.Snapshot, p *profile.Profile) nodeIndex {
	ix := nodeIndex{byName: make(map[string]*corev1.Node, len(s.Nodes)), poolLabel: p.Nodes.PoolLabel, scopeLbl: p.Segmentation.ScopeLabel}
	for i := range s.Nodes {
		ix.byName[s.Nodes[i].Name] = &s.Nodes[i]
	}
	return ix
}

func (ix nodeIndex) scope(name string) (string, bool) {
	n := ix.byName[name]
	if n == nil || ix.scopeLbl == "" {
		return "", false
	}
	v, ok := n.Labels[ix.scopeLbl]
	return v, ok
}

// describe names a node with its pool and scope: "aks-np-0 (pool np, pci-scope=in-scope)".
func (ix nodeIndex) describe(name string) string {
	n := ix.byName[name]
	if n == nil {
		return name + " (not among the nodes read)"
	}
	var attrs []string
	if pool := n.Labels[ix.poolLabel]; pool != "" {
		attrs = append(attrs, "pool "+pool)
	}
	if ix.scopeLbl != "" {
		if v, ok := n.Labels[ix.scopeLbl]; ok {
			attrs = append(attrs, ix.scopeLbl+"="+v)
		} else {
			attrs = append(attrs, "no "+ix.scopeLbl+" label")
		}
	}
	if len(attrs) == 0 {
		return name
	}
	return name + " (" + strings.Join(attrs, ", ") + ")"
}

func podRef(p *cluster.Pod) string { return "Pod/" + p.Namespace + "/" + p.Name }

func set(items []string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, s := range items {
		m[s] = true
	}
	return m
}

// missingNamespaces returns the namespaces of names the cluster lacks.
func missingNamespaces(s *cluster.Snapshot, names []string) []string {
	var out []string
	for _, n := range names {
		if !s.HasNamespace(n) {
			out = append(out, n)
		}
	}
	return out
}
