package proc

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestTailKeepsTheLastLines(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"a\nb\nc\n", 2, "b\nc"},
		{"a\nb\n", 5, "a\nb"},
		{"\n\nonly\n\n", 1, "only"},
	} {
		if got := Tail(c.in, c.n); got != c.want {
			t.Errorf("Tail(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
	missing := filepath.Join(t.TempDir(), "none.log")
	if got := LogTail(missing, 3); !strings.Contains(got, "none.log") {
		t.Errorf("LogTail of a missing file = %q, want the read error naming it", got)
	}
}
