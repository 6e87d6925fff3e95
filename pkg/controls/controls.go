package controls

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// Standard names the version of PCI DSS whose numbers Requirements carry.
const Standard = "PCI DSS v4.0.1"

// Requirement is one PCI DSS v4.0.1 requirement the tool touches.
type Requirement struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// Mapping says what one check gives evidence for.
type Mapping struct {
	Check string `json:"check"`
	// Requirements are PCI DSS v4.0.1 numbers.
	Requirements []string `json:"requirements"`
	// PCI321 are the PCI DSS 3.2.1 numbers Microsoft's AKS regulated-cluster
	// pages (and the reference implementation) file the same control under.
	PCI321 []string `json:"pci321"`
}

// Manual is a requirement, or part of one, the Kubernetes API cannot show:
// an assessor needs the evidence named here, attached by the team.
type Manual struct {
	Requirement string `json:"requirement"`
	PCI321      string `json:"pci321"`
	// Gap says what the cluster cannot show.
	Gap string `json:"gap"`
	// Evidence says what to attach instead.
	Evidence string `json:"evidence"`
}

// Requirements returns the catalogue in the standard's order.
func Requirements() []Requirement {
	out := slices.Clone(requirements)
	sort.SliceStable(out, func(i, j int) bool { return Less(out[i].ID, out[j].ID) })
	return out
}

// Title returns a requirement's title, or "" for a number the catalogue lacks.
func Title(id string) string {
	for _, r := range requirements {
		if r.ID == id {
			return r.Title
		}
	}
	return ""
}

// Mappings returns a copy of the check table.
func Mappings() []Mapping {
	out := make([]Mapping, len(mappings))
	for i, m := range mappings {
		out[i] = Mapping{Check: m.Check, Requirements: slices.Clone(m.Requirements), PCI321: slices.Clone(m.PCI321)}
	}
	return out
}

// For returns the v4.0.1 requirements a check gives evidence for, or nil.
func For(check string) []string {
	if m, ok := Lookup(check); ok {
		return m.Requirements
	}
	return nil
}

// Lookup returns a check's mapping.
func Lookup(check string) (Mapping, bool) {
	for _, m := range mappings {
		if m.Check == check {
			return Mapping{Check: m.Check, Requirements: slices.Clone(m.Requirements), PCI321: slices.Clone(m.PCI321)}, true
		}
	}
	return Mapping{}, false
}

// Checks returns the IDs of the checks that give evidence for a requirement.
func Checks(requirement string) []string {
	var out []string
	for _, m := range mappings {
		if slices.Contains(m.Requirements, requirement) {
			out = append(out, m.Check)
		}
	}
	return out
}

// ManualFor returns the evidence rows for a requirement.
func ManualFor(requirement string) []Manual {
	var out []Manual
	for _, m := range manual {
		if m.Requirement == requirement {
			out = append(out, m)
		}
	}
	return out
}

// ManualRows returns every "not verifiable from the cluster" row.
func ManualRows() []Manual { return slices.Clone(manual) }

// Less orders requirement numbers as the standard does: 1.2.1 < 1.3.1 < 10.2.1.
func Less(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		na, ea := strconv.Atoi(pa[i])
		nb, eb := strconv.Atoi(pb[i])
		if ea != nil || eb != nil {
			if pa[i] != pb[i] {
				return pa[i] < pb[i]
			}
			continue
		}
		if na != nb {
			return na < nb
		}
	}
	return len(pa) < len(pb)
}

// Attach sets each result's Controls from the table.
func Attach(results []result.Result) {
	for i := range results {
		results[i].Controls = For(results[i].ID)
	}
}
