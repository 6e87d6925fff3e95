package plugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/kubectl/pkg/util/templates"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/output"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/sanitize"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/configure"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/placeholder"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/progress"
)

// defaultConfigureDir is where the reference keeps the manifests Flux applies.
const defaultConfigureDir = "./cluster-manifests"

// ConfigureOptions holds the flags and state of the configure command.
type ConfigureOptions struct {
	env    *Env
	Dir    string
	DryRun bool
	Check  bool
	Output string
	// UpgradeFlux regenerates the tree's Flux from the embedded one;
	// Registry names the controllers' image registry for it.
	UpgradeFlux bool
	Registry    string
	// flagValues holds one string per substitutable token, keyed by flag name.
	flagValues map[string]*string
	// lookupEnv reads the environment; a seam for tests.
	lookupEnv func(string) (string, bool)

	// values maps token names to replacements; source says where each came
	// from ("--acr-name" or "$ACR_NAME"), for messages.
	values map[string]string
	source map[string]string

	// verifier holds --add-verifier and its flags.
	verifier verifierOptions
}

func newConfigureCommand(env *Env) *cobra.Command {
	o := &ConfigureOptions{env: env, flagValues: map[string]*string{}, lookupEnv: os.LookupEnv}
	cmd := &cobra.Command{
		Use:   "configure [DIR]",
		Short: "Fill the reference's placeholders into cluster-manifests, or check that none remain",
		Long: templates.LongDesc(`
			Replace the reference's placeholder tokens (ACR name, GitHub account, Key Vault
			name and tenant, ingress workload-identity client ID) in every YAML file under
			DIR (default ./cluster-manifests), instead of the sed commands the reference's
			docs give. Values come from the flags or from the environment variables the
			docs use; flags win. Every value is validated before anything is read.

			The change is printed as a unified diff on stdout. A value YAML would read
			as anything but that string (off, yes, null, 0x1f, 1e3, a date) is written
			quoted where the placeholder stood unquoted. Each changed file must
			still parse as YAML, with the same structure, or nothing at all is written;
			files are written atomically with their mode kept. Symlinks are not followed,
			and nothing outside DIR is touched. Running it again changes nothing.
			YOUR_ACR is left alone: the kustomizations' images: rewrite it.

			With --check, list every placeholder that remains as file:line: TOKEN and
			exit 1 if any does (0 if none): put it in your fork's pipeline. It also exits 1
			while the tree installs a Flux older than the supported window, naming the file
			and the version, and for a symlink that leads out of DIR (named with its
			target): what it leads to is not read, so the tree cannot be called clean.

			With --upgrade-flux, bring DIR/flux-system to the Flux this tool carries:
			gotk-crds.yaml (the CRDs) and gotk-components.yaml (the rest) regenerated for the
			controllers the tree runs, gotk-sync.yaml's objects moved to the current API
			versions (the fields those dropped removed, and named), the controllers' node
			pinning (pci-scope: out-of-scope in the reference) kept as a patch in
			kustomization.yaml. The folder must still build with kustomize, or nothing is
			written. Commit and push, then run bootstrap -k on the folder.

			No cluster is needed.`),
		Example: env.Example(`
			# Preview the substitution for an ACR and a GitHub account
			%[1]s configure --acr-name acraksexample1 --github-account my-org --dry-run

			# Fill in everything from the variables the reference's docs set
			ACR_NAME=acraksexample1 KEYVAULT_NAME=kv-aks-example1 TENANTID_AZURERBAC=$(az account show --query tenantId -o tsv) %[1]s configure

			# Bring the tree's Flux (the reference's v0.8.1) to the one this tool carries
			%[1]s configure cluster-manifests --upgrade-flux

			# Add the in-cluster verifier (hourly verify --report-to-cluster) and fill in its registry
			%[1]s configure --add-verifier --acr-name acraksexample1

			# In CI: fail while any placeholder remains
			%[1]s configure --check cluster-manifests -o json`),
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return inTurn(func() error { return o.Complete(cmd, args) }, o.Validate, func() error { return o.Run(cmd.Context()) })
		},
	}
	for _, t := range placeholder.Tokens {
		if t.Flag == "" {
			continue
		}
		v := new(string)
		o.flagValues[t.Flag] = v
		cmd.Flags().StringVar(v, t.Flag, "", fmt.Sprintf("Replace %s with %s (or $%s).", t.Name, t.Value, t.EnvVar))
	}
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", o.DryRun, "If true, print the diff and write nothing.")
	cmd.Flags().BoolVar(&o.Check, "check", o.Check, "If true, list the placeholders that remain (file:line: TOKEN) and exit 1 if any do.")
	cmd.Flags().StringVarP(&o.Output, "output", "o", o.Output, "Output format of --check: '' (text), json or yaml.")
	cmd.Flags().BoolVar(&o.UpgradeFlux, "upgrade-flux", o.UpgradeFlux, "Regenerate DIR/flux-system's Flux from the one this tool carries (see above).")
	cmd.Flags().StringVar(&o.Registry, "registry", o.Registry, "With --upgrade-flux: pull the controller images from this registry (e.g. myacr.azurecr.io/live/fluxcd); default: the one the tree uses.")
	o.verifier.addFlags(cmd.Flags())
	return cmd
}

