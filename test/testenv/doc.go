// Package testenv is the test-only helper that gives one test a control
// plane (envtest or a kwok cluster), or the Git server its Flux syncs from,
// and removes it when the test ends.
package testenv
