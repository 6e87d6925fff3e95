//go:build tools

// Package tools pins kwok (fake kubelets) and kwokctl (cluster orchestration)
// for the end-to-end suite and the demo.
package tools

import (
	_ "sigs.k8s.io/kwok/cmd/kwok"
	_ "sigs.k8s.io/kwok/cmd/kwokctl"
)
