package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/version"
	"sigs.k8s.io/yaml"

	orv1alpha1 "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/controls"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

var start = time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC)

func TestOpenReportsMapping(t *testing.T) {
	many := make([]string, 0, 25)
	for i := range 14 {
		many = append(many, fmt.Sprintf("Pod/a0005-i/app-%02d", i))
	}
	many = append(many, "pool/npsystem")
	results := []result.Result{
		{ID: "nodes-ready", Category: "nodes", Severity: result.Critical, Title: "Nodes are Ready", Status: result.Pass, Message: "3 nodes Ready", Controls: []string{"6.3.3", "11.5.1"}},
		{ID: "segmentation-pci-scope", Category: "segmentation", Severity: result.Critical, Status: result.Fail, Message: "14 pods off scope", Objects: many, Remediation: "move them", Drift: result.DriftNew},
		{ID: "nodes-cordoned", Category: "nodes", Severity: result.Warning, Status: result.Warn, Objects: []string{"Node/aks-1"}},
		{ID: "flux-extension", Category: "flux", Severity: result.Critical, Status: result.Skip},
		{ID: "policies-templates", Category: "policies", Severity: result.Critical, Status: result.Error, Message: "forbidden: list constrainttemplates.templates.gatekeeper.sh"},
		{ID: "network-deny-all", Category: "network", Severity: result.Critical, Status: result.Waived, Objects: []string{"NetworkPolicy/default/deny-all (missing)"},
			Waiver: &result.Waiver{Check: "network-deny-all", Objects: []string{"default"}, Reason: "migration", Ticket: "SEC-12", ApprovedBy: "qsa@example.com", Expires: result.Date{Time: start.AddDate(0, 1, 0)}}},
		{ID: "access-private-endpoint", Category: "access", Severity: result.Critical, Status: result.Pass, Objects: []string{"server/https://10.0.0.1:443"}},
	}
	r := result.New("aks-eastus2", "https://10.0.0.1:443", "regulated", start, time.Second, results)
	r.ClusterID = "uid-1"
	cr := ClusterReport(r, "failed", OpenReportsOptions{Interval: time.Hour, Version: "v1.2.3"})

	if cr.Name != OpenReportsName || cr.Source != OpenReportsSource || cr.Kind != "ClusterReport" || cr.APIVersion != "openreports.io/v1alpha1" {
		t.Fatalf("identity: %s %s %s/%s", cr.Name, cr.Source, cr.APIVersion, cr.Kind)
	}
	want := map[string]string{AnnotationVerdict: "failed", AnnotationStartTime: "2026-12-02T01:00:00Z", AnnotationInterval: "1h0m0s",
		AnnotationProfile: "regulated", AnnotationClusterID: "uid-1", AnnotationContext: "aks-eastus2", AnnotationVersion: "v1.2.3"}
	for k, v := range want {
		if cr.Annotations[k] != v {
			t.Errorf("annotation %s = %q, want %q", k, cr.Annotations[k], v)
		}
	}
	if s := cr.Summary; s != (orv1alpha1.ReportSummary{Pass: 2, Fail: 1, Warn: 1, Skip: 2, Error: 1}) {
		t.Errorf("summary %+v: waived counts as skip", s)
	}
	by := map[string]orv1alpha1.ReportResult{}
	for _, res := range cr.Results {
		by[res.Policy] = res
		if res.Source != OpenReportsSource || res.Timestamp.Seconds != start.Unix() {
			t.Errorf("%s: source %q, timestamp %v", res.Policy, res.Source, res.Timestamp)
		}
	}
	if len(cr.Results) != len(results) {
		t.Fatalf("%d results, want one per check (%d)", len(cr.Results), len(results))
	}
	seg := by["segmentation-pci-scope"]
	if seg.Result != "fail" || seg.Severity != "critical" || !seg.Scored || seg.Category != "segmentation" || seg.Description != "14 pods off scope" {
		t.Errorf("segmentation: %+v", seg)
	}
	if len(seg.Subjects) != MaxResources || seg.Properties[PropertyOmitted] != "5" || seg.Properties[PropertySubjects] != "" {
		t.Errorf("segmentation names %d resources, omitted %q, subjects %q; want %d and 5 more (the pool among them)", len(seg.Subjects), seg.Properties[PropertyOmitted], seg.Properties[PropertySubjects], MaxResources)
	}
	if ref := seg.Subjects[0]; ref != (corev1.ObjectReference{APIVersion: "v1", Kind: "Pod", Namespace: "a0005-i", Name: "app-00"}) {
		t.Errorf("first resource %+v", ref)
	}
	if seg.Properties[PropertyDrift] != "new" || seg.Properties[PropertyRemediation] != "move them" {
		t.Errorf("segmentation properties %v", seg.Properties)
	}
	if c := by["nodes-cordoned"]; c.Result != "warn" || c.Severity != "medium" || c.Scored {
		t.Errorf("a warning-severity check: %+v", c)
	}
	if n := by["nodes-ready"]; n.Properties[PropertyControls] != "6.3.3, 11.5.1" || n.Properties[PropertyTitle] != "Nodes are Ready" {
		t.Errorf("nodes-ready properties %v", n.Properties)
	}
	w := by["network-deny-all"]
	if w.Result != "skip" || w.Properties[PropertyWaiverReason] != "migration" || w.Properties[PropertyWaiverTicket] != "SEC-12" ||
		w.Properties[PropertyWaiverExpires] != "2027-01-02" || w.Properties[PropertyWaiverApprovedBy] != "qsa@example.com" || w.Properties[PropertyWaiverObjects] != "default" {
		t.Errorf("waived: %+v", w)
	}
	if len(w.Subjects) != 1 || w.Subjects[0].Kind != "NetworkPolicy" || w.Subjects[0].Name != "deny-all" || w.Subjects[0].APIVersion != "networking.k8s.io/v1" {
		t.Errorf("a note after the name is not part of it: %+v", w.Subjects)
	}
	if a := by["access-private-endpoint"]; len(a.Subjects) != 0 || a.Properties[PropertySubjects] != "server/https://10.0.0.1:443" {
		t.Errorf("a subject that is no Kubernetes object stays text: %+v", a)
	}
	if by["policies-templates"].Result != "error" || by["flux-extension"].Result != "skip" {
		t.Error("error and skip map onto themselves")
	}
}

