package result

import (
	"encoding/json"
	"fmt"
	"time"
)

// Result is the outcome of one check.
type Result struct {
	ID       string   `json:"id"`
	Category string   `json:"category"`
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`
	Status   Status   `json:"status"`
	Message  string   `json:"message"`
	// Objects are what the check looked at, passing or not.
	Objects []string `json:"objects,omitempty"`
	// Findings are what a failing or warning result found wrong, one per
	// object (or one without an object, for what the check cannot pin on
	// one): waivers cover findings, and Status is the worst unwaived one.
	Findings    []Finding `json:"findings,omitempty"`
	Remediation string    `json:"remediation,omitempty"`
	// WarnReason says why a critical check reports warn rather than fail:
	// what the profile accepts, or what verify cannot judge to the end.
	WarnReason string `json:"warnReason,omitempty"`
	// Controls are the PCI DSS v4.0.1 requirements the check gives evidence for.
	Controls []string `json:"controls,omitempty"`
	// Waiver is the exception that covers this result, when one does.
	Waiver *Waiver `json:"waiver,omitempty"`
	// Drift compares the result with a baseline report: DriftNew,
	// DriftUnchanged or DriftResolved.
	Drift string `json:"drift,omitempty"`
}

// With returns r naming objects too: the objects a finding is about, each
// as Kind/namespace/name, which waivers and drift key on.
func (r Result) With(objects ...string) Result {
	r.Objects = append(r.Objects, objects...)
	return r
}

// Finding is one thing a check found wrong.
type Finding struct {
	// Status is fail or warn, or waived when a waiver covers it.
	Status Status `json:"status"`
	// Object names what the finding is about, as Kind/namespace/name (also
	// when it is missing: Namespace/default); empty when the check cannot
	// name one, and then only a waiver of the whole check covers it.
	Object  string `json:"object,omitempty"`
	Message string `json:"message"`
	// Waiver is the exception that covers this finding, when one does.
	Waiver *Waiver `json:"waiver,omitempty"`
}

// About returns r with what it found wrong; a finding without a status
// takes the result's.
func (r Result) About(fs ...Finding) Result {
	r.Findings = append(r.Findings, fs...)
	return r
}

// Worst returns the most serious of the statuses a result can take from
// its findings: fail over warn over waived.
func Worst(fs []Finding) Status {
	rank := map[Status]int{Waived: 1, Warn: 2, Fail: 3}
	worst := Status("")
	for _, f := range fs {
		if rank[f.Status] > rank[worst] {
			worst = f.Status
		}
	}
	return worst
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
