package plugin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/openreports"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/progress"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/report"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/verify"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/version"
)

// DefaultReportInterval is how often the in-cluster verifier runs unless
// told otherwise: its CronJob's schedule, and what status expects.
const DefaultReportInterval = time.Hour

// clusterReportOptions are verify's flags for continuous compliance: the
// OpenReports ClusterReport written into each verified cluster.
type clusterReportOptions struct {
	ToCluster bool
	Interval  time.Duration
	// cli is the command the user typed, for the hint to install the CRD.
	cli string
}

func (c *clusterReportOptions) addFlags(f *pflag.FlagSet) {
	f.BoolVar(&c.ToCluster, "report-to-cluster", false, "Also write the results into each verified cluster as the OpenReports ClusterReport '"+report.OpenReportsName+"' (server-side apply, dry-run first); the exit code stays verify's.")
	f.DurationVar(&c.Interval, "report-interval", c.Interval, "How often the in-cluster verifier runs, recorded in the ClusterReport: status fails a report older than twice it.")
}

func (c *clusterReportOptions) validate() error {
	if c.Interval <= 0 {
		return exitcode.Usage("--report-interval must be positive")
	}
	return nil
}

// options are what the ClusterReports carry besides the results.
func (c *clusterReportOptions) options(res *verify.Outcome) report.OpenReportsOptions {
	return report.OpenReportsOptions{Verdicts: verdicts(res), Interval: c.Interval, Version: version.Get().Version}
}

// write applies each checked cluster's ClusterReport. A cluster that
// could not be checked keeps its previous report: status shows it ageing.
// A report that could not be written is exit code 2, whatever verify found.
func (c *clusterReportOptions) write(ctx context.Context, p *progress.Printer, res *verify.Outcome) error {
	if !c.ToCluster {
		return nil
	}
	o := c.options(res)
	var failed error
	for i, t := range res.Targets {
		if t.Report == nil || t.Err != nil {
			continue
		}
		who := ""
		if len(res.Targets) > 1 {
			who = t.Target.Context + ": "
		}
		cfg, err := t.Target.RESTConfig()
		if err == nil {
			err = openreports.Apply(ctx, cfg, report.ClusterReport(t.Report, o.Verdicts[i], o))
		}
		if errors.Is(err, openreports.ErrNoCRD) {
			err = fmt.Errorf("%v: add the in-cluster verifier to the GitOps tree with '%s configure DIR --add-verifier' (its folder carries the CRDs), or install it with '%s'",
				err, c.cli, openreports.InstallHint())
		}
		if err != nil {
			p.Failuref("%swriting ClusterReport %s: %v", who, report.OpenReportsName, err)
			failed = exitcode.Silent(exitcode.CouldNotCheck)
			continue
		}
		p.Okf("%sClusterReport %s written (%s)", who, report.OpenReportsName, t.Verdict)
	}
	return failed
}
