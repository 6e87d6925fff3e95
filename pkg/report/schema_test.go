package report

import (
	"strings"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result/schema"
)

func validate(t *testing.T, doc []byte) {
	t.Helper()
	if err := schema.Validate(doc); err != nil {
		t.Errorf("output does not match %s: %v\n%s", schema.File, err, doc)
	}
}

// Every status the schema publishes has a mark in the renderers.
func TestSchemaEnums(t *testing.T) {
	var rs []result.Result
	for _, s := range result.Statuses {
		if Mark(s) == "?" {
			t.Errorf("status %s has no mark", s)
		}
		rs = append(rs, result.Result{Status: s})
	}
}

func TestSchemaRefuses(t *testing.T) {
	good := render(t, fixed(), Options{Format: "json"})
	for name, edit := range map[string]func(string) string{
		"unknown field": func(s string) string { return strings.Replace(s, `"profile"`, `"profil": "x", "profile"`, 1) },
		"bad status":    func(s string) string { return strings.Replace(s, `"status": "pass"`, `"status": "ok"`, 1) },
		"wrong kind":    func(s string) string { return strings.Replace(s, `"VerifyReport"`, `"Report"`, 1) },
		"missing id":    func(s string) string { return strings.Replace(s, `"id": "nodes-ready",`, ``, 1) },
	} {
		if err := schema.Validate([]byte(edit(string(good)))); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
