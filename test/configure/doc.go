// Package configure tests 'kubectl aksbaseline configure' through the built
// binary: exit codes, stdout and stderr, --check -o json, and that no
// kubeconfig or cluster is needed.
package configure
