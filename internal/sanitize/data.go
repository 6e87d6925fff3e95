package sanitize

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Data documents (-o json, -o yaml, report.json) must keep every string as
// the cluster holds it, so they cannot escape as Text does; they escape in
// their own syntax instead, which a decoder reads back to the same string
// and a terminal showing the document does not act on.

// Unsafe reports whether s holds a rune Lines escapes: a control other than
// newline and tab, DEL, a C1 control, a bidirectional formatting character
// or a byte that is not UTF-8.
func Unsafe(s string) bool { return Lines(s) != s }

// JSON escapes, in JSON text, the runes encoding/json writes raw although
// Text escapes them (DEL, C1 controls, bidirectional formatting) as \uXXXX.
// Outside strings JSON text is ASCII, so the whole text can be scanned.
func JSON(b []byte) []byte {
	escaped := func(r rune) bool { return r == 0x7f || unsafe(r) }
	if !bytes.ContainsFunc(b, escaped) {
		return b // the common case, without copying the document
	}
	var out strings.Builder
	for _, r := range string(b) {
		if escaped(r) {
			fmt.Fprintf(&out, `\u%04x`, r)
			continue
		}
		out.WriteRune(r)
	}
	return []byte(out.String())
}

// YAMLQuoted writes s as a YAML double-quoted scalar in which every rune
// Lines would escape, and newline and tab, is a YAML escape.
func YAMLQuoted(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	writeEscaped(&b, s, func(r rune, raw string) bool {
		switch {
		case r == utf8.RuneError && len(raw) == 1:
			b.WriteString(`\ufffd`) // as encoding/json reads it
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteString(raw)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		default:
			return false
		}
		return true
	})
	b.WriteByte('"')
	return b.String()
}
