// Package kwok starts and removes a whole local Kubernetes cluster (a real
// kube-apiserver, kube-controller-manager, kube-scheduler and etcd, with
// kwok's fake kubelets) through kwokctl's binary runtime and the binaries of
// 'make testbin', for the demo, the end-to-end suite and the benchmarks.
package kwok
