package plugin

import (
	"flag"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"
	"k8s.io/kubectl/pkg/util/templates"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/sanitize"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/version"
)

// Env is what every command shares: the streams, kubectl's kubeconfig flags,
// the client factory built on them, and the name the user typed to run us.
type Env struct {
	Streams     genericiooptions.IOStreams
	ConfigFlags *genericclioptions.ConfigFlags
	Factory     cmdutil.Factory
	// Name is "kubectl aksbaseline" or "flux aksbaseline": every usage line,
	// example and error speaks in the voice of the CLI that launched us.
	Name string
}

// Example renders a kubectl-style example block, %[1]s standing for Name.
func (e *Env) Example(s string) string {
	return templates.Examples(strings.ReplaceAll(s, "%[1]s", e.Name))
}

// DisplayName derives the invoking CLI's view of our name from the program
// name: kubectl-aksbaseline → "kubectl aksbaseline", flux-aksbaseline →
// "flux aksbaseline". Any other name (go run, a renamed copy) reads as kubectl.
func DisplayName(argv0 string) string {
	base := strings.TrimSuffix(filepath.Base(argv0), ".exe")
	switch {
	case strings.HasPrefix(base, "flux-"):
		return "flux " + strings.TrimPrefix(base, "flux-")
	case strings.HasPrefix(base, "kubectl-"):
		// kubectl maps '-' in a command to '_' in the file name.
		return "kubectl " + strings.ReplaceAll(strings.TrimPrefix(base, "kubectl-"), "_", "-")
	}
	return "kubectl aksbaseline"
}

// Default client-go rate limits (5 QPS, burst 10) would serialise the
// concurrent reads verify makes; use what the Flux CLI uses.
const (
	clientQPS   = 50
	clientBurst = 300
)

// NewRootCommand builds the command tree for the program invoked as argv0.
func NewRootCommand(streams genericiooptions.IOStreams, argv0 string) *cobra.Command {
	root, _ := newRoot(streams, argv0)
	return root
}

func newRoot(streams genericiooptions.IOStreams, argv0 string) (*cobra.Command, *Env) {
	env := &Env{Streams: streams, Name: DisplayName(argv0)}
	env.ConfigFlags = genericclioptions.NewConfigFlags(true).
		WithDiscoveryQPS(clientQPS).
		WithDiscoveryBurst(clientBurst).
		WithWrapConfigFn(func(c *rest.Config) *rest.Config {
			c.QPS, c.Burst = clientQPS, clientBurst
			return c
		}).
		WithWarningPrinter(streams)
	env.Factory = cmdutil.NewFactory(env.ConfigFlags)

	info := version.Get()
	root := &cobra.Command{
		Use:   "aksbaseline",
		Short: "Verify and bootstrap AKS clusters built from the AKS baseline for regulated workloads",
		Long: templates.LongDesc(`
			Verify and bootstrap AKS clusters built from the "AKS baseline for regulated
			workloads" reference: prove the nodes, policies, identities, private API server,
			Secrets Store CSI and Flux are what the baseline promises, install Flux by
			server-side apply, and fill in the reference's placeholders.

			Exit codes: 0 nothing failed (warnings allowed); 1 at least one failure
			(or applied but not healthy in time); 2 could not check (bad flags, no API
			access, refused input); 130 interrupted.`),
		Version:       info.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Annotations:   map[string]string{cobra.CommandDisplayNameAnnotation: env.Name},
		// A bare invocation shows help rather than failing.
		Run: func(cmd *cobra.Command, _ []string) { _ = cmd.Help() },
	}
	root.SetVersionTemplate(env.Name + " {{.Version}}\n")
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return exitcode.WithCode(exitcode.CouldNotCheck, err)
	})

	env.ConfigFlags.AddFlags(root.PersistentFlags())
	klogFlags := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(klogFlags)
	// client-go logs request URLs and response bodies at -v=6 and up.
	klog.SetLogFilter(sanitize.LogFilter{})
	root.PersistentFlags().AddGoFlag(klogFlags.Lookup("v"))

	root.AddCommand(newVersionCommand(env))
	addCommands(root, env)
	return root, env
}
