// Package cli tests the built binary the way users run it: through the real
// kubectl's plugin discovery, under its Flux plugin name, and against API
// servers that are missing, refusing, silent or rejecting.
package cli
