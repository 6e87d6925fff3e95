package waiver

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// NoteKind says why a waiver needs attention.
type NoteKind string

const (
	// Expired: the date has passed, so the waiver covers nothing.
	Expired NoteKind = "expired"
	// Stale: its check ran and the waiver covered no finding; remove it.
	Stale NoteKind = "stale"
)

// Note is a warning about one waiver, for the user running verify.
type Note struct {
	Kind   NoteKind
	Waiver Waiver
}

func (n Note) String() string {
	switch n.Kind {
	case Expired:
		return fmt.Sprintf("waiver %s expired on %s and no longer covers anything", n.Waiver, n.Waiver.Expires)
	default:
		return fmt.Sprintf("waiver %s is stale: it covered nothing in this run", n.Waiver)
	}
}

// Waivable reports whether a status can be waived. Failures and warnings
// are findings a team can accept for a while. Errors are not: an error
// says verify could not look (a permission, an unreachable API), and a
// waiver accepts a known risk, not an unknown state.
func Waivable(s result.Status) bool { return s == result.Fail || s == result.Warn }

// Active reports whether w still counts on day today: it expires at the end
// of its date, in today's location.
func (w Waiver) Active(today time.Time) bool {
	return today.Format(result.DateLayout) <= w.Expires.String()
}

// Apply returns results with waivers applied, and the notes to show.
//
// Waivers cover findings, not results: a finding is waived by the first
// active waiver of its check that has no objects (the whole check) or a
// pattern matching the finding's object; a finding that names no object is
// covered only by a whole-check waiver, since a pattern cannot match
// nothing. A result whose findings are all waived becomes waived, with the
// first covering waiver attached; a result only partly covered keeps the
// worst status of the findings left, and its message ends with the waived
// objects and the tickets, so a reader sees what is already accepted.
func Apply(results []result.Result, waivers []Waiver, today time.Time) ([]result.Result, []Note) {
	out := make([]result.Result, len(results))
	copy(out, results)
	var notes []Note
	var active []Waiver
	for _, w := range waivers {
		if w.Active(today) {
			active = append(active, w)
		} else {
			notes = append(notes, Note{Kind: Expired, Waiver: w})
		}
	}
	used := make([]bool, len(active))
	for i := range out {
		r := &out[i]
		if !Waivable(r.Status) {
			continue
		}
		fs := r.Findings
		if len(fs) == 0 {
			fs = []result.Finding{{Status: r.Status, Message: r.Message}}
		}
		r.Findings = make([]result.Finding, len(fs))
		copy(r.Findings, fs)
		var by []int
		var waived []string
		for fi := range r.Findings {
			f := &r.Findings[fi]
			if !Waivable(f.Status) {
				continue
			}
			wi := cover(active, r.ID, f.Object)
			if wi < 0 {
				continue
			}
			used[wi] = true
			if !slices.Contains(by, wi) {
				by = append(by, wi)
			}
			f.Status, f.Waiver = result.Waived, attach(active[wi])
			if f.Object != "" {
				waived = append(waived, f.Object)
			}
		}
		if len(by) == 0 {
			continue
		}
		if st := result.Worst(r.Findings); st == result.Waived {
			r.Status, r.Waiver = result.Waived, attach(active[by[0]])
			continue
		}
		r.Status = result.Worst(unwaived(r.Findings))
		r.Message += fmt.Sprintf(" (waived: %s by %s)", strings.Join(waived, ", "), tickets(active, by))
	}
	looked := map[string]bool{}
	for _, r := range results {
		// An error is a check that could not look: it puts no waiver to the test.
		looked[r.ID] = looked[r.ID] || r.Status != result.Error
	}
	for wi, w := range active {
		// A waiver for a check this run did not select, or that could not
		// read what it needs, was not put to the test: calling it stale
		// would be noise on every partial run and every outage.
		if !used[wi] && looked[w.Check] {
			notes = append(notes, Note{Kind: Stale, Waiver: w})
		}
	}
	return out, notes
}

// cover returns the index of the first waiver in ws that covers check id's
// finding about object, or -1.
func cover(ws []Waiver, id, object string) int {
	for wi, w := range ws {
		if w.Check != id {
			continue
		}
		if len(w.Objects) == 0 || (object != "" && w.Covers(object)) {
			return wi
		}
	}
	return -1
}

func attach(w Waiver) *result.Waiver {
	wv := w.Waiver
	wv.Objects = append([]string(nil), wv.Objects...)
	return &wv
}

func unwaived(fs []result.Finding) []result.Finding {
	var out []result.Finding
	for _, f := range fs {
		if f.Status != result.Waived {
			out = append(out, f)
		}
	}
	return out
}

func tickets(ws []Waiver, idx []int) string {
	var ts []string
	for _, i := range idx {
		t := ws[i].Ticket
		if t == "" {
			t = ws[i].String()
		}
		ts = append(ts, t+" until "+ws[i].Expires.String())
	}
	return strings.Join(ts, ", ")
}

// Covers reports whether one of the waiver's patterns matches an object as
// results name it (Kind/namespace/name, Kind/name, or name): a pattern of
// one part matches the name, of two the last two parts, of three the whole.
func (w Waiver) Covers(object string) bool {
	parts := strings.Split(object, "/")
	for _, p := range w.Objects {
		n := strings.Count(p, "/") + 1
		if n > len(parts) {
			continue
		}
		subject := strings.Join(parts[len(parts)-n:], "/")
		// Patterns are validated to hold no '[', '?' or '\\', so Match cannot fail.
		if ok, _ := path.Match(p, subject); ok {
			return true
		}
	}
	return false
}

// Merge combines the notes of several clusters checked with one waivers
// file: an expired waiver is named once, and a waiver is stale only when it
// covered nothing on any cluster.
func Merge(perCluster ...[]Note) []Note {
	type key struct {
		file string
		line int
		kind NoteKind
	}
	count := map[key]int{}
	var order []Note
	for _, notes := range perCluster {
		seen := map[key]bool{}
		for _, n := range notes {
			k := key{n.Waiver.File, n.Waiver.Line, n.Kind}
			if seen[k] {
				continue
			}
			seen[k] = true
			if count[k] == 0 {
				order = append(order, n)
			}
			count[k]++
		}
	}
	var out []Note
	for _, n := range order {
		k := key{n.Waiver.File, n.Waiver.Line, n.Kind}
		if n.Kind == Stale && count[k] < len(perCluster) {
			continue
		}
		out = append(out, n)
	}
	return out
}
