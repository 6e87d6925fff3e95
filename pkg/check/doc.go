// Package check holds verify's checks: each category file declares its
// checks whole (stable ID, severity, title, remediation, what it reads,
// the pure function of a cluster snapshot and a profile that judges them),
// the catalogue orders the categories, and the runner applies them.
package check
