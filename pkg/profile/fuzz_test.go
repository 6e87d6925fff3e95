package profile

import (
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/test/yamlpostest"
)

// FuzzParse feeds the profile parser arbitrary files: it must never panic,
// and a rejection is always the *Error that lists FILE:LINE problems (a
// missing key has no line of its own: the problem then names the file).
// Seeds: the built-in profiles and testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	yamlpostest.Seed(f, "profiles/*.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("p.yaml", data)
		if err != nil {
			yamlpostest.Rejected(t, err, data, false)
			return
		}
		if p == nil || p.Name == "" {
			t.Fatalf("accepted without a name: %+v", p)
		}
	})
}
