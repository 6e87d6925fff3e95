package plugin

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"
	"k8s.io/kubectl/pkg/util/templates"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/placeholder"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/progress"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/report"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/verify"
)

// VerifyOptions holds the flags and state of verify and its sub-commands.
type VerifyOptions struct {
	env *Env

	// Categories is set by the sub-command (verify nodes) or empty for all.
	Categories   []string
	Checks       []string
	Skip         []string
	List         bool
	Profile      string
	PrintProfile bool
	Contexts     []string
	AllContexts  bool
	Output       string
	// ACRName fills the profile's images.allowed.acrName; empty takes
	// $ACR_NAME (acrSource says which one it came from, for messages).
	ACRName   string
	acrSource string
	lookupEnv func(string) (string, bool)

	// engine holds verify's defaults and the flags it runs with (--fail-on,
	// --timeout, --wait), and after Complete the profile and the checks.
	engine *verify.Options

	// assess holds the flags for assessors: waivers, baseline, evidence.
	assess assessorOptions
	// clusterReport holds the flags of the in-cluster report.
	clusterReport clusterReportOptions
}

// NewVerifyOptions returns verify's defaults for env.
func NewVerifyOptions(env *Env) *VerifyOptions {
	return &VerifyOptions{env: env, Output: "text", lookupEnv: os.LookupEnv, engine: verify.NewOptions(env.Name),
		clusterReport: clusterReportOptions{Interval: DefaultReportInterval, cli: env.Name}}
}

var verifyExitCodes = templates.LongDesc(`
	Exit codes: 0 nothing failed (warnings allowed); 1 at least one check failed
	(or warned, with --fail-on warn), or some checks could not read what they
	need while others could; 2 the tool could not check: bad flags, unknown
	profile, no API access, or every check that reads the cluster errored.`)

func newVerifyCommand(env *Env) *cobra.Command {
	o := NewVerifyOptions(env)
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Prove the cluster matches the AKS baseline: " + strings.Join(check.Categories, ", "),
		Long: templates.LongDesc(`
			Verify that the cluster is what the AKS baseline for regulated workloads
			promises, check by check, in these categories (each also a sub-command):
			`+strings.Join(check.Categories, ", ")+`. Every check has a stable ID
			('verify --list'); the expectations come from a profile (built-in
			'regulated' by default, 'baseline', or --profile FILE).

			A check that may not read what it needs reports an error naming the verb
			and resource; it never passes. Results go to stdout, progress to stderr.`) + "\n\n" + verifyExitCodes,
		Example: env.Example(`
			# Every check against the current context
			%[1]s verify

			# One category, or chosen checks
			%[1]s verify flux
			%[1]s verify --checks nodes-ready,flux-sync-ready

			# Right after a bootstrap: re-check for up to five minutes
			%[1]s verify --wait 5m

			# A fleet, one summary, for CI
			%[1]s verify --contexts aks-eastus2,aks-centralus -o junit > verify.xml

			# Adapt the expectations: start from the effective profile
			%[1]s verify --print-profile > my-profile.yaml
			%[1]s verify --profile my-profile.yaml

			# Evidence for a PCI DSS assessor: accepted exceptions, drift since the last run, one folder to file
			%[1]s verify --waivers waivers.yaml --baseline last.json --fail-on new --evidence ./evidence`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.execute(cmd.Context())
		},
	}
	f := cmd.PersistentFlags()
	f.StringSliceVar(&o.Checks, "checks", nil, "Run only these check IDs (comma-separated).")
	f.StringSliceVar(&o.Skip, "skip", nil, "Skip these check IDs (comma-separated).")
	f.BoolVar(&o.List, "list", false, "Print the catalogue of checks (ID, category, severity, PCI DSS requirements, title) and exit.")
	f.StringVar(&o.Profile, "profile", "", "Profile: a built-in name ("+strings.Join(profile.Names(), ", ")+") or a YAML file. Default "+profile.Default+".")
	f.BoolVar(&o.PrintProfile, "print-profile", false, "Print the effective profile as YAML and exit.")
	f.StringSliceVar(&o.Contexts, "contexts", nil, "Verify these kubeconfig contexts concurrently; one summary, exit code the worst.")
	f.BoolVar(&o.AllContexts, "all-contexts", false, "Verify every context of the kubeconfig.")
	f.DurationVar(&o.engine.Wait, "wait", o.engine.Wait, "Re-check until every check passes or this much time has passed (e.g. 5m), showing what is pending on stderr.")
	f.StringVar(&o.engine.FailOn, "fail-on", o.engine.FailOn, "Lowest status that makes the exit code 1: fail or warn; new fails only on failures the --baseline lacks.")
	f.StringVarP(&o.Output, "output", "o", o.Output, "Output format: text, json, yaml, junit, html or openreports (an OpenReports ClusterReport; --list: text, json, yaml or markdown).")
	f.DurationVar(&o.engine.Timeout, "timeout", o.engine.Timeout, "Time limit for reading the cluster state, per round.")
	acr := acrToken()
	f.StringVar(&o.ACRName, acr.Flag, "", fmt.Sprintf("The registry name the profile's allowed-images pattern needs when the cluster has no allowed-images constraint (or $%s).", acr.EnvVar))

	o.assess.addFlags(f)
	o.clusterReport.addFlags(f)
	for _, cat := range check.Categories {
		cmd.AddCommand(newVerifyCategoryCommand(env, o, cat))
	}
	return cmd
}

