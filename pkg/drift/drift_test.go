package drift

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/yamlpos"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
	"github.com/aksbaseline/kubectl-aksbaseline/test/yamlpostest"
)

func TestReadInvalid(t *testing.T) {
	for name, want := range map[string]string{
		"syntax":            ":7: not JSON: invalid character",
		"bad-status":        ":12: results.1.status: value must be one of",
		"wrong-api-version": ":2: apiVersion: value must be",
		"missing-results":   ":1: missing property 'results'",
		"not-an-object":     ":1: a report is a JSON object",
		"bad-time":          ":7: startTime: 'last tuesday' is not valid date-time",
		"trailing":          ":18: not JSON: invalid character '{' after top-level value",
	} {
		file := filepath.Join("testdata", "invalid", name+".json")
		_, err := Read(file)
		var perr *yamlpos.Error
		if !errors.As(err, &perr) {
			t.Errorf("%s: not a positioned error: %v", name, err)
			continue
		}
		if !strings.Contains(err.Error(), file+want) {
			t.Errorf("%s:\n%v\nwant %q", name, err, file+want)
		}
	}
	if _, err := Read(filepath.Join("testdata", "invalid", "none.json")); err == nil || !strings.Contains(err.Error(), "reading the baseline") {
		t.Errorf("missing file: %v", err)
	}
}

func TestReadValid(t *testing.T) {
	b, err := Read("testdata/valid/report.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Reports) != 1 || b.Reports[0].ClusterID != "6f1d2c3b-0a4e-4b8f-9c7d-112233445566" || len(b.Reports[0].Results) != 4 {
		t.Errorf("read %+v", b.Reports[0])
	}
	// A newer tool's report carries fields this one does not know: "within
	// v1alpha1 fields are added", so they are ignored, not refused.
	n, err := Read("testdata/valid/newer.json")
	if err != nil {
		t.Fatalf("a report with fields added by a newer version: %v", err)
	}
	if len(n.Reports) != 1 || len(n.Reports[0].Results) != 4 || n.Reports[0].Summary.Fail != 2 {
		t.Errorf("newer report read as %+v", n.Reports[0])
	}
	l, err := Read("testdata/valid/list.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Reports) != 2 || l.Reports[1].Context != "aks-prod" {
		t.Errorf("list: %d reports", len(l.Reports))
	}
}

func res(id string, st result.Status, objs ...string) result.Result {
	return result.Result{ID: id, Status: st, Objects: objs}
}

func TestCompare(t *testing.T) {
	b, err := Read("testdata/valid/report.json")
	if err != nil {
		t.Fatal(err)
	}
	base := b.Reports[0]
	cur := result.New("aks-prod", base.Server, "regulated", base.StartTime, 0, []result.Result{
		res("nodes-ready", result.Fail, "Node/aks-npuser01-0"),                       // new
		res("nodes-system-taint", result.Waived),                                     // unchanged: waived is not fixed
		res("secrets-tls-secret", result.Pass),                                       // resolved
		res("flux-sync-ready", result.Fail, "Kustomization/flux-system/flux-system"), // one object resolved, one unchanged
		res("images-placeholders", result.Warn, "Pod/a/b"),                           // not in the baseline: new
	})
	cur.ClusterID = base.ClusterID
	pick, err := b.For(cur, false)
	if err != nil {
		t.Fatal(err)
	}
	cur.Results, cur.Drift = Compare(cur.Results, pick.Results)
	cur.Drift.Baseline, cur.Drift.BaselineTime = b.File, pick.StartTime
	var drifts []string
	for _, r := range cur.Results {
		drifts = append(drifts, r.Drift)
	}
	if got := strings.Join(drifts, " "); got != "new unchanged resolved unchanged new" {
		t.Errorf("drift %s", got)
	}
	d := cur.Drift
	if d.Baseline != "testdata/valid/report.json" || !d.BaselineTime.Equal(base.StartTime) {
		t.Errorf("baseline %s %v", d.Baseline, d.BaselineTime)
	}
	if len(d.New) != 2 || len(d.Unchanged) != 2 || len(d.Resolved) != 2 ||
		d.Resolved[0] != (result.DriftFinding{Check: "secrets-tls-secret", Object: "Secret/ingress-nginx/ingress-tls-csi", Status: result.Fail}) ||
		d.Resolved[1].Object != "GitRepository/flux-system/flux-system" {
		t.Errorf("groups %+v", d)
	}
	if !HasNewFailure(cur.Results) {
		t.Error("a new failure is not reported")
	}
	// Only a new warning: --fail-on new passes.
	cur.Results[0].Drift = result.DriftUnchanged
	if HasNewFailure(cur.Results) {
		t.Error("a new warning counted as a new failure")
	}
}

