// Package attest signs in-toto Statements into DSSE envelopes with a key
// from a PEM file, and opens them again with the matching public key.
package attest
