package verify

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/types"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/drift"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/waiver"
)

// identified is a cluster whose kube-system namespace has uid.
func identified(s *cluster.Snapshot, uid string) *cluster.Snapshot {
	s.KubeSystem = &cluster.ObjectRef{Name: cluster.KubeSystem, Meta: cluster.Meta{UID: types.UID(uid)}}
	s.SetReadStatus(cluster.ClusterIdentity, cluster.ReadStatus{Outcome: cluster.OK, Verb: "get"})
	return s
}

func waivers(t *testing.T, body string) []waiver.Waiver {
	t.Helper()
	ws, err := waiver.Parse("waivers.yaml", []byte("apiVersion: aksbaseline.io/v1alpha1\nkind: Waivers\nwaivers:\n"+body), nil)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

func byID(rep *result.Report, id string) result.Result {
	for _, r := range rep.Results {
		if r.ID == id {
			return r
		}
	}
	return result.Result{}
}

func TestControlsAndClusterID(t *testing.T) {
	o := options(t, &script{state: func(int) *cluster.Snapshot { return identified(state(), "uid-1") }}, nil, "nodes-ready", "access-private-endpoint")
	out := run(t, o, target("aks"))
	rep := out.Targets[0].Report
	if rep.ClusterID != "uid-1" {
		t.Errorf("clusterID %q, want the kube-system UID", rep.ClusterID)
	}
	for _, r := range rep.Results {
		if len(r.Controls) == 0 {
			t.Errorf("%s has no PCI DSS requirement attached", r.ID)
		}
	}
}

func TestWaiversDecideTheVerdict(t *testing.T) {
	broken := func(int) *cluster.Snapshot { return state(node("n1", false, false)) }
	for _, tc := range []struct {
		name    string
		waivers string
		want    Verdict
		status  result.Status
		note    waiver.NoteKind
	}{
		{"covered", "  - check: nodes-ready\n    objects: [\"n1\"]\n    reason: r\n    expires: 2026-01-02\n", Passed, result.Waived, ""},
		{"expired the day before", "  - check: nodes-ready\n    reason: r\n    expires: 2026-01-01\n", Failed, result.Fail, waiver.Expired},
		{"another object", "  - check: nodes-ready\n    objects: [\"n2\"]\n    reason: r\n    expires: 2027-01-01\n", Failed, result.Fail, waiver.Stale},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			o := options(t, &script{state: broken}, &stderr, "nodes-ready")
			o.Waivers = waivers(t, tc.waivers)
			out := run(t, o, target("aks"))
			tg := out.Targets[0]
			if tg.Verdict != tc.want || byID(tg.Report, "nodes-ready").Status != tc.status {
				t.Errorf("verdict %s, status %s; want %s, %s", tg.Verdict, byID(tg.Report, "nodes-ready").Status, tc.want, tc.status)
			}
			if tc.note == "" {
				if len(tg.Notes) != 0 || len(tg.Report.Warnings) != 0 {
					t.Errorf("unexpected notes %v", tg.Notes)
				}
				return
			}
			if len(tg.Notes) != 1 || tg.Notes[0].Kind != tc.note || len(tg.Report.Warnings) != 1 || tg.Report.Warnings[0].Kind != string(tc.note) || tg.Report.Warnings[0].Waiver == nil {
				t.Errorf("want one %s note in the outcome and the report, got %v / %+v", tc.note, tg.Notes, tg.Report.Warnings)
			}
		})
	}
}

func baseline(t *testing.T, uid string, results ...result.Result) *drift.Baseline {
	t.Helper()
	r := result.New("aks", "https://10.0.0.1:443", "regulated", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Second, results)
	r.ClusterID = uid
	return &drift.Baseline{File: "last.json", Reports: []*result.Report{r}}
}

func TestFailOnNew(t *testing.T) {
	known := result.Result{ID: "nodes-ready", Status: result.Fail, Objects: []string{"Node/n1"}}
	broken := func(int) *cluster.Snapshot { return identified(state(node("n1", false, false)), "uid-1") }
	worse := func(int) *cluster.Snapshot {
		return identified(state(node("n1", false, false), node("n2", false, false)), "uid-1")
	}
	for _, tc := range []struct {
		name  string
		state func(int) *cluster.Snapshot
		want  Verdict
		drift string
	}{
		{"the known failure", broken, Passed, result.DriftUnchanged},
		{"a new failing node", worse, Failed, result.DriftNew},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := options(t, &script{state: tc.state}, nil, "nodes-ready")
			o.FailOn, o.Baseline = FailOnNew, baseline(t, "uid-1", known)
			tg := run(t, o, target("aks")).Targets[0]
			if tg.Verdict != tc.want || byID(tg.Report, "nodes-ready").Drift != tc.drift || tg.Report.Drift == nil || tg.Report.Drift.Baseline != "last.json" {
				t.Errorf("verdict %s, drift %q (%+v); want %s, %s", tg.Verdict, byID(tg.Report, "nodes-ready").Drift, tg.Report.Drift, tc.want, tc.drift)
			}
		})
	}
	// An error means verify could not look: it is never "unchanged", and
	// it keeps exit code 1 under every --fail-on, also when the baseline
	// holds the same error.
	t.Run("an error the baseline also had", func(t *testing.T) {
		healthy := func(int) *cluster.Snapshot {
			return forbidden(identified(state(node("n1", true, false)), "uid-1"), cluster.CRDs)
		}
		o := options(t, &script{state: healthy}, nil, "nodes-ready", "flux-crds")
		o.FailOn, o.Baseline = FailOnNew, baseline(t, "uid-1", result.Result{ID: "flux-crds", Status: result.Error})
		tg := run(t, o, target("aks")).Targets[0]
		if tg.Verdict != Failed || byID(tg.Report, "flux-crds").Status != result.Error {
			t.Errorf("verdict %s with flux-crds %s, want failed", tg.Verdict, byID(tg.Report, "flux-crds").Status)
		}
	})
	o := options(t, &script{state: broken}, nil, "nodes-ready")
	o.FailOn = FailOnNew
	if _, err := Run(t.Context(), []Target{target("aks")}, o); err == nil {
		t.Error("FailOn new without a baseline must be refused")
	}
}

func TestBaselineOfAnotherCluster(t *testing.T) {
	snap := func(int) *cluster.Snapshot { return identified(state(), "uid-2") }
	o := options(t, &script{state: snap}, nil, "nodes-ready")
	o.Baseline = baseline(t, "uid-1")
	tg := run(t, o, target("aks")).Targets[0]
	if tg.Verdict != CouldNotCheck || tg.Err == nil || exitcode.Code(tg.Err) != exitcode.CouldNotCheck || !strings.Contains(tg.Err.Error(), "another cluster") {
		t.Errorf("want the baseline refused with exit 2, got %s, %v", tg.Verdict, tg.Err)
	}
	o = options(t, &script{state: snap}, nil, "nodes-ready")
	o.Baseline, o.BaselineAnyCluster = baseline(t, "uid-1"), true
	if tg := run(t, o, target("aks")).Targets[0]; tg.Err != nil || tg.Verdict != Passed || tg.Report.Drift == nil {
		t.Errorf("--baseline-any-cluster compares anyway: %s, %v", tg.Verdict, tg.Err)
	}
}
