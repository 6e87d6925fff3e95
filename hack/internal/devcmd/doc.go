// Package devcmd holds what the development commands under hack/ share: how
// they fail, and the binaries the benchmarks time.
package devcmd
