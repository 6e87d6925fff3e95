package leaktest

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Files fails t once for each file under dir that holds one of needles,
// and returns how many files it searched, so a caller can tell an empty
// folder from a clean one. A folder it cannot walk fails t at once.
func Files(t testing.TB, dir string, needles ...string) int {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, n := range needles {
			if strings.Contains(string(b), n) {
				t.Errorf("%s holds a secret (%.12s…)", p, n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("searched %d files under %s: %v", files, dir, err)
	}
	return files
}
