package waiver

import (
	"fmt"
	"path"
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
// A result whose objects are all covered (or a waiver without objects for
// its check) becomes status waived, with the first covering waiver
// attached. A result only partly covered keeps its status and all its
// objects, so the finding still counts and drift still keys on the same
// objects; its message ends with the covered objects and the ticket, so a
// reader sees what is already accepted. A result without objects is
// covered only by a waiver without objects: a pattern cannot match nothing.
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
		covered := map[string]bool{}
		var by []int
		for wi, w := range active {
			if w.Check != r.ID {
				continue
			}
			hit := false
			if len(w.Objects) == 0 {
				hit = true
				for _, o := range r.Objects {
					covered[o] = true
				}
			} else {
				for _, o := range r.Objects {
					if w.Covers(o) {
						covered[o], hit = true, true
					}
				}
			}
			if hit {
				used[wi] = true
				by = append(by, wi)
			}
		}
		if len(by) == 0 {
			continue
		}
		if len(covered) == len(r.Objects) {
			wv := active[by[0]].Waiver
			wv.Objects = append([]string(nil), wv.Objects...)
			r.Status, r.Waiver = result.Waived, &wv
			continue
		}
		var objs []string
		for _, o := range r.Objects {
			if covered[o] {
				objs = append(objs, o)
			}
		}
		r.Message += fmt.Sprintf(" (waived: %s by %s)", strings.Join(objs, ", "), tickets(active, by))
	}
	ran := map[string]bool{}
	for _, r := range results {
		ran[r.ID] = true
	}
	for wi, w := range active {
		// A waiver for a check this run did not select was not put to the
		// test: calling it stale would be noise on every partial run.
		if !used[wi] && ran[w.Check] {
			notes = append(notes, Note{Kind: Stale, Waiver: w})
		}
	}
	return out, notes
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
