package progress

import (
	"fmt"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/sanitize"
)

// ActionList prints a ► line and, indented beneath it, a · line per item:
// a plan shown before it runs.
func (p *Printer) ActionList(items []string, format string, args ...any) {
	p.list("►", "·", items, format, args...)
}

// list prints a head line and an indented line per item under one lock,
// so that the lists of concurrent callers do not interleave.
func (p *Printer) list(head, bullet string, items []string, format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLive()
	p.lastAt = p.now()
	fmt.Fprintf(p.w, "%s %s\n", head, sanitize.Message(fmt.Sprintf(format, args...)))
	for _, it := range items {
		// One item a line: a newline in it would forge another.
		fmt.Fprintf(p.w, "  %s %s\n", bullet, sanitize.Text(sanitize.URLs(it)))
	}
}
