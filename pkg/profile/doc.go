// Package profile holds what verify expects of a cluster, as data: the
// profile type, its strict loader and validator, and the built-in profiles.
package profile
