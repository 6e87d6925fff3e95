package configure

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// docEditor edits one YAML document as lines of text, at the places its
// parsed nodes give: what is not edited keeps its bytes, which a
// re-encoding would not (blank lines, indentation, quoting, wrapping).
type docEditor struct {
	lines   []string // the document's lines, each with its line end
	eol     string
	compact bool // block sequences at their key's indentation
	edits   []lineEdit
}

// lineEdit replaces lines[from:to] (0-based) with lines.
type lineEdit struct {
	from, to int
	lines    []string
}

// mapping records the edits that make the block mapping n, which reads as
// from, read as to: a key missing from to is removed with the comment
// above it, a value that differs is rewritten (inside nested mappings
// only where they differ), a key new in to is added where a removed key
// stood, or else at the mapping's end.
func (e *docEditor) mapping(n *yaml.Node, from, to map[string]any) error {
	if n.Kind != yaml.MappingNode || n.Style&yaml.FlowStyle != 0 || len(n.Content) == 0 || len(n.Content)/2 != len(from) {
		return errNotInPlace
	}
	var removed []int // indices of their keys in n.Content
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		old, ok := from[k.Value]
		if !ok || k.Kind != yaml.ScalarNode || k.Tag == "!!merge" || v.Kind == yaml.AliasNode || v.Anchor != "" || !e.startsLine(k) {
			return errNotInPlace
		}
		now, kept := to[k.Value]
		switch {
		case !kept:
			removed = append(removed, i)
		case reflect.DeepEqual(old, now):
		default:
			if err := e.change(k, v, old, now); err != nil {
				return err
			}
		}
	}
	var added []string
	for k := range to {
		if _, ok := from[k]; !ok {
			added = append(added, k)
		}
	}
	sort.Strings(added)
	var lines []string
	indent := n.Content[0].Column - 1
	for _, k := range added {
		l, err := e.entry(&yaml.Node{Kind: yaml.ScalarNode, Value: k}, to[k], nil, indent)
		if err != nil {
			return err
		}
		lines = append(lines, l...)
	}
	if len(lines) > 0 && len(removed) == 0 {
		end := e.entryEnd(n.Content[len(n.Content)-2], n.Content[len(n.Content)-1])
		e.edits = append(e.edits, lineEdit{from: end, to: end, lines: lines})
	}
	for _, i := range removed {
		k := n.Content[i]
		from := e.commentStart(k)
		if len(lines) > 0 {
			// What replaces a removed field (spec.patches for
			// spec.patchesStrategicMerge) takes its place, under the
			// comment that described it.
			from = k.Line - 1
		}
		e.edits = append(e.edits, lineEdit{from: from, to: e.entryEnd(k, n.Content[i+1]), lines: lines})
		lines = nil
	}
	return nil
}

// change rewrites the value v of key k from old to now: a nested mapping
// where it differs, a one-line scalar on its line, else the whole entry.
func (e *docEditor) change(k, v *yaml.Node, old, now any) error {
	om, ok1 := old.(map[string]any)
	nm, ok2 := now.(map[string]any)
	if ok1 && ok2 {
		before := len(e.edits)
		err := e.mapping(v, om, nm)
		if !errors.Is(err, errNotInPlace) {
			return err
		}
		e.edits = e.edits[:before]
	}
	end := e.entryEnd(k, v)
	if v.Kind == yaml.ScalarNode && v.Line == k.Line && end == k.Line && v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		if line, ok := e.scalarLine(v, now); ok {
			e.edits = append(e.edits, lineEdit{from: k.Line - 1, to: k.Line, lines: []string{line}})
			return nil
		}
	}
	lines, err := e.entry(k, now, v, k.Column-1)
	if err != nil {
		return err
	}
	e.edits = append(e.edits, lineEdit{from: k.Line - 1, to: end, lines: lines})
	return nil
}

// scalarLine is the line of the one-line scalar v with now in its place
// and in its quoting, what follows it (a comment) kept.
func (e *docEditor) scalarLine(v *yaml.Node, now any) (string, bool) {
	line := e.lines[v.Line-1]
	at := byteOffset(line, v.Column-1)
	if at < 0 || at >= len(line) {
		return "", false
	}
	end := scalarEnd(line[at:], v)
	if end < 0 {
		return "", false
	}
	n, err := valueNode(now, v)
	if err != nil || n.Kind != yaml.ScalarNode {
		return "", false
	}
	b, err := yaml.Marshal(n)
	text := strings.TrimSuffix(string(b), "\n")
	if err != nil || strings.Contains(text, "\n") {
		return "", false
	}
	return line[:at] + text + line[at+end:], true
}

