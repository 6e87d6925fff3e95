// Command genmanifests generates manifests/flux/*.yaml, the Flux install that
// bootstrap embeds, from the pinned Go modules: flux2's manifests/
// kustomizations, with their controller release URLs resolved to the
// controllers' own module config/ folders, built in-process with the
// kustomize API. The output is committed; a test fails when it drifts.
//
// usage: go run ./hack/genmanifests [-out manifests/flux]
package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/aksbaseline/kubectl-aksbaseline/hack/internal/devcmd"
	"github.com/aksbaseline/kubectl-aksbaseline/manifests"
)

func main() {
	devcmd.Generator(filepath.Join("manifests", "flux"), "folder to write the generated YAML into", Generate)
}

// copyTree copies the regular files of dir into the in-memory fs under dst.
func copyTree(mem filesys.FileSystem, dir, dst string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return mem.WriteFile(filepath.Join(dst, rel), b)
	})
}

// releaseURL matches the controller release assets flux2's bases point at.
var releaseURL = regexp.MustCompile(`https://github\.com/fluxcd/([a-z-]+)/releases/download/(v[0-9][^/]*)/([a-z-]+)\.(crds|deployment)\.yaml`)

// A release's <name>.crds.yaml is 'kustomize build config/crd' and its
// <name>.deployment.yaml is 'kustomize build config/manager' of the same tag,
// so each URL is replaced by the matching folder of the module.
var assetFolder = map[string]string{"crds": "config/crd", "deployment": "config/manager"}

const (
	fluxRoot   = "/flux2/manifests"
	moduleRoot = "/modules"
	outRoot    = "/out"
)

// Generate returns the generated files by name: base.yaml and one per component.
func Generate(ctx context.Context) (map[string][]byte, error) {
	mem := filesys.MakeFsInMemory()
	fluxDir, err := devcmd.ModuleDir(ctx, manifests.FluxModule, manifests.FluxVersion)
	if err != nil {
		return nil, err
	}
	if err := copyTree(mem, filepath.Join(fluxDir, "manifests"), fluxRoot); err != nil {
		return nil, err
	}
	provenance := map[string]string{}
	for _, c := range manifests.Components {
		dir, err := devcmd.ModuleDir(ctx, c.Module, c.Version)
		if err != nil {
			return nil, err
		}
		if err := copyTree(mem, filepath.Join(dir, "config"), filepath.Join(moduleRoot, c.Name, "config")); err != nil {
			return nil, err
		}
		if err := resolveReleaseURLs(mem, c); err != nil {
			return nil, err
		}
		provenance[c.Name] = fmt.Sprintf("%s@%s config/", c.Module, c.Version)
	}

	out := map[string][]byte{}
	base := fmt.Sprintf(`apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: %[1]s
resources:
- namespace.yaml
- roles
- ../..%[2]s/policies
transformers:
- labels.yaml
`, manifests.Namespace, fluxRoot)
	// 'flux install' suffixes the cluster-wide RBAC with the namespace so
	// that two installs in different namespaces do not collide; do the same
	// so the objects carry the names a Flux install has.
	roles := fmt.Sprintf(`apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: %[1]s
nameSuffix: -%[1]s
resources:
- ../../..%[2]s/rbac
`, manifests.Namespace, fluxRoot)
	// A file resource must sit under the overlay (kustomize's load
	// restrictions); folders may be anywhere.
	ns, err := mem.ReadFile(filepath.Join(fluxRoot, "install", "namespace.yaml"))
	if err != nil {
		return nil, err
	}
	if err := writeOverlay(mem, manifests.BaseFile, base, map[string]string{"roles/kustomization.yaml": roles, "namespace.yaml": string(ns)}); err != nil {
		return nil, err
	}
	b, err := build(mem, manifests.BaseFile, fmt.Sprintf("%s@%s manifests/install/namespace.yaml, manifests/rbac, manifests/policies", manifests.FluxModule, manifests.FluxVersion))
	if err != nil {
		return nil, err
	}
	out[manifests.BaseFile+".yaml"] = b

	for _, c := range manifests.Components {
		// 'flux install' pins the controllers to Linux nodes (its
		// node-selector.yaml); AKS clusters may have Windows pools.
		k := fmt.Sprintf(`apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: %[1]s
resources:
- ../..%[2]s/bases/%[3]s
transformers:
- labels.yaml
images:
- name: fluxcd/%[3]s
  newName: ghcr.io/fluxcd/%[3]s
patches:
- target:
    kind: Deployment
  patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: all
    spec:
      template:
        spec:
          nodeSelector:
            kubernetes.io/os: linux
`, manifests.Namespace, fluxRoot, c.Name)
		if err := writeOverlay(mem, c.Name, k, nil); err != nil {
			return nil, err
		}
		b, err := build(mem, c.Name, fmt.Sprintf("%s@%s manifests/bases/%s, %s", manifests.FluxModule, manifests.FluxVersion, c.Name, provenance[c.Name]))
		if err != nil {
			return nil, err
		}
		out[c.Name+".yaml"] = b
	}
	return out, nil
}