// Complete gathers DIR and the values, flags over environment.
func (o *ConfigureOptions) Complete(cmd *cobra.Command, args []string) error {
	o.Dir = defaultConfigureDir
	if len(args) == 1 {
		o.Dir = args[0]
	}
	o.values, o.source = map[string]string{}, map[string]string{}
	for _, t := range placeholder.Tokens {
		if t.Flag == "" {
			continue
		}
		if cmd.Flags().Changed(t.Flag) {
			if o.Check {
				return exitcode.Usage("--check takes no values: --%s given", t.Flag)
			}
			o.values[t.Name], o.source[t.Name] = *o.flagValues[t.Flag], "--"+t.Flag
			continue
		}
		// The environment only fills in values; --check reads none, so a
		// pipeline that exports them can still run it.
		if v, ok := o.lookupEnv(t.EnvVar); ok && v != "" && !o.Check && !o.UpgradeFlux {
			o.values[t.Name], o.source[t.Name] = v, "$"+t.EnvVar
		}
	}
	return nil
}

// Validate checks the flags and every value, before any file is read.
func (o *ConfigureOptions) Validate() error {
	if err := validateDocOutput(o.Output); err != nil {
		return err
	}
	if o.Output != "" && !o.Check {
		return exitcode.Usage("--output applies to --check only; configure prints a diff")
	}
	if o.Check && o.DryRun {
		return exitcode.Usage("--check and --dry-run do not go together: --check never writes")
	}
	if err := o.verifier.validate(o.Check); err != nil {
		return err
	}
	if o.UpgradeFlux && o.verifier.Add {
		return exitcode.Usage("--upgrade-flux and --add-verifier do not go together: run configure once for each")
	}
	if o.Registry != "" && !o.UpgradeFlux {
		return exitcode.Usage("--registry applies to --upgrade-flux only")
	}
	if o.UpgradeFlux {
		if o.Check {
			return exitcode.Usage("--check and --upgrade-flux do not go together: --check reports an old Flux, --upgrade-flux replaces it")
		}
		if len(o.values) > 0 {
			return exitcode.Usage("--upgrade-flux takes no placeholder values: run configure once for each")
		}
		return nil
	}
	if o.Check {
		return nil
	}
	if len(o.values) == 0 && o.verifier.Add {
		return nil
	}
	if len(o.values) == 0 {
		var names []string
		for _, t := range placeholder.Tokens {
			if t.Flag != "" {
				names = append(names, fmt.Sprintf("--%s ($%s)", t.Flag, t.EnvVar))
			}
		}
		return exitcode.Usage("no values given: set at least one of %s, or use --check to list what remains", strings.Join(names, ", "))
	}
	var msgs []string
	for _, t := range placeholder.Tokens {
		v, ok := o.values[t.Name]
		if !ok || t.Validate(v) == nil {
			continue
		}
		if strings.HasPrefix(o.source[t.Name], "$") {
			msgs = append(msgs, fmt.Sprintf("invalid %s %q (from the environment; --%s overrides it): %s", t.EnvVar, v, t.Flag, t.Rule))
		} else {
			msgs = append(msgs, t.Validate(v).Error())
		}
	}
	if len(msgs) > 0 {
		// One line per bad value, each read as an error of its own.
		return exitcode.Usage("%s", strings.Join(msgs, "\nerror: "))
	}
	return nil
}

// Run substitutes, or with --check, reports.
func (o *ConfigureOptions) Run(ctx context.Context) error {
	if o.Check {
		return o.runCheck(ctx)
	}
	if o.UpgradeFlux {
		return o.runUpgradeFlux(ctx)
	}
	pr := progress.New(o.env.Streams.ErrOut)
	if o.verifier.Add {
		if err := o.verifier.add(pr, o.Dir, o.DryRun); err != nil || len(o.values) == 0 {
			return err
		}
	}
	if !o.DryRun {
		pr.Actionf("configuring %s", o.Dir)
	}
	plan, err := configure.Prepare(ctx, o.Dir, o.values)
	if plan != nil {
		o.printSkipped(pr, plan.Tree, true)
	}
	if err != nil {
		return exitcode.WithCode(exitcode.CouldNotCheck, err)
	}
	o.printNotes(pr, plan)
	if o.DryRun {
		if err := plan.WriteDiff(sanitize.Writer(o.env.Streams.Out)); err != nil {
			return err
		}
		if len(plan.Changes) == 0 {
			pr.Waitingf("dry run: nothing would change in %s", o.Dir)
		} else {
			pr.Waitingf("dry run: %s would change (%s); nothing written", plural(len(plan.Changes), "file", "files"), plural(plan.Replacements(), "replacement", "replacements"))
		}
		return nil
	}
	if err := o.applyPlan(ctx, plan); err != nil {
		return err
	}
	for _, c := range plan.Changes {
		parts := make([]string, 0, len(c.Replaced))
		for _, r := range c.Replaced {
			parts = append(parts, fmt.Sprintf("%s ×%d", r.Token, r.N))
		}
		pr.Okf("%s: %s", c.Path, strings.Join(parts, ", "))
	}
	if len(plan.Changes) == 0 {
		pr.Okf("nothing to change in %s: no placeholder for the values given remains", o.Dir)
		return nil
	}
	pr.Okf("configured %s in %s (%s); commit and push them so Flux applies them", plural(len(plan.Changes), "file", "files"), o.Dir, plural(plan.Replacements(), "replacement", "replacements"))
	return nil
}

