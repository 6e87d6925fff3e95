package configure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/placeholder"
)

// Count is how often one token was replaced in one file.
type Count struct {
	Token string `json:"token"`
	N     int    `json:"count"`
}

// Change is one file that substitution alters.
type Change struct {
	// Path is slash-separated and relative to the folder.
	Path     string
	Mode     fs.FileMode
	Replaced []Count
	Old, New []byte
	own      owner
}

// Replacements is the number of tokens replaced in the file.
func (c Change) Replacements() int {
	n := 0
	for _, r := range c.Replaced {
		n += r.N
	}
	return n
}

// Plan is a substitution worked out in memory and proven safe, not yet written.
type Plan struct {
	Tree    *Tree
	Changes []Change
	// Unused names the tokens that were given a value but occur nowhere.
	Unused []string
	// Left lists occurrences of tokens that need a value and got none.
	Left []placeholder.Finding
	// Kept lists occurrences of tokens nobody substitutes by hand (YOUR_ACR).
	Kept []placeholder.Finding
	// refused plans are for reporting only and cannot be applied.
	refused error
}

// Replacements is the total over all changed files.
func (p *Plan) Replacements() int {
	n := 0
	for _, c := range p.Changes {
		n += c.Replacements()
	}
	return n
}

// RefusedError lists every reason the plan cannot be written. Nothing has
// been written when it is returned.
type RefusedError struct {
	Dir      string
	Problems []string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("nothing written to %s:\n  %s", e.Dir, strings.Join(e.Problems, "\n  "))
}

// ValidateValues checks every value against its token's rule before any file
// is read. values maps token names to replacements.
func ValidateValues(values map[string]string) error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(values)) {
		tok, ok := placeholder.Lookup(name)
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("%s is not a known placeholder", name))
		case !tok.Substituted:
			errs = append(errs, fmt.Errorf("%s is not replaced by hand: %s", name, tok.Value))
		default:
			if err := tok.Validate(values[name]); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// Prepare scans dir, substitutes values in memory and checks that every
// changed file is still YAML of the same shape and may be written. A refusal
// comes back as *RefusedError together with the plan, for the report.
func Prepare(ctx context.Context, dir string, values map[string]string) (*Plan, error) {
	if err := ValidateValues(values); err != nil {
		return nil, err
	}
	tree, err := Scan(ctx, dir)
	if err != nil {
		return nil, err
	}
	p := &Plan{Tree: tree}

	occurs := map[string]bool{}
	for _, f := range tree.Findings {
		occurs[f.Token] = true
		tok, _ := placeholder.Lookup(f.Token)
		switch _, given := values[f.Token]; {
		case !tok.Substituted:
			p.Kept = append(p.Kept, f)
		case !given:
			p.Left = append(p.Left, f)
		}
	}
	for _, tok := range placeholder.Tokens {
		if _, given := values[tok.Name]; given && !occurs[tok.Name] {
			p.Unused = append(p.Unused, tok.Name)
		}
	}

	var problems []string
	for _, f := range tree.files {
		c := Change{Path: f.rel, Mode: f.mode, Old: f.data, own: f.own}
		if c.New, c.Replaced = substitute(f.data, values); len(c.Replaced) == 0 {
			continue
		}
		if c.Mode.Perm()&0o200 == 0 {
			problems = append(problems, fmt.Sprintf("%s is read-only (mode %s): make it writable (chmod u+w) to configure it", c.Path, c.Mode.Perm()))
		}
		if err := sameShape(c.Old, c.New); err != nil {
			// One problem per line: yaml's multi-line errors are folded.
			msg := strings.ReplaceAll(strings.ReplaceAll(err.Error(), ":\n  ", ": "), "\n  ", "; ")
			problems = append(problems, fmt.Sprintf("%s would no longer be valid: %s", c.Path, msg))
		}
		p.Changes = append(p.Changes, c)
	}
	if len(problems) > 0 {
		p.refused = &RefusedError{Dir: dir, Problems: problems}
		return p, p.refused
	}
	return p, nil
}

// sameShape proves the substituted text still parses, every document of it,
// and that substitution changed only scalar values, never the type a value
// resolves to: an all-digit ACR name replacing a whole plain scalar would
// otherwise turn a string into a number, and a value equal to an existing
// key would create a duplicate key.
func sameShape(before, after []byte) error {
	newDocs, err := parseAll(after)
	if err != nil {
		if _, oldErr := parseAll(before); oldErr != nil {
			return fmt.Errorf("it does not parse as YAML (nor did it before substitution): %v", err)
		}
		return fmt.Errorf("after substitution it does not parse as YAML: %v", err)
	}
	oldDocs, err := parseAll(before)
	if err != nil {
		// Nothing to compare the result with, and the result is valid YAML.
		return nil
	}
	if len(oldDocs) != len(newDocs) {
		return fmt.Errorf("substitution changes the number of YAML documents from %d to %d", len(oldDocs), len(newDocs))
	}
	for i := range oldDocs {
		if err := compareNodes(oldDocs[i], newDocs[i]); err != nil {
			return fmt.Errorf("document %d: %v", i+1, err)
		}
	}
	return nil
}

func parseAll(b []byte) ([]*yaml.Node, error) {
	var docs []*yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, docErr(len(docs), err)
		}
		// Decoding into a value is what catches duplicate keys, which a
		// node tree accepts but every Kubernetes decoder rejects.
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, docErr(len(docs), err)
		}
		docs = append(docs, &n)
	}
}

// docErr names the document when there is more than one to choose from.
func docErr(parsed int, err error) error {
	if parsed > 0 {
		return fmt.Errorf("document %d: %w", parsed+1, err)
	}
	return err
}

func compareNodes(a, b *yaml.Node) error {
	if a.Kind != b.Kind || len(a.Content) != len(b.Content) {
		return fmt.Errorf("line %d: substitution changes the YAML structure", b.Line)
	}
	if a.Kind == yaml.ScalarNode && a.Value != b.Value && a.ShortTag() != b.ShortTag() {
		return fmt.Errorf("line %d: %q would be read as %s instead of %s; quote it", b.Line, b.Value, b.ShortTag(), a.ShortTag())
	}
	if a.Kind == yaml.ScalarNode && a.Value != b.Value && b.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 && a.ShortTag() == "!!str" && !plainString(b.Value) {
		return fmt.Errorf("line %d: %q would not be read as a string by kubectl (YAML 1.1: off, yes, 0x1f are no strings); quote it", b.Line, b.Value)
	}
	for i := range a.Content {
		if err := compareNodes(a.Content[i], b.Content[i]); err != nil {
			return err
		}
	}
	return nil
}
