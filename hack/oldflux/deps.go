package main

// The API modules the CRDs are generated from: imported so that go.mod pins
// them and the loader finds them in this module.
import (
	_ "github.com/fluxcd/kustomize-controller/api/v1beta1"
	_ "github.com/fluxcd/source-controller/api/v1beta1"
)
