package waiver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/yamlpos"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// APIVersion and Kind identify a Waivers document.
const (
	APIVersion = "aksbaseline.io/v1alpha1"
	Kind       = "Waivers"
)

// Waiver is one entry of a Waivers file and where it was written, so that
// warnings about it point at the line to edit.
type Waiver struct {
	result.Waiver
	File string
	Line int
}

// String names the waiver as warnings do: "nodes-system-taint (waivers.yaml:5)".
func (w Waiver) String() string {
	at := w.File
	if w.Line > 0 {
		at = fmt.Sprintf("%s:%d", w.File, w.Line)
	}
	s := w.Check
	if len(w.Objects) > 0 {
		s += " [" + strings.Join(w.Objects, ", ") + "]"
	}
	return fmt.Sprintf("%s (%s)", s, at)
}

// document is the file's shape; Decode refuses anything else.
type document struct {
	APIVersion string  `yaml:"apiVersion"`
	Kind       string  `yaml:"kind"`
	Waivers    []entry `yaml:"waivers"`
}

type entry struct {
	Check      string   `yaml:"check"`
	Objects    []string `yaml:"objects"`
	Reason     string   `yaml:"reason"`
	Ticket     string   `yaml:"ticket"`
	ApprovedBy string   `yaml:"approvedBy"`
	// Expires stays text until validated: YAML would otherwise accept
	// timestamps with times and zones a reviewer did not mean.
	Expires string `yaml:"expires"`
}

// Known reports whether a check ID exists. Nil means check.Lookup.
type Known func(id string) bool

// ReadFile reads and parses a Waivers file.
func ReadFile(path string, known Known) ([]Waiver, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading waivers: %w", err)
	}
	return Parse(path, b, known)
}

// Parse decodes a Waivers document strictly. Every problem is reported at
// once, each as FILE:LINE, in a *yamlpos.Error.
func Parse(file string, data []byte, known Known) ([]Waiver, error) {
	perr := &yamlpos.Error{What: "waivers", File: file}
	var doc document
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			perr.Problems = append(perr.Problems, yamlpos.Empty)
		} else {
			perr.Problems = append(perr.Problems, yamlpos.SyntaxProblems(err, data)...)
		}
		return nil, perr
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		p := yamlpos.Problem{Line: extra.Line, Msg: "one Waivers document per file"}
		if err != nil {
			p = yamlpos.SyntaxProblems(err, data)[0]
		}
		perr.Problems = append(perr.Problems, yamlpos.Fill([]yamlpos.Problem{p}, data)...)
		return nil, perr
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		perr.Problems = append(perr.Problems, yamlpos.SyntaxProblems(err, data)...)
		return nil, perr
	}
	// A missing key is reported at the start of the document.
	at := func(key string) int { return max(yamlpos.LineOf(&root, key), docLine(&root)) }
	if doc.APIVersion != APIVersion {
		perr.Problems = append(perr.Problems, yamlpos.Problem{Line: at("apiVersion"), Msg: fmt.Sprintf("apiVersion must be %q, not %q", APIVersion, doc.APIVersion)})
	}
	if doc.Kind != Kind {
		perr.Problems = append(perr.Problems, yamlpos.Problem{Line: at("kind"), Msg: fmt.Sprintf("kind must be %q, not %q", Kind, doc.Kind)})
	}
	list := entriesNode(&root)
	out, problems := validate(file, doc.Waivers, list, known)
	perr.Problems = append(perr.Problems, problems...)
	if len(perr.Problems) > 0 {
		return nil, perr
	}
	return out, nil
}

