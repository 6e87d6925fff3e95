package check

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/phrase"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// nodeImageDate finds the date in a node image version such as
// AKSUbuntu-2204gen2containerd-202411.12.0 (2024-11-12).
var nodeImageDate = regexp.MustCompile(`-(\d{4})(\d{2})\.(\d{2})\.\d+$`)

func parseNodeImageDate(v string) (time.Time, bool) {
	m := nodeImageDate.FindStringSubmatch(v)
	if m == nil {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02", m[1]+"-"+m[2]+"-"+m[3])
	return t, err == nil
}

var nodesImageAgeCheck = &Check{ID: "nodes-image-age", Severity: result.Warning, Uses: []cluster.Resource{cluster.Nodes}, Run: nodesImageAge,
	Title: "No node runs a node image older than the profile's limit", Remediation: "upgrade the pools' node images ('az aks nodepool upgrade --node-image-only') or enable the node OS auto-upgrade channel; AKS publishes node images weekly"}

func nodesImageAge(s *cluster.Snapshot, p *profile.Profile) result.Result {
	label, maxDays := p.Nodes.ImageVersionLabel, p.Nodes.ImageMaxAgeDays
	if label == "" || maxDays == 0 {
		return skip("the profile sets no nodes.imageVersionLabel and imageMaxAgeDays")
	}
	if s.Now.IsZero() {
		return skip("the snapshot carries no reading time to measure ages from")
	}
	if len(s.Nodes) == 0 {
		return skip("the cluster has no nodes")
	}
	var old, unknown groups
	var objs []string
	var fs findings
	oldest := 0
	for i := range s.Nodes {
		n := &s.Nodes[i]
		pool := n.Labels.Get(p.Nodes.PoolLabel)
		if pool == "" {
			pool = "no pool"
		}
		v := n.Labels.Get(label)
		d, ok := parseNodeImageDate(v)
		if !ok {
			what := "no " + label + " label"
			if v != "" {
				what = "undated image " + v
			}
			unknown.add(pool, n.Name+" ("+what+")")
			objs = append(objs, "Node/"+n.Name)
			fs.add("Node/"+n.Name, "the age of its image is unknown: %s", what)
			continue
		}
		days := int(s.Now.Sub(d).Hours() / 24)
		oldest = max(oldest, days)
		if days > maxDays {
			old.add(pool, fmt.Sprintf("%s (%s, %d days)", n.Name, v, days))
			objs = append(objs, "Node/"+n.Name)
			fs.add("Node/"+n.Name, "node image %s is %d days old (limit %d)", v, days, maxDays)
		}
	}
	var parts []string
	if !old.empty() {
		parts = append(parts, fmt.Sprintf("%s older than %d days: %s", phrase.Count(old.total, "node image", "node images"), maxDays, old.render(6, 3)))
	}
	if !unknown.empty() {
		parts = append(parts, fmt.Sprintf("the age of %s is unknown: %s", phrase.Count(unknown.total, "node's image", "nodes' images"), unknown.render(6, 3)))
	}
	if len(parts) > 0 {
		return fail("%s", strings.Join(parts, "; ")).With(objs...).About(fs...)
	}
	return pass("%s on node images at most %d days old (limit %d)", phrase.Count(len(s.Nodes), "node", "nodes"), oldest, maxDays)
}
