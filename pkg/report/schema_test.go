package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/report/schema"
)

func validate(t *testing.T, doc []byte) {
	t.Helper()
	if err := schema.Validate(doc); err != nil {
		t.Errorf("output does not match %s: %v\n%s", schema.File, err, doc)
	}
}

// TestSchemaFile fails when the Go types and the committed schema differ;
// 'make schema' (go test ./pkg/report -run TestSchemaFile -update) rewrites it.
func TestSchemaFile(t *testing.T) {
	got, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("schema", "verifyreport.schema.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(got, schema.JSON) {
		t.Errorf("%s is out of date with the report types: run 'make schema'", schema.File)
	}
}

// The enums the schema publishes must cover every status the check
// package counts and the renderers mark.
func TestSchemaEnums(t *testing.T) {
	var rs []check.Result
	for _, s := range Statuses {
		if Mark(s) == "?" {
			t.Errorf("status %s has no mark", s)
		}
		rs = append(rs, check.Result{Status: s})
	}
	c := check.Count(rs)
	if c.Pass+c.Fail+c.Warn+c.Skip+c.Error+c.Waived != len(Statuses) {
		t.Errorf("Count misses a status of %v: %+v", Statuses, c)
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
