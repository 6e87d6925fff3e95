package result

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result/schema"
)

var update = flag.Bool("update", false, "rewrite the committed schema")

// TestSchemaFile fails when the Go types and the committed schema differ;
// 'make schema' (go test ./pkg/result -run TestSchemaFile -update) rewrites it.
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

// Count tallies every status the schema publishes.
func TestCountCoversStatuses(t *testing.T) {
	var rs []Result
	for _, s := range Statuses {
		rs = append(rs, Result{Status: s})
	}
	c := Count(rs)
	if c.Pass+c.Fail+c.Warn+c.Skip+c.Error+c.Waived != len(Statuses) {
		t.Errorf("Count misses a status of %v: %+v", Statuses, c)
	}
}