// TestOpenReportsSeverities: every severity the catalogue uses has its
// explicit row; only an unknown one falls back to high.
func TestOpenReportsSeverities(t *testing.T) {
	for _, c := range check.All() {
		if _, ok := openReportsSeverity[c.Severity]; !ok {
			t.Errorf("%s: severity %q has no OpenReports mapping", c.ID, c.Severity)
		}
	}
	if OpenReportsSeverity("bogus") != "high" {
		t.Error("an unknown severity must not map below high")
	}
	if openReportsResult("bogus") != "error" {
		t.Error("an unknown status must map to error")
	}
}

// TestOpenReportsYAML: -o openreports prints one document per checked
// cluster and none for a cluster that could not be checked.
func TestOpenReportsYAML(t *testing.T) {
	ok := result.New("a", "https://a", "regulated", start, time.Second, []result.Result{{ID: "nodes-ready", Status: result.Pass, Severity: result.Critical}})
	down := result.New("b", "https://b", "regulated", start, time.Second, nil)
	down.Error = "unreachable"
	also := result.New("c", "https://c", "regulated", start, time.Second, []result.Result{{ID: "nodes-ready", Status: result.Fail, Severity: result.Critical}})
	var buf bytes.Buffer
	if err := Write(&buf, []*result.Report{ok, down, also}, Options{Format: "openreports", OpenReports: OpenReportsOptions{Verdicts: []string{"passed", "could not check", "failed"}}}); err != nil {
		t.Fatal(err)
	}
	docs := strings.Split(buf.String(), "---\n")
	if len(docs) != 2 {
		t.Fatalf("want 2 documents, got %d:\n%s", len(docs), buf.String())
	}
	for i, ctx := range []string{"a", "c"} {
		var cr orv1alpha1.ClusterReport
		if err := yaml.UnmarshalStrict([]byte(docs[i]), &cr); err != nil {
			t.Fatalf("document %d: %v", i, err)
		}
		if cr.Annotations[AnnotationContext] != ctx || cr.Kind != "ClusterReport" {
			t.Errorf("document %d is %s for %q", i, cr.Kind, cr.Annotations[AnnotationContext])
		}
	}
}