// ParseList validates a waivers: list embedded in another document (a
// profile), given its node; problems carry the lines of that document.
func ParseList(file string, list *yaml.Node, known Known) ([]Waiver, []yamlpos.Problem) {
	if list == nil || list.Kind == 0 {
		return nil, nil
	}
	if list.Kind != yaml.SequenceNode {
		return nil, []yamlpos.Problem{{Line: list.Line, Msg: "waivers must be a list"}}
	}
	var problems []yamlpos.Problem
	for _, item := range list.Content {
		if item.Kind != yaml.MappingNode {
			continue // Decode below names the wrong type with its line.
		}
		for i := 0; i+1 < len(item.Content); i += 2 {
			if k := item.Content[i]; !entryFields[k.Value] {
				problems = append(problems, yamlpos.Problem{Line: k.Line, Msg: fmt.Sprintf("unknown field %q", k.Value)})
			}
		}
	}
	var entries []entry
	if err := list.Decode(&entries); err != nil {
		problems = append(problems, yamlpos.DecodeProblems(err)...)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return validate(file, entries, list, known)
}

// entryFields are entry's YAML keys; a test keeps them in step with its tags.
var entryFields = map[string]bool{"check": true, "objects": true, "reason": true, "ticket": true, "approvedBy": true, "expires": true}

func docLine(root *yaml.Node) int {
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		return root.Content[0].Line
	}
	return max(root.Line, 1)
}

func entriesNode(root *yaml.Node) *yaml.Node {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "waivers" {
			return n.Content[i+1]
		}
	}
	return nil
}

// pattern is a name, namespace/name or Kind/namespace/name where each part
// is a Kubernetes-style name and * stands for any run of characters.
var pattern = regexp.MustCompile(`^[A-Za-z0-9*]([A-Za-z0-9._:*-]*[A-Za-z0-9*])?$`)

func validate(file string, entries []entry, list *yaml.Node, known Known) ([]Waiver, []yamlpos.Problem) {
	if known == nil {
		known = func(id string) bool { return check.Lookup(id) != nil }
	}
	var out []Waiver
	var problems []yamlpos.Problem
	for i, e := range entries {
		at := func(path ...any) int { return yamlpos.LineOf(list, append([]any{i}, path...)...) }
		add := func(line int, format string, a ...any) {
			problems = append(problems, yamlpos.Problem{Line: line, Msg: fmt.Sprintf(format, a...)})
		}
		ok := true
		switch {
		case e.Check == "":
			add(at(), "a waiver needs check: the ID of the check it waives")
			ok = false
		case !known(e.Check):
			add(at("check"), "unknown check ID %q: list them with 'verify --list'", e.Check)
			ok = false
		}
		if strings.TrimSpace(e.Reason) == "" {
			add(at(), "waiver for %s needs a reason", orAnon(e.Check))
			ok = false
		}
		var expires time.Time
		if e.Expires == "" {
			add(at(), "waiver for %s needs expires: a date (YYYY-MM-DD)", orAnon(e.Check))
			ok = false
		} else if t, err := time.Parse(result.DateLayout, e.Expires); err != nil {
			add(at("expires"), "expires must be a date (YYYY-MM-DD), not %q", e.Expires)
			ok = false
		} else {
			expires = t
		}
		for j, o := range e.Objects {
			if msg := badPattern(o); msg != "" {
				add(at("objects", j), "object %q: %s", o, msg)
				ok = false
			}
		}
		if !ok {
			continue
		}
		out = append(out, Waiver{
			Waiver: result.Waiver{
				Check: e.Check, Objects: e.Objects, Reason: strings.TrimSpace(e.Reason),
				Ticket: e.Ticket, ApprovedBy: e.ApprovedBy, Expires: result.Date{Time: expires},
			},
			File: file, Line: at(),
		})
	}
	return out, problems
}

func orAnon(id string) string {
	if id == "" {
		return "an unnamed check"
	}
	return id
}

func badPattern(p string) string {
	parts := strings.Split(p, "/")
	if len(parts) > 3 {
		return "use a name, namespace/name or Kind/namespace/name"
	}
	for _, s := range parts {
		if s == "" {
			return "empty part: use a name, namespace/name or Kind/namespace/name"
		}
		if !pattern.MatchString(s) {
			return "letters, digits, '.', '-', ':' and the wildcard '*' only"
		}
	}
	return ""
}
