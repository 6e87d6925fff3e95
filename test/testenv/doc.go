// Package testenv starts a real kube-apiserver and etcd (envtest) from the
// binaries 'make testbin' builds, for tests of apply, CRD, RBAC, list and check
// logic, and stops them even when a test fails or is interrupted.
package testenv
