// Package verifier builds the in-cluster verifier: the kustomize folder
// Flux applies (OpenReports CRDs, namespace, least-privilege RBAC derived
// from what the checks read, a hardened CronJob running 'verify
// --report-to-cluster', network policy, quota and limits).
package verifier
