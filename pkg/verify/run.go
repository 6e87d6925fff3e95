package verify

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/rest"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/sanitize"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/kubeerr"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/waiver"
)

// Outcome is one run: a result per target, in target order, and the worst
// verdict among them.
type Outcome struct {
	Targets []TargetOutcome
	Verdict Verdict
	// Elapsed is the wall time of the whole run.
	Elapsed time.Duration
}

// TargetOutcome is what the run found on one target.
type TargetOutcome struct {
	Target  Target
	Verdict Verdict
	// Report holds the results of the last round; nil when interrupted.
	Report *result.Report
	// Snapshot is the state the last round was judged on: the inventory the
	// report speaks about. Nil when the cluster could not be reached.
	Snapshot *cluster.Snapshot
	// Err, already explained, is why the cluster could not be checked at
	// all (no kubeconfig, no access, a baseline of another cluster); nil
	// when it could.
	Err error
	// Notes are the expired and stale waivers of the last round, also in
	// Report.Warnings.
	Notes []waiver.Note
}

// Reports lists the targets' reports, in target order, ready for
// report.Write. An interrupted run has nil entries: render none of them.
func (o *Outcome) Reports() []*result.Report {
	out := make([]*result.Report, len(o.Targets))
	for i, t := range o.Targets {
		out[i] = t.Report
	}
	return out
}

// Run verifies the targets concurrently. It fails only on options it cannot
// run with; what it finds, including clusters it could not reach and an
// interruption (Verdict Interrupted), is in the Outcome.
func Run(ctx context.Context, targets []Target, o *Options) (*Outcome, error) {
	if o.Profile == nil || len(o.Checks) == 0 {
		return nil, errors.New("verify: a profile and at least one check are required")
	}
	if o.FailOn != FailOnFail && o.FailOn != FailOnWarn && o.FailOn != FailOnNew {
		return nil, fmt.Errorf("verify: FailOn must be %s, %s or %s, not %q", FailOnFail, FailOnWarn, FailOnNew, o.FailOn)
	}
	if o.FailOn == FailOnNew && o.Baseline == nil {
		return nil, errors.New("verify: FailOn new needs a Baseline")
	}
	if o.Timeout <= 0 || o.Wait < 0 || (o.Wait > 0 && o.Interval <= 0) {
		return nil, errors.New("verify: Timeout must be positive, Wait not negative, and Interval positive when waiting")
	}
	start := o.now()
	out := &Outcome{Targets: make([]TargetOutcome, len(targets))}
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Go(func() {
			res := o.verifyOne(ctx, t, len(targets) > 1)
			// Messages quote client-go's errors, which quote the request
			// URL: every string of the report loses URL credentials here,
			// before any renderer or the evidence bundle sees it.
			res.Report = sanitize.Strings(res.Report, sanitize.URLs)
			out.Targets[i] = res
		})
	}
	wg.Wait()
	out.Elapsed = o.now().Sub(start)
	for _, t := range out.Targets {
		out.Verdict = max(out.Verdict, t.Verdict)
	}
	if ctx.Err() != nil {
		out.Verdict = Interrupted
	}
	return out, nil
}

