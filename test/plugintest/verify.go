package plugintest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// VerifyJSON runs the plugin c names as 'verify --kubeconfig kubeconfig -o
// json args...' and decodes the report. Every exit code comes with a report,
// so stdout that does not decode fails t.
func VerifyJSON(t testing.TB, c Cmd, kubeconfig string, args ...string) (Result, *result.Report) {
	t.Helper()
	c.Args = append(slices.Clone(c.Args), "verify", "--kubeconfig", kubeconfig, "-o", "json")
	c.Args = append(c.Args, args...)
	r := Run(t, c)
	var rep result.Report
	if err := json.Unmarshal([]byte(r.Stdout), &rep); err != nil {
		t.Fatalf("verify -o json printed no report: %v\n%s", err, r)
	}
	return r, &rep
}

// ByID indexes a report's results by check ID.
func ByID(rep *result.Report) map[string]result.Result {
	m := map[string]result.Result{}
	for _, r := range rep.Results {
		m[r.ID] = r
	}
	return m
}

// Describe lists a report's results one a line, for failure messages.
func Describe(rep *result.Report) string {
	var b strings.Builder
	for _, r := range rep.Results {
		fmt.Fprintf(&b, "  %-5s %s: %s\n", r.Status, r.ID, r.Message)
	}
	return b.String()
}
