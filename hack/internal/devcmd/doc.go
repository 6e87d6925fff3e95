// Package devcmd holds what the development commands under hack/ share: how
// they fail, the binaries the benchmarks time, and the signing key they make.
package devcmd
