// Package version holds the build's version, commit and date, which the
// Makefile injects with -ldflags -X.
package version
