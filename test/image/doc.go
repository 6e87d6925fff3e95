// Package image proves 'make image': it builds the in-cluster verifier's
// image twice (same digest), reads it back with go-containerregistry (OCI
// media types, entrypoint, non-root user, labels, one layer owned by root
// with fixed times), runs the binary taken out of the layer, and checks the
// image against what the verifier's CronJob and the README say of it.
package image
