package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
)

const (
	ansiReset  = "\x1b[0m"
	ansiGreen  = "\x1b[32m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiGrey   = "\x1b[90m"
	ansiBold   = "\x1b[1m"
)

// Mark is the symbol of a status, in Flux's idiom.
func Mark(s check.Status) string {
	switch s {
	case check.Pass:
		return "✔"
	case check.Fail, check.Error:
		return "✗"
	case check.Warn:
		return "⚠"
	case check.Skip:
		return "◎"
	}
	return "?"
}

func colorOf(s check.Status) string {
	switch s {
	case check.Pass:
		return ansiGreen
	case check.Fail, check.Error:
		return ansiRed
	case check.Warn:
		return ansiYellow
	}
	return ansiGrey
}

func writeText(w io.Writer, reports []*Report, o Options) error {
	paint := func(code, s string) string {
		if !o.Color {
			return s
		}
		return code + s + ansiReset
	}
	var total check.Counts
	for i, r := range reports {
		if i > 0 {
			fmt.Fprintln(w)
		}
		name := r.Context
		if name == "" {
			name = "<no context>"
		}
		fmt.Fprintf(w, "%s %s (%s), profile %s\n", paint(ansiBold, "Cluster"), name, r.Server, r.Profile)
		category, lastHint := "", ""
		for _, res := range r.Results {
			if res.Category != category {
				category = res.Category
				fmt.Fprintf(w, "%s\n", paint(ansiBold, category))
			}
			fmt.Fprintf(w, "  %s %s %s\n", paint(colorOf(res.Status), Mark(res.Status)), res.ID, res.Message)
			// A hint shared by consecutive results (one missing permission,
			// an unreachable server) is printed once.
			if (res.Status == check.Fail || res.Status == check.Error || res.Status == check.Warn) && res.Remediation != "" && res.Remediation != lastHint {
				fmt.Fprintf(w, "      %s\n", paint(ansiGrey, "→ "+res.Remediation))
				lastHint = res.Remediation
			}
		}
		if r.Error != "" {
			fmt.Fprintf(w, "  %s %s\n", paint(ansiRed, "✗"), r.Error)
		}
		total.Pass += r.Summary.Pass
		total.Fail += r.Summary.Fail
		total.Warn += r.Summary.Warn
		total.Skip += r.Summary.Skip
		total.Error += r.Summary.Error
	}
	clusters := ""
	if len(reports) > 1 {
		clusters = fmt.Sprintf(" on %d clusters", len(reports))
	}
	fmt.Fprintf(w, "\n%s%s in %s\n", Summary(total), clusters, o.Elapsed.Round(10*time.Millisecond))
	return nil
}

// Summary renders counts as "20 passed, 1 failed, 2 warnings, 3 skipped, 0 errors".
func Summary(c check.Counts) string {
	parts := []string{
		fmt.Sprintf("%d passed", c.Pass),
		fmt.Sprintf("%d failed", c.Fail),
		plural(c.Warn, "warning", "warnings"),
		fmt.Sprintf("%d skipped", c.Skip),
		plural(c.Error, "error", "errors"),
	}
	return strings.Join(parts, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
