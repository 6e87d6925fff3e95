package output

import (
	"bytes"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	doc := struct {
		Name  string   `json:"name"`
		Items []string `json:"items"`
	}{"x", []string{"a"}}
	cases := map[string]string{
		"json": "{\n  \"name\": \"x\",\n  \"items\": [\n    \"a\"\n  ]\n}\n",
		"yaml": "items:\n- a\nname: x\n",
	}
	for format, want := range cases {
		var b bytes.Buffer
		if err := Write(&b, format, doc); err != nil {
			t.Fatal(err)
		}
		if b.String() != want {
			t.Errorf("%s:\n%s\nwant\n%s", format, b.String(), want)
		}
	}
	if err := Write(&bytes.Buffer{}, "xml", doc); err == nil {
		t.Error("xml accepted")
	}
}

// TestWriteEscapes: a name from a cluster or a file with DEL, a C1 control
// or a bidi override neither fails the YAML (the library refuses them) nor
// reaches the terminal raw.
func TestWriteEscapes(t *testing.T) {
	doc := map[string]string{"problem": "forbidden\x7f\u009b2J\u202egpj.exe"}
	for _, format := range []string{"json", "yaml"} {
		var b bytes.Buffer
		if err := Write(&b, format, doc); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if s := b.String(); strings.ContainsAny(s, "\x7f\u009b\u202e") || !strings.Contains(s, "gpj.exe") {
			t.Errorf("%s: %q", format, s)
		}
	}
}
