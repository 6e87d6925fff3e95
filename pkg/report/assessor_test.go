package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/controls"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/version"
)

var tool = version.Info{Version: "v0.4.0", Commit: "4f3c2b1", BuildDate: "2026-11-20T10:00:00Z"}

func TestGoldenWaivedAndDrift(t *testing.T) {
	matchGolden(t, "rich.txt", render(t, rich(), Options{Format: "text", Elapsed: time.Second}))
	matchGolden(t, "rich.json", render(t, rich(), Options{Format: "json"}))
	render(t, rich(), Options{Format: "yaml"})
}

func TestGoldenByControl(t *testing.T) {
	got := render(t, rich(), Options{Format: "text", ByControl: true, Elapsed: time.Second})
	matchGolden(t, "rich.bycontrol.txt", got)
	// Every requirement the tool covers is listed, and those it cannot
	// verify say what to attach.
	for _, r := range controls.Requirements() {
		if !bytes.Contains(got, []byte(" "+r.ID+" "+r.Title+"\n")) {
			t.Errorf("requirement %s missing", r.ID)
		}
	}
	for _, want := range []string{
		"◇ 10.5.1 Audit log history is kept 12 months, the last 3 immediately available\n    ◇ not verifiable from the cluster: retention is a property of the Log Analytics workspace",
		"◎ 1.3.2 Outbound traffic from the cardholder data environment is restricted\n    ◎ not run: segmentation-pci-scope, network-deny-all\n    ◇ also outside the cluster: egress filtering",
	} {
		if !bytes.Contains(got, []byte(want)) {
			t.Errorf("by-control view lacks %q", want)
		}
	}
}

