package yamlpostest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/yamlpos"
)

// Seed adds every file matching the patterns to f's corpus.
func Seed(f *testing.F, patterns ...string) {
	f.Helper()
	for _, pattern := range patterns {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, p := range files {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
}

// Rejected fails t unless err lists problems in a *yamlpos.Error; with
// lines, each problem must name its line, except yamlpos.Empty.
func Rejected(t *testing.T, err error, data []byte, lines bool) {
	t.Helper()
	var perr *yamlpos.Error
	if !errors.As(err, &perr) || len(perr.Problems) == 0 {
		t.Fatalf("rejection without a position: %v", err)
	}
	if !lines {
		return
	}
	for _, p := range perr.Problems {
		if p.Line == 0 && p != yamlpos.Empty {
			t.Fatalf("problem without a line: %q in\n%q", p.Msg, data)
		}
	}
}
