// Package exitcode is the one place that defines what the process exit code
// means, so that every command and every runbook script agrees on it.
package exitcode
