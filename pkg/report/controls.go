package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/controls"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// The states of a requirement besides the statuses of its results.
const (
	// NotVerifiable: only evidence from outside the cluster can show it.
	NotVerifiable = "not verifiable"
	// NotChecked: none of its checks ran, or all were skipped.
	NotChecked = "not checked"
)

// Requirement is one PCI DSS requirement with the results that give
// evidence for it, as the by-control views show it.
type Requirement struct {
	controls.Requirement
	Results []result.Result
	Counts  result.Counts
	// Manual says what to attach where the cluster cannot show enough.
	Manual []controls.Manual
	// State is the worst status of its results: fail, warn, waived, pass;
	// NotVerifiable when only attached evidence can show it (also when its
	// checks passed: a requirement partly outside the cluster is never
	// shown passed), NotChecked when none of its checks ran or all were
	// skipped.
	State string
}

// ByRequirement groups results under every requirement the tool covers, in
// the standard's order. A result's Controls, attached once by verify,
// decide where it goes.
func ByRequirement(results []result.Result) []Requirement {
	var out []Requirement
	for _, req := range controls.Requirements() {
		row := Requirement{Requirement: req, Manual: controls.ManualFor(req.ID)}
		for _, r := range results {
			if slices.Contains(r.Controls, req.ID) {
				row.Results = append(row.Results, r)
			}
		}
		row.Counts = result.Count(row.Results)
		row.State = state(row)
		out = append(out, row)
	}
	return out
}

func state(r Requirement) string {
	c := r.Counts
	switch {
	case c.Fail > 0 || c.Error > 0:
		return string(result.Fail)
	case c.Warn > 0:
		return string(result.Warn)
	case c.Waived > 0:
		return string(result.Waived)
	case len(r.Manual) > 0 && (c.Pass > 0 || len(controls.Checks(r.ID)) == 0):
		// What the checks saw is shown beside it; the requirement itself
		// rests on the evidence the Manual rows name.
		return NotVerifiable
	case c.Pass > 0:
		return string(result.Pass)
	}
	return NotChecked
}

func stateStatus(s string) result.Status {
	if s == NotVerifiable || s == NotChecked {
		return result.Skip
	}
	return result.Status(s)
}

// markState is Mark for a requirement's state; ◇ marks what only attached
// evidence can show.
func markState(s string) string {
	if s == NotVerifiable {
		return "◇"
	}
	return Mark(stateStatus(s))
}

// notRun lists the checks mapped to a requirement that this run skipped
// (not selected), so a reader knows the gap is the run's, not the map's.
func notRun(req Requirement) []string {
	var out []string
	for _, id := range controls.Checks(req.ID) {
		ran := false
		for _, r := range req.Results {
			ran = ran || r.ID == id
		}
		if !ran {
			out = append(out, id)
		}
	}
	return out
}

// writeByControl prints, per cluster, every requirement with the checks
// that give evidence for it and what to attach where the cluster cannot.
func writeByControl(w io.Writer, reports []*result.Report, o Options) error {
	writeClusters(w, reports, o, ": "+controls.Standard, func(r *result.Report, paint func(code, s string) string) {
		for _, req := range ByRequirement(r.Results) {
			st := stateStatus(req.State)
			fmt.Fprintf(w, "%s %s %s\n", paint(colorOf(st), markState(req.State)), paint(ansiBold, req.ID), req.Title)
			for _, res := range req.Results {
				fmt.Fprintf(w, "    %s %s %s\n", paint(colorOf(res.Status), Mark(res.Status)), res.ID, res.Message)
			}
			if ids := notRun(req); len(ids) > 0 {
				fmt.Fprintf(w, "    %s\n", paint(ansiGrey, "◎ not run: "+strings.Join(ids, ", ")))
			}
			for _, m := range req.Manual {
				lead := "not verifiable from the cluster"
				if len(controls.Checks(req.ID)) > 0 {
					lead = "also outside the cluster"
				}
				fmt.Fprintf(w, "    %s %s: %s\n", paint(ansiGrey, "◇"), lead, m.Gap)
				fmt.Fprintf(w, "      %s\n", paint(ansiGrey, "→ attach "+m.Evidence))
			}
		}
	}, nil)
	return nil
}

func orNone(context string) string {
	if context == "" {
		return "<no context>"
	}
	return context
}
