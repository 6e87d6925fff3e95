package profile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds the profile parser arbitrary files: it must never panic,
// and a rejection is always the *Error that lists FILE:LINE problems.
// Seeds: the built-in profiles and testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("profiles/*.yaml")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("p.yaml", data)
		if err == nil {
			if p == nil || p.Name == "" {
				t.Fatalf("accepted without a name: %+v", p)
			}
			return
		}
		var perr *Error
		if !errors.As(err, &perr) || len(perr.Problems) == 0 {
			t.Fatalf("rejection is not a list of problems: %v", err)
		}
	})
}
