// Package flux runs the real Flux source-controller and kustomize-controller
// (built by 'make testbin') as local processes against the simulated
// cluster, started once the cluster serves Flux's CRDs.
package flux
