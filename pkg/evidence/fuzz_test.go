package evidence

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// FuzzCheck replaces one file of a signed bundle (SHA256SUMS, the
// attestation, report.json, index.json, ...) with arbitrary bytes, as an
// assessor's copy may arrive: 'evidence verify' must never panic, and a
// changed file is never read as intact.
func FuzzCheck(f *testing.F) {
	s, k := testKey(f)
	base := filepath.Join(f.TempDir(), "evidence")
	bundles := []Bundle{fixture(f, "aks-prod", "6f1d2c3b"), fixture(f, "aks-dr", "7a2e3d4c")}
	if err := Write(context.Background(), base, bundles, Options{Tool: tool, Signer: s}); err != nil {
		f.Fatal(err)
	}
	files := map[string][]byte{}
	var names []string
	err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(base, p)
		b, err := os.ReadFile(p)
		files[rel], names = b, append(names, rel)
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	slices.Sort(names)
	for i, n := range names {
		f.Add(uint8(i), files[n])
		if len(files[n]) > 1 {
			f.Add(uint8(i), files[n][:len(files[n])/2])
		}
	}
	// Each worker process runs one input at a time: change the file in
	// place and put it back, rather than copy the bundle for every input.
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		target := names[int(which)%len(names)]
		path := filepath.Join(base, target)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := os.WriteFile(path, files[target], 0o644); err != nil {
				t.Fatal(err)
			}
		}()
		c, err := Check(context.Background(), base, k)
		if err == nil && c.Intact() && !bytes.Equal(data, files[target]) {
			t.Fatalf("%s changed (%d bytes, was %d) and the bundle still checks intact", target, len(data), len(files[target]))
		}
	})
}
