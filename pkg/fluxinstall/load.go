package fluxinstall

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	ssautil "github.com/fluxcd/pkg/ssa/utils"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/aksbaseline/kubectl-aksbaseline/manifests"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/placeholder"
)

// Source says where the objects come from and how they are changed before
// they are applied.
type Source struct {
	// Kustomize is a kustomization folder, built as 'kubectl apply -k' would.
	Kustomize string
	// Files are manifest files (YAML or JSON, multi-document).
	Files []string
	// Components are the Flux controllers of the embedded install, used
	// when neither Kustomize nor Files is set.
	Components []string
	// Sync adds a GitRepository and Kustomization when its URL is set.
	Sync SyncOptions
	// Registry replaces ghcr.io/fluxcd in the controller images.
	Registry string
	// ImagePullSecret is added to the controllers' pods.
	ImagePullSecret string
	// Pin puts the controllers on the nodes with these labels (selector,
	// labels and node selector), e.g. the out-of-scope pool.
	Pin map[string]string
	// Fix tells the user how to fill in placeholders found in the objects.
	Fix string
}

// Validate checks the values that need no file and no cluster: the sync
// options (when a URL is set) and the registry.
func (s Source) Validate() error {
	if s.Sync.URL != "" {
		if err := s.Sync.validate(); err != nil {
			return err
		}
	}
	if s.Registry != "" {
		return validateRegistry(s.Registry)
	}
	return nil
}

// Build assembles the final set without contacting any cluster: it loads the
// objects, adds the sync objects, rewrites the registry, adds the pull
// secret, and refuses duplicates and the reference's placeholders, naming
// token, object and file.
func Build(src Source) (*Set, error) {
	if err := checkFlagPlaceholders(map[string]string{
		"registry": src.Registry, "image-pull-secret": src.ImagePullSecret, "secret-ref": src.Sync.SecretRef,
	}, "pass real values, not the reference's placeholders"); err != nil {
		return nil, err
	}
	var (
		set *Set
		err error
	)
	switch {
	case src.Kustomize != "":
		set, err = loadKustomize(src.Kustomize)
	case len(src.Files) > 0:
		set, err = loadFiles(src.Files)
	default:
		set, err = loadEmbedded(src.Components)
	}
	if err != nil {
		return nil, err
	}
	if src.Sync.URL != "" {
		set.add(syncObjects(src.Sync))
	}
	if src.Registry != "" {
		if err := rewriteRegistry(set, src.Registry); err != nil {
			return nil, err
		}
	}
	if src.ImagePullSecret != "" {
		if err := addImagePullSecret(set, src.ImagePullSecret); err != nil {
			return nil, err
		}
	}
	if len(src.Pin) > 0 {
		if err := pinControllers(set, src.Pin); err != nil {
			return nil, err
		}
	}
	if err := set.checkDuplicates(); err != nil {
		return nil, err
	}
	if err := checkPlaceholders(set, src.Fix); err != nil {
		return nil, err
	}
	return set, nil
}

// loadEmbedded returns the generated Flux install for the named components,
// the base (namespace, RBAC, network policies) first.
func loadEmbedded(components []string) (*Set, error) {
	parts := append([]string{manifests.BaseFile}, components...)
	s := &Set{embedded: true}
	for _, p := range parts {
		if p != manifests.BaseFile {
			if _, ok := manifests.LookupComponent(p); !ok {
				return nil, fmt.Errorf("unknown component %q: the embedded install has %s", p, strings.Join(manifests.ComponentNames(), ", "))
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
			s.objects = append(s.objects, object{Unstructured: u, origin: "embedded " + p + ".yaml"})
		}
	}
	return s, nil
}

// loadKustomize builds the kustomization in dir in-process with the
// kustomize API, as 'kubectl apply -k' would, and scans the folder's files
// for placeholders so a refusal can point at the line to edit.
func loadKustomize(dir string) (*Set, error) {
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
		s.objects = append(s.objects, object{Unstructured: u, origin: dir})
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
		s.findings = append(s.findings, placeholder.Scan(path, b)...)
		return nil
	})
	return s, err
}

// loadFiles reads the objects of each file (YAML or JSON, multi-document).
func loadFiles(paths []string) (*Set, error) {
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
			s.objects = append(s.objects, object{Unstructured: u, origin: p})
		}
		s.findings = append(s.findings, placeholder.Scan(p, b)...)
	}
	return s, nil
}
