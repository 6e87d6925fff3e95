// Package progress prints a command's progress for people on stderr in the
// Flux CLI's idiom (► ✔ ◎ ✗ ⚠), redrawn in place on a terminal and
// throttled in logs, so that every command speaks the same way.
package progress
