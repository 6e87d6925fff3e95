package configure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	ssautil "github.com/fluxcd/pkg/ssa/utils"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/aksbaseline/kubectl-aksbaseline/manifests"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/fluxinstall"
)

// The files of a flux-system folder that installs Flux itself (the
// reference's eras A and B).
const (
	crdsFile       = "gotk-crds.yaml"
	componentsFile = "gotk-components.yaml"
	syncFile       = "gotk-sync.yaml"
	kustomizeFile  = "kustomization.yaml"
)

// ErrNoFluxInstall is returned for a tree whose Flux is not in Git (the
// reference's era C: the AKS extension installs it).
var ErrNoFluxInstall = errors.New("no gotk-components.yaml: this tree does not install Flux itself, so there is nothing to upgrade in it")

// FluxUpgrade says what --upgrade-flux does to a tree, beside the diff.
type FluxUpgrade struct {
	// Folder is the flux-system folder, relative to the tree.
	Folder string
	// From is the Flux version the tree carried (from its controller image
	// tags or labels), To the embedded one.
	From, To   string
	Components []string
	// Pin is the node label the tree's controllers were pinned to, kept as
	// a patch in kustomization.yaml.
	Pin map[string]string
	// Moved lists the sync objects' moves: "file: Kind/ns/name: what".
	Moved []string
	// Images are the controller images the tree now names, for the
	// registry import.
	Images []string
}

// PrepareFluxUpgrade works out, in memory, a tree's flux-system folder
// brought to the embedded Flux: gotk-crds.yaml (the CRDs) and
// gotk-components.yaml (the rest) regenerated for the components the
// tree ran, images under registry when given (else the tree's own
// kustomization images: rewrite keeps applying); the controllers' node
// pinning as a patch in kustomization.yaml; gotk-sync.yaml's objects moved
// to the current API versions. The folder must still build with kustomize,
// or nothing is written. A second run changes nothing.
func PrepareFluxUpgrade(ctx context.Context, dir, registry string) (*Plan, *FluxUpgrade, error) {
	tree, err := Scan(ctx, dir)
	if err != nil {
		return nil, nil, err
	}
	root, err := os.OpenRoot(tree.root)
	if err != nil {
		return nil, nil, err
	}
	defer root.Close()
	folder := ""
	for _, f := range []string{"flux-system", "."} {
		if isRegular(root, path.Join(f, componentsFile)) {
			folder = f
			break
		}
	}
	if folder == "" {
		return nil, nil, ErrNoFluxInstall
	}
	up := &FluxUpgrade{Folder: folder, To: manifests.FluxVersion}
	read := func(name string) (*Change, error) {
		rel := path.Join(folder, name)
		info, err := root.Lstat(filepath.FromSlash(rel))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if !info.Mode().IsRegular() {
			return nil, fmt.Errorf("%s is not a regular file: not followed", rel)
		}
		b, err := root.ReadFile(filepath.FromSlash(rel))
		if err != nil {
			return nil, err
		}
		return &Change{Path: rel, Mode: info.Mode(), Old: b, New: b, own: ownerOf(info)}, nil
	}
	files := map[string]*Change{}
	for _, n := range []string{crdsFile, componentsFile, syncFile, kustomizeFile} {
		if files[n], err = read(n); err != nil {
			return nil, nil, err
		}
	}
	old, err := ssautil.ReadObjects(bytes.NewReader(files[componentsFile].Old))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", files[componentsFile].Path, err)
	}
	up.Components, up.From, up.Pin = describeInstall(old)
	if len(up.Components) == 0 {
		return nil, nil, fmt.Errorf("%s runs none of the Flux controllers this tool carries (%s)", files[componentsFile].Path, strings.Join(manifests.ComponentNames(), ", "))
	}
	if registry == "" {
		registry = treeRegistry(old)
	}
	set, err := fluxinstall.Build(fluxinstall.Source{Components: up.Components, Registry: registry})
	if err != nil {
		return nil, nil, err
	}
	ownNamespace := files[kustomizeFile] != nil && definesNamespace(root, folder, manifests.Namespace)
	var crds, rest []*unstructured.Unstructured
	for _, u := range set.Objects() {
		switch {
		case u.GetKind() == "CustomResourceDefinition" && files[crdsFile] != nil:
			crds = append(crds, u)
		case u.GetKind() == "Namespace" && ownNamespace:
			// The folder's own namespace.yaml defines it; a second copy
			// would fail the kustomize build.
		default:
			rest = append(rest, u)
			if img := controllerImage(u); img != "" {
				up.Images = append(up.Images, img)
			}
		}
	}
	if files[crdsFile] != nil {
		if files[crdsFile].New, err = generated(crds, "the CRDs, applied before the rest"); err != nil {
			return nil, nil, err
		}
	}
	if files[componentsFile].New, err = generated(rest, "the controllers and what they need; their CRDs are in "+crdsFile); err != nil {
		return nil, nil, err
	}
	if s := files[syncFile]; s != nil {
		if s.New, up.Moved, err = moveSyncObjects(s.Path, s.Old); err != nil {
			return nil, nil, err
		}
	}
	if k := files[kustomizeFile]; k != nil {
		if up.Pin == nil {
			up.Pin = pinnedByPatch(k.Old)
		}
		if k.New, err = addPinPatch(k.Old, up.Pin); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", k.Path, err)
		}
	}
	p := &Plan{Tree: tree}
	for _, n := range []string{crdsFile, componentsFile, syncFile, kustomizeFile} {
		if c := files[n]; c != nil && !bytes.Equal(c.Old, c.New) {
			if c.Mode.Perm()&0o200 == 0 {
				return nil, nil, fmt.Errorf("%s is read-only (mode %s): make it writable (chmod u+w) to upgrade it", c.Path, c.Mode.Perm())
			}
			p.Changes = append(p.Changes, *c)
		}
	}
	if files[kustomizeFile] != nil {
		if err := buildsWith(root, folder, p.Changes); err != nil {
			return nil, nil, fmt.Errorf("nothing written: %s would no longer build with kustomize: %w", path.Join(dir, folder), err)
		}
	}
	return p, up, nil
}

