// Package digest hashes files into the lowercase hex SHA-256 that krew,
// Flux, sha256sum and in-toto all read, so releases and evidence agree.
package digest
