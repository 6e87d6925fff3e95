// Package layout holds the suite that keeps the repository's layout honest:
// shipped and tool packages never import testing nor link test/.
package layout
