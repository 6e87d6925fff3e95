package plugintest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// ReadFiles returns the regular files directly in dir by name.
func ReadFiles(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}

// Generated fails unless the committed folder dir (relative to the
// repository root) holds exactly the files generate makes, byte for byte:
// someone edited one by hand, or changed the generator or what it reads
// without running 'make target'.
func Generated(t testing.TB, dir string, generate func(context.Context) (map[string][]byte, error), target string) {
	t.Helper()
	made, err := generate(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	committed := ReadFiles(t, filepath.Join(RepoRoot(t), dir))
	for name := range committed {
		if _, ok := made[name]; !ok {
			t.Errorf("%s/%s is not made by the generator: run 'make %s' and remove it", dir, name, target)
		}
	}
	for name, want := range made {
		if got, ok := committed[name]; !ok || !bytes.Equal(got, want) {
			t.Errorf("%s/%s differs from what the generator makes: run 'make %s' and commit the result", dir, name, target)
		}
	}
}
