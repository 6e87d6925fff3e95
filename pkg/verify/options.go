package verify

import (
	"context"
	"time"

	"k8s.io/client-go/rest"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/drift"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/progress"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/waiver"
)

// The values of Options.FailOn: the lowest status that fails a run.
const (
	FailOnFail = "fail"
	FailOnWarn = "warn"
	// FailOnNew fails only on failures a Baseline does not have: a
	// runbook gates on regressions while known findings are being fixed.
	FailOnNew = "new"
)

// Options says what to check and how. NewOptions holds the defaults; the
// verify command and bootstrap both start from it.
type Options struct {
	// Profile holds the expectations; Checks are the checks to run, in
	// report order. Both are required.
	Profile *profile.Profile
	Checks  []*check.Check
	// FailOn is FailOnFail, FailOnWarn or, with a Baseline, FailOnNew.
	FailOn string
	// Timeout bounds reading one cluster's state, per round.
	Timeout time.Duration
	// Wait, when positive, re-checks every Interval until the cluster passes
	// or this much time has passed.
	Wait     time.Duration
	Interval time.Duration
	// CLI is the command the user typed, said in place of check.CLIToken.
	CLI string
	// Progress shows the checks --wait is waiting for; nil prints nothing.
	Progress *progress.Printer
	// Waivers are applied to each round's results: a finding they cover is waived and never fails the run. Expired and
	// stale waivers are noted in TargetOutcome.Notes.
	Waivers []waiver.Waiver
	// Baseline, when set, marks each report's findings new, unchanged or
	// resolved against the previous report of the same cluster. A baseline
	// of another cluster (kube-system UID) is refused unless
	// BaselineAnyCluster.
	Baseline           *drift.Baseline
	BaselineAnyCluster bool
	// NewReader opens a cluster for reading; tests feed fixtures through it.
	NewReader func(*rest.Config) (Reader, error)

	// now and after are the clock, a seam for tests of Wait.
	now   func() time.Time
	after func(time.Duration) <-chan time.Time
}

// Reader reads the cluster state a plan asks for; *cluster.Reader is the
// real one. It never fails as a whole: each type carries its own outcome.
type Reader interface {
	Read(ctx context.Context, plan cluster.Request, access cluster.Access) *cluster.Snapshot
}

// NewOptions returns verify's defaults, speaking as cli ("kubectl
// aksbaseline" or "flux aksbaseline"): fail on failures, a minute per read,
// no waiting, a five-second poll when waiting.
func NewOptions(cli string) *Options {
	return &Options{
		FailOn:   FailOnFail,
		Timeout:  time.Minute,
		Interval: 5 * time.Second,
		CLI:      cli,
		NewReader: func(cfg *rest.Config) (Reader, error) {
			return cluster.NewReader(cfg)
		},
		now:   time.Now,
		after: time.After,
	}
}
