// Package sanitize makes what the tool prints or writes safe to show: URLs
// without credentials, and text from a cluster or a file without the
// control characters that would drive a terminal.
package sanitize