// scalarEnd is the length of the one-line scalar v's text at the start
// of s, -1 when s does not start with it.
func scalarEnd(s string, v *yaml.Node) int {
	switch {
	case v.Style&yaml.DoubleQuotedStyle != 0 && strings.HasPrefix(s, `"`),
		v.Style&yaml.SingleQuotedStyle != 0 && strings.HasPrefix(s, "'"):
		return closingQuote([]byte(s), 0, s[0])
	case v.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.TaggedStyle) == 0 && v.Value != "" && strings.HasPrefix(s, v.Value):
		return len(v.Value)
	}
	return -1
}

// entry renders "key: value" at indent, in like's style where the value
// keeps its kind.
func (e *docEditor) entry(k *yaml.Node, value any, like *yaml.Node, indent int) ([]string, error) {
	v, err := valueNode(value, like)
	if err != nil {
		return nil, err
	}
	key := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k.Value, Style: k.Style & (yaml.DoubleQuotedStyle | yaml.SingleQuotedStyle)}
	if like != nil {
		key.LineComment = k.LineComment
		v.LineComment = like.LineComment
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if e.compact {
		enc.CompactSeqIndent()
	}
	if err := enc.Encode(&yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{key, v}}); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	lines := strings.SplitAfter(strings.TrimSuffix(buf.String(), "\n"), "\n")
	for i, l := range lines {
		l = strings.TrimSuffix(l, "\n")
		if l != "" {
			l = strings.Repeat(" ", indent) + l
		}
		lines[i] = l + e.eol
	}
	return lines, nil
}

// valueNode is value as a node, quoted or flowing as like was.
func valueNode(value any, like *yaml.Node) (*yaml.Node, error) {
	var n yaml.Node
	if err := n.Encode(value); err != nil {
		return nil, err
	}
	if like != nil && like.Kind == n.Kind {
		switch {
		case n.Kind == yaml.ScalarNode && n.Tag == "!!str":
			n.Style |= like.Style & (yaml.DoubleQuotedStyle | yaml.SingleQuotedStyle)
		case n.Kind != yaml.ScalarNode:
			n.Style |= like.Style & yaml.FlowStyle
		}
	}
	return &n, nil
}

// startsLine reports whether only indentation stands before k on its line
// (not a "- " or a document marker, which line edits would take with it).
func (e *docEditor) startsLine(k *yaml.Node) bool {
	line := e.lines[k.Line-1]
	return k.Column-1 <= len(line) && strings.TrimLeft(line[:k.Column-1], " ") == ""
}

// entryEnd is the index of the line after the entry whose key k starts
// its line: what follows it indented deeper (v's own block sequence may
// stand at k's indentation), blank lines after it left out.
func (e *docEditor) entryEnd(k, v *yaml.Node) int {
	indent := k.Column - 1
	seq := v != nil && v.Kind == yaml.SequenceNode && v.Style&yaml.FlowStyle == 0
	end := k.Line
	for i := k.Line; i < len(e.lines); i++ {
		t := strings.TrimLeft(e.lines[i], " ")
		if strings.TrimSpace(t) == "" {
			continue
		}
		if d := len(e.lines[i]) - len(t); d < indent || d == indent && !(seq && (t[0] == '-' && (len(t) == 1 || strings.ContainsRune(" \t\r\n", rune(t[1]))))) {
			break
		}
		end = i + 1
	}
	return end
}

// commentStart is the first line of the comment lines right above k at
// its indentation: they speak of it.
func (e *docEditor) commentStart(k *yaml.Node) int {
	i := k.Line - 1
	for i > 0 {
		l := e.lines[i-1]
		t := strings.TrimLeft(l, " ")
		if !strings.HasPrefix(t, "#") || len(l)-len(t) != k.Column-1 {
			break
		}
		i--
	}
	return i
}

// apply is the document with its edits made.
func (e *docEditor) apply() string {
	slices.SortStableFunc(e.edits, func(a, b lineEdit) int {
		if a.from != b.from {
			return a.from - b.from
		}
		return a.to - b.to
	})
	var out strings.Builder
	at := 0
	for _, ed := range e.edits {
		out.WriteString(strings.Join(e.lines[at:ed.from], ""))
		text := strings.Join(ed.lines, "")
		if s := out.String(); text != "" && s != "" && !strings.HasSuffix(s, "\n") {
			out.WriteString(e.eol) // after a last line that had no end
		}
		out.WriteString(text)
		at = ed.to
	}
	out.WriteString(strings.Join(e.lines[at:], ""))
	if last := e.lines[len(e.lines)-1]; last != "" && !strings.HasSuffix(last, "\n") {
		return strings.TrimSuffix(out.String(), e.eol) // nor has the edited document
	}
	return out.String()
}

// byteOffset is where the rune at index col of s starts, -1 past its end:
// a YAML parser's column counts characters, a slice needs bytes.
func byteOffset(s string, col int) int {
	for i := range s {
		if col == 0 {
			return i
		}
		col--
	}
	if col == 0 {
		return len(s)
	}
	return -1
}
