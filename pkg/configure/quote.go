package configure

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	k8syaml "sigs.k8s.io/yaml"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/placeholder"
)

// substitute replaces every given token in data as YAML needs it: where a
// token stands in a plain scalar that, filled in, a YAML reader would take
// for something other than that string (off, yes, null, 0x1f, 1e3, a date),
// the scalar is written double-quoted; inside a quoted scalar the value is
// escaped for its quotes; anywhere else (comments, block scalars, a file
// that does not parse) the text is replaced as it stands, and sameShape
// judges the result. It returns the new text and the count per token.
func substitute(data []byte, values map[string]string) ([]byte, []Count) {
	var counts []Count
	var given []placeholder.Token
	for _, tok := range placeholder.Tokens {
		if v, ok := values[tok.Name]; ok {
			if _, n := placeholder.Replace(string(data), tok.Name, v); n > 0 {
				counts = append(counts, Count{Token: tok.Name, N: n})
				given = append(given, tok)
			}
		}
	}
	if len(counts) == 0 {
		return data, nil
	}
	fill := func(s string, escape func(string) string) string {
		for _, tok := range given {
			s, _ = placeholder.Replace(s, tok.Name, escape(values[tok.Name]))
		}
		return s
	}
	var edits []edit
	if docs, err := parseAll(data); err == nil {
		lines := lineStarts(data)
		for _, d := range docs {
			edits = scalarEdits(d, data, lines, fill, edits)
		}
	}
	// Apply the scalar edits in order, and fill what lies between them as
	// plain text. Scalars never overlap; a parser's surprise is skipped.
	slices.SortFunc(edits, func(a, b edit) int { return a.from - b.from })
	var b strings.Builder
	prev := 0
	for _, e := range edits {
		if e.from < prev {
			continue
		}
		b.WriteString(fill(string(data[prev:e.from]), keep))
		b.WriteString(e.text)
		prev = e.to
	}
	b.WriteString(fill(string(data[prev:]), keep))
	return []byte(b.String()), counts
}

// edit replaces data[from:to] with text.
type edit struct {
	from, to int
	text     string
}

func keep(s string) string { return s }

// scalarEdits collects the edits of every single-line scalar under n that
// holds a token.
func scalarEdits(n *yaml.Node, data []byte, lines []int, fill func(string, func(string) string) string, out []edit) []edit {
	for _, c := range n.Content {
		out = scalarEdits(c, data, lines, fill, out)
	}
	if n.Kind != yaml.ScalarNode || n.Line < 1 || n.Line > len(lines) || fill(n.Value, keep) == n.Value {
		return out
	}
	start, end := lines[n.Line-1], len(data)
	if n.Line < len(lines) {
		end = lines[n.Line] - 1 // the line's '\n'
	}
	from := byteOffset(string(data[start:end]), n.Column-1)
	if from < 0 {
		return out
	}
	from += start
	switch n.Style {
	case 0: // plain: the text is the value, when it holds on one line
		to := from + len(n.Value)
		if to > len(data) || string(data[from:to]) != n.Value {
			return out
		}
		v := fill(n.Value, keep)
		if !plainString(v) {
			v = doubleQuoted(v)
		}
		return append(out, edit{from, to, v})
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		q := data[from]
		to := closingQuote(data, from, q)
		if to < 0 {
			return out
		}
		esc := escapeDouble
		if q == '\'' {
			esc = escapeSingle
		}
		return append(out, edit{from, to, fill(string(data[from:to]), esc)})
	}
	return out
}

// lineStarts holds the offset where each line of data begins.
func lineStarts(data []byte) []int {
	starts := []int{0}
	for i, c := range data {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// closingQuote returns the offset just past the quote that closes the
// quoted scalar opening at from, or -1.
func closingQuote(data []byte, from int, q byte) int {
	for i := from + 1; i < len(data); i++ {
		switch {
		case q == '"' && data[i] == '\\':
			i++
		case data[i] == q && q == '\'' && i+1 < len(data) && data[i+1] == '\'':
			i++
		case data[i] == q:
			return i + 1
		}
	}
	return -1
}

// plainString tells whether s, written as a plain scalar, reads back as the
// string s both in kubectl (sigs.k8s.io/yaml, YAML 1.1 rules: off, yes, y,
// 0x1f, 1e3 are no strings) and in a YAML 1.2 reader (go.yaml.in/yaml/v3,
// which kustomize's kyaml is built on; a date is a timestamp there).
func plainString(s string) bool {
	doc := []byte("v: " + s + "\n")
	j, err := k8syaml.YAMLToJSON(doc)
	if err != nil {
		return false
	}
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(j))
	if err := d.Decode(&m); err != nil || len(m) != 1 || m["v"] != s {
		return false
	}
	var n yaml.Node
	if err := yaml.Unmarshal(doc, &n); err != nil || len(n.Content) != 1 || len(n.Content[0].Content) != 2 {
		return false
	}
	v := n.Content[0].Content[1]
	return v.Kind == yaml.ScalarNode && v.ShortTag() == "!!str" && v.Value == s
}

// doubleQuoted writes s as a YAML double-quoted scalar.
func doubleQuoted(s string) string { return `"` + escapeDouble(s) + `"` }

// escapeDouble escapes s for the inside of a YAML double-quoted scalar.
func escapeDouble(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02X`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// escapeSingle escapes s for the inside of a YAML single-quoted scalar,
// where the one escape is a doubled quote.
func escapeSingle(s string) string { return strings.ReplaceAll(s, "'", "''") }
