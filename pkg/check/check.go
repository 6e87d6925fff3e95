package check

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
)

// Status is the verdict of one check.
type Status string

const (
	Pass  Status = "pass"
	Fail  Status = "fail"
	Warn  Status = "warn"
	Skip  Status = "skip"
	Error Status = "error"
	// Waived is a failure or warning an unexpired waiver covers: reported,
	// counted, never a reason for exit code 1.
	Waived Status = "waived"
)

// Severity says what a failure means. A warning-severity check never fails
// a run on its own: its failures are reported as warnings.
type Severity string

const (
	Critical Severity = "critical"
	Warning  Severity = "warning"
)

// Named asks the reader for one object of a type that is not listed.
type Named struct {
	Resource  cluster.Resource
	Namespace string
	Name      string
}

// Check is one entry of the catalogue.
type Check struct {
	ID          string
	Category    string
	Severity    Severity
	Title       string
	Remediation string
	// Uses are the types the check reads; one that could not be read turns
	// the result into an error naming it. An absent type is the check's call.
	Uses []cluster.Resource
	// Named lists single objects to get, from the profile.
	Named func(p *profile.Profile) []Named
	Run   func(s *cluster.Snapshot, p *profile.Profile) Result
}

// CLIToken stands for the command the user typed ("kubectl aksbaseline" or
// "flux aksbaseline") in titles and remediations: a check cannot know which
// CLI launched us, so verify substitutes it (see WithCLI).
const CLIToken = "{cli}"

// WithCLI returns s speaking in the voice of the CLI the user typed.
func WithCLI(s, cli string) string { return strings.ReplaceAll(s, CLIToken, cli) }

// ReadsAPI reports whether c needs the API server at all: anything beyond
// the kubeconfig, /version included.
func (c *Check) ReadsAPI() bool { return c.readsBeyond(cluster.Kubeconfig) }

// ReadsObjects reports whether c reads cluster objects, as opposed to the
// kubeconfig or /version, which every authenticated user may read: a user
// who can only reach /version has verified nothing about the cluster.
func (c *Check) ReadsObjects() bool {
	return c.readsBeyond(cluster.Kubeconfig, cluster.ServerVersion)
}

func (c *Check) readsBeyond(free ...cluster.Resource) bool {
	if c.Named != nil {
		return true
	}
	for _, r := range c.Uses {
		if !slices.Contains(free, r) {
			return true
		}
	}
	return false
}

// Result is the outcome of one check.
type Result struct {
	ID          string   `json:"id"`
	Category    string   `json:"category"`
	Severity    Severity `json:"severity"`
	Title       string   `json:"title"`
	Status      Status   `json:"status"`
	Message     string   `json:"message"`
	Objects     []string `json:"objects,omitempty"`
	Remediation string   `json:"remediation,omitempty"`
	// Controls are the PCI DSS v4.0.1 requirements the check gives evidence for.
	Controls []string `json:"controls,omitempty"`
	// Waiver is the exception that covers this result, when one does.
	Waiver *Waiver `json:"waiver,omitempty"`
	// Drift compares the result with a baseline report: new, unchanged or resolved.
	Drift string `json:"drift,omitempty"`
}

// Waiver is an accepted exception to a check, as the user wrote it: an
// assessor reads who approved it, why, and until when.
type Waiver struct {
	Check string `json:"check"`
	// Objects narrow the waiver to names or namespace/name patterns; empty
	// covers the whole check.
	Objects    []string `json:"objects,omitempty"`
	Reason     string   `json:"reason"`
	Ticket     string   `json:"ticket,omitempty"`
	ApprovedBy string   `json:"approvedBy,omitempty"`
	Expires    Date     `json:"expires"`
}

// Date is a calendar day, written YYYY-MM-DD as users write expiry dates.
type Date struct{ time.Time }

// DateLayout is how a Date is written.
const DateLayout = "2006-01-02"

// String renders the day as YYYY-MM-DD.
func (d Date) String() string { return d.Format(DateLayout) }

// MarshalJSON renders the day as "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }

// UnmarshalJSON reads "YYYY-MM-DD".
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return fmt.Errorf("a date must be YYYY-MM-DD, not %q", s)
	}
	d.Time = t
	return nil
}

func pass(format string, a ...any) Result {
	return Result{Status: Pass, Message: fmt.Sprintf(format, a...)}
}
func fail(format string, a ...any) Result {
	return Result{Status: Fail, Message: fmt.Sprintf(format, a...)}
}
func warn(format string, a ...any) Result {
	return Result{Status: Warn, Message: fmt.Sprintf(format, a...)}
}
func skip(format string, a ...any) Result {
	return Result{Status: Skip, Message: fmt.Sprintf(format, a...)}
}

func (r Result) with(objects ...string) Result {
	r.Objects = append(r.Objects, objects...)
	return r
}

// Plan returns what the reader must fetch for checks.
func Plan(checks []*Check, p *profile.Profile) cluster.Request {
	var q cluster.Request
	for _, c := range checks {
		for _, r := range c.Uses {
			q.Add(r)
		}
		if c.Named != nil {
			for _, n := range c.Named(p) {
				q.AddNamed(n.Resource, n.Namespace, n.Name)
			}
		}
	}
	return q
}

const retryRemediation = "re-run; if it persists, -v=6 shows the failing request"

const readRemediation = "grant the user get and list on the resources named (a read-only ClusterRole such as 'view' plus the CRDs' groups), or run with --as for a user who has it"

// Run applies checks to a snapshot, in catalogue order. A check whose data
// could not be read, or that panics, yields an error result; the others run.
func Run(s *cluster.Snapshot, p *profile.Profile, checks []*Check) []Result {
	out := make([]Result, 0, len(checks))
	for _, c := range checks {
		out = append(out, runOne(s, p, c))
	}
	return out
}

func runOne(s *cluster.Snapshot, p *profile.Profile, c *Check) (r Result) {
	defer func() {
		if v := recover(); v != nil {
			r = Result{Status: Error, Message: fmt.Sprintf("internal error in check: %v", v)}
		}
		r.ID, r.Category, r.Severity, r.Title = c.ID, c.Category, c.Severity, c.Title
		if r.Status == Fail && c.Severity == Warning {
			r.Status = Warn
		}
		if (r.Status == Fail || r.Status == Warn || r.Status == Error) && r.Remediation == "" {
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
		st := s.Status(u)
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
		return Result{Status: Error, Message: strings.Join(problems, "; "), Remediation: rem}
	}
	return c.Run(s, p)
}

// Counts tallies results by status.
type Counts struct {
	Pass  int `json:"pass"`
	Fail  int `json:"fail"`
	Warn  int `json:"warn"`
	Skip  int `json:"skip"`
	Error int `json:"error"`
	// Waived is omitted when zero so reports without waivers keep their shape.
	Waived int `json:"waived,omitempty"`
}

// Count tallies rs.
func Count(rs []Result) Counts {
	var c Counts
	for _, r := range rs {
		switch r.Status {
		case Pass:
			c.Pass++
		case Fail:
			c.Fail++
		case Warn:
			c.Warn++
		case Skip:
			c.Skip++
		case Error:
			c.Error++
		case Waived:
			c.Waived++
		}
	}
	return c
}
