package golden

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// Check compares got with testdata/name, first writing got there when
// update is set. rerun is the go test command that accepts new output; the
// failure names it with -update.
func Check(t testing.TB, name string, got []byte, update bool, rerun string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run %s -update)", err, rerun)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (%s -update to accept):\n--- got\n%s\n--- want\n%s", name, rerun, got, want)
	}
}
