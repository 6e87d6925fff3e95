package configure

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	ssautil "github.com/fluxcd/pkg/ssa/utils"
	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/fluxinstall"
)

// moveSyncObjects moves the Flux objects of a gotk-sync.yaml to the
// current API versions; a file already current comes back as it was.
// The user reviews the change as a Git diff before pushing it, so the file
// is edited where it differs from what fluxinstall.MoveManifest returns
// and nowhere else: documents it does not move stay byte for byte, and in
// a moved one the key order, comments, blank lines and quoting of what
// stays are kept.
func moveSyncObjects(name string, old []byte) ([]byte, []string, error) {
	var out bytes.Buffer
	var notes []string
	for _, doc := range splitDocuments(old) {
		objs, err := ssautil.ReadObjects(bytes.NewReader(doc))
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		moved := make([]*unstructured.Unstructured, len(objs))
		changed := false
		for i, u := range objs {
			m, dropped, converted, err := fluxinstall.MoveManifest(u)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", name, err)
			}
			moved[i] = m
			if m == u {
				continue
			}
			changed = true
			what := []string{u.GetAPIVersion() + " → " + m.GetAPIVersion()}
			for _, d := range dropped {
				what = append(what, d+" dropped (the new API has no such field)")
			}
			what = append(what, converted...)
			notes = append(notes, fmt.Sprintf("%s: %s/%s/%s: %s", name, u.GetKind(), u.GetNamespace(), u.GetName(), strings.Join(what, "; ")))
		}
		if !changed {
			out.Write(doc)
			continue
		}
		edited, err := moveDocument(doc, objs, moved)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		out.Write(edited)
	}
	if len(notes) == 0 {
		return old, nil, nil
	}
	return out.Bytes(), notes, nil
}

// splitDocuments cuts a YAML stream before each "---" line; the pieces
// put together are the stream. Such a line at the first column can only be
// a document marker (YAML forbids it inside a scalar).
func splitDocuments(b []byte) [][]byte {
	var docs [][]byte
	start := 0
	for i := 0; i < len(b); {
		next := bytes.IndexByte(b[i:], '\n') + 1
		if next == 0 {
			next = len(b) - i
		}
		line := b[i : i+next]
		if i > start && bytes.HasPrefix(line, []byte("---")) && (len(line) == 3 || strings.ContainsRune(" \t\r\n", rune(line[3]))) {
			docs = append(docs, b[start:i])
			start = i
		}
		i += next
	}
	return append(docs, b[start:])
}

// moveDocument is doc, which holds objs, edited to hold moved instead.
// The edited text must read back as exactly the moved objects; where it
// cannot be edited so (a flow-style or anchored document, a List), the
// document is written anew from the moved objects, keeping the comments it
// starts with.
func moveDocument(doc []byte, objs, moved []*unstructured.Unstructured) ([]byte, error) {
	if len(objs) == 1 {
		if edited, err := editDocument(doc, objs[0].Object, moved[0].Object); err == nil && readsAs(edited, moved) {
			return edited, nil
		}
	}
	var out strings.Builder
	lines := strings.SplitAfter(string(doc), "\n")
	for _, l := range lines {
		if t := strings.TrimSpace(l); t != "" && t != "---" && !strings.HasPrefix(t, "#") {
			break
		}
		out.WriteString(l)
	}
	if s := out.String(); s != "" && !strings.HasSuffix(s, "\n") {
		out.WriteString("\n")
	}
	for i, m := range moved {
		if i > 0 {
			out.WriteString("---\n")
		}
		y, err := sigsyaml.Marshal(m.Object)
		if err != nil {
			return nil, err
		}
		out.Write(y)
	}
	return []byte(out.String()), nil
}

// readsAs reports whether doc holds exactly the objects want.
func readsAs(doc []byte, want []*unstructured.Unstructured) bool {
	got, err := ssautil.ReadObjects(bytes.NewReader(doc))
	return err == nil && slices.EqualFunc(got, want, func(a, b *unstructured.Unstructured) bool {
		return reflect.DeepEqual(a.Object, b.Object)
	})
}

// errNotInPlace says a part of a document cannot be edited line by line.
var errNotInPlace = errors.New("not editable in place")

// editDocument edits doc, whose object is from, into to.
func editDocument(doc []byte, from, to map[string]any) ([]byte, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(doc, &n); err != nil {
		return nil, err
	}
	if n.Kind != yaml.DocumentNode || len(n.Content) != 1 {
		return nil, errNotInPlace
	}
	e := &docEditor{lines: strings.SplitAfter(string(doc), "\n"), eol: "\n", compact: compactSequences(n.Content[0])}
	if strings.HasSuffix(e.lines[0], "\r\n") {
		e.eol = "\r\n"
	}
	if err := e.mapping(n.Content[0], from, to); err != nil {
		return nil, err
	}
	return []byte(e.apply()), nil
}

// compactSequences reports whether a document writes its block sequences
// at their key's indentation ("key:\n- a"), as Flux and kustomize do; one
// without sequences is taken to.
func compactSequences(n *yaml.Node) bool {
	for i, c := range n.Content {
		if n.Kind == yaml.MappingNode && i%2 == 1 && c.Kind == yaml.SequenceNode && c.Style&yaml.FlowStyle == 0 &&
			c.Line > n.Content[i-1].Line && c.Column > n.Content[i-1].Column {
			return false
		}
		if !compactSequences(c) {
			return false
		}
	}
	return true
}
