package waiver

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/yamlpos"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
)

// Each file under testdata/invalid starts with "# want: TEXT": the error
// must contain FILE followed by TEXT.
func TestInvalid(t *testing.T) {
	files, _ := filepath.Glob("testdata/invalid/*.yaml")
	if len(files) < 10 {
		t.Fatalf("only %d fixtures", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(string(b), "\n")
			want, ok := strings.CutPrefix(first, "# want: ")
			if !ok {
				t.Fatalf("%s lacks a '# want:' line", f)
			}
			_, err = ReadFile(f, nil)
			if err == nil {
				t.Fatal("accepted")
			}
			var perr *yamlpos.Error
			if !errors.As(err, &perr) || len(perr.Problems) == 0 {
				t.Fatalf("not a positioned error: %v", err)
			}
			if !strings.Contains(err.Error(), f+strings.TrimRight(want, " ")) && !strings.Contains(err.Error(), f+": "+want) {
				t.Errorf("error:\n%v\nwant it to contain %q", err, f+want)
			}
		})
	}
}

func TestValid(t *testing.T) {
	ws, err := ReadFile("testdata/valid/issue-example.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 1 {
		t.Fatalf("%d waivers", len(ws))
	}
	w := ws[0]
	if w.Check != "nodes-system-taint" || !reflect.DeepEqual(w.Objects, []string{"npsystem"}) || w.Ticket != "CHG-1042" ||
		w.ApprovedBy != "jane.doe@contoso.com" || w.Expires.String() != "2027-03-31" || w.Line != 4 ||
		w.Reason != "System pool taint waits for the next maintenance window" {
		t.Errorf("parsed %+v", w)
	}
	if got := w.String(); got != "nodes-system-taint [npsystem] (testdata/valid/issue-example.yaml:4)" {
		t.Errorf("String() = %q", got)
	}
	for _, f := range []string{"testdata/valid/whole-check-and-patterns.yaml", "testdata/valid/empty-list.yaml"} {
		if _, err := ReadFile(f, nil); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestEveryProblemAtOnce(t *testing.T) {
	src := "apiVersion: aksbaseline.io/v1alpha1\nkind: Waivers\nwaivers:\n  - check: nope\n  - check: nodes-ready\n    reason: r\n    expires: soon\n"
	_, err := Parse("w.yaml", []byte(src), nil)
	var perr *yamlpos.Error
	if !errors.As(err, &perr) {
		t.Fatal(err)
	}
	var lines []int
	for _, p := range perr.Problems {
		lines = append(lines, p.Line)
	}
	if !reflect.DeepEqual(lines, []int{4, 4, 4, 7}) {
		t.Errorf("lines %v in\n%v", lines, err)
	}
}

func TestKnownIsAParameter(t *testing.T) {
	src := "apiVersion: aksbaseline.io/v1alpha1\nkind: Waivers\nwaivers:\n  - check: future-check\n    reason: r\n    expires: 2027-01-01\n"
	if _, err := Parse("w.yaml", []byte(src), nil); err == nil {
		t.Error("unknown ID accepted by check.Lookup")
	}
	if _, err := Parse("w.yaml", []byte(src), func(id string) bool { return id == "future-check" }); err != nil {
		t.Error(err)
	}
}

func TestParseList(t *testing.T) {
	src := "name: regulated\nwaivers:\n  - check: nodes-cordoned\n    reason: r\n    expires: 2027-01-01\n  - check: nodes-ready\n    reasons: r\n    expires: 2027-01-01\n"
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(src), &root); err != nil {
		t.Fatal(err)
	}
	list := entriesNode(&root)
	_, problems := ParseList("profile.yaml", list, nil)
	if len(problems) != 1 || problems[0].Line != 7 || problems[0].Msg != `unknown field "reasons"` {
		t.Errorf("problems %+v", problems)
	}
	list.Content = list.Content[:1]
	ws, problems := ParseList("profile.yaml", list, nil)
	if len(problems) != 0 || len(ws) != 1 || ws[0].Line != 3 || ws[0].File != "profile.yaml" {
		t.Errorf("valid list: %+v %+v", ws, problems)
	}
	if _, problems := ParseList("profile.yaml", &yaml.Node{Kind: yaml.ScalarNode, Value: "x", Line: 2}, nil); len(problems) != 1 || problems[0].Line != 2 {
		t.Errorf("scalar accepted: %+v", problems)
	}
}

// entryFields must name exactly entry's YAML keys.
func TestEntryFields(t *testing.T) {
	typ := reflect.TypeOf(entry{})
	if typ.NumField() != len(entryFields) {
		t.Errorf("entry has %d fields, entryFields %d", typ.NumField(), len(entryFields))
	}
	for i := range typ.NumField() {
		if !entryFields[typ.Field(i).Tag.Get("yaml")] {
			t.Errorf("entryFields lacks %s", typ.Field(i).Tag.Get("yaml"))
		}
	}
}

func TestFromProfile(t *testing.T) {
	src := `apiVersion: aksbaseline.io/v1alpha1
kind: VerifyProfile
name: mine
nodes:
  poolLabel: agentpool
flux:
  namespace: flux-system
identities:
  mode: auto
waivers:
  - check: nodes-system-taint
    reason: maintenance window
    expires: 2027-03-31
  - check: no-such-check
    reason: typo
    expires: 2027-03-31
`
	p, err := profile.Parse("mine.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	_, err = FromProfile("mine.yaml", p)
	if err == nil || !strings.Contains(err.Error(), "mine.yaml:14:") || !strings.Contains(err.Error(), "no-such-check") {
		t.Fatalf("want the unknown check at mine.yaml:14, got %v", err)
	}
	good := strings.SplitAfter(src, "2027-03-31\n")[0]
	if p, err = profile.Parse("mine.yaml", []byte(good)); err != nil {
		t.Fatal(err)
	}
	ws, err := FromProfile("mine.yaml", p)
	if err != nil || len(ws) != 1 || ws[0].Check != "nodes-system-taint" || ws[0].Line != 11 || ws[0].File != "mine.yaml" {
		t.Fatalf("got %+v, %v", ws, err)
	}
	out, err := p.YAML()
	if err != nil || !strings.Contains(string(out), "waivers:\n    - check: nodes-system-taint") && !strings.Contains(string(out), "waivers:\n  - check: nodes-system-taint") {
		t.Errorf("the effective profile lost its waivers:\n%s", out)
	}
}
