package status

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	orv1alpha1 "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"

	internalsanitize "github.com/aksbaseline/kubectl-aksbaseline/internal/sanitize"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/report"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/verify"
)

// FuzzJudge feeds status arbitrary ClusterReports, as anyone who may write
// the report in a cluster can: judging never panics, a report reads
// passed only when it says passed, counts no failure or error, is dated
// and is fresh, and the text line shows no raw control character.
func FuzzJudge(f *testing.F) {
	for _, c := range []*orv1alpha1.ClusterReport{
		cr("passed", 10*time.Minute, "1h0m0s", orv1alpha1.ReportSummary{Pass: 30, Skip: 3}),
		cr("failed", time.Hour, "", orv1alpha1.ReportSummary{Pass: 30, Fail: 2}),
		cr("passed", time.Minute, "", orv1alpha1.ReportSummary{Pass: 30, Error: 1}),
		cr("passed", 3*time.Hour, "6h0m0s", orv1alpha1.ReportSummary{Pass: 30}),
		cr("passed", -time.Hour, "2562047h", orv1alpha1.ReportSummary{Pass: 30}),
	} {
		b, err := json.Marshal(c)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	o := Options{Name: report.OpenReportsName, Interval: time.Hour, Now: func() time.Time { return now }}
	f.Fuzz(func(t *testing.T, data []byte) {
		var in orv1alpha1.ClusterReport
		if json.Unmarshal(data, &in) != nil {
			return
		}
		c := o.judge(Cluster{Context: "ctx\x1b[2J"}, &in)
		if c.verdict == verify.Passed {
			start, err := time.Parse(time.RFC3339, in.Annotations[report.AnnotationStartTime])
			switch {
			case in.Annotations[report.AnnotationVerdict] != "passed" || in.Summary.Fail > 0 || in.Summary.Error > 0:
				t.Fatalf("passed a report that says %q with %+v", in.Annotations[report.AnnotationVerdict], in.Summary)
			case err != nil || c.StartTime == nil:
				t.Fatal("passed an undated report")
			case now.Sub(start) > 2*time.Duration(c.Interval) && now.Sub(start) > 0:
				t.Fatalf("passed a report %s old with interval %s", now.Sub(start), time.Duration(c.Interval))
			}
		}
		var b bytes.Buffer
		if err := WriteText(&b, &Fleet{Clusters: []Cluster{c}}); err != nil {
			t.Fatal(err)
		}
		if internalsanitize.Unsafe(b.String()) {
			t.Fatalf("raw control character in %q", b.String())
		}
	})
}
