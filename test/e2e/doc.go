// Package e2e runs the built kubectl-aksbaseline against kwok clusters dressed
// as the reference's AKS regulated cluster of each era, with the real Flux
// controllers reconciling the demo's cluster-manifests from a loopback Git
// server: bootstrap then verify, every check's broken variant, bootstrap's
// idempotent re-run, an API server outage mid-bootstrap, an RBAC-restricted user,
// and the in-cluster verifier delivered by Flux and run as its service account.
package e2e
