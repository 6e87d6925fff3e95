// Package bootstrap tests 'kubectl aksbaseline bootstrap' through the built
// binary against a real API server (envtest): validation before the first
// write, staged apply, idempotent re-runs, dry-run, refusals and conflicts.
package bootstrap
