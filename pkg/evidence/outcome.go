package evidence

import (
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/verify"
)

// FromOutcome builds the bundles of a finished verify run, one per target
// with a report: its verdict, the effective profile, the waivers file as
// given (nil when none) and the inventory of what was read. A run that
// could check no cluster at all yields none, so the folder stays free for
// the next run.
func FromOutcome(out *verify.Outcome, p *profile.Profile, waivers []byte) ([]Bundle, error) {
	checked := false
	for _, t := range out.Targets {
		checked = checked || t.Err == nil
	}
	if !checked {
		return nil, nil
	}
	prof, err := p.YAML()
	if err != nil {
		return nil, err
	}
	var bundles []Bundle
	for _, t := range out.Targets {
		if t.Report == nil {
			continue
		}
		b := Bundle{Report: t.Report, Verdict: t.Verdict.String(), Profile: prof, Waivers: waivers,
			Cluster: Cluster{Server: t.Report.Server, Context: t.Report.Context, KubeSystemUID: t.Report.ClusterID}}
		if s := t.Snapshot; s != nil {
			b.Inventory = Inventory(s)
			if s.Version != nil {
				b.Cluster.KubernetesVersion = s.Version.GitVersion
			}
		}
		bundles = append(bundles, b)
	}
	return bundles, nil
}
