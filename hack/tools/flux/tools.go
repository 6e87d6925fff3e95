//go:build tools

// Package tools pins the Flux source-controller and kustomize-controller that
// the end-to-end suite and the demo run as local processes against the
// simulated cluster, so GitRepository and Kustomization readiness is real.
package tools

import (
	_ "github.com/fluxcd/kustomize-controller"
	_ "github.com/fluxcd/source-controller"
)
