package plugin

import (
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/phrase"
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
var plural = phrase.Count
