package yamlpos

import (
	"bytes"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

func TestLineOf(t *testing.T) {
	src := "a: 1\nb:\n  c:\n    - x\n    - y: 2\n"
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(src), &root); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path []any
		want int
	}{
		{[]any{"a"}, 1},
		{[]any{"b", "c", 1}, 5},
		{[]any{"b", "c", 1, "y"}, 5},
		{[]any{"b", "c", 7}, 3},
		{[]any{"b", "missing", "deeper"}, 2},
		{[]any{"b", "c", -1}, 3},
	} {
		if got := LineOf(&root, c.path...); got != c.want {
			t.Errorf("LineOf(%v) = %d, want %d", c.path, got, c.want)
		}
	}
	if LineOf(nil, "a") != 0 {
		t.Error("nil root")
	}
}

type doc struct {
	A int `yaml:"a"`
}

func TestDecodeProblems(t *testing.T) {
	var v doc
	dec := yaml.NewDecoder(bytes.NewReader([]byte("a: x\nb: 2\n")))
	dec.KnownFields(true)
	ps := DecodeProblems(dec.Decode(&v))
	if len(ps) != 2 || ps[0].Line != 1 || ps[1].Line != 2 || ps[1].Msg != `unknown field "b"` {
		t.Errorf("problems = %+v", ps)
	}
	ps = DecodeProblems(yaml.Unmarshal([]byte("a: [\n"), &v))
	if len(ps) != 1 || ps[0].Line == 0 {
		t.Errorf("syntax error without a line: %+v", ps)
	}
	e := &Error{What: "waivers", File: "w.yaml", Problems: []Problem{{Line: 3, Msg: "bad"}, {Msg: "empty"}}}
	if got := e.Error(); got != "invalid waivers w.yaml:\n  w.yaml:3: bad\n  w.yaml: empty" || !strings.Contains(got, "w.yaml:3:") {
		t.Errorf("Error() = %q", got)
	}
}

func TestFill(t *testing.T) {
	for _, c := range []struct {
		data string
		want int
	}{
		{"a: 1\nb: \"x\n", 2},
		{"a: 1\nb: 2", 2},
		{"a: 1\nb: \x01\nc: 3\n", 2},
		{"a: 1\n\xff\n", 2},
	} {
		ps := Fill([]Problem{{Msg: "m"}, {Line: 9, Msg: "kept"}}, []byte(c.data))
		if ps[0].Line != c.want || ps[1].Line != 9 {
			t.Errorf("%q: lines %d, %d; want %d, 9", c.data, ps[0].Line, ps[1].Line, c.want)
		}
	}
	if ps := Fill([]Problem{{Msg: "empty"}}, nil); ps[0].Line != 0 {
		t.Error("an empty file has no line")
	}
}
