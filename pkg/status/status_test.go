package status

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	orv1alpha1 "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/openreports"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/report"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/verify"
)

var now = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

func cr(verdict string, age time.Duration, interval string, s orv1alpha1.ReportSummary) *orv1alpha1.ClusterReport {
	a := map[string]string{report.AnnotationVerdict: verdict, report.AnnotationStartTime: now.Add(-age).Format(time.RFC3339)}
	if interval != "" {
		a[report.AnnotationInterval] = interval
	}
	return &orv1alpha1.ClusterReport{ObjectMeta: metav1.ObjectMeta{Name: report.OpenReportsName, Annotations: a}, Summary: s}
}

func target(name string) verify.Target {
	return verify.Target{Context: name, RESTConfig: func() (*rest.Config, error) {
		if name == "unreachable" {
			return nil, errors.New("the server could not be reached\nsecond line")
		}
		return &rest.Config{Host: "https://" + name}, nil
	}}
}

func TestRead(t *testing.T) {
	reports := map[string]any{
		"fresh":        cr("passed", 10*time.Minute, "1h0m0s", orv1alpha1.ReportSummary{Pass: 30, Skip: 3}),
		"failing":      cr("failed", time.Hour, "", orv1alpha1.ReportSummary{Pass: 30, Fail: 2}),
		"stale":        cr("passed", 3*time.Hour, "1h0m0s", orv1alpha1.ReportSummary{Pass: 30}),
		"six-hourly":   cr("passed", 3*time.Hour, "6h0m0s", orv1alpha1.ReportSummary{Pass: 30}),
		"lying":        cr("passed", time.Minute, "", orv1alpha1.ReportSummary{Pass: 30, Error: 1}),
		"forged":       cr("all good", time.Minute, "", orv1alpha1.ReportSummary{Pass: 30}),
		"no-crd":       openreports.ErrNoCRD,
		"no-report":    openreports.ErrNoReport,
		"future":       cr("passed", -time.Hour, "", orv1alpha1.ReportSummary{Pass: 30}),
		"could-not":    cr("could not check", time.Minute, "", orv1alpha1.ReportSummary{Error: 30}),
		"undated":      &orv1alpha1.ClusterReport{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{report.AnnotationVerdict: "passed"}}},
		"unreachable":  nil,
		"line\nforged": cr("passed", time.Minute, "", orv1alpha1.ReportSummary{Pass: 1}),
	}
	want := map[string]struct {
		verdict string
		stale   bool
		problem string
	}{
		"fresh": {"passed", false, ""}, "failing": {"failed", false, ""}, "stale": {"failed", true, "stale: older than 2h"},
		"six-hourly": {"passed", false, ""}, "lying": {"failed", false, ""}, "forged": {"failed", false, ""},
		"no-crd": {"could not check", false, "is not installed"}, "no-report": {"could not check", false, "has not run yet"},
		"future": {"passed", false, ""}, "could-not": {"could not check", false, ""}, "undated": {"failed", false, "does not say when"},
		"unreachable": {"could not check", false, "could not be reached"}, "line\nforged": {"passed", false, ""},
	}
	var targets []verify.Target
	for name := range want {
		targets = append(targets, target(name))
	}
	var calls atomic.Int32
	f := Read(context.Background(), targets, Options{Name: report.OpenReportsName, Interval: time.Hour, Now: func() time.Time { return now },
		Get: func(_ context.Context, cfg *rest.Config, name string) (*orv1alpha1.ClusterReport, error) {
			calls.Add(1)
			switch v := reports[strings.TrimPrefix(cfg.Host, "https://")].(type) {
			case error:
				return nil, v
			case *orv1alpha1.ClusterReport:
				return v, nil
			}
			return nil, errors.New("unexpected")
		}})
	if int(calls.Load()) != len(targets)-1 {
		t.Errorf("%d GETs for %d reachable clusters: want one each", calls.Load(), len(targets)-1)
	}
	for i, c := range f.Clusters {
		if c.Context != targets[i].Context {
			t.Fatalf("clusters out of order: %s at %d", c.Context, i)
		}
		w := want[c.Context]
		if c.Verdict != w.verdict || c.Stale != w.stale || !strings.Contains(c.Problem, w.problem) || (w.problem == "" && c.Problem != "") {
			t.Errorf("%q: %s stale=%v %q; want %s stale=%v %q", c.Context, c.Verdict, c.Stale, c.Problem, w.verdict, w.stale, w.problem)
		}
	}
	if f.ExitCode() != exitcode.CouldNotCheck || f.Verdict != "could not check" {
		t.Errorf("fleet %s, exit %d: want the worst", f.Verdict, f.ExitCode())
	}
	var buf bytes.Buffer
	if err := WriteText(&buf, f); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(buf.String(), "\n"); lines != len(targets)+1 {
		t.Errorf("want a header and one line per cluster, got %d lines:\n%s", lines, buf.String())
	}
	for _, s := range []string{"✔ passed", "✗ failed", "? could not check", "2h", "stale: older than 2h", "line forged"} {
		if !strings.Contains(buf.String(), s) {
			t.Errorf("text lacks %q:\n%s", s, buf.String())
		}
	}
	b, err := json.Marshal(f)
	if err != nil || !strings.Contains(string(b), `"kind":"FleetStatus"`) || !strings.Contains(string(b), `"age":"3h0m0s"`) {
		t.Errorf("json: %v %s", err, b)
	}
}

func TestFleetPasses(t *testing.T) {
	f := Read(context.Background(), []verify.Target{target("a"), target("b")}, Options{Interval: time.Hour, Now: func() time.Time { return now },
		Get: func(context.Context, *rest.Config, string) (*orv1alpha1.ClusterReport, error) {
			return cr("passed", time.Minute, "", orv1alpha1.ReportSummary{Pass: 1, Warn: 2}), nil
		}})
	if f.ExitCode() != exitcode.OK || f.Verdict != "passed" {
		t.Errorf("fleet %s, exit %d", f.Verdict, f.ExitCode())
	}
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{45 * time.Second: "45s", 12 * time.Minute: "12m", 90 * time.Minute: "1h30m", 30 * time.Hour: "30h", 72 * time.Hour: "3d", 2 * time.Hour: "2h"} {
		if got := shortDuration(d); got != want {
			t.Errorf("%s: %s, want %s", d, got, want)
		}
	}
}
