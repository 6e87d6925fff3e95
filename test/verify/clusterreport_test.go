package verify

import (
	"context"
	"strings"
	"testing"

	orv1alpha1 "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/openreports"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/report"
	"github.com/aksbaseline/kubectl-aksbaseline/test/testenv"
)

// TestReportToClusterWithoutCRD: no OpenReports CRD, exit 2 with a plain
// message saying how to install it; nothing is written.
func TestReportToClusterWithoutCRD(t *testing.T) {
	r := runVerify(t, "verify", "--kubeconfig", shared.Kubeconfig, "--checks", "nodes-ready", "--report-to-cluster")
	if r.Code != 2 {
		t.Fatalf("exit %d, want 2\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	for _, want := range []string{"clusterreports.openreports.io is not installed", "configure DIR --add-verifier", openreports.InstallHint()} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.Stderr)
		}
	}
	if strings.Count(strings.TrimSpace(r.Stderr), "\n") > 2 || strings.Contains(r.Stderr, "goroutine") {
		t.Errorf("the message must be a line or two:\n%s", r.Stderr)
	}
}

// TestReportToCluster writes the report under the real OpenReports CRD
// schema as a user who may read nodes and write only that one report; the
// exit code is verify's; a second run replaces the first's results.
func TestReportToCluster(t *testing.T) {
	crds, err := openreports.CRDs()
	if err != nil {
		t.Fatal(err)
	}
	env := testenv.StartT(t, testenv.Options{CRDs: crds})
	const user = "report-writer"
	grantNodes(t, env, user)
	testenv.Grant(t, env.Config, "verify-test-write-"+user, user, openreports.WriterRule(report.OpenReportsName))
	u, err := env.AddUser(user)
	if err != nil {
		t.Fatal(err)
	}
	plain := runVerify(t, "verify", "--kubeconfig", u.Kubeconfig, "--checks", "nodes-ready,nodes-pools")
	first := runVerify(t, "verify", "--kubeconfig", u.Kubeconfig, "--checks", "nodes-ready,nodes-pools", "--report-to-cluster", "--report-interval", "30m")
	if first.Code != plain.Code || first.Code == 2 {
		t.Fatalf("exit %d, plain verify %d: the exit code must stay verify's\n%s", first.Code, plain.Code, first.Stderr)
	}
	if !strings.Contains(first.Stderr, "ClusterReport aksbaseline written") {
		t.Errorf("stderr does not say the report was written:\n%s", first.Stderr)
	}
	cr := getReport(t, env)
	if len(cr.Results) != 2 || cr.Source != report.OpenReportsSource || cr.Annotations[report.AnnotationInterval] != "30m0s" || cr.Annotations[report.AnnotationVerdict] == "" {
		t.Errorf("report %+v", cr)
	}
	if len(cr.ManagedFields) != 1 || cr.ManagedFields[0].Manager != openreports.FieldManager || cr.ManagedFields[0].Operation != metav1.ManagedFieldsOperationApply {
		t.Errorf("managed fields %+v: want one apply by %s", cr.ManagedFields, openreports.FieldManager)
	}
	uid := cr.UID

	again := runVerify(t, "verify", "--kubeconfig", u.Kubeconfig, "--checks", "nodes-ready", "--report-to-cluster")
	if again.Code != 1 && again.Code != 0 {
		t.Fatalf("second run: exit %d\n%s", again.Code, again.Stderr)
	}
	cr = getReport(t, env)
	if len(cr.Results) != 1 || cr.Results[0].Policy != "nodes-ready" || cr.UID != uid {
		t.Errorf("the second run must replace the first's results in the same object: %d results, uid %s→%s", len(cr.Results), uid, cr.UID)
	}
	if cr.Annotations[report.AnnotationInterval] != "1h0m0s" {
		t.Errorf("interval %q after a run with the default", cr.Annotations[report.AnnotationInterval])
	}

	// status reads it back, one line, the verdict verify gave.
	st := runVerify(t, "status", "--kubeconfig", env.Kubeconfig)
	if st.Code != again.Code || !strings.Contains(st.Stdout, "CONTEXT") || strings.Count(st.Stdout, "\n") != 2 {
		t.Errorf("status: exit %d (verify %d)\n%s%s", st.Code, again.Code, st.Stdout, st.Stderr)
	}
	st = runVerify(t, "status", "--kubeconfig", env.Kubeconfig, "--max-age", "1ns", "-o", "json")
	if st.Code != 1 || !strings.Contains(st.Stdout, `"stale": true`) {
		t.Errorf("a report older than --max-age: exit %d\n%s%s", st.Code, st.Stdout, st.Stderr)
	}
	st = runVerify(t, "status", "--kubeconfig", shared.Kubeconfig)
	if st.Code != 2 || !strings.Contains(st.Stdout, "is not installed") {
		t.Errorf("status without the CRD: exit %d\n%s%s", st.Code, st.Stdout, st.Stderr)
	}

	// Without create and patch on the report: exit 2, naming what is forbidden.
	const reader = "report-reader"
	grantNodes(t, env, reader)
	ro, err := env.AddUser(reader)
	if err != nil {
		t.Fatal(err)
	}
	r := runVerify(t, "verify", "--kubeconfig", ro.Kubeconfig, "--checks", "nodes-ready", "--report-to-cluster")
	if r.Code != 2 || !strings.Contains(r.Stderr, "forbidden: patch clusterreports.openreports.io aksbaseline") {
		t.Errorf("exit %d, want 2 naming the forbidden patch\n%s", r.Code, r.Stderr)
	}
}

func getReport(t *testing.T, env *testenv.Env) *orv1alpha1.ClusterReport {
	t.Helper()
	cr, err := openreports.Get(context.Background(), env.Config, report.OpenReportsName)
	if err != nil {
		t.Fatal(err)
	}
	return cr
}