// TestOpenReportsAtScale: 5,000 nodes and 50,000 pods, every pod failing
// (off its pool, an image from no allowed registry, in a namespace without
// guardrails), judged by every check: the ClusterReport stays under 512 KiB.
func TestOpenReportsAtScale(t *testing.T) {
	s := cluster.NewSnapshot()
	for _, r := range []cluster.Resource{cluster.Kubeconfig, cluster.ServerVersion, cluster.Nodes, cluster.Pods, cluster.Namespaces, cluster.DaemonSets, cluster.Deployments, cluster.CRDs, cluster.Services, cluster.NetworkPolicies, cluster.ResourceQuotas, cluster.LimitRanges} {
		s.SetReadStatus(r, cluster.ReadStatus{Outcome: cluster.OK, Verb: "list"})
	}
	s.Version = &version.Info{GitVersion: "v1.33.2"}
	s.Now = start
	s.Access = cluster.Access{Server: "https://203.0.113.7:443"}
	const nodes, pods = 5000, 50000
	for i := range nodes {
		name := fmt.Sprintf("aks-npinscope01-26621167-vmss%06d", i)
		s.Nodes = append(s.Nodes, cluster.Node{Name: name,
			Labels: cluster.NewNodeLabels(name, map[string]string{"kubernetes.azure.com/agentpool": "npinscope01", "pci-scope": "in-scope"}),
			Ready:  &cluster.NodeCondition{Status: corev1.ConditionFalse}})
	}
	s.Pods = make([]cluster.Pod, pods)
	for i := range s.Pods {
		ns := fmt.Sprintf("a0005-o-team-%03d", i%500)
		s.Pods[i] = cluster.Pod{Namespace: ns, Name: fmt.Sprintf("workload-with-a-long-generated-name-%06d-abcde", i), NodeName: s.Nodes[i%nodes].Name,
			OwnerKind: "ReplicaSet", OwnerName: "workload", Phase: corev1.PodRunning,
			Containers: []cluster.Container{{Name: "app", Image: fmt.Sprintf("docker.io/someone/app-%05d:latest", i), Kind: cluster.RegularContainer}}}
		if i < 500 {
			s.Namespaces = append(s.Namespaces, cluster.ObjectRef{Name: ns})
		}
	}
	p, _, err := profile.Load("")
	if err != nil {
		t.Fatal(err)
	}
	p.Images.Allowed.ACRName = "acraks123"
	results := check.Run(s, p, check.All())
	controls.Attach(results)
	r := result.New("aks", s.Access.Server, p.Name, start, time.Minute, results)
	cr := ClusterReport(r, "failed", OpenReportsOptions{Interval: time.Hour, Version: "v1.2.3"})
	b, err := json.Marshal(cr)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) >= MaxOpenReportBytes {
		t.Errorf("the ClusterReport is %d bytes, over %d", len(b), MaxOpenReportBytes)
	}
	bounded := 0
	for _, res := range cr.Results {
		if len(res.Subjects) > MaxResources {
			t.Errorf("%s names %d resources", res.Policy, len(res.Subjects))
		}
		if res.Properties[PropertyOmitted] != "" {
			bounded++
		}
	}
	if bounded == 0 {
		t.Error("no result had to be bounded: the fixture fails no pod")
	}
	t.Logf("%d results, %d bounded, %d bytes", len(cr.Results), bounded, len(b))
}

// TestOpenReportsWorstCase bounds the object whatever the cluster holds:
// every check failing, each naming thousands of objects at the longest
// names Kubernetes allows, messages and waivers far over their bounds.
func TestOpenReportsWorstCase(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	objs := make([]string, 5000)
	for i := range objs {
		objs[i] = "CustomResourceDefinition/" + long(63) + "/" + long(253)
	}
	var results []result.Result
	for _, c := range check.All() {
		results = append(results, result.Result{ID: c.ID, Category: c.Category, Severity: c.Severity, Title: long(4096), Status: result.Waived,
			Message: long(1 << 20), Objects: objs, Remediation: long(1 << 16), Controls: []string{long(4096)}, Drift: result.DriftNew,
			Waiver: &result.Waiver{Reason: long(1 << 16), Ticket: long(1 << 16), ApprovedBy: long(1 << 16), Objects: []string{long(1 << 16)}}})
	}
	r := result.New(long(4096), long(4096), long(4096), start, time.Minute, results)
	r.ClusterID = long(4096)
	b, err := json.Marshal(ClusterReport(r, "failed", OpenReportsOptions{Version: long(4096)}))
	if err != nil {
		t.Fatal(err)
	}
	if len(b) >= MaxOpenReportBytes {
		t.Errorf("at its bounds the ClusterReport is %d bytes, over %d: lower MaxResources or the text bounds", len(b), MaxOpenReportBytes)
	}
	t.Logf("%d checks at the bounds: %d bytes", len(results), len(b))
}

func TestClip(t *testing.T) {
	if got := clip("héllo wörld", 8); got != "h …" && len(got) > 8 {
		t.Errorf("clip: %q", got)
	}
	if got := clip("short", 10); got != "short" {
		t.Errorf("clip keeps short text: %q", got)
	}
	if got := clip(strings.Repeat("é", 100), 21); len(got) > 21 || !strings.HasSuffix(got, " …") {
		t.Errorf("clip cuts on a rune boundary within the bound: %q", got)
	}
}

// TestOpenReportsREADME: the README's mapping table says what the code does.
func TestOpenReportsREADME(t *testing.T) {
	s := plugintest.READMESection(t, "continuous")
	for sev, or := range openReportsSeverity {
		if !regexp.MustCompile("`" + string(sev) + "` checks[^→|]*→ `" + string(or) + "`").MatchString(s) {
			t.Errorf("the README does not map severity %s to %s", sev, or)
		}
	}
	for _, want := range []string{fmt.Sprintf("at most %d;", MaxResources), fmt.Sprintf("(at most %d KiB)", maxMessageBytes>>10),
		fmt.Sprintf("under %d KiB", MaxOpenReportBytes>>10), "named `" + OpenReportsName + "`", "`source: " + OpenReportsSource + "`"} {
		if !strings.Contains(s, want) {
			t.Errorf("the README's OpenReports section lacks %q", want)
		}
	}
	for _, p := range []string{PropertyTitle, PropertyControls, PropertyRemediation, PropertyDrift, PropertyOmitted, PropertySubjects,
		PropertyWaiverReason, PropertyWaiverTicket, PropertyWaiverApprovedBy, PropertyWaiverExpires, PropertyWaiverObjects} {
		if !strings.Contains(s, "`"+p+"`") {
			t.Errorf("the README does not list the property %s", p)
		}
	}
}
