package check

import (
	"fmt"
	"slices"
	"strings"
)

// catalogue orders the categories for reports; each category file declares
// its checks whole, in report order. IDs are part of the product and must
// never change or be reused: 'verify --list', the README's table and every
// report print them.
var catalogue = []struct {
	category string
	checks   []*Check
}{
	{"nodes", nodeChecks},
	{"segmentation", segmentationChecks},
	{"network", networkChecks},
	{"namespaces", namespaceChecks},
	{"security", securityChecks},
	{"policies", policyChecks},
	{"identities", identityChecks},
	{"access", accessChecks},
	{"secrets", secretChecks},
	{"flux", fluxChecks},
	{"images", imageChecks},
}

// catalogued is every check in report order, each told its category.
var catalogued = func() []*Check {
	var out []*Check
	for _, sec := range catalogue {
		for _, c := range sec.checks {
			c.Category = sec.category
			out = append(out, c)
		}
	}
	return out
}()

// Categories in report order; each is a 'verify <category>' sub-command.
var Categories = func() []string {
	out := make([]string, 0, len(catalogue))
	for _, sec := range catalogue {
		out = append(out, sec.category)
	}
	return out
}()

// All returns the catalogue in report order.
func All() []*Check { return slices.Clone(catalogued) }

// Lookup returns a check by ID.
func Lookup(id string) *Check {
	for _, c := range catalogued {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// Select picks checks by category and ID. Unknown names are an error that
// lists the valid ones, so a typo never silently checks nothing.
func Select(categories, ids, skipIDs []string) ([]*Check, error) {
	for _, c := range categories {
		if !slices.Contains(Categories, c) {
			return nil, fmt.Errorf("unknown category %q: use one of %s", c, strings.Join(Categories, ", "))
		}
	}
	for _, id := range append(append([]string(nil), ids...), skipIDs...) {
		if Lookup(id) == nil {
			return nil, fmt.Errorf("unknown check ID %q: list them with 'verify --list'", id)
		}
	}
	var out []*Check
	for _, c := range All() {
		if len(categories) > 0 && !slices.Contains(categories, c.Category) {
			continue
		}
		if len(ids) > 0 && !slices.Contains(ids, c.ID) {
			continue
		}
		if slices.Contains(skipIDs, c.ID) {
			continue
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no check selected")
	}
	return out, nil
}
