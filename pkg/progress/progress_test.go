package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProgressOffTerminal(t *testing.T) {
	var b bytes.Buffer
	now := time.Unix(0, 0)
	p := &Printer{w: &b, start: now, now: func() time.Time { return now }}
	p.Waitingf("waiting")
	p.Pending("a,b", "waiting for a, b", "detailed")
	now = now.Add(6 * time.Second)
	p.Pending("a,b", "waiting for a, b", "detailed")
	p.Pending("a", "waiting for a", "detailed")
	p.Pending("a", "waiting for a", "detailed")
	p.Done()
	p.Successf("done")
	want := "◎ waiting\n◎ waiting for a, b (6s)\n✔ done (6s)\n"
	if b.String() != want {
		t.Errorf("off-terminal progress:\n%q\nwant\n%q", b.String(), want)
	}
	if strings.Contains(b.String(), "\r") || strings.Contains(b.String(), "\033") {
		t.Error("control characters off a terminal")
	}
}

func TestWaitingListIndentsItems(t *testing.T) {
	var b bytes.Buffer
	p := New(&b)
	p.WaitingList([]string{"a (not yet)", "b (missing)"}, "waiting for %d checks", 2)
	want := "◎ waiting for 2 checks\n  ◎ a (not yet)\n  ◎ b (missing)\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}

// TestProgressEscapesControlCharacters: a line quoting a cluster's names
// or messages shows their control characters escaped, and a URL in it
// loses its credentials.
func TestProgressEscapesControlCharacters(t *testing.T) {
	var b bytes.Buffer
	now := time.Unix(0, 0)
	p := &Printer{w: &b, start: now, now: func() time.Time { return now }}
	p.Failuref("pod %s: %v", "x\x1b]0;owned\x07", "Get \"https://u:pw@host/api?token=t0k\": refused")
	p.WaitingList([]string{"a\x1b[2J"}, "waiting for %s", "\u202eb")
	p.Warningf("two lines\nstay two\x9b")
	out := b.String()
	want := "✗ pod x\\x1b]0;owned\\x07: Get \"https://host/api\": refused\n◎ waiting for \\u202eb\n  ◎ a\\x1b[2J\n⚠ two lines\nstay two\\x9b\n"
	if out != want {
		t.Errorf("progress:\n%q\nwant\n%q", out, want)
	}
}
