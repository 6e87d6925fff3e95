package sanitize

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

func TestURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://u:p@host:443/path?x=1#f":     "https://host:443/path",
		"https://aks.example:443":             "https://aks.example:443",
		"https://user:pa ss@host/?token=s3cr": "https://host/",
		"https://us%zzer:pass@host/?token=s":  "https://host/",
		"host:6443":                           "host:6443",
		"":                                    "",
	} {
		if got := URL(in); got != want {
			t.Errorf("URL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestURLs(t *testing.T) {
	in := `Get "https://alice:hunter2@aks.example:443/api?timeout=32s&token=abc": dial tcp: connection refused; also http://bob:***@x/y?k=v.`
	got := URLs(in)
	for _, secret := range []string{"alice", "hunter2", "token=abc", "bob", "k=v"} {
		if strings.Contains(got, secret) {
			t.Errorf("URLs left %q in %q", secret, got)
		}
	}
	if !strings.Contains(got, `"https://aks.example:443/api"`) || !strings.Contains(got, "http://x/y") {
		t.Errorf("URLs lost the addresses: %q", got)
	}
}

func TestText(t *testing.T) {
	for in, want := range map[string]string{
		"nginx:1.27":                     "nginx:1.27",
		"évian ✔ 名前":                     "évian ✔ 名前",
		"\x1b]0;pwned\x07\x1b[2J":        `\x1b]0;pwned\x07\x1b[2J`,
		"a\nb\tc\rd\x7f":                 `a\x0ab\x09c\x0dd\x7f`,
		"c1:\u009b31m":                   `c1:\u009b31m`,
		"lone:\x9b":                      `lone:\x9b`,
		"bidi:\u202eexe.txt\u2066\u200f": `bidi:\u202eexe.txt\u2066\u200f`,
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Lines("error: x\x1b[2J\n\thint"); got != "error: x\\x1b[2J\n\thint" {
		t.Errorf("Lines = %q", got)
	}
}

func TestStrings(t *testing.T) {
	type inner struct {
		Msg  string
		tags []string
	}
	type doc struct {
		Name    string
		When    time.Time
		Ptr     *inner
		List    []inner
		Map     map[string]string
		Any     any
		private string
	}
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	in := doc{Name: "a\x1b", When: when, Ptr: &inner{Msg: "b\x07", tags: []string{"\x1b"}}, List: []inner{{Msg: "c\x1b"}},
		Map: map[string]string{"k\x1b": "v\x1b"}, Any: "d\x1b", private: "\x1b"}
	out := Strings(in, Text)
	if out.Name != `a\x1b` || out.Ptr.Msg != `b\x07` || out.List[0].Msg != `c\x1b` || out.Map[`k\x1b`] != `v\x1b` || out.Any != `d\x1b` {
		t.Errorf("Strings missed a field: %+v", out)
	}
	if !out.When.Equal(when) || out.private != "\x1b" || out.Ptr.tags[0] != "\x1b" {
		t.Errorf("Strings changed what it must copy as is: %+v", out)
	}
	if in.Name != "a\x1b" || in.Ptr.Msg != "b\x07" || in.List[0].Msg != "c\x1b" {
		t.Errorf("Strings changed its input: %+v", in)
	}
	var nilDoc *doc
	if Strings(nilDoc, Text) != nil {
		t.Error("nil pointer not kept")
	}
}

func TestWriter(t *testing.T) {
	var b strings.Builder
	w := Writer(&b)
	n, err := w.Write([]byte("+ image: x\x1b[2J\n"))
	if err != nil || n != len("+ image: x\x1b[2J\n") || b.String() != "+ image: x\\x1b[2J\n" {
		t.Errorf("Writer wrote %q (%d, %v)", b.String(), n, err)
	}
}

func TestLogFilter(t *testing.T) {
	var f LogFilter
	args := []any{"url", "https://u:p@h/api?token=t", "err", errors.New(`Get "https://u:p@h/x?token=t": EOF`), "n", 3, "u", &url.URL{Scheme: "https", User: url.UserPassword("u", "p"), Host: "h"}, "body", "{\"image\":\"x\x1b[2J\u202e\"}\n\tnext"}
	msg, kv := f.FilterS("Request \x1b]0;t\x07", args)
	if msg != `Request \x1b]0;t\x07` {
		t.Errorf("message %q", msg)
	}
	got := fmt.Sprint(kv...)
	for _, leak := range []string{"u:p", "token", "\x1b", "\u202e"} {
		if strings.Contains(got, leak) {
			t.Errorf("FilterS left %q: %q", leak, got)
		}
	}
	if kv[5] != 3 || !strings.Contains(got, "https://h/api") || !strings.Contains(got, "\n\tnext") {
		t.Errorf("FilterS changed what is safe: %q", got)
	}
	if args[1] != "https://u:p@h/api?token=t" {
		t.Error("FilterS changed its caller's slice")
	}
	format, fa := f.FilterF("GET %s \x1b", []any{"https://u:p@h/"})
	if format != `GET %s \x1b` || fa[0] != "https://h/" {
		t.Errorf("FilterF = %q %q", format, fa)
	}
	if a := f.Filter([]any{"https://u:p@h/"}); a[0] != "https://h/" {
		t.Errorf("Filter = %q", a)
	}
}

func TestDataEscapesDecodeToTheSameString(t *testing.T) {
	hostile := "x\x1b]0;t\x07\x1b[2J\u202egpj.exe\u009b31m\x7f \"q\" \\ end\n\tline"
	b, err := json.Marshal(map[string]string{"m": hostile, "k\u202e": "v"})
	if err != nil {
		t.Fatal(err)
	}
	esc := JSON(b)
	if Unsafe(strings.ReplaceAll(string(esc), "\n", "")) {
		t.Errorf("JSON left a raw unsafe rune: %q", esc)
	}
	var back map[string]string
	if err := json.Unmarshal(esc, &back); err != nil || back["m"] != hostile || back["k\u202e"] != "v" {
		t.Errorf("JSON changed the data: %q (%v)", back, err)
	}
	q := YAMLQuoted(hostile)
	if Unsafe(q) {
		t.Errorf("YAMLQuoted left a raw unsafe rune: %q", q)
	}
	var y map[string]string
	if err := yaml.Unmarshal([]byte("m: "+q+"\n"), &y); err != nil || y["m"] != hostile {
		t.Errorf("YAMLQuoted %s reads back as %q (%v)", q, y["m"], err)
	}
}

func TestYAML(t *testing.T) {
	hostile := "x\x1b]0;t\x07\u009b31m\x7f\u202egpj.exe"
	in := map[string]any{"a": hostile, hostile: []any{hostile, "plain", 3}, "n": 1.5}
	j, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	y, err := YAML(j)
	if err != nil {
		t.Fatal(err)
	}
	if Unsafe(string(y)) {
		t.Errorf("YAML left a raw unsafe rune: %q", y)
	}
	var back map[string]any
	if err := yaml.Unmarshal(y, &back); err != nil {
		t.Fatal(err)
	}
	if back["a"] != hostile || back["n"] != 1.5 || len(back[hostile].([]any)) != 3 || back[hostile].([]any)[0] != hostile {
		t.Errorf("YAML changed the data: %q", back)
	}
	plain, _ := json.Marshal(map[string]string{"a": "b"})
	if y, _ := YAML(plain); string(y) != "a: b\n" {
		t.Errorf("YAML of a safe document: %q", y)
	}
}
