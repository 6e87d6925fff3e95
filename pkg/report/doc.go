// Package report renders verify results for people (text) and for programs
// (a versioned JSON/YAML document, JUnit XML).
package report