func isRegular(root *os.Root, rel string) bool {
	info, err := root.Lstat(filepath.FromSlash(rel))
	return err == nil && info.Mode().IsRegular()
}

// describeInstall reads a gotk-components.yaml: the embedded components
// it runs, the Flux version (the labels Flux 0.9+ set, else the
// source-controller image tag, as v0.8.1 tagged its controllers with the
// release), and the node labels its controllers are pinned to (in both
// their selector and node selector: the reference's pci-scope).
func describeInstall(objs []*unstructured.Unstructured) (components []string, version string, pin map[string]string) {
	first := true
	for _, u := range objs {
		if v := u.GetLabels()["app.kubernetes.io/version"]; v != "" && version == "" {
			version = v
		}
		if u.GetKind() != "Deployment" {
			continue
		}
		if _, ok := manifests.LookupComponent(u.GetName()); !ok {
			continue
		}
		components = append(components, u.GetName())
		sel, _, _ := unstructured.NestedStringMap(u.Object, "spec", "selector", "matchLabels")
		ns, _, _ := unstructured.NestedStringMap(u.Object, "spec", "template", "spec", "nodeSelector")
		both := map[string]string{}
		for k, v := range sel {
			if ns[k] == v {
				both[k] = v
			}
		}
		if first {
			pin, first = both, false
		} else {
			for k, v := range pin {
				if both[k] != v {
					delete(pin, k)
				}
			}
		}
	}
	if version == "" {
		for _, u := range objs {
			if u.GetKind() == "Deployment" && u.GetName() == "source-controller" {
				version = manifests.ImageTag(controllerImage(u))
			}
		}
	}
	if len(pin) == 0 {
		pin = nil
	}
	// Install order, whatever the file's.
	sort.Slice(components, func(i, j int) bool {
		return slices.Index(manifests.ComponentNames(), components[i]) < slices.Index(manifests.ComponentNames(), components[j])
	})
	return components, version, pin
}

func controllerImage(u *unstructured.Unstructured) string {
	if u.GetKind() != "Deployment" {
		return ""
	}
	cs, _, _ := unstructured.NestedSlice(u.Object, "spec", "template", "spec", "containers")
	if len(cs) == 0 {
		return ""
	}
	m, _ := cs[0].(map[string]any)
	img, _ := m["image"].(string)
	return img
}

// treeRegistry is the registry the tree's controller images name inside
// gotk-components.yaml, when not upstream's ("" then: the folder's
// kustomization images: rewrite, if any, keeps working on the new file).
func treeRegistry(objs []*unstructured.Unstructured) string {
	for _, u := range objs {
		img := controllerImage(u)
		if img == "" || strings.HasPrefix(img, "ghcr.io/fluxcd/") {
			continue
		}
		repo, _, _ := strings.Cut(img, "@")
		if i := strings.LastIndex(repo, ":"); i > strings.LastIndex(repo, "/") {
			repo = repo[:i]
		}
		if i := strings.LastIndex(repo, "/"); i > 0 {
			return repo[:i]
		}
	}
	return ""
}

// definesNamespace reports whether a YAML file of the folder other than
// the generated ones defines Namespace name.
func definesNamespace(root *os.Root, folder, name string) bool {
	entries, err := fs.ReadDir(root.FS(), folder)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !isYAML(e.Name()) || slices.Contains([]string{crdsFile, componentsFile, syncFile, kustomizeFile}, e.Name()) {
			continue
		}
		objs, err := readObjects(root, path.Join(folder, e.Name()))
		if err != nil {
			continue
		}
		for _, u := range objs {
			if u.GetKind() == "Namespace" && u.GetName() == name {
				return true
			}
		}
	}
	return false
}

// generated renders objs as a generated file with a header saying what it
// holds and how to regenerate it.
func generated(objs []*unstructured.Unstructured, holds string) ([]byte, error) {
	y, err := ssautil.ObjectsToYAML(objs)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(y, "---") {
		y = "---\n" + y
	}
	head := fmt.Sprintf("# Flux Version: %s\n# Generated by 'kubectl aksbaseline configure --upgrade-flux' from the Flux it embeds: %s.\n# Regenerate rather than edit; put changes in kustomization.yaml.\n", manifests.FluxVersion, holds)
	return []byte(head + y), nil
}
