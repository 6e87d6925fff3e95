// Package sim is the simulated AKS regulated cluster's table of eras (what
// each generation of the reference changes) and its fake Azure values; its
// sub-packages run the cluster (kwok, controlplane), dress it (seed), serve
// the fork (gitserver) and run Flux beside it (flux).
package sim
