package drift

import (
	"fmt"
	"slices"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// finding reports whether a status is a finding: something a team acts on
// or has accepted. A waived finding stays one, so waiving it is not
// mistaken for fixing it.
func finding(s result.Status) bool {
	return s == result.Fail || s == result.Warn || s == result.Error || s == result.Waived
}

type key struct{ check, object string }

// keys names a result's findings: one per finding's object; for a report
// written before results carried findings, one per object, or one for the
// check as a whole when it names none.
func keys(r result.Result) []key {
	if len(r.Findings) > 0 {
		// A check may find thousands of objects: a set, not a scan of out, keeps this linear.
		out := make([]key, 0, len(r.Findings))
		seen := make(map[string]bool, len(r.Findings))
		for _, f := range r.Findings {
			if !seen[f.Object] {
				seen[f.Object] = true
				out = append(out, key{r.ID, f.Object})
			}
		}
		return out
	}
	if len(r.Objects) == 0 {
		return []key{{r.ID, ""}}
	}
	out := make([]key, len(r.Objects))
	for i, o := range r.Objects {
		out[i] = key{r.ID, o}
	}
	return out
}

// Compare marks current results against the baseline's by (check ID,
// object): a result with a finding the baseline lacks is new, one whose
// findings were all there is unchanged, a passing or skipped result whose
// check had findings then is resolved. Findings of checks that did not run
// now are left out: not running a check resolves nothing.
func Compare(current, baseline []result.Result) ([]result.Result, *result.Drift) {
	before := map[key]result.Status{}
	for _, r := range baseline {
		if finding(r.Status) {
			for _, k := range keys(r) {
				before[k] = r.Status
			}
		}
	}
	ran := map[string]bool{}
	now := map[key]bool{}
	d := &result.Drift{}
	out := slices.Clone(current)
	for i := range out {
		r := &out[i]
		ran[r.ID] = true
		if !finding(r.Status) {
			for k := range before {
				if k.check == r.ID {
					r.Drift = result.DriftResolved
				}
			}
			continue
		}
		r.Drift = result.DriftUnchanged
		for _, k := range keys(*r) {
			now[k] = true
			f := result.DriftFinding{Check: k.check, Object: k.object, Status: r.Status}
			if _, ok := before[k]; ok {
				d.Unchanged = append(d.Unchanged, f)
			} else {
				d.New = append(d.New, f)
				r.Drift = result.DriftNew
			}
		}
	}
	// The baseline's order is the catalogue's, so resolved findings read in
	// the same order as the others.
	for _, r := range baseline {
		if !finding(r.Status) || !ran[r.ID] {
			continue
		}
		for _, k := range keys(r) {
			if !now[k] {
				d.Resolved = append(d.Resolved, result.DriftFinding{Check: k.check, Object: k.object, Status: r.Status})
			}
		}
	}
	return out, d
}

// HasNewFailure reports whether a failure or error is new since the
// baseline: what '--fail-on new' turns into exit code 1.
func HasNewFailure(results []result.Result) bool {
	for _, r := range results {
		if r.Drift == result.DriftNew && (r.Status == result.Fail || r.Status == result.Error) {
			return true
		}
	}
	return false
}

// For picks the baseline report of the cluster current was made from. It
// matches on the kube-system UID, else on the context; a baseline from
// another cluster is refused unless anyCluster, since comparing two
// clusters would call every difference between them drift.
func (b *Baseline) For(current *result.Report, anyCluster bool) (*result.Report, error) {
	if current.ClusterID != "" {
		for _, r := range b.Reports {
			if r.ClusterID == current.ClusterID {
				return r, nil
			}
		}
	}
	var pick *result.Report
	for _, r := range b.Reports {
		if r.Context == current.Context {
			pick = r
		}
	}
	if pick == nil && len(b.Reports) == 1 {
		pick = b.Reports[0]
	}
	if pick == nil {
		return nil, fmt.Errorf("the baseline %s has no report for context %q or cluster %s", b.File, current.Context, orUnknown(current.ClusterID))
	}
	other := pick.ClusterID != "" && current.ClusterID != "" && pick.ClusterID != current.ClusterID
	unsure := (pick.ClusterID == "" || current.ClusterID == "") && pick.Context != current.Context
	if (other || unsure) && !anyCluster {
		return nil, fmt.Errorf("the baseline %s is from another cluster (context %q, kube-system UID %s), not this one (context %q, kube-system UID %s): compare with a report of this cluster, or pass --baseline-any-cluster",
			b.File, pick.Context, orUnknown(pick.ClusterID), current.Context, orUnknown(current.ClusterID))
	}
	return pick, nil
}

func orUnknown(uid string) string {
	if uid == "" {
		return "unknown"
	}
	return uid
}
