// Package gitserver serves bare Git repositories over Git's smart HTTP
// protocol on loopback, through 'git http-backend', so that an operator's
// git can push to them as to a fork and Flux's source-controller can clone
// from them.
package gitserver
