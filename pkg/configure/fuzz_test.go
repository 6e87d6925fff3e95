package configure

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/fluxinstall"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/placeholder"
	ssautil "github.com/fluxcd/pkg/ssa/utils"
)

// seedTree adds every YAML file of the era fixtures to f's seeds.
func seedTree(f *testing.F) {
	err := filepath.WalkDir("testdata", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isYAML(d.Name()) {
			return err
		}
		b, err := os.ReadFile(p)
		f.Add(b)
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
}

// FuzzPrepare feeds configure a tree holding one arbitrary file: it never
// panics, and a plan it accepts leaves none of the substituted
// placeholders behind and every changed file parsing as before.
func FuzzPrepare(f *testing.F) {
	seedTree(f)
	dir := filepath.Join(f.TempDir(), "cluster-manifests")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		f.Fatal(err)
	}
	values := allValues()
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, "f.yaml"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := Prepare(context.Background(), dir, values)
		var refused *RefusedError
		if err != nil || errors.As(err, &refused) {
			return
		}
		for _, c := range p.Changes {
			for _, x := range placeholder.Scan(c.Path, c.New) {
				if _, given := values[x.Token]; given {
					t.Fatalf("the plan leaves %s behind", x)
				}
			}
			if _, err := parseAll(c.New); err != nil {
				t.Fatalf("the plan writes YAML that does not parse: %v", err)
			}
		}
	})
}

// FuzzAddPinPatch feeds configure --upgrade-flux arbitrary
// kustomization.yaml files: adding the pin never panics, and a file it
// returns pins the Flux controllers where asked when it was one YAML
// mapping, as a kustomization is (kustomize refuses anything else, and
// --upgrade-flux builds the tree with kustomize before writing it).
func FuzzAddPinPatch(f *testing.F) {
	seedTree(f)
	f.Add([]byte("resources:\n- gotk-components.yaml\npatches:\n- path: x.yaml\n"))
	f.Add([]byte("patches: []\n"))
	f.Add([]byte("resources:\n- a.yaml\npatches:\n- path: x.yaml\n"))
	pin := map[string]string{"agentpool": "npooscope01"}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := addPinPatch(data, pin)
		if docs, perr := parseAll(data); perr != nil || len(docs) > 1 || len(docs) == 1 && (len(docs[0].Content) != 1 || docs[0].Content[0].Kind != yaml.MappingNode) {
			return
		}
		var k map[string]any
		if err != nil {
			// A kustomization kustomize would read, whose patches: is a
			// list or nothing, must take the pin.
			if yaml.Unmarshal(data, &k) == nil && len(k) > 0 {
				if p, ok := k["patches"]; !ok || p == nil || isList(p) {
					t.Fatalf("%q: %v", data, err)
				}
			}
			return
		}
		if got := pinnedByPatch(out); !maps.Equal(got, pin) {
			t.Fatalf("the kustomization pins %v, want %v:\n%s", got, pin, out)
		}
	})
}

func isList(v any) bool {
	_, ok := v.([]any)
	return ok
}

// FuzzMoveSyncObjects feeds configure --upgrade-flux arbitrary
// gotk-sync.yaml files: moving them to the current Flux APIs never panics,
// what it writes reads as exactly what fluxinstall.MoveManifest makes of
// the file's objects (the edits in place change nothing else), and it is
// current (moving it again changes nothing).
func FuzzMoveSyncObjects(f *testing.F) {
	seedTree(f)
	f.Add([]byte(commentedSync))
	f.Add([]byte("apiVersion: kustomize.toolkit.fluxcd.io/v1beta1\nkind: Kustomization\nmetadata:\n  name: a\n  namespace: a\nspec:\n  interval: 1m\n  prune: true\n  sourceRef: {kind: GitRepository, name: a}\n  validation: client\n  patchesStrategicMerge:\n    - kind: Deployment\n      apiVersion: apps/v1\n      metadata: {name: x}\n"))
	f.Add([]byte("---\napiVersion: source.toolkit.fluxcd.io/v1beta1\nkind: GitRepository\nmetadata: &m\n  name: a\n  namespace: a\nspec:\n  interval: 1m\n  url: https://x\n  ignore: |\n    # not a comment\n    /*\n"))
	f.Add([]byte("apiVersion: kustomize.toolkit.fluxcd.io/v1beta1\nkind: Kustomization\nmetadata:\n  \"name\": a\n  namespace: a\nspec:\n  interval: 1m\n  sourceRef:\n    kind: GitRepository\n    name: a\n  prune: true\n  patchesJson6902:\n    - target: {kind: Deployment, name: a}\n      patch:\n        - {op: remove, path: /spec/x}\n    # a foot comment\n  validation: >-\n    client\n...\n"))
	f.Add([]byte("kind: GitRepository\napiVersion: 'source.toolkit.fluxcd.io/v1beta1'\nmetadata: {name: a, namespace: b}\nspec:\n  interval: 1m\n  url: https://x\n  verify: {mode: head, secretRef: {name: k}}\n  accessFrom:\n    namespaceSelectors:\n    - matchLabels: {a: b}\n---\n---\n"))
	f.Add([]byte("apiVersion: source.toolkit.fluxcd.io/v1beta1\nkind: GitRepository\nmetadata:\n  name: a\n  namespace: a\nspec: &s\n  interval: 1m\n  url: https://x\nstatus: *s\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, notes, err := moveSyncObjects("gotk-sync.yaml", data)
		if err != nil || len(notes) == 0 {
			return
		}
		var want []map[string]any
		for _, u := range readAll(t, string(data)) {
			m, _, _, err := fluxinstall.MoveManifest(u)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, m.Object)
		}
		if got, err := ssautil.ReadObjects(bytes.NewReader(out)); err != nil || !reflect.DeepEqual(objectsOf(got), want) {
			t.Fatalf("%q moved to %q: reads as %v (%v), want %v", data, out, objectsOf(got), err, want)
		}
		again, more, err := moveSyncObjects("gotk-sync.yaml", out)
		if err != nil || len(more) > 0 || string(again) != string(out) {
			t.Fatalf("the moved file is not current (%v, %q):\n%s", err, more, out)
		}
	})
}
