package result

import (
	"encoding/json"
	"time"
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
	APIVersion string    `json:"apiVersion"`
	Kind       string    `json:"kind"`
	Context    string    `json:"context"`
	Server     string    `json:"server"`
	Profile    string    `json:"profile"`
	StartTime  time.Time `json:"startTime"`
	Duration   Duration  `json:"duration"`
	Summary    Counts    `json:"summary"`
	Results    []Result  `json:"results"`
	// Error is set when the cluster could not be checked at all.
	Error string `json:"error,omitempty"`
	// ClusterID is the UID of the kube-system namespace: the cluster's
	// identity across renames of its context or server address.
	ClusterID string `json:"clusterID,omitempty"`
	// Drift compares the findings with a baseline report, when one was given.
	Drift *Drift `json:"drift,omitempty"`
	// Warnings are what needs attention besides the results: waivers that
	// expired or covered nothing.
	Warnings []RunWarning `json:"warnings,omitempty"`
}

// RunWarning is one thing a run warns about besides its results. Kind is
// "expired" or "stale" for a waiver, which Waiver then holds.
type RunWarning struct {
	Kind    string  `json:"kind"`
	Message string  `json:"message"`
	Waiver  *Waiver `json:"waiver,omitempty"`
}

// Drift is the comparison of a report's findings with a previous report's.
type Drift struct {
	// Baseline names the previous report (its file) and BaselineTime its start.
	Baseline     string         `json:"baseline"`
	BaselineTime time.Time      `json:"baselineTime"`
	New          []DriftFinding `json:"new,omitempty"`
	Unchanged    []DriftFinding `json:"unchanged,omitempty"`
	Resolved     []DriftFinding `json:"resolved,omitempty"`
}

// DriftFinding is one check's finding about one object (or about the
// cluster as a whole, when Object is empty), as drift lists it. Status is
// the current one, or the baseline's for a resolved finding.
type DriftFinding struct {
	Check  string `json:"check"`
	Object string `json:"object,omitempty"`
	Status Status `json:"status"`
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
func New(context, server, profile string, start time.Time, elapsed time.Duration, results []Result) *Report {
	if results == nil {
		results = []Result{}
	}
	return &Report{
		APIVersion: APIVersion, Kind: Kind,
		Context: context, Server: server, Profile: profile,
		StartTime: start.UTC().Truncate(time.Second), Duration: Duration(elapsed),
		Summary: Count(results), Results: results,
	}
}

// The values of Result.Drift.
const (
	DriftNew       = "new"
	DriftUnchanged = "unchanged"
	DriftResolved  = "resolved"
)

// Drifts is the enum of Result.Drift the schema publishes.
var Drifts = []string{DriftNew, DriftUnchanged, DriftResolved}
