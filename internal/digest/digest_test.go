package digest

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

func TestFileMatchesSHA256OfContent(t *testing.T) {
	data := []byte("aksbaseline\n")
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	got, err := File(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := hex.EncodeToString(sum[:]); got != want {
		t.Fatalf("File = %s, want %s", got, want)
	}
}

func TestFileMissingIsAnError(t *testing.T) {
	if _, err := File(filepath.Join(t.TempDir(), "absent")); err == nil {
		t.Fatal("File of a missing path returned no error")
	}
}
