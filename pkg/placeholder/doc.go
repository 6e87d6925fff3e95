// Package placeholder is the single table of the reference's placeholder
// tokens (where they live, what replaces them, how a value is validated) and
// the scanner that finds them, shared by configure, bootstrap and verify.
package placeholder
