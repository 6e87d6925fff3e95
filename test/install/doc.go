// Package install proves the release with the real tools: it builds the
// archives with 'make dist-archives', derives the manifests with 'make
// plugin-manifests', checks them against the krew and Flux rules, installs
// with the real krew and kubectl, runs the binary as a Flux plugin, and
// completes 'kubectl aksbaseline' through kubectl and the installed helper.
package install
