// Package report renders verify results for people (text, by requirement,
// a self-contained HTML page) and for programs (a versioned JSON/YAML
// document with a published JSON Schema, JUnit XML).
package report
