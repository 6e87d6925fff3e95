// Package controlplane runs a bare kube-apiserver and etcd (envtest) from the
// binaries of 'make testbin', for tests and benchmarks that need an API
// server but no kubelets or controllers.
package controlplane
