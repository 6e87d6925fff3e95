package configure

import (
	"bytes"
	"reflect"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// insertListEntry adds entry (a list item written at a two-space indent),
// with comment above it, at
// the end of the kustomization's block patches: list as text, so that the
// user's blank lines, comments and quoting around it stay as they were; a
// re-encoded file would lose them. It reports false, and the caller edits
// the tree instead, whenever the text it would write does not read back as
// the old document with exactly that entry appended.
func insertListEntry(old []byte, top, list *yaml.Node, comment, entry string) ([]byte, bool) {
	if top.Style&yaml.FlowStyle != 0 || list.Kind != yaml.SequenceNode || list.Style&yaml.FlowStyle != 0 || len(list.Content) == 0 {
		return nil, false
	}
	eol := "\n"
	if bytes.Contains(old, []byte("\r\n")) {
		eol = "\r\n"
	}
	lines := strings.SplitAfter(string(old), "\n")
	first := list.Content[0].Line - 1
	if first < 0 || first >= len(lines) {
		return nil, false
	}
	dash := strings.IndexFunc(lines[first], func(r rune) bool { return r != ' ' })
	if dash < 0 || !strings.HasPrefix(lines[first][dash:], "- ") {
		return nil, false
	}
	// The list ends where the next top-level key starts, or with the file;
	// blank lines and margin comments just above that belong to what
	// follows, and stay below the new entry.
	end := len(lines)
	if lines[end-1] == "" {
		end--
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i+1] == list && i+2 < len(top.Content) {
			end = top.Content[i+2].Line - 1
		}
	}
	for end > first+1 {
		l := strings.TrimRight(lines[end-1], "\r\n")
		if t := strings.TrimSpace(l); t == "" || t == "..." || strings.HasPrefix(l, "#") {
			end--
			continue
		}
		break
	}
	text := indent(strings.TrimSuffix(dedent(comment+entry), "\n"), strings.Repeat(" ", dash))
	text = strings.ReplaceAll(text, "\n", eol)
	prev := lines[:end]
	if end > 0 && !strings.HasSuffix(prev[end-1], "\n") {
		text = eol + text
	}
	out := strings.Join(prev, "") + text + strings.Join(lines[end:], "")
	if !appendsEntry(old, []byte(out), entry) {
		return nil, false
	}
	return []byte(out), true
}

// appendsEntry reports whether the document out reads as old with entry
// appended to its patches: and nothing else changed.
func appendsEntry(old, out []byte, entry string) bool {
	var before, after map[string]any
	var item []any
	if yaml.Unmarshal(old, &before) != nil || yaml.Unmarshal(out, &after) != nil || yaml.Unmarshal([]byte(dedent(entry)), &item) != nil {
		return false
	}
	patches, ok := before["patches"].([]any)
	if !ok {
		return false
	}
	before["patches"] = append(patches, item...)
	return reflect.DeepEqual(before, after)
}
