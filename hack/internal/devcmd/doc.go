// Package devcmd holds what the development commands under hack/ share: how
// they fail, how generators run and write their files, where a pinned module
// lives, the binaries the benchmarks time, and the signing key they make.
package devcmd
