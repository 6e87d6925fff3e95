package report

import (
	_ "embed"
	"html/template"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/sanitize"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/controls"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/version"
)

// HTMLOptions is what the page shows besides the reports.
type HTMLOptions struct {
	// Tool is the build that ran verify; zero means this one.
	Tool version.Info
	// Verdicts are the engine's verdicts per report (it knows --fail-on);
	// a missing one is derived from the counts.
	Verdicts []string
}

func init() {
	register("html", 50, func(w io.Writer, reports []*result.Report, o Options) error { return WriteHTML(w, reports, o.HTML) })
}

//go:embed html.tmpl
var htmlSource string

var htmlPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"mark":        Mark,
	"class":       func(s string) string { return strings.ReplaceAll(s, " ", "-") },
	"title":       controls.Title,
	"waiverLine":  WaiverLine,
	"rfc3339":     func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"driftGroups": DriftGroups,
	"pci321":      pci321,
	"markState":   markState,
	"notRun":      notRun,
	"plural":      plural,
}).Parse(htmlSource))

type htmlCluster struct {
	*result.Report
	Verdict      string
	Requirements []Requirement
	// Ordered puts failures first, so an assessor reads what matters first.
	Ordered []result.Result
	Manual  []controls.Manual
}

type htmlData struct {
	Tool     version.Info
	Standard string
	Clusters []htmlCluster
}

// WriteHTML renders reports as one self-contained page: inline style, no
// script, no external resource, so it opens offline and prints to PDF.
// html/template escapes everything that came from the cluster.
func WriteHTML(w io.Writer, reports []*result.Report, o HTMLOptions) error {
	d := htmlData{Tool: o.Tool, Standard: controls.Standard}
	if d.Tool.Version == "" {
		d.Tool = version.Get()
	}
	for i, r := range reports {
		c := htmlCluster{Report: r, Requirements: ByRequirement(r.Results), Ordered: failuresFirst(r.Results), Manual: controls.ManualRows()}
		if i < len(o.Verdicts) && o.Verdicts[i] != "" {
			c.Verdict = o.Verdicts[i]
		} else {
			c.Verdict = Verdict(r)
		}
		d.Clusters = append(d.Clusters, c)
	}
	// The page is a view like the text output: html/template escapes markup,
	// not the control and bidirectional characters (from the cluster, from
	// a waivers file) that reorder what an assessor reads.
	return htmlPage.Execute(w, sanitize.Strings(d, sanitize.Lines))
}

// Verdict sums a report up the way the default --fail-on does: any failure
// or error fails it; waived findings do not.
func Verdict(r *result.Report) string {
	switch c := r.Summary; {
	case r.Error != "":
		return "could not check"
	case c.Fail > 0 || c.Error > 0:
		return "failed"
	case c.Warn > 0:
		return "passed with warnings"
	}
	return "passed"
}

var statusRank = map[result.Status]int{result.Fail: 0, result.Error: 1, result.Warn: 2, result.Waived: 3, result.Pass: 4, result.Skip: 5}

func failuresFirst(rs []result.Result) []result.Result {
	out := slices.Clone(rs)
	slices.SortStableFunc(out, func(a, b result.Result) int { return statusRank[a.Status] - statusRank[b.Status] })
	return out
}

func pci321(id string) string {
	m, ok := controls.Lookup(id)
	if !ok {
		return ""
	}
	return strings.Join(m.PCI321, ", ")
}
