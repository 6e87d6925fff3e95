//go:build tools

// Package tools pins krew and its manifest validator, used to prove that the
// plugin installs the way krew users will install it.
package tools

import (
	_ "sigs.k8s.io/krew/cmd/krew"
	_ "sigs.k8s.io/krew/cmd/validate-krew-manifest"
)
