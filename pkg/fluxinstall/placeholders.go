package fluxinstall

import (
	"fmt"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/placeholder"
)

// placeholderError refuses a set that still holds the reference's
// placeholders: applied, they would make Flux pull from a repository or
// registry that does not exist.
type placeholderError struct {
	lines []string
	// fix says how to fill them in.
	fix string
}

func (e *placeholderError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "refusing to apply: %d unreplaced placeholder(s), nothing was sent to the cluster:", len(e.lines))
	for _, l := range e.lines {
		b.WriteString("\n  " + l)
	}
	if e.fix != "" {
		b.WriteString("\n" + e.fix)
	}
	return b.String()
}

// checkPlaceholders scans every object for placeholder tokens and returns a
// *placeholderError naming token, object and the file (and line) it came
// from, or nil. It needs no cluster.
func checkPlaceholders(s *Set, fix string) error {
	var lines []string
	for _, o := range s.objects {
		b, err := yaml.Marshal(o.Object)
		if err != nil {
			return fmt.Errorf("%s: %w", o.ref(), err)
		}
		for _, tok := range placeholder.FindIn(string(b)) {
			where := o.origin
			if locs := findingsFor(s.findings, tok); len(locs) > 0 {
				where = strings.Join(locs, ", ")
			}
			msg := fmt.Sprintf("%s in %s (%s)", tok, o.ref(), where)
			if t, ok := placeholder.Lookup(tok); ok && t.Value != "" {
				msg += ": replace it with " + t.Value
			}
			lines = append(lines, msg)
		}
	}
	if len(lines) == 0 {
		return nil
	}
	sort.Strings(lines)
	return &placeholderError{lines: lines, fix: fix}
}

// checkFlagPlaceholders refuses flag values that are placeholders, e.g. a
// --registry of REPLACE_ME_WITH_YOUR_ACRNAME.azurecr.io copied from the docs.
func checkFlagPlaceholders(flags map[string]string, fix string) error {
	var lines []string
	for name, v := range flags {
		for _, tok := range placeholder.FindIn(v) {
			lines = append(lines, fmt.Sprintf("%s in --%s %q", tok, name, v))
		}
	}
	if len(lines) == 0 {
		return nil
	}
	sort.Strings(lines)
	return &placeholderError{lines: lines, fix: fix}
}

func findingsFor(fs []placeholder.Finding, tok string) []string {
	var out []string
	for _, f := range fs {
		if f.Token == tok {
			out = append(out, fmt.Sprintf("%s:%d", f.File, f.Line))
		}
	}
	return out
}
