package check

import (
	"strings"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
)

// nodeIndex describes nodes by pool and PCI scope, as findings name them.
type nodeIndex struct {
	byName              map[string]*cluster.Node
	poolLabel, scopeLbl string
}

func newNodeIndex(s *cluster.Snapshot, p *profile.Profile) nodeIndex {
	ix := nodeIndex{byName: make(map[string]*cluster.Node, len(s.Nodes)), poolLabel: p.Nodes.PoolLabel, scopeLbl: p.Segmentation.ScopeLabel}
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
	v, ok := n.Labels.Lookup(ix.scopeLbl)
	return v, ok
}

// describe names a node with its pool and scope: "aks-np-0 (pool np, pci-scope=in-scope)".
func (ix nodeIndex) describe(name string) string {
	n := ix.byName[name]
	if n == nil {
		return name + " (not among the nodes read)"
	}
	var attrs []string
	if pool := n.Labels.Get(ix.poolLabel); pool != "" {
		attrs = append(attrs, "pool "+pool)
	}
	if ix.scopeLbl != "" {
		if v, ok := n.Labels.Lookup(ix.scopeLbl); ok {
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
