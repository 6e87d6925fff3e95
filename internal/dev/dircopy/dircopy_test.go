package dircopy

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCopyMakesAWritableTwin(t *testing.T) {
	src := t.TempDir()
	if err := os.MkdirAll(filepath.Join(src, "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "a", "b", "f.yaml"), []byte("x: 1\n"), 0o444); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "copy")
	if err := Copy(src, dst); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dst, "a", "b", "f.yaml")
	b, err := os.ReadFile(p)
	if err != nil || string(b) != "x: 1\n" {
		t.Fatalf("copy holds %q, %v; want the source's content", b, err)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o644 {
		t.Errorf("copied file mode %v, want 0644", st.Mode().Perm())
	}
}
