package report

import (
	"encoding/json"
	"fmt"
	"io"

	"sigs.k8s.io/yaml"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

func init() {
	register("json", 20, func(w io.Writer, reports []*result.Report, _ Options) error { return writeDocument(w, reports, false) })
	register("yaml", 30, func(w io.Writer, reports []*result.Report, _ Options) error { return writeDocument(w, reports, true) })
}

// writeDocument prints the versioned document the schema publishes: a
// VerifyReport for one cluster, a VerifyReportList for several.
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
		if b, err = yaml.JSONToYAML(b); err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}
