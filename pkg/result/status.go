package result

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

// Statuses and Severities are the enums the schema publishes; a test ties
// them to Count and to the renderers' marks.
var (
	Statuses   = []Status{Pass, Fail, Warn, Skip, Error, Waived}
	Severities = []Severity{Critical, Warning}
)

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