// printNotes says what was not done and why: values that found no token,
// tokens that got no value, and YOUR_ACR, which stays on purpose.
func (o *ConfigureOptions) printNotes(pr *progress.Printer, plan *configure.Plan) {
	for _, name := range plan.Unused {
		pr.Waitingf("%s given, but %s occurs in no YAML file under %s: nothing to replace", o.source[name], name, o.Dir)
	}
	left := map[string][]string{}
	for _, f := range plan.Left {
		left[f.Token] = append(left[f.Token], fmt.Sprintf("%s:%d", f.File, f.Line))
	}
	for _, t := range placeholder.Tokens {
		if where := left[t.Name]; len(where) > 0 {
			pr.Warningf("%s left in %s (%s): no value given; set --%s or $%s", t.Name, plural(len(where), "place", "places"), strings.Join(where, ", "), t.Flag, t.EnvVar)
		}
	}
	if n := len(plan.Kept); n > 0 {
		pr.Waitingf("%s left in %s on purpose: the kustomizations' images: rewrite it", placeholder.ACRImageRegistry, plural(n, "place", "places"))
	}
}

// printSkipped notes what the walk passed over; a link leading out of the
// folder is a warning, since it may be an attempt to write elsewhere
// (--check reports those as findings instead: escaping false).
func (o *ConfigureOptions) printSkipped(pr *progress.Printer, tree *configure.Tree, escaping bool) {
	for _, s := range tree.Skipped {
		switch {
		case !s.Escapes:
			pr.Waitingf("%s: %s", s.Path, s.Reason)
		case escaping:
			pr.Warningf("%s: %s", s.Path, s.Reason)
		}
	}
}

func (o *ConfigureOptions) runCheck(ctx context.Context) error {
	tree, err := configure.Scan(ctx, o.Dir)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		return exitcode.WithCode(exitcode.CouldNotCheck, err)
	}
	pr := progress.New(o.env.Streams.ErrOut)
	o.printSkipped(pr, tree, false)
	rep := tree.CheckReport(o.Dir)
	if rep.Flux, err = o.checkFlux(tree); err != nil {
		return exitcode.WithCode(exitcode.CouldNotCheck, err)
	}

	if err := o.printCheck(o.env.Streams.Out, rep); err != nil {
		return err
	}
	if tree.YAMLFiles == 0 {
		pr.Warningf("no YAML files under %s: is it the cluster-manifests folder?", o.Dir)
	}
	o.reportFlux(pr, rep.Flux)
	if n := len(rep.Escaping()); n > 0 {
		pr.Failuref("%s out of %s, not followed, so not checked: put what it names into the folder, or link within it", plural(n, "symlink leads", "symlinks lead"), o.Dir)
	}
	if rep.Remaining == 0 && len(rep.Escaping()) > 0 {
		return exitcode.Silent(exitcode.Failed)
	}
	if rep.Remaining == 0 {
		pr.Okf("no placeholders remain in %s (%s checked)", o.Dir, plural(tree.YAMLFiles, "YAML file", "YAML files"))
		if len(rep.Flux) > 0 {
			return exitcode.Silent(exitcode.Failed)
		}
		return nil
	}
	pr.Failuref("%s in %s under %s: fill them with '%s configure'", plural(rep.Remaining, "placeholder remains", "placeholders remain"), plural(rep.Files(), "file", "files"), o.Dir, o.env.Name)
	return exitcode.Silent(exitcode.Failed)
}

func (o *ConfigureOptions) printCheck(out io.Writer, rep configure.CheckReport) error {
	if o.Output != "" {
		return output.Write(out, o.Output, rep)
	}
	for _, p := range rep.Placeholders {
		if _, err := fmt.Fprintln(out, sanitize.Text(p.Finding.String())); err != nil {
			return err
		}
	}
	for _, s := range rep.Escaping() {
		if _, err := fmt.Fprintln(out, sanitize.Text(s.Path+": "+s.Reason)); err != nil {
			return err
		}
	}
	for _, f := range rep.Flux {
		if _, err := fmt.Fprintln(out, sanitize.Text(f.String())); err != nil {
			return err
		}
	}
	return nil
}
