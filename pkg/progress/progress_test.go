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
