package manifests

import (
	"embed"
	"fmt"
)

// The generated install: base.yaml (namespace, RBAC, network policies) and
// one file per component. Regenerate with 'make manifests'; never edit by hand.
//
//go:embed flux/*.yaml
var files embed.FS

// BaseFile is the part every install carries, whatever the components.
const BaseFile = "base"

// YAML returns the generated manifest for part: BaseFile or a component name.
func YAML(part string) ([]byte, error) {
	b, err := files.ReadFile("flux/" + part + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("no embedded Flux manifest for %q", part)
	}
	return b, nil
}
