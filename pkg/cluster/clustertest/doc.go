// Package clustertest builds cluster snapshots from objects, as if read
// from a cluster that holds exactly them, for tests and benchmarks; nothing
// a user installs links it (test/layout).
package clustertest