func TestCheckNotRunResolvesNothing(t *testing.T) {
	base := []result.Result{res("nodes-ready", result.Fail, "Node/x")}
	_, d := Compare([]result.Result{res("nodes-cordoned", result.Pass)}, base)
	if len(d.Resolved) != 0 {
		t.Errorf("resolved %+v", d.Resolved)
	}
}

func TestForRefusesAnotherCluster(t *testing.T) {
	b, err := Read("testdata/valid/report.json")
	if err != nil {
		t.Fatal(err)
	}
	other := &result.Report{Context: "aks-prod", ClusterID: "0000"}
	_, err = b.For(other, false)
	if err == nil || !strings.Contains(err.Error(), "is from another cluster") || !strings.Contains(err.Error(), "--baseline-any-cluster") {
		t.Errorf("another cluster accepted: %v", err)
	}
	if _, err := b.For(other, true); err != nil {
		t.Errorf("--baseline-any-cluster: %v", err)
	}
	renamed := &result.Report{Context: "aks-prod-renamed", ClusterID: "6f1d2c3b-0a4e-4b8f-9c7d-112233445566"}
	if _, err := b.For(renamed, false); err != nil {
		t.Errorf("the same cluster under another context: %v", err)
	}
	unknown := &result.Report{Context: "elsewhere"}
	if _, err := b.For(unknown, false); err == nil {
		t.Error("no UID and another context accepted")
	}
	l, _ := Read("testdata/valid/list.json")
	got, err := l.For(&result.Report{Context: "aks-prod", ClusterID: "bbbb"}, false)
	if err != nil || got.Context != "aks-prod" {
		t.Errorf("list pick %v %v", got, err)
	}
	if _, err := l.For(&result.Report{Context: "aks-test"}, false); err == nil {
		t.Error("a list without this context accepted")
	}
}

// FuzzParse: no panic, every rejection positioned.
func FuzzParse(f *testing.F) {
	yamlpostest.Seed(f, "testdata/valid/*.json", "testdata/invalid/*.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := Parse("b.json", data); err != nil {
			yamlpostest.Rejected(t, err, data, true)
		}
	})
}

// Drift keys on what a result found wrong, not on what it looked at: a
// namespace newly without its deny-all is new even though the policies the
// check read are the same as before.
func TestCompareKeysOnFindings(t *testing.T) {
	seen := []string{"NetworkPolicy/a0005-o/default"}
	before := result.Result{ID: "network-deny-all", Status: result.Fail, Objects: seen,
		Findings: []result.Finding{{Status: result.Fail, Object: "Namespace/a0005-i", Message: "no NetworkPolicy"}}}
	now := before
	now.Findings = append(slices.Clone(before.Findings), result.Finding{Status: result.Fail, Object: "Namespace/default", Message: "no NetworkPolicy"})
	out, d := Compare([]result.Result{now}, []result.Result{before})
	if out[0].Drift != result.DriftNew || len(d.New) != 1 || d.New[0].Object != "Namespace/default" || len(d.Unchanged) != 1 {
		t.Errorf("drift %s, new %+v, unchanged %+v", out[0].Drift, d.New, d.Unchanged)
	}
	// A baseline written before findings existed is keyed on its objects.
	old := result.Result{ID: "network-deny-all", Status: result.Fail, Objects: []string{"Namespace/a0005-i"}}
	if _, d := Compare([]result.Result{before}, []result.Result{old}); len(d.New) != 0 {
		t.Errorf("an old baseline's objects: new %+v", d.New)
	}
}
