package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
	"github.com/aksbaseline/kubectl-aksbaseline/test/golden"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// results is a fixed set covering every status, so the goldens show each
// rendering without depending on any cluster.
func results() []result.Result {
	mk := func(id string, st result.Status, msg string, objs ...string) result.Result {
		c := check.Lookup(id)
		r := result.Result{ID: id, Category: c.Category, Severity: c.Severity, Title: c.Title, Status: st, Message: msg, Objects: objs}
		if st == result.Fail || st == result.Warn {
			r.Remediation = c.Remediation
		}
		if st == result.Error {
			r.Remediation = "grant the user get and list on the resources named"
		}
		return r
	}
	return []result.Result{
		mk("nodes-ready", result.Pass, "7 nodes Ready"),
		withReason(mk("nodes-system-taint", result.Warn, "3 nodes of pool npsystem lack the taint CriticalAddonsOnly=true:NoSchedule; the profile allows it"),
			"the profile does not require the taint (nodes.systemTaint.required: false)"),
		mk("policies-templates", result.Error, "forbidden: list constrainttemplates.templates.gatekeeper.sh"),
		mk("identities-pod-identity", result.Skip, "Workload Identity era (no AAD Pod Identity)"),
		mk("secrets-tls-secret", result.Fail, "Secret ingress-nginx/ingress-tls-csi not found <&>", "Secret/ingress-nginx/ingress-tls-csi"),
		mk("flux-sync-ready", result.Pass, "manual sync flux-system/flux-system Ready; last applied revision main@sha1:4f3c2b1a", "GitRepository/flux-system/flux-system", "Kustomization/flux-system/flux-system"),
	}
}

func withReason(r result.Result, why string) result.Result {
	r.WarnReason = why
	r.Findings = []result.Finding{{Status: r.Status, Object: "Node/aks-npsystem-0", Message: "lacks the taint"}}
	return r
}

func fixed() []*result.Report {
	start := time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC)
	return []*result.Report{result.New("aks-prod", "https://aks-prod-1a2b3c4d.privatelink.centralus.azmk8s.io:443", "regulated", start, 1234*time.Millisecond, results())}
}

func matchGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, name, got, *update, "go test ./pkg/report")
}

func render(t *testing.T, reports []*result.Report, o Options) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, reports, o); err != nil {
		t.Fatal(err)
	}
	// Every JSON or YAML document a test renders must match the published schema.
	switch o.Format {
	case "json":
		validate(t, b.Bytes())
	case "yaml":
		j, err := yaml.YAMLToJSON(b.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		validate(t, j)
	}
	return b.Bytes()
}

func TestGoldenText(t *testing.T) {
	matchGolden(t, "report.txt", render(t, fixed(), Options{Format: "text", Elapsed: 1234 * time.Millisecond}))
}

func TestGoldenTextColor(t *testing.T) {
	got := render(t, fixed(), Options{Format: "text", Color: true, Elapsed: time.Second})
	if !bytes.Contains(got, []byte("\x1b[31m✗\x1b[0m")) || !bytes.Contains(got, []byte("\x1b[32m✔\x1b[0m")) {
		t.Errorf("no colour marks:\n%q", got)
	}
	plain := render(t, fixed(), Options{Format: "text", Elapsed: time.Second})
	if bytes.Contains(plain, []byte("\x1b[")) {
		t.Error("escape codes without Color")
	}
}

func TestGoldenJSON(t *testing.T) {
	got := render(t, fixed(), Options{Format: "json"})
	matchGolden(t, "report.json", got)
	var doc map[string]any
	if err := json.Unmarshal(got, &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"apiVersion", "kind", "context", "server", "profile", "startTime", "duration", "results"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("field %s missing", k)
		}
	}
	if doc["apiVersion"] != "aksbaseline.io/v1alpha1" || doc["kind"] != "VerifyReport" {
		t.Errorf("type %v/%v", doc["apiVersion"], doc["kind"])
	}
}

func TestGoldenYAML(t *testing.T) {
	matchGolden(t, "report.yaml", render(t, fixed(), Options{Format: "yaml"}))
}

func TestGoldenJUnit(t *testing.T) {
	got := render(t, fixed(), Options{Format: "junit"})
	matchGolden(t, "report.junit.xml", got)
	var doc junitSuites
	if err := xml.Unmarshal(got, &doc); err != nil {
		t.Fatalf("not XML: %v", err)
	}
	if doc.Tests != 6 || doc.Failures != 1 || doc.Errors != 1 || doc.Skipped != 1 {
		t.Errorf("counts: %+v", doc)
	}
}

func TestListForSeveralClusters(t *testing.T) {
	two := append(fixed(), fixed()...)
	two[1].Context = "aks-dr"
	var doc result.List
	if err := json.Unmarshal(render(t, two, Options{Format: "json"}), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Kind != "VerifyReportList" || len(doc.Items) != 2 {
		t.Errorf("got %s with %d items", doc.Kind, len(doc.Items))
	}
	text := string(render(t, two, Options{Format: "text", Elapsed: time.Second}))
	if strings.Count(text, " passed, ") != 1 || !strings.Contains(text, "4 passed, 2 failed, 2 warnings, 2 skipped, 2 errors on 2 clusters in 1s") {
		t.Errorf("one summary for both clusters expected:\n%s", text)
	}
}
