package plugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/kubectl/pkg/util/templates"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/sanitize"
	"github.com/aksbaseline/kubectl-aksbaseline/manifests"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/fluxinstall"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/kubeerr"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/placeholder"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/progress"
)

// BootstrapOptions holds the flags and state of the bootstrap command.
type BootstrapOptions struct {
	env *Env

	URL           string
	GitHubAccount string
	Branch        string
	Path          string
	Interval      time.Duration
	Name          string
	SecretRef     string

	Kustomize  string
	Filenames  []string
	Components []string

	Registry        string
	ImagePullSecret string
	OutOfScope      bool

	DryRun  bool
	Diff    bool
	Export  bool
	Force   bool
	Wait    bool
	Timeout time.Duration
	Output  string

	componentsSet bool
}

func newBootstrapCommand(env *Env) *cobra.Command {
	o := &BootstrapOptions{
		env:        env,
		Branch:     "main",
		Path:       "./cluster-manifests",
		Interval:   time.Minute,
		Name:       manifests.Namespace,
		Components: manifests.DefaultComponents(),
		Wait:       true,
		Timeout:    5 * time.Minute,
	}
	cmd := &cobra.Command{
		Use:   "bootstrap",
		Short: "Install Flux by server-side apply, CRDs first, and wait until it is healthy",
		Long: templates.LongDesc(fmt.Sprintf(`
			Install Flux %[1]s (source-controller %[2]s, kustomize-controller %[3]s) the way the
			AKS baseline reference does by hand, done properly: every object is validated by a
			server-side dry-run before the first write; CRDs, namespaces and cluster roles are
			applied first and awaited until established; then everything else; then the
			controllers are awaited with kstatus and verify's Flux checks run.

			The objects come from the Flux install embedded in this binary (plus, with --url or
			--github-account, a GitRepository and Kustomization that sync the repository), or
			from your own folder with -k (a kustomization such as cluster-manifests/flux-system)
			or files with -f. Unreplaced placeholders of the reference are refused before the
			cluster is contacted.

			Nothing is deleted, except the controllers an upgrade must recreate. A re-run
			reports every object unchanged and writes nothing. A Flux managed by the AKS
			microsoft.flux extension or by Helm is refused unless --force; so is a Flux newer
			than this one.

			An older Flux installed by hand (the reference's v0.8.1, v1beta1 APIs) is upgraded
			in place: the plan is printed first (every kind with its object count and stored
			versions, the fields the new APIs drop, the controllers to recreate, the
			Kustomization that applies Flux from Git); every object's move is validated before
			the first write; the CRDs serve the new versions beside the old ones, every object
			is re-stored at the new version, status.storedVersions is set, then the install is
			applied. The Kustomization that manages Flux is suspended meanwhile and resumed at
			the end, and the UIDs of all Flux objects are compared before and after. Move the
			Git tree first ('configure DIR --upgrade-flux', commit, push), or Flux re-applies
			the old version from Git.

			Progress goes to stderr; the change set to stdout, one
			"Kind/namespace/name created|configured|unchanged" line per object, or as
			JSON or YAML with -o.

			Exit codes: 0 applied and healthy; 1 applied but not healthy in time (or the Flux
			checks failed); 2 nothing could be done (bad flags, refused input, rejected objects,
			no API access); 130 interrupted.`, manifests.FluxVersion, manifests.SourceControllerVersion, manifests.KustomizeControllerVersion)),
		Example: env.Example(`
			# Install Flux and sync your fork of the reference
			%[1]s bootstrap --github-account contoso

			# Any Git URL, a private repository with a deploy-key Secret
			%[1]s bootstrap --url ssh://git@github.com/contoso/aks-baseline-regulated --secret-ref flux-system

			# Clusters that pull only from their ACR
			%[1]s bootstrap --github-account contoso --registry myacr.azurecr.io/fluxcd

			# The reference's own folder, built in-process like 'kubectl apply -k'
			%[1]s bootstrap -k cluster-manifests/flux-system

			# The reference's Flux v0.8.1: Git first, then the cluster
			%[1]s configure cluster-manifests --upgrade-flux && git commit -am "Upgrade Flux" && git push
			%[1]s bootstrap -k cluster-manifests/flux-system --dry-run   # the plan
			%[1]s bootstrap -k cluster-manifests/flux-system

			# What would change, without writing anything
			%[1]s bootstrap --github-account contoso --diff

			# The final YAML, without a cluster
			%[1]s bootstrap --github-account contoso --export > flux.yaml`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return inTurn(func() error { return o.Complete(cmd) }, o.Validate, func() error { return o.Run(cmd.Context()) })
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.URL, "url", o.URL, "Git repository URL Flux syncs from (adds a GitRepository and a Kustomization).")
	f.StringVar(&o.GitHubAccount, "github-account", o.GitHubAccount, "GitHub account holding your fork: sets --url to https://github.com/NAME/"+fluxinstall.ReferenceRepo+".")
	f.StringVar(&o.Branch, "branch", o.Branch, "Git branch to sync.")
	f.StringVar(&o.Path, "path", o.Path, "Path in the repository the Kustomization applies.")
	f.DurationVar(&o.Interval, "interval", o.Interval, "How often Flux fetches the repository and reconciles the path.")
	f.StringVar(&o.Name, "name", o.Name, "Name of the GitRepository and Kustomization.")
	f.StringVar(&o.SecretRef, "secret-ref", o.SecretRef, "Secret in the Flux namespace with the credentials of a private repository.")
	f.StringVarP(&o.Kustomize, "kustomize", "k", o.Kustomize, "Apply this kustomization folder (e.g. cluster-manifests/flux-system) instead of the embedded install.")
	f.StringArrayVarP(&o.Filenames, "filename", "f", o.Filenames, "Apply the objects of this file instead of the embedded install (repeatable).")
	f.StringSliceVar(&o.Components, "components", o.Components, "Flux controllers of the embedded install: source-controller, kustomize-controller, helm-controller, notification-controller.")
	f.StringVar(&o.Registry, "registry", o.Registry, "Pull the controller images from this registry: ghcr.io/fluxcd/NAME:TAG becomes REGISTRY/NAME:TAG.")
	f.StringVar(&o.ImagePullSecret, "image-pull-secret", o.ImagePullSecret, "Secret in the Flux namespace the controllers pull their images with.")
	f.BoolVar(&o.OutOfScope, "out-of-scope", o.OutOfScope, "Pin the controllers to the regulated profile's out-of-scope node pool ("+outOfScopeWords()+" in their selector, labels and node selector), as the reference did.")
	f.BoolVar(&o.DryRun, "dry-run", o.DryRun, "Validate every object by server-side dry-run and print the change set; write nothing.")
	f.BoolVar(&o.Diff, "diff", o.Diff, "Print what would change as a unified diff (Secret values masked); write nothing.")
	f.BoolVar(&o.Export, "export", o.Export, "Print the final YAML on stdout and stop; needs no cluster.")
	f.BoolVar(&o.Force, "force", o.Force, "Take over a Flux installed by the AKS microsoft.flux extension or by Helm.")
	f.BoolVar(&o.Wait, "wait", o.Wait, "Wait for the controllers and run the Flux checks after applying.")
	f.DurationVar(&o.Timeout, "timeout", o.Timeout, "How long to wait for CRDs and controllers to become ready.")
	f.StringVarP(&o.Output, "output", "o", o.Output, "Change set format: '' (text), json or yaml.")
	return cmd
}

// Complete fills in derived values. The namespace is resolved in Run, only
// when a cluster is contacted: --export and the flag checks need no
// kubeconfig.
func (o *BootstrapOptions) Complete(cmd *cobra.Command) error {
	o.componentsSet = cmd.Flags().Changed("components")
	if o.GitHubAccount != "" && o.URL == "" {
		o.URL = fluxinstall.GitHubURL(o.GitHubAccount)
	}
	return nil
}

// Validate checks the flags; nothing here touches the cluster.
func (o *BootstrapOptions) Validate() error {
	if err := validateDocOutput(o.Output); err != nil {
		return err
	}
	if o.URL == "" && o.Kustomize == "" && len(o.Filenames) == 0 {
		return exitcode.Usage("bootstrap needs a repository to sync: pass --github-account NAME (your fork of the reference) or --url URL, or your own flux-system folder with -k DIR")
	}
	if o.Kustomize != "" && len(o.Filenames) > 0 {
		return exitcode.Usage("-k and -f cannot be combined: give the folder or the files")
	}
	if (o.Kustomize != "" || len(o.Filenames) > 0) && o.componentsSet {
		return exitcode.Usage("--components selects controllers of the embedded install; with -k or -f your manifests decide")
	}
	have := map[string]bool{}
	for _, c := range o.Components {
		if _, ok := manifests.LookupComponent(c); !ok {
			return exitcode.Usage("unknown component %q in --components: choose from %s", c, strings.Join(manifests.ComponentNames(), ", "))
		}
		have[c] = true
	}
	// The sync objects are reconciled by these two; without them the
	// GitRepository and Kustomization would never become Ready.
	if o.Kustomize == "" && len(o.Filenames) == 0 {
		for _, c := range manifests.DefaultComponents() {
			if !have[c] {
				return exitcode.Usage("--components must include %s: it reconciles the GitRepository and Kustomization bootstrap creates", c)
			}
		}
	}
	if o.GitHubAccount != "" {
		if o.URL != fluxinstall.GitHubURL(o.GitHubAccount) {
			return exitcode.Usage("--github-account and --url cannot be combined: --github-account sets the URL")
		}
		t, _ := placeholder.Lookup(placeholder.GitHubAccount)
		if placeholder.FindIn(o.GitHubAccount) == nil {
			if err := t.Validate(o.GitHubAccount); err != nil {
				return exitcode.WithCode(exitcode.CouldNotCheck, err)
			}
		}
	}
	if err := o.source().Validate(); err != nil {
		return exitcode.WithCode(exitcode.CouldNotCheck, err)
	}
	n := 0
	for _, b := range []bool{o.DryRun, o.Diff, o.Export} {
		if b {
			n++
		}
	}
	if n > 1 {
		return exitcode.Usage("--dry-run, --diff and --export are alternatives: pick one")
	}
	if o.Timeout <= 0 {
		return exitcode.Usage("--timeout must be positive")
	}
	return nil
}

// source says what Build assembles. The sync objects are added when URL is set.
func (o *BootstrapOptions) source() fluxinstall.Source {
	origin := "--url"
	if o.GitHubAccount != "" {
		origin = "--github-account"
	}
	return fluxinstall.Source{
		Kustomize: o.Kustomize, Files: o.Filenames, Components: o.Components,
		Sync: fluxinstall.SyncOptions{
			Origin: origin,
			Name:   o.Name, Namespace: manifests.Namespace, URL: o.URL, Branch: o.Branch,
			Path: o.Path, Interval: o.Interval, SecretRef: o.SecretRef,
		},
		Registry: o.Registry, ImagePullSecret: o.ImagePullSecret, Pin: o.pin(),
		Fix: fmt.Sprintf("fill them in with '%s configure' (or edit the files), then run bootstrap again", o.env.Name),
	}
}

func (o *BootstrapOptions) pin() map[string]string {
	if !o.OutOfScope {
		return nil
	}
	return outOfScopePin()
}

// Run builds the set and, unless --export, installs it; the change set is
// rendered once, whatever the outcome.
func (o *BootstrapOptions) Run(ctx context.Context) error {
	streams := o.env.Streams
	set, err := fluxinstall.Build(o.source())
	if err != nil {
		return exitcode.WithCode(exitcode.CouldNotCheck, err)
	}
	if o.Export {
		return fluxinstall.Export(streams.Out, set)
	}

	p := progress.New(streams.ErrOut)
	cfg, err := o.env.RESTConfig()
	if err != nil {
		return err
	}
	ns, err := o.env.Namespace()
	if err != nil {
		return err
	}
	opts := fluxinstall.Options{
		Config: cfg, Progress: p, DefaultNamespace: ns,
		PlanOnly: o.DryRun || o.Diff, Force: o.Force, Wait: o.Wait, Timeout: o.Timeout,
		Verify: func(ctx context.Context) (bool, error) {
			return runVerifyCategories(ctx, o.env, []string{"flux"}, streams.ErrOut)
		},
	}
	// The text change set is for a person at a terminal: show it as soon as
	// the apply ends rather than after minutes of waiting. A document
	// (-o json|yaml) is written once, whole, at the end.
	var rerr error
	rendered := false
	if o.Output == "" {
		opts.Applied = func(r fluxinstall.Result) { rerr, rendered = o.render(streams.Out, r), true }
	}
	res, err := fluxinstall.Install(ctx, set, opts)
	if err == nil && res.DryRun {
		p.Successf("dry run: %s; nothing written", res.Summary())
	}
	if !rendered {
		rerr = o.render(streams.Out, res)
	}
	if err != nil {
		return o.failure(p, res, err, ctx.Err(), cfg.Host)
	}
	if rerr != nil {
		return rerr
	}
	if res.Healthy != nil && *res.Healthy {
		p.Successf("bootstrap finished: Flux %s is healthy", manifests.FluxVersion)
	}
	return nil
}

// render writes what stdout carries, chosen here once: the diff with
// --diff, else the change set as text or -o json|yaml.
func (o *BootstrapOptions) render(w io.Writer, r fluxinstall.Result) error {
	// The diff and the text change set show what the cluster and the
	// manifests hold: their control characters are shown, not obeyed.
	if o.Diff {
		return fluxinstall.WriteDiff(sanitize.Writer(w), r)
	}
	if o.Output == "" {
		w = sanitize.Writer(w)
	}
	return fluxinstall.WriteChangeSet(w, o.Output, r)
}

// failure maps where Install stopped to the exit code and what the user
// reads: nothing written is 2 (nothing could be done), something written
// or a wait or check that failed is 1 (applied but not healthy), and an
// interrupt (ctxErr set) is left to main (130).
func (o *BootstrapOptions) failure(p *progress.Printer, r fluxinstall.Result, err, ctxErr error, host string) error {
	if ctxErr != nil {
		note := "nothing was written"
		if r.Wrote {
			note = "some objects were applied; re-run bootstrap to converge"
		}
		p.Failuref("interrupted while %s; %s", r.Stage, note)
		return ctxErr
	}
	switch r.Stage {
	case fluxinstall.StageVerify:
		if errors.Is(err, fluxinstall.ErrUnhealthy) {
			p.Failuref("%v", err)
		} else {
			p.Failuref("Flux checks could not run: %v", err)
		}
		return exitcode.Silent(exitcode.Failed)
	case fluxinstall.StageWait:
		return &exitcode.Error{Code: exitcode.Failed, Err: fmt.Errorf("%w\nFlux was applied but is not healthy; inspect with 'kubectl -n %s get deploy,pods,gitrepositories,kustomizations' and run bootstrap again (or '%s verify') when it has settled", explain(err, host), manifests.Namespace, o.env.Name)}
	}
	err = explain(err, host)
	// A wait that times out after the apply began judges objects that are
	// in the cluster, written now or by an earlier run: they are not
	// healthy (1), not unreachable (2).
	var timeout *fluxinstall.TimeoutError
	if r.Stage == fluxinstall.StageApply && errors.As(err, &timeout) {
		return &exitcode.Error{Code: exitcode.Failed, Err: fmt.Errorf("%w\nthe cluster definitions are applied but not established; run bootstrap again to converge, or inspect them with 'kubectl get crds'", err)}
	}
	if !r.Wrote {
		return exitcode.WithCode(exitcode.CouldNotCheck, err)
	}
	return &exitcode.Error{Code: exitcode.Failed, Err: fmt.Errorf("%w\nsome objects were applied; run bootstrap again to converge: it applies only what is missing or different", err)}
}

// explain turns errors reaching the API server into kubeerr's plain lines;
// fluxinstall's own errors already say what is wrong and what to do.
func explain(err error, host string) error {
	var (
		refused  *fluxinstall.RefusedError
		rejected *fluxinstall.RejectedError
		apply    *fluxinstall.ApplyError
		timeout  *fluxinstall.TimeoutError
	)
	if errors.As(err, &refused) || errors.As(err, &rejected) || errors.As(err, &apply) || errors.As(err, &timeout) {
		return err
	}
	return kubeerr.Explain(err, host)
}
