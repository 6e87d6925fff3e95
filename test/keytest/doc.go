// Package keytest writes signing key pairs as PEM files, the way a user
// hands them to --sign-key and evidence verify --key, for tests only.
package keytest
