package waiver

import (
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/test/yamlpostest"
)

// FuzzParse feeds the parser arbitrary files: it must never panic, and
// every rejection must be a positioned error (a line, or the whole file for
// an empty one). Seeds: the fixtures and testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	yamlpostest.Seed(f, "testdata/valid/*.yaml", "testdata/invalid/*.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		ws, err := Parse("w.yaml", data, nil)
		if err != nil {
			yamlpostest.Rejected(t, err, data, true)
			return
		}
		for _, w := range ws {
			if w.Reason == "" || w.Expires.IsZero() || w.Line == 0 {
				t.Fatalf("accepted an incomplete waiver: %+v", w)
			}
		}
	})
}
