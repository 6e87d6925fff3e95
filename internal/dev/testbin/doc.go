// Package testbin finds the control-plane and tool binaries that 'make testbin'
// builds into the per-user cache, and fails loudly, naming 'make testbin', when
// they are missing.
package testbin
