// Package release turns built binaries into reproducible release archives and
// derives the krew and Flux plugin manifests from those archives, so no hash
// is ever typed by hand.
package release
