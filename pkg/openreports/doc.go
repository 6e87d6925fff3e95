// Package openreports writes verify's OpenReports ClusterReport into a
// cluster by server-side apply, reads it back for status, and carries the
// pinned OpenReports CRDs the in-cluster verifier installs.
package openreports
