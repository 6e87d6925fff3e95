package verify

import (
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/controls"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/drift"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/waiver"
)

// assessed is what one round's results became as evidence.
type assessed struct {
	results []result.Result
	notes   []waiver.Note
	drift   *result.Drift
	// refused, already explained, says the baseline is another cluster's.
	refused error
}

// stages are what a round does to the checks' results, in order, each one
// function of one package run once: the one explained cause where the API
// server could not be used at all, the control map, the waivers, the drift
// against the baseline, and last the name of the CLI the user typed. Drift
// must see a waived finding as the finding it still is, and the verdict
// must see it waived.
func (o *Options) stages(t Target, snap *cluster.Snapshot, accessErr error) []func(*assessed) {
	return []func(*assessed){
		func(a *assessed) {
			if accessErr != nil {
				notChecked(a.results, accessErr)
			}
		},
		func(a *assessed) { controls.Attach(a.results) },
		func(a *assessed) {
			if len(o.Waivers) > 0 {
				a.results, a.notes = waiver.Apply(a.results, o.Waivers, o.now())
			}
		},
		func(a *assessed) { o.compare(t, snap, a) },
		func(a *assessed) { check.NameCLI(a.results, o.CLI) },
	}
}

// compare marks the results against the baseline report of this cluster,
// when there is one; a baseline of another cluster is refused.
func (o *Options) compare(t Target, snap *cluster.Snapshot, a *assessed) {
	if o.Baseline == nil {
		return
	}
	probe := &result.Report{Context: t.Context, ClusterID: snap.ClusterID()}
	base, err := o.Baseline.For(probe, o.BaselineAnyCluster)
	if err != nil {
		a.refused = exitcode.WithCode(exitcode.CouldNotCheck, err)
		return
	}
	a.results, a.drift = drift.Compare(a.results, base.Results)
	a.drift.Baseline, a.drift.BaselineTime = o.Baseline.File, base.StartTime
}