func newVerifyCategoryCommand(env *Env, o *VerifyOptions, category string) *cobra.Command {
	var ids []string
	for _, c := range check.All() {
		if c.Category == category {
			ids = append(ids, c.ID)
		}
	}
	return &cobra.Command{
		Use:   category,
		Short: fmt.Sprintf("Run the %s checks (%s)", category, strings.Join(ids, ", ")),
		Long: templates.LongDesc(fmt.Sprintf(`
			Run only the %s checks: %s.`, category, strings.Join(ids, ", "))) + "\n\n" + verifyExitCodes,
		Example: env.Example(fmt.Sprintf(`
			%%[1]s verify %s
			%%[1]s verify %s -o json`, category, category)),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Categories = []string{category}
			return o.execute(cmd.Context())
		},
	}
}

func (o *VerifyOptions) execute(ctx context.Context) error {
	if err := o.Complete(); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return err
	}
	verify.LimitHeap()
	return o.Run(ctx)
}

// Complete loads the profile and selects the checks.
func (o *VerifyOptions) Complete() error {
	p, _, err := profile.Load(o.Profile)
	if err != nil {
		return exitcode.WithCode(exitcode.CouldNotCheck, err)
	}
	acr := acrToken()
	o.acrSource = "--" + acr.Flag
	if o.ACRName == "" {
		if v, ok := o.lookupEnv(acr.EnvVar); ok && v != "" {
			o.ACRName, o.acrSource = v, "$"+acr.EnvVar
		}
	}
	if o.ACRName != "" {
		p.Images.Allowed.ACRName = o.ACRName
	}
	o.engine.Profile = p
	sel, err := check.Select(o.Categories, o.Checks, o.Skip)
	if err != nil {
		return exitcode.Usage("%v", err)
	}
	o.engine.Checks = sel
	return o.assess.complete(o.env, o.Profile, p, o.engine)
}

// Validate checks the flags.
func (o *VerifyOptions) Validate() error {
	formats := report.Formats()
	if o.List {
		formats = append(append([]string(nil), formats...), "markdown")
	}
	if !slices.Contains(formats, o.Output) {
		return exitcode.Usage("--output must be one of %s, not %q", strings.Join(formats, ", "), o.Output)
	}
	if o.List && !slices.Contains(report.CatalogueFormats, o.Output) {
		return exitcode.Usage("--list prints text, json, yaml or markdown")
	}
	switch o.engine.FailOn {
	case verify.FailOnFail, verify.FailOnWarn, verify.FailOnNew:
	default:
		return exitcode.Usage("--fail-on must be fail, warn or new, not %q", o.engine.FailOn)
	}
	if err := o.assess.validate(o.Output, o.engine); err != nil {
		return err
	}
	if err := o.clusterReport.validate(); err != nil {
		return err
	}
	if o.engine.Wait < 0 || o.engine.Timeout <= 0 {
		return exitcode.Usage("--wait must not be negative and --timeout must be positive")
	}
	if o.ACRName != "" {
		if t := acrToken(); t.Validate(o.ACRName) != nil {
			if strings.HasPrefix(o.acrSource, "$") {
				return exitcode.Usage("invalid %s %q (from the environment; --%s overrides it): %s", t.EnvVar, o.ACRName, t.Flag, t.Rule)
			}
			return exitcode.Usage("%v", t.Validate(o.ACRName))
		}
	}
	return o.env.validateClusters(o.Contexts, o.AllContexts)
}

// acrToken is the registry name's row of the placeholder table: its flag,
// variable and rule are the ones configure uses.
func acrToken() placeholder.Token {
	t, _ := placeholder.Lookup(placeholder.ACRName)
	return t
}

// Run lists, prints the profile, or verifies.
func (o *VerifyOptions) Run(ctx context.Context) error {
	out := o.env.Streams.Out
	switch {
	case o.List:
		return report.WriteCatalogue(out, o.engine.Checks, o.Output, o.env.Name)
	case o.PrintProfile:
		b, err := o.engine.Profile.YAML()
		if err != nil {
			return err
		}
		_, err = out.Write(b)
		return err
	}
	res, err := o.verifyAndRender(ctx, out, o.color())
	if err != nil {
		return err
	}
	if res.Verdict == verify.Interrupted {
		return exitcode.WithCode(res.Verdict.ExitCode(), ctx.Err())
	}
	// A single cluster we could not reach ends with the explained error.
	if len(res.Targets) == 1 && res.Targets[0].Err != nil {
		return exitcode.WithCode(res.Verdict.ExitCode(), res.Targets[0].Err)
	}
	return exitcode.Silent(res.Verdict.ExitCode())
}

// verifyAndRender runs the engine on the selected clusters and, unless
// interrupted, writes the report to w.
func (o *VerifyOptions) verifyAndRender(ctx context.Context, w io.Writer, color bool) (*verify.Outcome, error) {
	targets, err := o.env.clusters(o.Contexts, o.AllContexts)
	if err != nil {
		return nil, err
	}
	o.engine.Progress = progress.New(o.env.Streams.ErrOut)
	res, err := verify.Run(ctx, targets, o.engine)
	if err != nil || res.Verdict == verify.Interrupted {
		return res, err
	}
	notes(o.engine.Progress, res)
	ro := o.assess.renderOptions(o.Output, color, res)
	ro.OpenReports = o.clusterReport.options(res)
	if err := report.Write(w, res.Reports(), ro); err != nil {
		return res, err
	}
	if err := o.assess.writeEvidence(ctx, o.engine.Progress, o.env.Name, o.engine, res); err != nil {
		return res, err
	}
	return res, o.clusterReport.write(ctx, o.engine.Progress, res)
}

// color says whether the report is coloured: text on a terminal, unless
// NO_COLOR is set.
func (o *VerifyOptions) color() bool { return colorFor(o.env.Streams.Out, o.Output) }

func colorFor(w io.Writer, format string) bool {
	if os.Getenv("NO_COLOR") != "" || format != "text" {
		return false
	}
	// The file itself, or main's watch on it (exitcode.Output).
	f, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}
