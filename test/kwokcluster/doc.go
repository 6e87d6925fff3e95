// Package kwokcluster starts and removes a whole local Kubernetes cluster (a
// real kube-apiserver, kube-controller-manager, kube-scheduler and etcd, with
// kwok's fake kubelets) through kwokctl's binary runtime and the binaries of
// 'make testbin', for the end-to-end suite, the demo and the benchmarks.
package kwokcluster
