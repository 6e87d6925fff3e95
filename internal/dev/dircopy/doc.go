// Package dircopy copies a folder tree, so the demo and the tests work on a
// copy of a fixture and never on the repository's own files.
package dircopy
