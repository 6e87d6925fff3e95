package yamlpos

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	yaml2 "go.yaml.in/yaml/v2"
	yaml "go.yaml.in/yaml/v3"
)

// Problem is one mistake in a document; Line 0 means the whole file.
type Problem struct {
	Line int
	Msg  string
}

// Empty is the problem of a file without a document: it concerns the
// whole file, so it alone has no line.
var Empty = Problem{Msg: "the file is empty"}

// Error lists every problem found in one file, each as FILE:LINE: message.
type Error struct {
	// What names the kind of document ("profile", "waivers").
	What     string
	File     string
	Problems []Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "invalid %s %s:", e.What, e.File)
	for _, p := range e.Problems {
		if p.Line > 0 {
			fmt.Fprintf(&b, "\n  %s:%d: %s", e.File, p.Line, p.Msg)
		} else {
			fmt.Fprintf(&b, "\n  %s: %s", e.File, p.Msg)
		}
	}
	return b.String()
}

var (
	unknownField = regexp.MustCompile(`^line (\d+): field (\S+) not found in type (\S+)$`)
	typeLine     = regexp.MustCompile(`^line (\d+): (.*)$`)
)

// DecodeProblems converts an error of yaml.v3's Decode into problems with
// lines, naming unknown fields as users spell them.
func DecodeProblems(err error) []Problem {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		var out []Problem
		for _, e := range te.Errors {
			if m := unknownField.FindStringSubmatch(e); m != nil {
				n, _ := strconv.Atoi(m[1])
				out = append(out, Problem{Line: n, Msg: fmt.Sprintf("unknown field %q", m[2])})
			} else if m := typeLine.FindStringSubmatch(e); m != nil {
				n, _ := strconv.Atoi(m[1])
				out = append(out, Problem{Line: n, Msg: m[2]})
			} else {
				out = append(out, Problem{Msg: e})
			}
		}
		return out
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := typeLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return []Problem{{Line: n, Msg: m[2]}}
	}
	return []Problem{{Msg: msg}}
}

// SyntaxProblems is DecodeProblems for the bytes that failed, placing a
// syntax error at the line of the mistake. yaml.v3 names the line where
// the enclosing block begins (a profile's mistake at line 40 is reported
// at line 4); yaml.v2's parser, fed the same bytes, names the line of the
// token it could not take. Type errors keep yaml.v3's lines, which are
// right.
func SyntaxProblems(err error, data []byte) []Problem {
	ps := DecodeProblems(err)
	var te *yaml.TypeError
	if errors.As(err, &te) || len(ps) != 1 {
		return Fill(ps, data)
	}
	var v any
	e2 := yaml2.Unmarshal(data, &v)
	if e2 == nil {
		return Fill(ps, data)
	}
	m := typeLine.FindStringSubmatch(strings.TrimPrefix(e2.Error(), "yaml: "))
	if m == nil {
		return Fill(ps, data)
	}
	line, _ := strconv.Atoi(m[1])
	// yaml.v2 counts a parser error's line from 0 and a scanner error's
	// from 1; the parser's messages are these.
	for _, p := range []string{"did not find expected key", "did not find expected ',' or", "did not find expected node content", "did not find expected '-' indicator", "did not find expected <document start>"} {
		if strings.HasPrefix(m[2], p) {
			line++
			break
		}
	}
	if line > ps[0].Line {
		ps[0].Line = line
	}
	return Fill(ps, data)
}

// LineOf finds the line of the value at path (mapping keys and sequence
// indexes) in the document, or of the deepest step found, or 0.
func LineOf(root *yaml.Node, path ...any) int {
	n := root
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 0
	for _, step := range path {
		if n == nil {
			return line
		}
		switch s := step.(type) {
		case string:
			var next *yaml.Node
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == s {
						line = n.Content[i].Line
						next = n.Content[i+1]
					}
				}
			}
			n = next
		case int:
			if n.Kind != yaml.SequenceNode || s < 0 || s >= len(n.Content) {
				return line
			}
			n = n.Content[s]
			line = n.Line
		}
	}
	return line
}

// Fill gives problems that yaml.v3 reported without a line the line they
// most likely belong to: that of the first byte a YAML reader refuses
// (invalid UTF-8, a control character), or else the last line, since the
// parser's other line-less errors mean it ran out of input.
func Fill(ps []Problem, data []byte) []Problem {
	if len(data) == 0 {
		return ps
	}
	line := bytes.Count(data, []byte("\n")) + 1
	if bytes.HasSuffix(data, []byte("\n")) {
		line--
	}
	if at := refused(data); at >= 0 {
		line = bytes.Count(data[:at], []byte("\n")) + 1
	}
	for i := range ps {
		if ps[i].Line == 0 {
			ps[i].Line = line
		}
	}
	return ps
}

// refused returns the offset of the first byte YAML does not allow, or -1.
func refused(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f {
			return i
		}
		i += size
	}
	return -1
}
