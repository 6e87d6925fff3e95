package sanitize

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Text escapes what a terminal would act on instead of showing: C0 controls
// (ESC, BEL, CR, newline ...), DEL, C1 controls, the bidirectional
// overrides and isolates that reorder what is read (Trojan Source), and
// bytes that are not UTF-8 (a lone 0x9b is CSI to some terminals). Each is
// shown as a Go escape (\x1b, \u202e), so the text stays readable and a
// name from a cluster cannot rewrite the title or clear the screen.
func Text(s string) string { return escape(s, false) }

// Lines is Text keeping newlines and tabs: for a message of several lines
// the tool composes itself (an error and its hint).
func Lines(s string) string { return escape(s, true) }

func escape(s string, keepLines bool) string {
	if clean(s, keepLines) {
		return s
	}
	var b strings.Builder
	writeEscaped(&b, s, func(r rune, raw string) bool {
		switch {
		case r == utf8.RuneError && len(raw) == 1:
			fmt.Fprintf(&b, `\x%02x`, raw[0])
		case keepLines && (r == '\n' || r == '\t'):
			b.WriteString(raw)
		default:
			return false
		}
		return true
	})
	return b.String()
}

// writeEscaped writes s to b with every C0 control and DEL as \xNN and
// every rune unsafe reports as \uNNNN, escapes that mean the same code
// point in Go and in a YAML double-quoted scalar; own writes first any
// rune its caller escapes its own way (a byte that is not UTF-8 comes as
// utf8.RuneError with one byte of raw) and reports whether it did.
func writeEscaped(b *strings.Builder, s string, own func(r rune, raw string) bool) {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch raw := s[i : i+n]; {
		case own(r, raw):
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(b, `\x%02x`, r)
		case unsafe(r):
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			b.WriteString(raw)
		}
		i += n
	}
}

// unsafe reports the non-ASCII runes Text escapes: C1 controls and the
// bidirectional formatting characters.
func unsafe(r rune) bool {
	return r >= 0x80 && r <= 0x9f ||
		r >= 0x202a && r <= 0x202e || // LRE, RLE, PDF, LRO, RLO
		r >= 0x2066 && r <= 0x2069 || // LRI, RLI, FSI, PDI
		r == 0x200e || r == 0x200f || r == 0x061c // LRM, RLM, ALM
}

func clean(s string, keepLines bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return false // checked rune by rune
		}
		if (c < 0x20 || c == 0x7f) && !(keepLines && (c == '\n' || c == '\t')) {
			return false
		}
	}
	return true
}

// Writer passes text to w with Lines applied to each write: for text
// outputs that carry no control sequence of their own (a diff, a change
// set) and show content from a cluster or a file. A write's runes must not
// be split across writes, as fmt's are not.
func Writer(w io.Writer) io.Writer { return lineWriter{w} }

type lineWriter struct{ w io.Writer }

func (l lineWriter) Write(p []byte) (int, error) {
	s := string(p)
	if e := Lines(s); e != s {
		if _, err := io.WriteString(l.w, e); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return l.w.Write(p)
}
