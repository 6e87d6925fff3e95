package verify

import (
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/controls"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/drift"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/report"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/waiver"
)

// assessed is what one round's results became as evidence.
type assessed struct {
	results []check.Result
	notes   []waiver.Note
	drift   *report.Drift
	// refused, already explained, says the baseline is another cluster's.
	refused error
}

// assess attaches the control map, applies the waivers and compares with
// the baseline, in that order: drift must see a waived finding as the
// finding it still is, and the verdict must see it waived.
func (o *Options) assess(t Target, snap *cluster.Snapshot, results []check.Result) assessed {
	controls.Attach(results)
	a := assessed{results: results}
	if len(o.Waivers) > 0 {
		a.results, a.notes = waiver.Apply(results, o.Waivers, o.now())
	}
	if o.Baseline == nil {
		return a
	}
	probe := &report.Report{Context: t.Context, ClusterID: snap.ClusterID()}
	base, err := o.Baseline.For(probe, o.Force)
	if err != nil {
		a.refused = exitcode.WithCode(exitcode.CouldNotCheck, err)
		return a
	}
	a.results, a.drift = drift.Compare(a.results, base.Results)
	a.drift.Baseline, a.drift.BaselineTime = o.Baseline.File, base.StartTime
	return a
}
