// Package testenv is the test-only helper that gives one test a control
// plane (envtest or a kwok cluster), the Git server its Flux syncs from, or
// the configured fork to serve, grants a user roles on it, and removes them
// when the test ends.
package testenv
