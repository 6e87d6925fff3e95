package plugin

import (
	"context"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/kubectl/pkg/util/templates"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/output"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/report"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/status"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/verify"
)

// StatusOptions holds the flags of status.
type StatusOptions struct {
	env         *Env
	Contexts    []string
	AllContexts bool
	Output      string
	MaxAge      time.Duration
	Timeout     time.Duration

	targets []verify.Target
}

// NewStatusOptions returns status's defaults: text, the age limit each
// report records, 30 seconds per cluster.
func NewStatusOptions(env *Env) *StatusOptions {
	return &StatusOptions{env: env, Timeout: 30 * time.Second}
}

func newStatusCommand(env *Env) *cobra.Command {
	o := NewStatusOptions(env)
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show each cluster's latest in-cluster verify report: verdict, counts, age",
		Long: templates.LongDesc(`
			Read the ClusterReport '` + report.OpenReportsName + `' the in-cluster verifier writes
			('verify --report-to-cluster', installed by 'configure DIR --add-verifier') from each
			cluster, with one GET each, concurrently, and print one line per cluster: the
			verdict, the counts and the age of the report. It runs no check.

			A report older than twice the interval it records (the verifier's schedule) is a
			failure: the job has stopped running. A cluster without the report, or that
			cannot be read, could not be checked.

			Exit codes: 0 every cluster passed; 1 a cluster failed or its report is stale;
			2 a cluster could not be checked (unreachable, no report, no OpenReports CRD).`),
		Example: env.Example(`
			# The current context
			%[1]s status

			# A fleet, for a dashboard or a script
			%[1]s status --contexts aks-eastus2,aks-centralus
			%[1]s status --all-contexts -o json`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return inTurn(o.Complete, o.Validate, func() error { return o.Run(cmd.Context()) })
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.Contexts, "contexts", nil, "Read these kubeconfig contexts' reports concurrently; exit code the worst.")
	f.BoolVar(&o.AllContexts, "all-contexts", false, "Read the report of every context of the kubeconfig.")
	f.StringVarP(&o.Output, "output", "o", o.Output, "Output format: '' (text), json or yaml.")
	f.DurationVar(&o.MaxAge, "max-age", 0, "A report older than this fails (default: twice the interval the report records).")
	f.DurationVar(&o.Timeout, "timeout", o.Timeout, "Time limit for reading each cluster's report.")
	return cmd
}

// Complete resolves the clusters.
func (o *StatusOptions) Complete() error {
	if err := o.env.validateClusters(o.Contexts, o.AllContexts); err != nil {
		return err
	}
	targets, err := o.env.clusters(o.Contexts, o.AllContexts)
	o.targets = targets
	return err
}

// Validate checks the flags.
func (o *StatusOptions) Validate() error {
	if err := validateDocOutput(o.Output); err != nil {
		return err
	}
	if o.MaxAge < 0 || o.Timeout <= 0 {
		return exitcode.Usage("--max-age must not be negative and --timeout must be positive")
	}
	return nil
}

// Run reads the reports and prints the fleet.
func (o *StatusOptions) Run(ctx context.Context) error {
	f := status.Read(ctx, o.targets, status.Options{Name: report.OpenReportsName, Interval: DefaultReportInterval, MaxAge: o.MaxAge, Timeout: o.Timeout})
	var err error
	if o.Output == "" {
		err = status.WriteText(o.env.Streams.Out, f)
	} else {
		err = output.Write(o.env.Streams.Out, o.Output, f)
	}
	if err != nil {
		return err
	}
	return exitcode.Silent(f.ExitCode())
}
