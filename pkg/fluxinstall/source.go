package fluxinstall

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	ssautil "github.com/fluxcd/pkg/ssa/utils"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/aksbaseline/kubectl-aksbaseline/manifests"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/placeholder"
)

// Object is one object of the set and where it came from, for messages.
type Object struct {
	*unstructured.Unstructured
	// Origin names the source: a file, a folder, "embedded <part>.yaml" or a flag.
	Origin string
}

// Ref formats the object as Flux's change sets do: Kind/namespace/name.
func (o Object) Ref() string { return ssautil.FmtUnstructured(o.Unstructured) }

// Set is a manifest set with what its source files say about placeholders,
// so a refusal can name the file and line as well as the object.
type Set struct {
	Objects []Object
	// Findings are the placeholder occurrences in the source files.
	Findings []placeholder.Finding
}

// Embedded returns the generated Flux install for the named components, the
// base (namespace, RBAC, network policies) first.
func Embedded(components []string) (*Set, error) {
	parts := append([]string{manifests.BaseFile}, components...)
	s := &Set{}
	for _, p := range parts {
		if p != manifests.BaseFile {
			if _, ok := manifests.LookupComponent(p); !ok {
				return nil, fmt.Errorf("unknown component %q: the embedded install has %s", p, strings.Join(componentNames(), ", "))
			}
		}
		b, err := manifests.YAML(p)
		if err != nil {
			return nil, err
		}
		objs, err := ssautil.ReadObjects(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("embedded %s.yaml: %w", p, err)
		}
		for _, u := range objs {
			s.Objects = append(s.Objects, Object{Unstructured: u, Origin: "embedded " + p + ".yaml"})
		}
	}
	return s, nil
}

func componentNames() []string {
	var out []string
	for _, c := range manifests.Components {
		out = append(out, c.Name)
	}
	return out
}

// Kustomize builds the kustomization in dir in-process with the kustomize
// API, as 'kubectl apply -k' would, and scans the folder's files for
// placeholders so a refusal can point at the line to edit.
func Kustomize(dir string) (*Set, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("-k %s: %w", dir, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("-k %s: not a folder (use -f for files)", dir)
	}
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	rm, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, fmt.Errorf("building kustomization %s: %w", dir, err)
	}
	y, err := rm.AsYaml()
	if err != nil {
		return nil, err
	}
	objs, err := ssautil.ReadObjects(bytes.NewReader(y))
	if err != nil {
		return nil, fmt.Errorf("kustomization %s: %w", dir, err)
	}
	s := &Set{}
	for _, u := range objs {
		s.Objects = append(s.Objects, Object{Unstructured: u, Origin: dir})
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".yaml", ".yml", ".json":
		default:
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		s.Findings = append(s.Findings, placeholder.Scan(path, b)...)
		return nil
	})
	return s, err
}

// Files reads the objects of each file (YAML or JSON, multi-document).
func Files(paths []string) (*Set, error) {
	s := &Set{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("-f %s: %w", p, err)
		}
		objs, err := ssautil.ReadObjects(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("-f %s: %w", p, err)
		}
		if len(objs) == 0 {
			return nil, fmt.Errorf("-f %s: no Kubernetes objects in the file", p)
		}
		for _, u := range objs {
			s.Objects = append(s.Objects, Object{Unstructured: u, Origin: p})
		}
		s.Findings = append(s.Findings, placeholder.Scan(p, b)...)
	}
	return s, nil
}

// Add appends other's objects and findings.
func (s *Set) Add(other *Set) {
	s.Objects = append(s.Objects, other.Objects...)
	s.Findings = append(s.Findings, other.Findings...)
}

// CheckDuplicates refuses a set that defines one object twice: which copy
// wins would depend on apply order.
func (s *Set) CheckDuplicates() error {
	seen := map[string]Object{}
	var dups []string
	for _, o := range s.Objects {
		key := o.GroupVersionKind().GroupKind().String() + "/" + o.GetNamespace() + "/" + o.GetName()
		if prev, ok := seen[key]; ok {
			dups = append(dups, fmt.Sprintf("%s (from %s and %s)", o.Ref(), prev.Origin, o.Origin))
			continue
		}
		seen[key] = o
	}
	if len(dups) > 0 {
		return fmt.Errorf("the manifest set defines objects twice: %s", strings.Join(dups, "; "))
	}
	return nil
}
