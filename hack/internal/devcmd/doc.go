// Package devcmd holds what the development commands under hack/ share: how
// they fail, how generators write their files, the binaries the benchmarks
// time, and the signing key they make.
package devcmd
