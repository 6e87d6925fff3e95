package check

import (
	"fmt"
	"strings"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/phrase"
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
		parts = append(parts, fmt.Sprintf("%s (%d): %s", k, len(its), phrase.Summary(its, maxItems)))
	}
	return strings.Join(parts, "; ")
}

// podRef names a pod in a result's objects, as waivers and drift key it.
func podRef(p *cluster.Pod) string { return "Pod/" + p.Namespace + "/" + p.Name }
