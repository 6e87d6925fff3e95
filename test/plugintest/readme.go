package plugintest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// README returns the repository's README.md.
func README(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(RepoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// READMESection returns the lines of README.md between the lines
// <!-- name:begin --> and <!-- name:end -->, the markers that tie a section
// of the README to the code or the output it describes (make verify-docs
// regenerates one of them in place).
func READMESection(t testing.TB, name string) string {
	t.Helper()
	begin, end := "<!-- "+name+":begin -->\n", "<!-- "+name+":end -->"
	_, after, ok := strings.Cut(README(t), begin)
	section, _, ok2 := strings.Cut(after, end)
	if !ok || !ok2 {
		t.Fatalf("README.md lacks the %q ... %q markers", strings.TrimSpace(begin), end)
	}
	return section
}
