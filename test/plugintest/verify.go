package plugintest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/report"
)

// VerifyJSON runs the plugin c names as 'verify --kubeconfig kubeconfig -o
// json args...' and decodes the report. Every exit code comes with a report,
// so stdout that does not decode fails t.
func VerifyJSON(t testing.TB, c Cmd, kubeconfig string, args ...string) (Result, *report.Report) {
	t.Helper()
	c.Args = append(slices.Clone(c.Args), "verify", "--kubeconfig", kubeconfig, "-o", "json")
	c.Args = append(c.Args, args...)
	r := Run(t, c)
	var rep report.Report
	if err := json.Unmarshal([]byte(r.Stdout), &rep); err != nil {
		t.Fatalf("verify -o json printed no report: %v\n%s", err, r)
	}
	return r, &rep
}

// ByID indexes a report's results by check ID.
func ByID(rep *report.Report) map[string]check.Result {
	m := map[string]check.Result{}
	for _, r := range rep.Results {
		m[r.ID] = r
	}
	return m
}

// Describe lists a report's results one a line, for failure messages.
func Describe(rep *report.Report) string {
	var b strings.Builder
	for _, r := range rep.Results {
		fmt.Fprintf(&b, "  %-5s %s: %s\n", r.Status, r.ID, r.Message)
	}
	return b.String()
}
