package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/sanitize"
)

// Printer writes human progress to stderr in the Flux CLI's idiom:
// ► action, ✔ success, ◎ waiting, ✗ failure, ⚠ warning. On a terminal the
// waiting line is redrawn in place; elsewhere (CI logs, pipes) a waiting
// line is printed only when what is pending changes, so logs stay short.
type Printer struct {
	w     io.Writer
	tty   bool
	start time.Time
	now   func() time.Time

	mu       sync.Mutex
	live     bool      // a redrawable line is on screen
	lastLive string    // last pending key printed off a terminal
	lastAt   time.Time // when a line was last printed off a terminal
}

const offTTYEvery = 5 * time.Second

// New writes to w; tty is detected when w is a terminal.
func New(w io.Writer) *Printer {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	return &Printer{w: w, tty: tty, start: time.Now(), now: time.Now}
}

// Elapsed is the time since the command started, rounded for humans.
func (p *Printer) Elapsed() string {
	return Duration(p.now().Sub(p.start))
}

// Duration rounds d for humans: tenths of a second below ten seconds.
func Duration(d time.Duration) string {
	if d < 10*time.Second {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

func (p *Printer) line(symbol, format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLive()
	p.lastAt = p.now()
	// The names, images and messages in a line come from clusters and
	// files: their control characters are escaped and no URL keeps a
	// credential.
	fmt.Fprintf(p.w, "%s %s\n", symbol, sanitize.Message(fmt.Sprintf(format, args...)))
}

func (p *Printer) clearLive() {
	if p.live && p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
	p.live = false
}

// Actionf prints a ► line.
func (p *Printer) Actionf(format string, args ...any) { p.line("►", format, args...) }

// Successf prints a ✔ line with the elapsed time.
func (p *Printer) Successf(format string, args ...any) {
	p.line("✔", "%s (%s)", fmt.Sprintf(format, args...), p.Elapsed())
}

// Okf prints a ✔ line without the elapsed time: one of several results of a
// single step (a file configured), where a time on each would be noise.
func (p *Printer) Okf(format string, args ...any) { p.line("✔", format, args...) }

// Failuref prints a ✗ line.
func (p *Printer) Failuref(format string, args ...any) { p.line("✗", format, args...) }

// Warningf prints a ⚠ line.
func (p *Printer) Warningf(format string, args ...any) { p.line("⚠", format, args...) }

// Waitingf prints a ◎ line.
func (p *Printer) Waitingf(format string, args ...any) { p.line("◎", format, args...) }

// Pending shows what is still awaited. On a terminal the detailed text is
// redrawn in place; elsewhere the plain text is printed again only when key
// (what is pending) changes.
func (p *Printer) Pending(key, plain, detailed string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		// One line redrawn in place: a newline in it would break the redraw.
		line := fmt.Sprintf("◎ %s (%s)", sanitize.Text(sanitize.URLs(detailed)), p.Elapsed())
		// A line wider than the terminal wraps, and \r then redraws only
		// its last part: cut it to the width (80 when unknown).
		w, _, err := term.GetSize(int(p.w.(*os.File).Fd()))
		if err != nil || w < 20 {
			w = 80
		}
		if len([]rune(line)) >= w {
			line = string([]rune(line)[:w-2]) + "…"
		}
		fmt.Fprint(p.w, "\r\033[K"+line)
		p.live = true
		return
	}
	// Events arrive one object at a time; a line per event would flood a
	// CI log, so off a terminal repeat at most every offTTYEvery.
	if key == p.lastLive || p.now().Sub(p.lastAt) < offTTYEvery {
		return
	}
	p.lastLive, p.lastAt = key, p.now()
	fmt.Fprintf(p.w, "◎ %s (%s)\n", sanitize.Message(plain), p.Elapsed())
}

// Done ends a pending line.
func (p *Printer) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLive()
	p.lastLive = ""
}
