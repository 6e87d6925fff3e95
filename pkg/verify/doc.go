// Package verify is verify's engine: it reads each target cluster, runs the
// selected checks, re-checks until they pass when asked to wait, and returns
// the reports with one verdict, leaving flags and rendering to the CLI.
package verify
