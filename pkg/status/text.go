package status

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteText prints one line per cluster: verdict, counts, age, and what is
// wrong beyond the counts.
func WriteText(w io.Writer, f *Fleet) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONTEXT\tVERDICT\tPASS\tFAIL\tWARN\tERROR\tSKIP\tAGE\tPROBLEM")
	for _, c := range f.Clusters {
		counts := "-\t-\t-\t-\t-"
		if s := c.Summary; s != nil {
			counts = fmt.Sprintf("%d\t%d\t%d\t%d\t%d", s.Pass, s.Fail, s.Warn, s.Error, s.Skip)
		}
		age := "-"
		if c.StartTime != nil {
			age = shortDuration(time.Duration(c.Age))
		}
		fmt.Fprintf(tw, "%s\t%s %s\t%s\t%s\t%s\n", sanitize(c.Context), symbol(c.Verdict), c.Verdict, counts, age, sanitize(c.Problem))
	}
	return tw.Flush()
}

func symbol(verdict string) string {
	switch verdict {
	case "passed":
		return "✔"
	case "failed":
		return "✗"
	}
	return "?"
}

// shortDuration prints a duration as kubectl's AGE column does: 45s, 12m, 3h, 2d.
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		if m := int(d.Minutes()) % 60; m != 0 && d < 10*time.Hour {
			return fmt.Sprintf("%dh%dm", int(d.Hours()), m)
		}
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

// sanitize keeps text from the cluster or the kubeconfig on one line of
// printable characters: a context name or message must not forge lines.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
