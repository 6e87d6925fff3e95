package waiver

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/yamlpos"
)

// FuzzParse feeds the parser arbitrary files: it must never panic, and
// every rejection must be a positioned error (a line, or the whole file for
// an empty one). Seeds: the fixtures and testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.yaml")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ws, err := Parse("w.yaml", data, nil)
		if err == nil {
			for _, w := range ws {
				if w.Reason == "" || w.Expires.IsZero() || w.Line == 0 {
					t.Fatalf("accepted an incomplete waiver: %+v", w)
				}
			}
			return
		}
		var perr *yamlpos.Error
		if !errors.As(err, &perr) || len(perr.Problems) == 0 {
			t.Fatalf("rejection without a position: %v", err)
		}
		for _, p := range perr.Problems {
			if p.Line == 0 && p.Msg != "the file is empty" {
				t.Fatalf("problem without a line: %q in\n%q", p.Msg, data)
			}
		}
	})
}
