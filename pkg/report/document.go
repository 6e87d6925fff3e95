package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/sanitize"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

func init() {
	register("json", 20, func(w io.Writer, reports []*result.Report, _ Options) error { return writeDocument(w, reports, false) })
	register("yaml", 30, func(w io.Writer, reports []*result.Report, _ Options) error { return writeDocument(w, reports, true) })
}

// writeDocument prints the versioned document the schema publishes: a
// VerifyReport for one cluster, a VerifyReportList for several. Both are
// data, so strings from the cluster keep their value; control and
// bidirectional characters in them are written as the format's escapes
// (sanitize.JSON, sanitize.YAMLQuoted), never raw, so a terminal showing
// the document is not driven by them, and the YAML and JSON views agree.
func writeDocument(w io.Writer, reports []*result.Report, asYAML bool) error {
	var doc any = reports[0]
	if len(reports) != 1 {
		doc = &result.List{APIVersion: result.APIVersion, Kind: result.ListKind, Items: reports}
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	if asYAML {
		if b, err = sanitize.YAML(b); err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	_, err = fmt.Fprintln(w, string(sanitize.JSON(b)))
	return err
}
