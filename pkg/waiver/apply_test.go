package waiver

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

func day(s string) result.Date {
	t, err := time.Parse(result.DateLayout, s)
	if err != nil {
		panic(err)
	}
	return result.Date{Time: t}
}

func wv(id, expires string, line int, objects ...string) Waiver {
	return Waiver{Waiver: result.Waiver{Check: id, Objects: objects, Reason: "accepted", Ticket: "CHG-" + id, Expires: day(expires)}, File: "w.yaml", Line: line}
}

var today = time.Date(2027, 3, 31, 23, 0, 0, 0, time.UTC)

func TestApply(t *testing.T) {
	results := []result.Result{
		{ID: "nodes-system-taint", Status: result.Warn, Message: "3 nodes lack the taint", Objects: []string{"pool/npsystem"},
			Findings: []result.Finding{{Status: result.Warn, Object: "pool/npsystem", Message: "3 nodes lack the taint"}}},
		{ID: "images-placeholders", Status: result.Fail, Message: "2 pods", Objects: []string{"Pod/a0005-i/web-1", "Pod/default/api"},
			Findings: []result.Finding{{Status: result.Fail, Object: "Pod/a0005-i/web-1", Message: "web-1"}, {Status: result.Fail, Object: "Pod/default/api", Message: "api"}}},
		{ID: "nodes-cordoned", Status: result.Fail, Message: "1 node cordoned", Objects: []string{"Node/aks-npuser01-1"}},
		{ID: "policies-templates", Status: result.Error, Message: "forbidden"},
		{ID: "nodes-ready", Status: result.Pass, Message: "7 nodes Ready"},
		{ID: "flux-suspended", Status: result.Warn, Message: "suspended"},
	}
	ws := []Waiver{
		wv("nodes-system-taint", "2027-03-31", 4, "npsystem"),     // last valid day
		wv("images-placeholders", "2027-06-01", 10, "a0005-i/*"),  // partial
		wv("nodes-cordoned", "2027-03-30", 16),                    // expired yesterday
		wv("policies-templates", "2030-01-01", 20),                // errors are not waivable, nor tests of a waiver
		wv("nodes-ready", "2030-01-01", 24),                       // passes: stale
		wv("flux-suspended", "2030-01-01", 28),                    // whole check, no objects
		wv("flux-suspended", "2030-01-01", 32, "flux-system/app"), // objects cannot cover a result without any
		wv("flux-crds", "2030-01-01", 36),                         // its check did not run: not stale
	}
	out, notes := Apply(results, ws, today)

	if out[0].Status != result.Waived || out[0].Waiver == nil || out[0].Waiver.Ticket != "CHG-nodes-system-taint" {
		t.Errorf("fully covered: %+v", out[0])
	}
	if out[1].Status != result.Fail || out[1].Waiver != nil || len(out[1].Objects) != 2 ||
		out[1].Findings[0].Status != result.Waived || out[1].Findings[1].Status != result.Fail || results[1].Findings[0].Status != result.Fail ||
		!strings.HasSuffix(out[1].Message, "(waived: Pod/a0005-i/web-1 by CHG-images-placeholders until 2027-06-01)") {
		t.Errorf("partly covered: %+v", out[1])
	}
	if out[2].Status != result.Fail || out[2].Waiver != nil {
		t.Errorf("expired waiver still covers: %+v", out[2])
	}
	if out[3].Status != result.Error || out[4].Status != result.Pass {
		t.Errorf("error or pass changed: %v %v", out[3].Status, out[4].Status)
	}
	if out[5].Status != result.Waived {
		t.Errorf("whole-check waiver: %+v", out[5])
	}
	if results[0].Status != result.Warn || results[1].Message != "2 pods" {
		t.Error("Apply changed its input")
	}
	var got []string
	for _, n := range notes {
		got = append(got, string(n.Kind)+"@"+strconv.Itoa(n.Waiver.Line))
	}
	want := "expired@16 stale@24 stale@32"
	if strings.Join(got, " ") != want {
		t.Errorf("notes %v, want %s", got, want)
	}
	if s := notes[0].String(); s != "waiver nodes-cordoned (w.yaml:16) expired on 2027-03-30 and no longer covers anything" {
		t.Errorf("expired note: %q", s)
	}
	if s := notes[1].String(); !strings.Contains(s, "nodes-ready (w.yaml:24) is stale") {
		t.Errorf("stale note: %q", s)
	}
	if c := result.Count(out); c.Waived != 2 || c.Fail != 2 || c.Warn != 0 {
		t.Errorf("counts %+v", c)
	}
}

func TestCovers(t *testing.T) {
	for _, c := range []struct {
		pattern, object string
		want            bool
	}{
		{"npsystem", "pool/npsystem", true},
		{"web-*", "Pod/a0005-i/web-1", true},
		{"a0005-i/web-1", "Pod/a0005-i/web-1", true},
		{"a0005-*/*", "Pod/a0005-o/x", true},
		{"Pod/*/*", "Pod/default/x", true},
		{"Deployment/*/*", "Pod/default/x", false},
		{"default/*", "Pod/a0005-i/x", false},
		{"*", "exec/kubelogin", true},
		{"a/b/c", "Node/x", false},
		{"web", "Pod/a0005-i/web-1", false},
	} {
		w := Waiver{Waiver: result.Waiver{Objects: []string{c.pattern}}}
		if got := w.Covers(c.object); got != c.want {
			t.Errorf("%q covers %q = %v", c.pattern, c.object, got)
		}
	}
}

func TestMerge(t *testing.T) {
	a, b := wv("nodes-ready", "2030-01-01", 4), wv("nodes-cordoned", "2020-01-01", 8)
	one := []Note{{Kind: Stale, Waiver: a}, {Kind: Expired, Waiver: b}}
	two := []Note{{Kind: Expired, Waiver: b}}
	got := Merge(one, two)
	if len(got) != 1 || got[0].Kind != Expired {
		t.Errorf("a waiver used on one cluster is not stale; got %+v", got)
	}
	if got := Merge(one, one); len(got) != 2 {
		t.Errorf("stale on every cluster: %+v", got)
	}
}

// A waiver is stale only when its check looked and found nothing to cover:
// a check that errored (no permission, the API server gone) has not looked.
func TestStaleOnlyWhenItsCheckLooked(t *testing.T) {
	results := []result.Result{
		{ID: "nodes-ready", Status: result.Error, Message: "forbidden: list nodes"},
		{ID: "flux-crds", Status: result.Error, Message: "not checked: the API server is unreachable"},
		{ID: "nodes-cordoned", Status: result.Pass, Message: "no node is cordoned"},
	}
	ws := []Waiver{wv("nodes-ready", "2030-01-01", 4), wv("flux-crds", "2030-01-01", 8, "x"), wv("nodes-cordoned", "2030-01-01", 12)}
	_, notes := Apply(results, ws, today)
	if len(notes) != 1 || notes[0].Kind != Stale || notes[0].Waiver.Line != 12 {
		t.Errorf("notes %+v, want only the waiver of the check that passed stale", notes)
	}
}
