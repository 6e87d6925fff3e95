// Package simcluster dresses a local cluster (kwok or envtest) as the
// reference's AKS regulated cluster of a chosen era, and runs the real Flux
// controllers and a Git server beside it, for the end-to-end suite and the
// demo.
package simcluster
