package drift

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	yaml "go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/yamlpos"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result/schema"
)

// Baseline is a previous run: the reports of one VerifyReport or
// VerifyReportList file.
type Baseline struct {
	File    string
	Reports []*result.Report
}

// Read reads a baseline file.
func Read(file string) (*Baseline, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("reading the baseline: %w", err)
	}
	return Parse(file, b)
}

// Parse reads a previous report: it must match the published schema of its
// kind, except that fields the schema does not name are ignored (a newer
// version's report is a valid baseline); every problem is reported as
// FILE:LINE in a *yamlpos.Error.
func Parse(file string, data []byte) (*Baseline, error) {
	fail := func(ps ...yamlpos.Problem) error {
		return &yamlpos.Error{What: "baseline", File: file, Problems: yamlpos.Fill(ps, data)}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &yamlpos.Error{What: "baseline", File: file, Problems: []yamlpos.Problem{yamlpos.Empty}}
	}
	var probe struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return nil, fail(yamlpos.Problem{Line: lineAt(data, se.Offset), Msg: "not JSON: " + se.Error()})
		case errors.As(err, &te):
			return nil, fail(yamlpos.Problem{Line: lineAt(data, te.Offset), Msg: "a report is a JSON object with apiVersion and kind"})
		}
		return nil, fail(yamlpos.Problem{Msg: "not JSON: " + err.Error()})
	}
	kindName := result.Kind
	if probe.Kind == result.ListKind {
		kindName = result.ListKind
	}
	if err := schema.ValidateKnown(data, kindName); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return nil, fail(yamlpos.Problem{Msg: err.Error()})
		}
		var root yaml.Node
		_ = yaml.Unmarshal(data, &root) // a JSON document yaml.v3 cannot read just has no lines: Fill places them
		return nil, fail(problems(ve, &root)...)
	}
	b := &Baseline{File: file}
	if kindName == result.ListKind {
		var l result.List
		if err := json.Unmarshal(data, &l); err != nil {
			return nil, fail(yamlpos.Problem{Msg: err.Error()})
		}
		b.Reports = l.Items
	} else {
		var r result.Report
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, fail(yamlpos.Problem{Msg: err.Error()})
		}
		b.Reports = []*result.Report{&r}
	}
	return b, nil
}

// problems turns schema errors into lines: each leaf error's instance
// location is looked up in the YAML node tree of the same bytes.
func problems(ve *jsonschema.ValidationError, root *yaml.Node) []yamlpos.Problem {
	var out []yamlpos.Problem
	p := message.NewPrinter(language.English)
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		tokens := slices.Clone(e.InstanceLocation)
		if k, ok := e.ErrorKind.(*kind.AdditionalProperties); ok && len(k.Properties) > 0 {
			tokens = append(tokens, k.Properties[0]) // point at the unknown field itself
		}
		msg := e.ErrorKind.LocalizedString(p)
		if at := strings.Join(e.InstanceLocation, "."); at != "" {
			msg = at + ": " + msg
		}
		out = append(out, yamlpos.Problem{Line: lineOfPointer(root, tokens), Msg: msg})
	}
	walk(ve)
	return out
}

func lineOfPointer(root *yaml.Node, tokens []string) int {
	path := make([]any, len(tokens))
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for i, t := range tokens {
		path[i] = t
		if n == nil {
			continue
		}
		switch n.Kind {
		case yaml.SequenceNode:
			idx, err := strconv.Atoi(t)
			if err != nil || idx < 0 || idx >= len(n.Content) {
				n = nil
				continue
			}
			path[i] = idx
			n = n.Content[idx]
		case yaml.MappingNode:
			var next *yaml.Node
			for j := 0; j+1 < len(n.Content); j += 2 {
				if n.Content[j].Value == t {
					next = n.Content[j+1]
				}
			}
			n = next
		default:
			n = nil
		}
	}
	line := yamlpos.LineOf(root, path...)
	if line == 0 && root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		line = root.Content[0].Line
	}
	return line
}

func lineAt(data []byte, offset int64) int {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	if offset < 0 {
		offset = 0
	}
	return bytes.Count(data[:offset], []byte("\n")) + 1
}
