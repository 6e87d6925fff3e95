package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"sigs.k8s.io/yaml"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/controls"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// catalogueEntry is one check as --list prints it.
type catalogueEntry struct {
	ID          string          `json:"id"`
	Category    string          `json:"category"`
	Severity    result.Severity `json:"severity"`
	Title       string          `json:"title"`
	Remediation string          `json:"remediation"`
	// Controls are the PCI DSS v4.0.1 requirements the check gives evidence for.
	Controls []string `json:"controls"`
}

// CatalogueFormats are the -o values of the catalogue ('verify --list').
var CatalogueFormats = []string{"text", "json", "yaml", "markdown"}

// WriteCatalogue prints the checks with the PCI DSS requirements each gives
// evidence for, speaking as cli; the README's table is its markdown form.
func WriteCatalogue(w io.Writer, checks []*check.Check, format, cli string) error {
	var entries []catalogueEntry
	for _, c := range checks {
		entries = append(entries, catalogueEntry{c.ID, c.Category, c.Severity, check.WithCLI(c.Title, cli), check.WithCLI(c.Remediation, cli), append([]string{}, controls.For(c.ID)...)})
	}
	switch format {
	case "json", "yaml":
		b, err := yaml.Marshal(entries)
		if err != nil {
			return err
		}
		if format == "json" {
			if b, err = yaml.YAMLToJSON(b); err != nil {
				return err
			}
			b = append(b, '\n')
		}
		_, err = w.Write(b)
		return err
	case "markdown":
		fmt.Fprintf(w, "| ID | Category | Severity | %s | Title |\n", controls.Standard)
		fmt.Fprintln(w, "|---|---|---|---|---|")
		for _, e := range entries {
			fmt.Fprintf(w, "| `%s` | %s | %s | %s | %s |\n", e.ID, e.Category, e.Severity, strings.Join(e.Controls, ", "), strings.ReplaceAll(e.Title, "|", "\\|"))
		}
		return nil
	case "", "text":
	default:
		return fmt.Errorf("the catalogue has no %s form", format)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCATEGORY\tSEVERITY\tPCI DSS\tTITLE")
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.ID, e.Category, e.Severity, strings.Join(e.Controls, ","), e.Title)
	}
	return tw.Flush()
}
