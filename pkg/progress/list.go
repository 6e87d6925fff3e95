package progress

// WaitingList prints a ◎ line and, indented beneath it, a ◎ line per item.
// The lines go out under one lock so that the lists of concurrent callers
// (verify --wait on several clusters) do not interleave.
func (p *Printer) WaitingList(items []string, format string, args ...any) {
	p.list("◎", "◎", items, format, args...)
}
