package verify

import (
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/drift"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// Verdict is what a run says about the cluster(s), worst last: the worst of
// several clusters is the largest.
type Verdict int

const (
	// Passed: nothing failed (warnings allowed unless FailOn is "warn").
	Passed Verdict = iota
	// Failed: a check failed (or warned, with FailOn "warn"; a failure is
	// new, with FailOn "new"), or some checks
	// could not read what they need while others could.
	Failed
	// CouldNotCheck: the cluster could not be reached, or every check that
	// reads cluster objects errored, so nothing about it was verified.
	CouldNotCheck
	// Interrupted: the context was cancelled before the run finished.
	Interrupted
)

func (v Verdict) String() string {
	switch v {
	case Passed:
		return "passed"
	case Failed:
		return "failed"
	case CouldNotCheck:
		return "could not check"
	case Interrupted:
		return "interrupted"
	}
	return "unknown"
}

// ExitCode maps the verdict onto the exit-code contract.
func (v Verdict) ExitCode() int {
	switch v {
	case Passed:
		return exitcode.OK
	case Failed:
		return exitcode.Failed
	case Interrupted:
		return exitcode.Interrupted
	}
	return exitcode.CouldNotCheck
}

// judge turns one cluster's results into a verdict. When every check that
// reads cluster objects errored, nothing about the cluster was verified: the
// kubeconfig-only access checks do not make such a run trustworthy.
func judge(results []result.Result, failOn string) Verdict {
	c := result.Count(results)
	remote, remoteErrors := 0, 0
	for _, r := range results {
		if ch := check.Lookup(r.ID); ch != nil && ch.ReadsObjects() {
			remote++
			if r.Status == result.Error {
				remoteErrors++
			}
		}
	}
	switch {
	case len(results) > 0 && c.Error == len(results), remote > 0 && remoteErrors == remote:
		return CouldNotCheck
	case failOn == FailOnNew:
		// An error is verify not having looked: never "known", whatever
		// the baseline holds.
		if c.Error > 0 || drift.HasNewFailure(results) {
			return Failed
		}
	case c.Fail > 0 || c.Error > 0:
		return Failed
	case failOn == FailOnWarn && c.Warn > 0:
		return Failed
	}
	return Passed
}

// blocking reports whether r stands in the way of a pass.
func blocking(r result.Result, failOn string) bool {
	if failOn == FailOnNew {
		return r.Status == result.Error || r.Drift == result.DriftNew && r.Status == result.Fail
	}
	return r.Status == result.Fail || r.Status == result.Error || (failOn == FailOnWarn && r.Status == result.Warn)
}
