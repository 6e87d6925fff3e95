package report

import (
	"io"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/output"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

func init() {
	register("json", 20, func(w io.Writer, reports []*result.Report, _ Options) error { return writeDocument(w, reports, "json") })
	register("yaml", 30, func(w io.Writer, reports []*result.Report, _ Options) error { return writeDocument(w, reports, "yaml") })
}

// writeDocument prints the versioned document the schema publishes: a
// VerifyReport for one cluster, a VerifyReportList for several. Both are
// data, so strings from the cluster keep their value; output.Write writes
// control and bidirectional characters in them as the format's escapes,
// never raw, so a terminal showing the document is not driven by them,
// and the YAML and JSON views agree.
func writeDocument(w io.Writer, reports []*result.Report, format string) error {
	var doc any = reports[0]
	if len(reports) != 1 {
		doc = &result.List{APIVersion: result.APIVersion, Kind: result.ListKind, Items: reports}
	}
	return output.Write(w, format, doc)
}
