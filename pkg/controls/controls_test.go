package controls

import (
	"regexp"
	"slices"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

func TestEveryCheckIsMapped(t *testing.T) {
	for _, c := range check.All() {
		m, ok := Lookup(c.ID)
		if !ok {
			t.Errorf("check %s has no row in the control map (pkg/controls/table.go)", c.ID)
			continue
		}
		if len(m.Requirements) == 0 || len(m.PCI321) == 0 {
			t.Errorf("check %s: a row needs v4.0.1 requirements and the 3.2.1 numbers", c.ID)
		}
	}
}

func TestNoUnknownCheck(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range mappings {
		if seen[m.Check] {
			t.Errorf("check %s is mapped twice", m.Check)
		}
		seen[m.Check] = true
		if check.Lookup(m.Check) == nil {
			t.Errorf("the control map names %s, which is no check", m.Check)
		}
	}
}

func TestCatalogueIsClosed(t *testing.T) {
	v4 := regexp.MustCompile(`^\d{1,2}(\.\d{1,2}){2}$`)
	v321 := regexp.MustCompile(`^\d{1,2}\.\d{1,2}$`)
	used := map[string]bool{}
	for _, m := range mappings {
		for _, r := range m.Requirements {
			used[r] = true
		}
		for _, r := range m.PCI321 {
			if !v321.MatchString(r) {
				t.Errorf("check %s: 3.2.1 number %q is not N.N", m.Check, r)
			}
		}
	}
	for _, m := range manual {
		used[m.Requirement] = true
		if m.Gap == "" || m.Evidence == "" || !v321.MatchString(m.PCI321) {
			t.Errorf("manual row %s needs a gap, the evidence to attach and a 3.2.1 number", m.Requirement)
		}
	}
	names := map[string]bool{}
	for _, r := range requirements {
		if !v4.MatchString(r.ID) || r.Title == "" {
			t.Errorf("requirement %q needs an N.N.N number and a title", r.ID)
		}
		if names[r.ID] {
			t.Errorf("requirement %s is listed twice", r.ID)
		}
		names[r.ID] = true
		if !used[r.ID] {
			t.Errorf("requirement %s is in the catalogue but nothing refers to it", r.ID)
		}
	}
	for r := range used {
		if !names[r] {
			t.Errorf("requirement %s is used but has no title in the catalogue", r)
		}
	}
}

// TestGrouping holds the map to the chapters of Microsoft's AKS PCI pages.
func TestGrouping(t *testing.T) {
	want := map[string]string{
		"access-private-endpoint":  "1",
		"network-deny-all":         "1",
		"policies-constraints":     "2",
		"secrets-provider-class":   "3",
		"secrets-tls-secret":       "4",
		"security-agents":          "5",
		"nodes-image-age":          "6",
		"images-allowed-registry":  "6",
		"flux-sync-ready":          "6",
		"identities-nmi":           "7",
		"access-credential-plugin": "8",
	}
	for id, chapter := range want {
		found := false
		for _, r := range For(id) {
			if regexp.MustCompile(`^` + chapter + `\.`).MatchString(r) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s maps to %v, none under requirement %s", id, For(id), chapter)
		}
	}
	for _, ch := range []string{"10", "11"} {
		found := false
		for _, r := range Requirements() {
			if regexp.MustCompile(`^` + ch + `\.`).MatchString(r.ID) {
				found = true
			}
		}
		if !found {
			t.Errorf("nothing under requirement %s", ch)
		}
	}
}

func TestOrderAndAttach(t *testing.T) {
	rs := Requirements()
	if rs[0].ID != "1.2.1" || rs[len(rs)-1].ID != "12.10.1" {
		t.Errorf("order: first %s, last %s", rs[0].ID, rs[len(rs)-1].ID)
	}
	if !Less("2.2.1", "10.2.1") || Less("10.2.1", "2.2.1") || !Less("12.5.1", "12.10.1") {
		t.Error("Less does not order numerically")
	}
	results := []result.Result{{ID: "secrets-tls-secret"}, {ID: "no-such-check"}}
	Attach(results)
	if !slices.Equal(results[0].Controls, []string{"4.2.1"}) || results[1].Controls != nil {
		t.Errorf("attach: %v / %v", results[0].Controls, results[1].Controls)
	}
	if got := Checks("4.2.1"); !slices.Equal(got, []string{"secrets-tls-secret"}) {
		t.Errorf("Checks(4.2.1) = %v", got)
	}
	if len(ManualFor("10.5.1")) != 1 || Title("10.5.1") == "" {
		t.Error("10.5.1 needs a manual row and a title")
	}
	// The returned slices are copies: a caller cannot edit the table.
	m, _ := Lookup("secrets-tls-secret")
	m.Requirements[0] = "x"
	if For("secrets-tls-secret")[0] != "4.2.1" {
		t.Error("Lookup leaked the table")
	}
}
