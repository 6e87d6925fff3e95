package progress

import "fmt"

// WaitingList prints a ◎ line and, indented beneath it, a ◎ line per item.
// The lines go out under one lock so that the lists of concurrent callers
// (verify --wait on several clusters) do not interleave.
func (p *Printer) WaitingList(items []string, format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLive()
	p.lastAt = p.now()
	fmt.Fprintf(p.w, "◎ %s\n", fmt.Sprintf(format, args...))
	for _, it := range items {
		fmt.Fprintf(p.w, "  ◎ %s\n", it)
	}
}
