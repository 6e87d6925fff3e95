// Package report renders verify's reports: one file per -o format (text and
// the by-requirement view, the JSON/YAML document, JUnit XML, the HTML
// page, OpenReports), each registering itself, so a format is one file.
package report
