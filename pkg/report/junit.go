package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/sanitize"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

func init() {
	register("junit", 40, func(w io.Writer, reports []*result.Report, _ Options) error { return writeJUnit(w, reports) })
}

// junitTally is the counts and time JUnit puts on a suite and on the
// document; encoding/xml writes an embedded struct's attributes in place.
type junitTally struct {
	Tests    int    `xml:"tests,attr"`
	Failures int    `xml:"failures,attr"`
	Errors   int    `xml:"errors,attr"`
	Skipped  int    `xml:"skipped,attr"`
	Time     string `xml:"time,attr"`
}

// addCounts adds o's counts; times are not summed as strings.
func (t *junitTally) addCounts(o junitTally) {
	t.Tests += o.Tests
	t.Failures += o.Failures
	t.Errors += o.Errors
	t.Skipped += o.Skipped
}

type junitSuites struct {
	XMLName xml.Name `xml:"testsuites"`
	Name    string   `xml:"name,attr"`
	junitTally
	Suites []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name string `xml:"name,attr"`
	junitTally
	Timestamp string      `xml:"timestamp,attr"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Body    string `xml:",chardata"`
}

// writeJUnit renders one suite per cluster, one test case per check; a
// warning is a passing case with the message on system-out, so CI
// dashboards stay green unless something failed.
func writeJUnit(w io.Writer, reports []*result.Report) error {
	// CI pages and terminals show these messages: their control characters
	// are shown as escapes (XML itself cannot even hold most of them).
	reports = sanitize.Strings(reports, sanitize.Lines)
	doc := junitSuites{Name: "kubectl-aksbaseline verify"}
	var total time.Duration
	for _, r := range reports {
		s := junitSuite{
			Name:       "verify/" + r.Context,
			junitTally: junitTally{Time: seconds(time.Duration(r.Duration))},
			Timestamp:  r.StartTime.UTC().Format(time.RFC3339),
		}
		total += time.Duration(r.Duration)
		for _, res := range r.Results {
			c := junitCase{Name: res.ID + ": " + res.Title, Classname: res.Category}
			body := res.Message
			if len(res.Objects) > 0 {
				body += "\nobjects: " + strings.Join(res.Objects, ", ")
			}
			if res.Remediation != "" {
				body += "\nremediation: " + res.Remediation
			}
			switch res.Status {
			case result.Fail:
				c.Failure = &junitMessage{Message: res.Message, Type: string(res.Severity), Body: body}
				s.Failures++
			case result.Error:
				c.Error = &junitMessage{Message: res.Message, Body: body}
				s.Errors++
			case result.Skip:
				c.Skipped = &junitMessage{Message: res.Message}
				s.Skipped++
			case result.Waived:
				// A waived finding is accepted, not passed: CI shows it
				// skipped, with the reason a reviewer looks for.
				msg := "waived"
				if res.Waiver != nil {
					msg += " " + WaiverLine(res.Waiver)
				}
				c.Skipped = &junitMessage{Message: msg, Body: body}
				s.Skipped++
			case result.Warn:
				c.SystemOut = "warning: " + body
			default:
				c.SystemOut = res.Message
			}
			s.Tests++
			s.Cases = append(s.Cases, c)
		}
		if r.Error != "" {
			s.Tests++
			s.Errors++
			s.Cases = append(s.Cases, junitCase{Name: "cluster access", Classname: "access", Error: &junitMessage{Message: r.Error}})
		}
		doc.addCounts(s.junitTally)
		doc.Suites = append(doc.Suites, s)
	}
	doc.Time = seconds(total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w)
	return err
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }
