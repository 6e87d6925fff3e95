// Package output writes a command's -o json|yaml document the same way for
// every command, so a script reading one command's output can read another's.
package output
