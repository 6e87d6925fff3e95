package report

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/sanitize"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// terminalHostile is what a cluster may put in an image, a condition message or a
// constraint's violation: a title rewrite, a screen clear, a C1 CSI, DEL
// and a bidi override (Trojan Source).
const terminalHostile = "evil\x1b]0;pwned\x07\x1b[2J\u009b31m\x7f\u202egpj.exe"

func hostileReport() []*result.Report {
	start := time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC)
	rs := results()
	for i := range rs {
		rs[i].Message += " " + terminalHostile
		rs[i].Objects = append(rs[i].Objects, "Pod/a0005-o/"+terminalHostile)
	}
	rs[1].Findings[0].Message = terminalHostile
	rs[4].Findings = []result.Finding{{Status: result.Fail, Object: "Secret/" + terminalHostile, Message: terminalHostile}}
	return []*result.Report{result.New("ctx"+terminalHostile, "https://h.example:443", "regulated", start, time.Second, rs)}
}

// TestNoRawControlCharacterInAnyFormat: every format keeps the terminalHostile
// string from acting on a terminal; the data formats (json, yaml) keep its
// value, written as their own escapes, and agree with each other.
func TestNoRawControlCharacterInAnyFormat(t *testing.T) {
	for _, o := range []Options{{Format: "text"}, {Format: "text", ByControl: true}, {Format: "json"}, {Format: "yaml"}, {Format: "junit"}, {Format: "html"}, {Format: "openreports"}} {
		got := string(render(t, hostileReport(), o))
		if sanitize.Unsafe(got) {
			i := strings.IndexFunc(got, func(r rune) bool { return sanitize.Unsafe(string(r)) })
			t.Errorf("-o %s (by control %v) writes a raw control or bidi character: …%q…", o.Format, o.ByControl, got[max(0, i-40):min(len(got), i+20)])
		}
		if !strings.Contains(got, "gpj.exe") {
			t.Errorf("-o %s lost the terminalHostile message instead of escaping it", o.Format)
		}
	}
	var fromJSON, fromYAML result.Report
	if err := json.Unmarshal(render(t, hostileReport(), Options{Format: "json"}), &fromJSON); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(render(t, hostileReport(), Options{Format: "yaml"}), &fromYAML); err != nil {
		t.Fatal(err)
	}
	want := hostileReport()[0]
	for name, got := range map[string]*result.Report{"json": &fromJSON, "yaml": &fromYAML} {
		if got.Context != want.Context || got.Results[4].Message != want.Results[4].Message || got.Results[4].Findings[0].Object != "Secret/"+terminalHostile {
			t.Errorf("-o %s does not read back to the cluster's strings: %q, %q", name, got.Context, got.Results[4].Message)
		}
	}
}
