package plugin

import (
	"fmt"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
)

// validateDocOutput checks -o for the commands that print text or a
// document (internal/output): verify has formats of its own.
func validateDocOutput(format string) error {
	switch format {
	case "", "json", "yaml":
		return nil
	}
	return exitcode.Usage("--output must be json or yaml, not %q", format)
}

// plural counts for people: "1 file", "2 files".
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
