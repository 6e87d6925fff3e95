// Package fluxinstall installs Flux: it loads a manifest set (the embedded
// install, a kustomization folder or files), transforms it (sync objects,
// registry, pull secret), refuses placeholders, validates every object before
// the first write, applies it in stages with server-side apply, waits with
// kstatus, and renders change sets, diffs and exports.
package fluxinstall
