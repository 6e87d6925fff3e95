// Package layout holds the suite that keeps the repository's layout honest:
// shipped and tool packages never import testing nor link test/, shipped
// code never links what only tests and the demo use (internal/dev,
// clustertest), and no tracked file is a build output.
package layout