// verifyOne runs the checks against one cluster, re-checking until they
// pass when Wait is set; fleet says whether progress names the cluster.
func (o *Options) verifyOne(ctx context.Context, t Target, fleet bool) TargetOutcome {
	start := o.now()
	res := TargetOutcome{Target: t}
	cfg, err := t.RESTConfig()
	server := ""
	if cfg != nil {
		server = cfg.Host
	}
	acc := t.access(server)
	acc.InCluster = inCluster(cfg)
	couldNot := func(err error) TargetOutcome {
		res.Verdict, res.Err = CouldNotCheck, err
		res.Report = result.New(t.Context, acc.Server, o.Profile.Name, start, o.now().Sub(start), nil)
		res.Report.Error = firstLine(err)
		return res
	}
	if err != nil {
		return couldNot(err)
	}
	api := false
	for _, c := range o.Checks {
		api = api || c.ReadsAPI()
	}
	var reader Reader
	if api {
		if reader, err = o.NewReader(cfg); err != nil {
			return couldNot(kubeerr.Explain(err, cfg.Host))
		}
	}
	plan := ReadPlan(o.Checks, o.Profile)
	deadline := start.Add(o.Wait)
	for {
		snap, a, accessErr := o.round(ctx, t, reader, cfg, plan, acc)
		results := a.results
		if accessErr == nil {
			accessErr = a.refused
		}
		res.Snapshot, res.Notes = snap, a.notes
		res.Verdict = judge(results, o.FailOn)
		if accessErr != nil {
			res.Verdict = CouldNotCheck
		}
		if ctx.Err() != nil {
			return TargetOutcome{Target: t, Verdict: Interrupted, Snapshot: snap}
		}
		if res.Verdict == Passed || o.Wait == 0 || !o.now().Before(deadline) || accessErr != nil {
			res.Report = result.New(t.Context, acc.Server, o.Profile.Name, start, o.now().Sub(start), results)
			res.Report.ClusterID, res.Report.Drift = snap.ClusterID(), a.drift
			for _, n := range a.notes {
				res.Report.Warnings = append(res.Report.Warnings, warning(n))
			}
			if accessErr != nil {
				res.Report.Error = firstLine(accessErr)
			}
			res.Err = accessErr
			return res
		}
		o.showPending(t, fleet, deadline, results)
		sleep := min(o.Interval, deadline.Sub(o.now()))
		select {
		case <-ctx.Done():
			return TargetOutcome{Target: t, Verdict: Interrupted, Snapshot: snap}
		case <-o.after(sleep):
		}
	}
}

// round reads the cluster once and judges it. accessErr, explained, says
// the API server could not be used at all.
func (o *Options) round(ctx context.Context, t Target, reader Reader, cfg *rest.Config, plan cluster.Request, acc cluster.Access) (snap *cluster.Snapshot, a assessed, accessErr error) {
	if reader != nil {
		rctx, cancel := context.WithTimeout(ctx, o.Timeout)
		snap = reader.Read(rctx, plan, acc)
		cancel()
	} else {
		snap = cluster.NewSnapshot()
		snap.Access = acc
		snap.SetReadStatus(cluster.Kubeconfig, cluster.ReadStatus{Outcome: cluster.OK})
	}
	if st := snap.ReadStatus(cluster.ServerVersion); reader != nil && st.Outcome == cluster.Error {
		accessErr = kubeerr.Explain(st.Err, cfg.Host)
	}
	a = assessed{results: check.Run(snap, o.Profile, o.Checks)}
	for _, stage := range o.stages(t, snap, accessErr) {
		stage(&a)
	}
	return snap, a, accessErr
}

// warning records a waiver note in the report, for readers of JSON and YAML.
func warning(n waiver.Note) result.RunWarning {
	w := n.Waiver.Waiver
	w.Objects = append([]string(nil), w.Objects...)
	return result.RunWarning{Kind: string(n.Kind), Message: n.String(), Waiver: &w}
}

// showPending lists the checks that still stand in the way, for Wait.
func (o *Options) showPending(t Target, fleet bool, deadline time.Time, results []result.Result) {
	if o.Progress == nil {
		return
	}
	who := ""
	if fleet {
		who = t.Context + ": "
	}
	var items []string
	for _, r := range results {
		if blocking(r, o.FailOn) {
			items = append(items, fmt.Sprintf("%s%s (%s)", who, r.ID, r.Message))
		}
	}
	sort.Strings(items)
	noun := "checks"
	if len(items) == 1 {
		noun = "check"
	}
	left := deadline.Sub(o.now()).Round(time.Second)
	o.Progress.WaitingList(items, "%swaiting for %d %s (%s left):", who, len(items), noun, left)
}

// notChecked replaces the per-request errors of checks that needed the API
// server, when it could not be used at all, with the one explained cause.
func notChecked(results []result.Result, cause error) {
	msg, hint := firstLine(cause), ""
	var p *kubeerr.Problem
	if errors.As(cause, &p) {
		hint = p.Hint
	}
	for i := range results {
		if results[i].Status != result.Error {
			continue
		}
		if c := check.Lookup(results[i].ID); c != nil && c.ReadsAPI() {
			results[i].Message = "not checked: " + msg
			results[i].Remediation = hint
		}
	}
}

func firstLine(err error) string {
	var p *kubeerr.Problem
	if errors.As(err, &p) {
		return p.What
	}
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
