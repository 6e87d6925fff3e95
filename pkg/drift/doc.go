// Package drift compares verify's findings with a previous report of the
// same cluster: each is new, unchanged or resolved.
package drift
