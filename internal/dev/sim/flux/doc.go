// Package flux runs the real Flux source-controller and kustomize-controller
// (built by 'make testbin') as local processes against the simulated
// cluster, started once the cluster serves Flux's CRDs, and asks them to
// reconcile at once when a test has pushed a change.
package flux
