// Package configure fills the reference's placeholder tokens into a checkout of
// cluster-manifests safely: it walks the folder without leaving it, substitutes
// validated values, proves every changed file still parses as YAML, then
// writes all files atomically (or none) and renders the change as a unified diff.
package configure
