package report

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
)

// The report document's type. Scripts key on it: bump the version for any
// incompatible change.
const (
	APIVersion = "aksbaseline.io/v1alpha1"
	Kind       = "VerifyReport"
	ListKind   = "VerifyReportList"
)

// Report is the verdict on one cluster.
type Report struct {
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Context    string         `json:"context"`
	Server     string         `json:"server"`
	Profile    string         `json:"profile"`
	StartTime  time.Time      `json:"startTime"`
	Duration   Duration       `json:"duration"`
	Summary    check.Counts   `json:"summary"`
	Results    []check.Result `json:"results"`
	// Error is set when the cluster could not be checked at all.
	Error string `json:"error,omitempty"`
	// ClusterID is the UID of the kube-system namespace: the cluster's
	// identity across renames of its context or server address.
	ClusterID string `json:"clusterID,omitempty"`
	// Drift compares the findings with a baseline report, when one was given.
	Drift *Drift `json:"drift,omitempty"`
	// Warnings are what needs attention besides the results: waivers that
	// expired or covered nothing.
	Warnings []Warning `json:"warnings,omitempty"`
}

// Warning is one thing a run warns about. Kind is "expired" or "stale" for
// a waiver, which Waiver then holds.
type Warning struct {
	Kind    string        `json:"kind"`
	Message string        `json:"message"`
	Waiver  *check.Waiver `json:"waiver,omitempty"`
}

// Drift is the comparison of a report's findings with a previous report's.
type Drift struct {
	// Baseline names the previous report (its file) and BaselineTime its start.
	Baseline     string    `json:"baseline"`
	BaselineTime time.Time `json:"baselineTime"`
	New          []Finding `json:"new,omitempty"`
	Unchanged    []Finding `json:"unchanged,omitempty"`
	Resolved     []Finding `json:"resolved,omitempty"`
}

// Finding is one check's finding about one object (or about the cluster as
// a whole, when Object is empty). Status is the current one, or the
// baseline's for a resolved finding.
type Finding struct {
	Check  string       `json:"check"`
	Object string       `json:"object,omitempty"`
	Status check.Status `json:"status"`
}

// List is the document for several clusters (--contexts).
type List struct {
	APIVersion string    `json:"apiVersion"`
	Kind       string    `json:"kind"`
	Items      []*Report `json:"items"`
}

// Duration prints as Go's duration string ("1.234s"), rounded to the millisecond.
type Duration time.Duration

// MarshalJSON renders the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).Round(time.Millisecond).String())
}

// UnmarshalJSON reads the duration string back, for programs that parse reports.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	*d = Duration(v)
	return err
}

// New builds a report, counting the results.
func New(context, server, profile string, start time.Time, elapsed time.Duration, results []check.Result) *Report {
	if results == nil {
		results = []check.Result{}
	}
	return &Report{
		APIVersion: APIVersion, Kind: Kind,
		Context: context, Server: server, Profile: profile,
		StartTime: start.UTC().Truncate(time.Second), Duration: Duration(elapsed),
		Summary: check.Count(results), Results: results,
	}
}

// Formats lists the -o values.
var Formats = []string{"text", "json", "yaml", "junit", "html", "openreports"}

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

// Write renders reports in the chosen format: one document for one cluster,
// a list for several.
func Write(w io.Writer, reports []*Report, o Options) error {
	switch o.Format {
	case "", "text":
		if o.ByControl {
			return writeByControl(w, reports, o)
		}
		return writeText(w, reports, o)
	case "html":
		return WriteHTML(w, reports, o.HTML)
	case "json", "yaml":
		var doc any = reports[0]
		if len(reports) != 1 {
			doc = &List{APIVersion: APIVersion, Kind: ListKind, Items: reports}
		}
		b, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			return err
		}
		if o.Format == "yaml" {
			if b, err = yaml.JSONToYAML(b); err != nil {
				return err
			}
			_, err = w.Write(b)
			return err
		}
		_, err = fmt.Fprintln(w, string(b))
		return err
	case "junit":
		return writeJUnit(w, reports)
	case "openreports":
		return writeOpenReports(w, reports, o.OpenReports)
	}
	return fmt.Errorf("unknown output format %q", o.Format)
}
