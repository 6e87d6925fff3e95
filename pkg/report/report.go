package report

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// Options adjust rendering.
type Options struct {
	Format string
	Color  bool
	// Elapsed is the wall time of the whole run, for the summary line.
	Elapsed time.Duration
	// ByControl groups the text view by PCI DSS requirement.
	ByControl bool
	// HTML holds what the HTML page shows besides the reports.
	HTML HTMLOptions
	// OpenReports holds what the ClusterReports carry besides the reports.
	OpenReports OpenReportsOptions
}

// renderer writes reports in one -o format. Each format's file registers
// its own, so a new format is one new file.
type renderer struct {
	format string
	// rank places the format in Formats, lowest first.
	rank  int
	write func(w io.Writer, reports []*result.Report, o Options) error
}

var renderers []renderer

func register(format string, rank int, write func(w io.Writer, reports []*result.Report, o Options) error) {
	renderers = append(renderers, renderer{format, rank, write})
}

// Formats lists the -o values, in the order help and errors name them.
func Formats() []string {
	rs := slices.Clone(renderers)
	slices.SortFunc(rs, func(a, b renderer) int { return a.rank - b.rank })
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.format
	}
	return out
}

// Write renders reports in the chosen format (text when empty): one
// document for one cluster, a list for several.
func Write(w io.Writer, reports []*result.Report, o Options) error {
	format := o.Format
	if format == "" {
		format = "text"
	}
	for _, r := range renderers {
		if r.format == format {
			return r.write(w, reports, o)
		}
	}
	return fmt.Errorf("unknown output format %q", o.Format)
}
