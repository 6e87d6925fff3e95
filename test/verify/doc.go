// Package verify holds the end-to-end tests of 'kubectl aksbaseline verify'
// against a real API server: the reader, RBAC errors, exit codes through the
// built binary, and the seeded clusters of each era.
package verify
