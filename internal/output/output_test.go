package output

import (
	"bytes"
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
