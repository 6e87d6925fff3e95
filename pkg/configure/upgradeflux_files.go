package configure

import (
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/fluxinstall"
)

// fluxSelector picks the Flux controllers in a kustomize patch target.
const fluxSelector = "app.kubernetes.io/part-of=flux"

// kustomizationPatches reads the patches: of a kustomization.yaml; an item
// that is not a mapping is no patch, and does not hide the others.
func kustomizationPatches(b []byte) []map[string]any {
	var k struct {
		Patches []any `yaml:"patches"`
	}
	if err := yaml.Unmarshal(b, &k); err != nil {
		return nil
	}
	var patches []map[string]any
	for _, p := range k.Patches {
		if m, ok := p.(map[string]any); ok {
			patches = append(patches, m)
		}
	}
	return patches
}

// pinnedByPatch returns the node labels a kustomization's patch for the
// Flux controllers pins them to, nil when it has none.
func pinnedByPatch(b []byte) map[string]string {
	for _, p := range kustomizationPatches(b) {
		t, _ := p["target"].(map[string]any)
		text, _ := p["patch"].(string)
		if t == nil || t["labelSelector"] != fluxSelector || text == "" {
			continue
		}
		var d struct {
			Spec struct {
				Template struct {
					Spec struct {
						NodeSelector map[string]string `yaml:"nodeSelector"`
					} `yaml:"spec"`
				} `yaml:"template"`
			} `yaml:"spec"`
		}
		if err := yaml.Unmarshal([]byte(text), &d); err == nil && len(d.Spec.Template.Spec.NodeSelector) > 0 {
			return d.Spec.Template.Spec.NodeSelector
		}
	}
	return nil
}

// addPinPatch adds the patch pinning the Flux controllers to pin, unless
// the kustomization has it already. The file is appended to, so its own
// comments and layout stay; one that already lists patches: gets the
// entry added at the end of that list, as text too where that reads back
// as exactly that change, else through its YAML tree.
func addPinPatch(old []byte, pin map[string]string) ([]byte, error) {
	if len(pin) == 0 || maps.Equal(pinnedByPatch(old), pin) {
		return old, nil
	}
	entry := pinEntry(pin)
	if kustomizationPatches(old) == nil && !bytes.Contains(old, []byte("\npatches:")) && !bytes.HasPrefix(old, []byte("patches:")) {
		s := string(old)
		if !strings.HasSuffix(s, "\n") {
			s += "\n"
		}
		s += "patches:\n" + pinComment + entry
		// A file whose keys are indented, or that ends in a block
		// scalar, does not take a key appended at the margin: edit its
		// tree instead.
		if maps.Equal(pinnedByPatch([]byte(s)), pin) {
			return []byte(s), nil
		}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(old, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("not a kustomization (no mapping at the top)")
	}
	var item yaml.Node // a document holding a one-item list
	if err := yaml.Unmarshal([]byte(dedent(entry)), &item); err != nil {
		return nil, err
	}
	top := doc.Content[0]
	list := (*yaml.Node)(nil)
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value == "patches" {
			list = top.Content[i+1]
		}
	}
	switch {
	case list == nil:
		list = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		top.Content = append(top.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "patches"}, list)
	case list.Kind == yaml.ScalarNode && list.ShortTag() == "!!null":
		// patches: with nothing after it.
		*list = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: list.Line, Column: list.Column}
	case list.Kind != yaml.SequenceNode:
		return nil, fmt.Errorf("its patches: is not a list")
	}
	if out, ok := insertListEntry(old, top, list, pinComment, entry); ok {
		return out, nil
	}
	list.Style = 0 // a flow list ([]) takes the entry as a block list
	list.Content = append(list.Content, item.Content[0].Content[0])
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// pinComment says, above the entry, why it is there.
const pinComment = "  # The Flux controllers run on the out-of-scope node pool, as the reference pinned them\n  # (kubectl aksbaseline configure --upgrade-flux moved that from gotk-components.yaml here).\n"

// pinEntry is the patches: item pinning the Flux controllers to pin, as
// written under a key at the margin.
func pinEntry(pin map[string]string) string {
	return "  - target:\n      kind: Deployment\n      labelSelector: " + fluxSelector + "\n    patch: |-\n" + indent(fluxinstall.PinPatch(pin), "      ")
}

func indent(s, by string) string {
	lines := strings.SplitAfter(strings.TrimSuffix(s, "\n"), "\n")
	for i := range lines {
		lines[i] = by + lines[i]
	}
	return strings.Join(lines, "") + "\n"
}

// dedent removes the two-space indent entry was written with.
func dedent(s string) string {
	lines := strings.SplitAfter(s, "\n")
	for i := range lines {
		lines[i] = strings.TrimPrefix(lines[i], "  ")
	}
	return strings.Join(lines, "")
}

// buildsWith builds the folder with kustomize as it will be once changes
// are written, in memory: an upgrade that breaks the build is refused.
func buildsWith(root *os.Root, folder string, changes []Change) error {
	mem := filesys.MakeFsInMemory()
	err := fs.WalkDir(root.FS(), folder, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := root.ReadFile(filepath.FromSlash(p))
		if err != nil {
			return err
		}
		return mem.WriteFile(path.Join("/", p), b)
	})
	if err != nil {
		return err
	}
	for _, c := range changes {
		if err := mem.WriteFile(path.Join("/", c.Path), c.New); err != nil {
			return err
		}
	}
	_, err = krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(mem, path.Join("/", folder))
	return err
}
