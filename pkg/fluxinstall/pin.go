package fluxinstall

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation"
)

// pinControllers puts the Flux controllers on the nodes labelled with pin
// (the regulated reference's out-of-scope pool: pci-scope=out-of-scope),
// as the reference's hand-edited gotk-components.yaml did: the label in
// the Deployment's labels, its selector and pod template, and the pod's
// node selector. configure --upgrade-flux writes the same as a patch
// (PinPatch), so a tree and a plain bootstrap agree, and neither needs the
// controllers recreated.
func pinControllers(s *Set, pin map[string]string) error {
	for k, v := range pin {
		if errs := validation.IsQualifiedName(k); len(errs) > 0 {
			return fmt.Errorf("invalid node label %q: %s", k, strings.Join(errs, "; "))
		}
		if errs := validation.IsValidLabelValue(v); len(errs) > 0 {
			return fmt.Errorf("invalid node label value %q: %s", v, strings.Join(errs, "; "))
		}
	}
	for _, o := range s.objects {
		if !isFluxController(o.Unstructured) {
			continue
		}
		for _, path := range pinPaths {
			m, _, err := unstructured.NestedStringMap(o.Object, path...)
			if err != nil {
				return fmt.Errorf("%s: %w", o.ref(), err)
			}
			if m == nil {
				m = map[string]string{}
			}
			for k, v := range pin {
				m[k] = v
			}
			if err := unstructured.SetNestedStringMap(o.Object, m, path...); err != nil {
				return fmt.Errorf("%s: %w", o.ref(), err)
			}
		}
	}
	return nil
}

// pinPaths are where the pin goes in a Deployment.
var pinPaths = [][]string{
	{"metadata", "labels"},
	{"spec", "selector", "matchLabels"},
	{"spec", "template", "metadata", "labels"},
	{"spec", "template", "spec", "nodeSelector"},
}

// isFluxController reports whether u is a Deployment running a Flux image.
func isFluxController(u *unstructured.Unstructured) bool {
	if u.GetKind() != "Deployment" {
		return false
	}
	flux := false
	_ = eachContainer(u, func(c map[string]any) bool {
		img, _ := c["image"].(string)
		flux = flux || isFluxImage(img)
		return false
	})
	return flux
}

// PinPatch is the kustomize patch that pins every Deployment of a folder
// to the nodes labelled pin, as pinControllers does.
func PinPatch(pin map[string]string) string {
	keys := make([]string, 0, len(pin))
	for k := range pin {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: all\n  labels:\n")
	line := func(indent string) {
		for _, k := range keys {
			fmt.Fprintf(&b, "%s%s: %s\n", indent, k, pin[k])
		}
	}
	line("    ")
	b.WriteString("spec:\n  selector:\n    matchLabels:\n")
	line("      ")
	b.WriteString("  template:\n    metadata:\n      labels:\n")
	line("        ")
	b.WriteString("    spec:\n      nodeSelector:\n")
	line("        ")
	return b.String()
}
