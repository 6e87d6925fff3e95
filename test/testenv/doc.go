// Package testenv is the test-only helper that gives one test a control
// plane (envtest or a kwok cluster) and removes it when the test ends.
package testenv