// resolveReleaseURLs rewrites the component's base kustomization to point at
// the module folders, refusing URLs of any other controller or version so a
// version bump in flux2 cannot silently mix releases.
func resolveReleaseURLs(mem filesys.FileSystem, c manifests.Component) error {
	path := filepath.Join(fluxRoot, "bases", c.Name, "kustomization.yaml")
	b, err := mem.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%s@%s has no manifests/bases/%s: %w", manifests.FluxModule, manifests.FluxVersion, c.Name, err)
	}
	var bad []string
	noted := false
	s := releaseURL.ReplaceAllStringFunc(string(b), func(u string) string {
		m := releaseURL.FindStringSubmatch(u)
		repo, version, asset, kind := m[1], m[2], m[3], m[4]
		if repo != c.Name || asset != c.Name {
			bad = append(bad, u)
			return u
		}
		// flux2 may name a release the proxy does not serve; versions.go
		// records the version used instead and why.
		if version != c.Version && !noted {
			noted = true
			fmt.Fprintf(os.Stderr, "◎ %s: flux2 %s names %s, using %s (see manifests/versions.go)\n", c.Name, manifests.FluxVersion, version, c.Version)
		}
		// kustomize accepts only relative paths for folders outside a root.
		return filepath.Join("../../../..", moduleRoot, c.Name, assetFolder[kind])
	})
	if len(bad) > 0 {
		return fmt.Errorf("manifests/bases/%s: unexpected release URLs %v", c.Name, bad)
	}
	if strings.Contains(s, "https://") {
		return fmt.Errorf("manifests/bases/%s still references a remote resource after resolution", c.Name)
	}
	return mem.WriteFile(path, []byte(s))
}

// writeOverlay writes the overlay kustomization for part with the install's
// labels, which carry the version so 'flux check' and verify recognise it.
func writeOverlay(mem filesys.FileSystem, part, kustomization string, extra map[string]string) error {
	labels := fmt.Sprintf(`apiVersion: builtin
kind: LabelTransformer
metadata:
  name: labels
labels:
  app.kubernetes.io/instance: %s
  app.kubernetes.io/part-of: flux
  app.kubernetes.io/version: %s
fieldSpecs:
- path: metadata/labels
  create: true
- kind: Deployment
  path: spec/template/metadata/labels
  create: true
`, manifests.Namespace, manifests.FluxVersion)
	dir := filepath.Join(outRoot, part)
	files := map[string]string{"kustomization.yaml": kustomization, "labels.yaml": labels}
	for k, v := range extra {
		files[k] = v
	}
	for name, content := range files {
		if err := mem.WriteFile(filepath.Join(dir, name), []byte(content)); err != nil {
			return err
		}
	}
	return nil
}

func build(mem filesys.FileSystem, part, source string) ([]byte, error) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	rm, err := k.Run(mem, filepath.Join(outRoot, part))
	if err != nil {
		return nil, fmt.Errorf("building %s: %w", part, err)
	}
	y, err := rm.AsYaml()
	if err != nil {
		return nil, err
	}
	header := fmt.Sprintf("# Code generated by hack/genmanifests (make manifests); DO NOT EDIT.\n# Flux %s: %s\n---\n", manifests.FluxVersion, source)
	return append([]byte(header), y...), nil
}
