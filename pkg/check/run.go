package check

import (
	"fmt"
	"strings"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

const retryRemediation = "re-run; if it persists, -v=6 shows the failing request"

const readRemediation = "grant the user get and list on the resources named (a read-only ClusterRole such as 'view' plus the CRDs' groups), or run with --as for a user who has it"

// Run applies checks to a snapshot, in catalogue order. A check whose data
// could not be read, or that panics, yields an error result; the others run.
func Run(s *cluster.Snapshot, p *profile.Profile, checks []*Check) []result.Result {
	out := make([]result.Result, 0, len(checks))
	for _, c := range checks {
		out = append(out, runOne(s, p, c))
	}
	return out
}

func runOne(s *cluster.Snapshot, p *profile.Profile, c *Check) (r result.Result) {
	defer func() {
		if v := recover(); v != nil {
			r = result.Result{Status: result.Error, Message: fmt.Sprintf("internal error in check: %v", v)}
		}
		r.ID, r.Category, r.Severity, r.Title = c.ID, c.Category, c.Severity, c.Title
		settle(&r, c.Severity)
		if (r.Status == result.Fail || r.Status == result.Warn || r.Status == result.Error) && r.Remediation == "" {
			r.Remediation = c.Remediation
		}
	}()
	var problems []string
	forbidden := false
	uses := append([]cluster.Resource(nil), c.Uses...)
	if c.Named != nil {
		for _, n := range c.Named(p) {
			uses = append(uses, n.Resource)
		}
	}
	seen := map[cluster.Resource]bool{}
	for _, u := range uses {
		if seen[u] {
			continue
		}
		seen[u] = true
		st := s.ReadStatus(u)
		if st.Outcome == cluster.Forbidden || st.Outcome == cluster.Error {
			problems = append(problems, st.Message(u))
			forbidden = forbidden || st.Outcome == cluster.Forbidden
		}
	}
	if len(problems) > 0 {
		rem := retryRemediation
		if forbidden {
			rem = readRemediation
		}
		return result.Result{Status: result.Error, Message: strings.Join(problems, "; "), Remediation: rem}
	}
	return c.Run(s, p)
}

// settle makes a failing or warning result's findings whole: one without
// findings gets one that names no object, every finding gets a status (a
// warning-severity check's failures are warnings), and the result's status
// is the worst of its findings'.
func settle(r *result.Result, sev result.Severity) {
	if r.Status != result.Fail && r.Status != result.Warn {
		r.Findings = nil
		return
	}
	if len(r.Findings) == 0 {
		r.Findings = []result.Finding{{Message: r.Message}}
	}
	for i := range r.Findings {
		f := &r.Findings[i]
		if f.Status != result.Fail && f.Status != result.Warn {
			f.Status = r.Status
		}
		if f.Status == result.Fail && sev == result.Warning {
			f.Status = result.Warn
		}
	}
	r.Status = result.Worst(r.Findings)
}
