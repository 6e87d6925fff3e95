package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/sanitize"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/phrase"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

const (
	ansiReset  = "\x1b[0m"
	ansiGreen  = "\x1b[32m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiGrey   = "\x1b[90m"
	ansiBold   = "\x1b[1m"
)

func init() {
	register("text", 10, func(w io.Writer, reports []*result.Report, o Options) error {
		// Names, images and messages come from the cluster and from files:
		// on a terminal their control characters would act, not show.
		reports = sanitize.Strings(reports, sanitize.Text)
		if o.ByControl {
			return writeByControl(w, reports, o)
		}
		return writeText(w, reports, o)
	})
}

// Mark is the symbol of a status, in Flux's idiom.
func Mark(s result.Status) string {
	switch s {
	case result.Pass:
		return "✔"
	case result.Fail, result.Error:
		return "✗"
	case result.Warn:
		return "⚠"
	case result.Skip:
		return "◎"
	case result.Waived:
		return "⊘"
	}
	return "?"
}

func colorOf(s result.Status) string {
	switch s {
	case result.Pass:
		return ansiGreen
	case result.Fail, result.Error:
		return ansiRed
	case result.Warn:
		return ansiYellow
	}
	return ansiGrey
}

// painter returns a function that colours s when color is on.
func painter(color bool) func(code, s string) string {
	return func(code, s string) string {
		if !color {
			return s
		}
		return code + s + ansiReset
	}
}

func writeText(w io.Writer, reports []*result.Report, o Options) error {
	writeClusters(w, reports, o, "", func(r *result.Report, paint func(code, s string) string) {
		category, lastHint := "", ""
		for _, res := range r.Results {
			if res.Category != category {
				category = res.Category
				fmt.Fprintf(w, "%s\n", paint(ansiBold, category))
			}
			fmt.Fprintf(w, "  %s %s %s\n", paint(colorOf(res.Status), Mark(res.Status)), res.ID, res.Message)
			if why := warnReason(res); why != "" {
				fmt.Fprintf(w, "      %s\n", paint(ansiGrey, "a warning, not a failure: "+why))
			}
			// A hint shared by consecutive results (one missing permission,
			// an unreachable server) is printed once.
			if (res.Status == result.Fail || res.Status == result.Error || res.Status == result.Warn) && res.Remediation != "" && res.Remediation != lastHint {
				fmt.Fprintf(w, "      %s\n", paint(ansiGrey, "→ "+res.Remediation))
				lastHint = res.Remediation
			}
			if res.Status == result.Waived && res.Waiver != nil {
				fmt.Fprintf(w, "      %s\n", paint(ansiGrey, "waived "+WaiverLine(res.Waiver)))
			}
		}
	}, func(r *result.Report, paint func(code, s string) string) {
		writeDrift(w, r.Drift, paint)
	})
	return nil
}

// warnReason is why a critical check warns, for the views to show; "" for
// any other result.
func warnReason(r result.Result) string {
	if r.Status != result.Warn || r.Severity != result.Critical {
		return ""
	}
	return r.WarnReason
}

// writeClusters is the frame the text views share: per cluster a header
// (the profile followed by headerTail), the view's body, the access error
// and then after (when set), and the totals at the end.
func writeClusters(w io.Writer, reports []*result.Report, o Options, headerTail string, body, after func(r *result.Report, paint func(code, s string) string)) {
	paint := painter(o.Color)
	var total result.Counts
	for i, r := range reports {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s %s (%s), profile %s%s\n", paint(ansiBold, "Cluster"), orNone(r.Context), r.Server, r.Profile, headerTail)
		body(r, paint)
		if r.Error != "" {
			fmt.Fprintf(w, "  %s %s\n", paint(ansiRed, "✗"), r.Error)
		}
		if after != nil {
			after(r, paint)
		}
		total = add(total, r.Summary)
	}
	writeTotal(w, total, len(reports), o.Elapsed)
}

func writeTotal(w io.Writer, total result.Counts, clusters int, elapsed time.Duration) {
	on := ""
	if clusters > 1 {
		on = fmt.Sprintf(" on %d clusters", clusters)
	}
	fmt.Fprintf(w, "\n%s%s in %s\n", Summary(total), on, elapsed.Round(10*time.Millisecond))
}

// Summary renders counts as "20 passed, 1 failed, 2 warnings, 3 skipped, 0 errors".
func Summary(c result.Counts) string {
	parts := []string{
		fmt.Sprintf("%d passed", c.Pass),
		fmt.Sprintf("%d failed", c.Fail),
		plural(c.Warn, "warning", "warnings"),
		fmt.Sprintf("%d skipped", c.Skip),
		plural(c.Error, "error", "errors"),
	}
	// Waived is shown only when there is one, so runs without waivers read as before.
	if c.Waived > 0 {
		parts = append(parts, fmt.Sprintf("%d waived", c.Waived))
	}
	return strings.Join(parts, ", ")
}

func add(a, b result.Counts) result.Counts {
	a.Pass += b.Pass
	a.Fail += b.Fail
	a.Warn += b.Warn
	a.Skip += b.Skip
	a.Error += b.Error
	a.Waived += b.Waived
	return a
}

// WaiverLine says until when, under which ticket, by whom and why a
// finding is waived: "until 2027-03-31 (CHG-1042, approved by jane): reason".
func WaiverLine(w *result.Waiver) string {
	var who []string
	if w.Ticket != "" {
		who = append(who, w.Ticket)
	}
	if w.ApprovedBy != "" {
		who = append(who, "approved by "+w.ApprovedBy)
	}
	s := "until " + w.Expires.String()
	if len(who) > 0 {
		s += " (" + strings.Join(who, ", ") + ")"
	}
	return s + ": " + w.Reason
}

// writeDrift lists the three groups of a comparison with a baseline.
func writeDrift(w io.Writer, d *result.Drift, paint func(code, s string) string) {
	if d == nil {
		return
	}
	fmt.Fprintf(w, "%s against %s (%s): %d new, %d unchanged, %d resolved\n", paint(ansiBold, "drift"), d.Baseline,
		d.BaselineTime.UTC().Format(time.RFC3339), len(d.New), len(d.Unchanged), len(d.Resolved))
	for _, g := range DriftGroups(d) {
		for _, f := range g.Findings {
			st := f.Status
			if g.Name == "resolved" {
				st = result.Pass
			}
			obj := ""
			if f.Object != "" {
				obj = " " + f.Object
			}
			fmt.Fprintf(w, "  %-9s %s %s%s\n", g.Name, paint(colorOf(st), Mark(st)), f.Check, obj)
		}
	}
}

// DriftGroup is one of new, unchanged and resolved, for renderers.
type DriftGroup struct {
	Name     string
	Findings []result.DriftFinding
}

// DriftGroups returns the groups in the order readers act on them.
func DriftGroups(d *result.Drift) []DriftGroup {
	return []DriftGroup{{"new", d.New}, {"unchanged", d.Unchanged}, {"resolved", d.Resolved}}
}

var plural = phrase.Count
