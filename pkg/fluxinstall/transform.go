package fluxinstall

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation"
)

// upstreamRegistry is where Flux publishes its controller images.
const upstreamRegistry = "ghcr.io/fluxcd/"

// validateRegistry checks a --registry value: a host and optional path, no
// scheme, no tag, no trailing slash.
func validateRegistry(r string) error {
	switch {
	case strings.Contains(r, "://"):
		return fmt.Errorf("invalid --registry %q: give HOST/PATH without a scheme, e.g. myacr.azurecr.io/fluxcd", r)
	case strings.HasSuffix(r, "/") || strings.Contains(r, "@") || strings.Contains(r, " "):
		return fmt.Errorf("invalid --registry %q: give HOST/PATH, e.g. myacr.azurecr.io/fluxcd", r)
	}
	// A colon in the host is a port; in the last path segment it is a tag.
	if parts := strings.Split(r, "/"); len(parts) > 1 && strings.Contains(parts[len(parts)-1], ":") {
		return fmt.Errorf("invalid --registry %q: a registry has no tag; the controllers' tags are kept", r)
	}
	return nil
}

// podSpec returns where the pod spec lives in the workload kinds a Flux
// install (or a user's flux-system folder) carries, nil for other kinds.
func podSpec(u *unstructured.Unstructured) []string {
	switch u.GetKind() {
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job":
		return []string{"spec", "template", "spec"}
	case "CronJob":
		return []string{"spec", "jobTemplate", "spec", "template", "spec"}
	case "Pod":
		return []string{"spec"}
	}
	return nil
}

// isFluxImage reports whether image is a Flux controller image, upstream or
// already mirrored (an ACR path ending in fluxcd/<name>).
func isFluxImage(image string) bool {
	return strings.HasPrefix(image, upstreamRegistry) || strings.HasPrefix(image, "fluxcd/") || strings.Contains(image, "/fluxcd/")
}

func eachContainer(u *unstructured.Unstructured, fn func(c map[string]any) bool) error {
	path := podSpec(u)
	if path == nil {
		return nil
	}
	for _, field := range []string{"initContainers", "containers"} {
		cs, found, err := unstructured.NestedSlice(u.Object, append(path, field)...)
		if err != nil || !found {
			continue
		}
		changed := false
		for i := range cs {
			if c, ok := cs[i].(map[string]any); ok && fn(c) {
				changed = true
			}
		}
		if changed {
			if err := unstructured.SetNestedSlice(u.Object, cs, append(path, field)...); err != nil {
				return err
			}
		}
	}
	return nil
}

// rewriteRegistry points the Flux controller images at registry:
// ghcr.io/fluxcd/<name>:<tag> becomes <registry>/<name>:<tag>, the way
// 'flux install --registry' does, for clusters that pull only from their ACR.
func rewriteRegistry(s *Set, registry string) error {
	registry = strings.TrimSuffix(registry, "/")
	for _, o := range s.objects {
		err := eachContainer(o.Unstructured, func(c map[string]any) bool {
			img, _ := c["image"].(string)
			if !strings.HasPrefix(img, upstreamRegistry) {
				return false
			}
			c["image"] = registry + "/" + strings.TrimPrefix(img, upstreamRegistry)
			return true
		})
		if err != nil {
			return fmt.Errorf("%s: %w", o.ref(), err)
		}
	}
	return nil
}

// addImagePullSecret makes the Flux controllers' pods pull with the named
// Secret (which must exist in their namespace).
func addImagePullSecret(s *Set, name string) error {
	if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
		return fmt.Errorf("invalid --image-pull-secret %q: %s", name, strings.Join(errs, "; "))
	}
	for _, o := range s.objects {
		path := podSpec(o.Unstructured)
		if path == nil {
			continue
		}
		flux := false
		_ = eachContainer(o.Unstructured, func(c map[string]any) bool {
			img, _ := c["image"].(string)
			flux = flux || isFluxImage(img)
			return false
		})
		if !flux {
			continue
		}
		secrets, _, _ := unstructured.NestedSlice(o.Object, append(path, "imagePullSecrets")...)
		present := false
		for _, sec := range secrets {
			if m, ok := sec.(map[string]any); ok && m["name"] == name {
				present = true
			}
		}
		if present {
			continue
		}
		secrets = append(secrets, map[string]any{"name": name})
		if err := unstructured.SetNestedSlice(o.Object, secrets, append(path, "imagePullSecrets")...); err != nil {
			return fmt.Errorf("%s: %w", o.ref(), err)
		}
	}
	return nil
}
