package output

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/sanitize"
)

// Write renders doc on w as indented JSON with a final newline (format
// "json") or as YAML through its JSON field names (format "yaml"), control
// and bidi characters in either written as the format's escapes. Any other
// format is the caller's mistake: flags are validated before a command runs.
func Write(w io.Writer, format string, doc any) error {
	switch format {
	case "json":
		b, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(w, string(sanitize.JSON(b)))
		return err
	case "yaml":
		j, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		b, err := sanitize.YAML(j)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	return fmt.Errorf("unknown document format %q", format)
}