func TestJUnitWaived(t *testing.T) {
	var doc junitSuites
	if err := xml.Unmarshal(render(t, rich(), Options{Format: "junit"}), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Skipped != 2 || doc.Failures != 2 || doc.Tests != 8 {
		t.Errorf("counts: tests %d, failures %d, skipped %d", doc.Tests, doc.Failures, doc.Skipped)
	}
	found := false
	for _, c := range doc.Suites[0].Cases {
		if strings.HasPrefix(c.Name, "nodes-cordoned") {
			found = c.Skipped != nil && c.Skipped.Message == "waived until 2027-03-31 (CHG-1042, approved by jane.doe@contoso.com): node drained for a kernel investigation"
		}
	}
	if !found {
		t.Error("the waived case is not skipped with its reason")
	}
}

func renderHTML(t *testing.T, reports []*result.Report) string {
	t.Helper()
	return string(render(t, reports, Options{Format: "html", HTML: HTMLOptions{Tool: tool}}))
}

func TestHTMLEscapesClusterData(t *testing.T) {
	page := renderHTML(t, rich())
	if strings.Contains(page, hostile) || strings.Contains(strings.ToLower(page), "<script") {
		t.Error("markup from the cluster reached the page unescaped")
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;") {
		t.Error("the hostile name is not shown as text")
	}
}

// selfContained finds every reference a page makes to another resource.
var external = regexp.MustCompile(`(?i)(\bsrc\s*=|\bhref\s*=|url\(|@import|<link|<script|<iframe|<object|<embed|<img)`)

func TestHTMLSelfContained(t *testing.T) {
	page := renderHTML(t, rich())
	if m := external.FindAllString(page, -1); len(m) > 0 {
		t.Errorf("the page refers to outside resources: %q", m)
	}
	if !strings.Contains(page, "@media print") || !strings.Contains(page, "break-before: page") || !strings.Contains(page, "color-scheme: light") {
		t.Error("print rules or light colours missing")
	}
}

func TestHTMLContent(t *testing.T) {
	page := renderHTML(t, rich())
	for _, want := range []string{
		`<td class="verdict" id="verdict">failed</td>`,
		"aks-prod", "6f1d2c3b-0a4e-4b8f-9c7d-112233445566", "v0.4.0", "regulated", "2026-11-25T18:00:00Z",
		`data-requirement="10.5.1" data-state="not verifiable"`,
		`data-requirement="4.2.1" data-state="fail"`,
		`data-check="nodes-cordoned" data-status="waived"`,
		"until 2027-03-31 (CHG-1042, approved by jane.doe@contoso.com): node drained for a kernel investigation",
		`data-group="new"`, `data-group="unchanged"`, `data-group="resolved"`,
		"PCI DSS 3.2.1: 4.1",
		// What needs the assessor's attention besides the results.
		`data-kind="expired"`, "waiver nodes-ready (waivers.yaml:4) expired on 2026-10-01",
		`data-kind="stale"`, "waiver flux-suspended (waivers.yaml:12) is stale",
		// A skipped check is counted, not read as passed.
		`<th class="n">skip</th>`,
		// Why a critical check warns, and what each finding is about.
		`class="warn-reason">the profile does not require the taint`,
		`<li class="finding s-warn"><span class="id">Node/aks-npsystem-0</span>: lacks the taint</li>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Failures first: every fail before any warning, waived, pass or skip.
	order := regexp.MustCompile(`data-status="(\w+)"`).FindAllStringSubmatch(page, -1)
	var got []string
	for _, m := range order {
		got = append(got, m[1])
	}
	if strings.Join(got, " ") != "fail fail error warn waived pass pass skip" {
		t.Errorf("check order %v", got)
	}
}

func TestHTMLSeveralClusters(t *testing.T) {
	two := append(rich(), fixed()...)
	two[1].Context = "aks-dr"
	page := string(render(t, two, Options{Format: "html", HTML: HTMLOptions{Tool: tool, Verdicts: []string{"failed (fail-on new)", ""}}}))
	if strings.Count(page, `<section class="page cluster"`) != 2 || !strings.Contains(page, "failed (fail-on new)") {
		t.Error("one section per cluster, with the engine's verdict, expected")
	}
}

// A report read back from its JSON is the report that was written: scripts
// and drift baselines rely on every field surviving, waiver dates included.
func TestJSONRoundTrip(t *testing.T) {
	first := render(t, rich(), Options{Format: "json"})
	var r result.Report
	if err := json.Unmarshal(first, &r); err != nil {
		t.Fatal(err)
	}
	if w := r.Results[6].Waiver; w == nil || w.Expires.String() != "2027-03-31" {
		t.Fatalf("waiver after the round trip: %+v", w)
	}
	if again := render(t, []*result.Report{&r}, Options{Format: "json"}); !bytes.Equal(first, again) {
		t.Errorf("round trip changed the document:\n%s\n---\n%s", first, again)
	}
}

// A requirement whose proof lies outside the cluster never reads as passed
// because a neighbouring check passed: access-credential-plugin finding the
// Entra ID plugin shows one kubeconfig, not that every access is
// authenticated (8.3.1) or that MFA guards it (8.4.2). A finding there is
// still shown as one.
func TestRequirementNotGreenFromANeighbour(t *testing.T) {
	pass := result.Result{ID: "access-credential-plugin", Status: result.Pass, Message: "signs in through Entra ID"}
	skipped := result.Result{ID: "access-private-endpoint", Status: result.Skip, Message: "loopback"}
	state := map[string]string{}
	pass.Controls, skipped.Controls = controls.For(pass.ID), controls.For(skipped.ID)
	for _, r := range ByRequirement([]result.Result{pass, skipped}) {
		state[r.ID] = r.State
	}
	for _, id := range []string{"8.3.1", "8.4.2"} {
		if state[id] != NotVerifiable {
			t.Errorf("%s is %q after a passing access-credential-plugin, want %q", id, state[id], NotVerifiable)
		}
	}
	warned := pass
	warned.Status = result.Warn
	for _, r := range ByRequirement([]result.Result{warned}) {
		if (r.ID == "8.3.1" || r.ID == "8.4.2") && r.State != string(result.Warn) {
			t.Errorf("%s is %q with a warning, want warn", r.ID, r.State)
		}
	}
}
