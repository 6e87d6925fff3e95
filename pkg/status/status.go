package status

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	orv1alpha1 "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	"k8s.io/client-go/rest"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/openreports"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/report"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/verify"
)

// The document's type, for programs that read -o json.
const (
	APIVersion = "aksbaseline.io/v1alpha1"
	Kind       = "FleetStatus"
)

// Fleet is the state of every selected cluster, in selection order.
type Fleet struct {
	APIVersion string    `json:"apiVersion"`
	Kind       string    `json:"kind"`
	Clusters   []Cluster `json:"clusters"`
	// Verdict is the worst of the clusters'.
	Verdict string `json:"verdict"`
	verdict verify.Verdict
}

// Cluster is what one cluster's report says.
type Cluster struct {
	Context string `json:"context"`
	Server  string `json:"server,omitempty"`
	// Verdict is "passed", "failed" or "could not check".
	Verdict string `json:"verdict"`
	// Summary counts the report's results (waived ones as skip).
	Summary *orv1alpha1.ReportSummary `json:"summary,omitempty"`
	// StartTime is when the reported run began; Age is how old it was
	// when read.
	StartTime *time.Time      `json:"startTime,omitempty"`
	Age       result.Duration `json:"age,omitempty"`
	// Interval is how often the verifier runs; a report older than twice
	// it is Stale, and the cluster failed: the job stopped running.
	Interval result.Duration `json:"interval,omitempty"`
	Stale    bool            `json:"stale,omitempty"`
	// Problem says why the verdict is worse than the report's own, or why
	// there is no report to judge.
	Problem string `json:"problem,omitempty"`
	verdict verify.Verdict
}

// Options say how to judge the reports.
type Options struct {
	// Name is the ClusterReport's name.
	Name string
	// Interval is assumed for a report that does not record its own.
	Interval time.Duration
	// MaxAge, when set, replaces twice the report's interval.
	MaxAge time.Duration
	// Timeout bounds each cluster's GET.
	Timeout time.Duration
	// Get reads a report; openreports.Get unless a test says otherwise.
	Get func(ctx context.Context, cfg *rest.Config, name string) (*orv1alpha1.ClusterReport, error)
	// Now is the clock.
	Now func() time.Time
}

// Read reads each target's report concurrently and judges it.
func Read(ctx context.Context, targets []verify.Target, o Options) *Fleet {
	if o.Get == nil {
		o.Get = openreports.Get
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	f := &Fleet{APIVersion: APIVersion, Kind: Kind, Clusters: make([]Cluster, len(targets))}
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Go(func() { f.Clusters[i] = o.one(ctx, t) })
	}
	wg.Wait()
	for _, c := range f.Clusters {
		f.verdict = max(f.verdict, c.verdict)
	}
	if ctx.Err() != nil {
		f.verdict = verify.Interrupted
	}
	f.Verdict = f.verdict.String()
	return f
}

// ExitCode is the fleet's exit code, as verify's.
func (f *Fleet) ExitCode() int { return f.verdict.ExitCode() }

func (o Options) one(ctx context.Context, t verify.Target) Cluster {
	c := Cluster{Context: t.Context}
	couldNot := func(problem string) Cluster {
		c.verdict, c.Problem = verify.CouldNotCheck, problem
		c.Verdict = c.verdict.String()
		return c
	}
	cfg, err := t.RESTConfig()
	if err != nil {
		return couldNot(firstLine(err))
	}
	c.Server = cfg.Host
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	cr, err := o.Get(ctx, cfg, o.Name)
	switch {
	case errors.Is(err, openreports.ErrNoCRD):
		return couldNot(err.Error() + ": the in-cluster verifier is not installed")
	case errors.Is(err, openreports.ErrNoReport):
		return couldNot("no ClusterReport " + o.Name + ": the in-cluster verifier has not run yet, or its report was deleted")
	case err != nil:
		return couldNot(firstLine(err))
	}
	return o.judge(c, cr)
}

// judge reads a report: its verdict, counted again from its summary so a
// report that says "passed" beside failures reads failed (a report is
// cluster input: it errs toward fail), then its age.
func (o Options) judge(c Cluster, cr *orv1alpha1.ClusterReport) Cluster {
	s := cr.Summary
	c.Summary = &s
	c.verdict = parseVerdict(cr.Annotations[report.AnnotationVerdict])
	if s.Fail > 0 || s.Error > 0 {
		c.verdict = max(c.verdict, verify.Failed)
	}
	interval := o.Interval
	if v, err := time.ParseDuration(cr.Annotations[report.AnnotationInterval]); err == nil && v > 0 {
		interval = v
	}
	c.Interval = result.Duration(interval)
	maxAge := 2 * interval
	if o.MaxAge > 0 {
		maxAge = o.MaxAge
	}
	start, err := time.Parse(time.RFC3339, cr.Annotations[report.AnnotationStartTime])
	switch {
	case err != nil:
		c.verdict = max(c.verdict, verify.Failed)
		c.Problem = "the report does not say when it was made (" + report.AnnotationStartTime + ")"
	default:
		start = start.UTC()
		c.StartTime = &start
		age := max(o.Now().Sub(start), 0)
		c.Age = result.Duration(age.Round(time.Second))
		if age > maxAge {
			c.verdict, c.Stale = max(c.verdict, verify.Failed), true
			c.Problem = "stale: older than " + shortDuration(maxAge) + ", the verifier has stopped running"
		}
	}
	c.Verdict = c.verdict.String()
	return c
}

// parseVerdict reads the verdict a report records; anything else (absent,
// unknown, written by someone else) is a failure.
func parseVerdict(s string) verify.Verdict {
	for _, v := range []verify.Verdict{verify.Passed, verify.Failed, verify.CouldNotCheck} {
		if s == v.String() {
			return v
		}
	}
	return verify.Failed
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
