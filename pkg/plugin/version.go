package plugin

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
	apiversion "k8s.io/apimachinery/pkg/version"
	"k8s.io/kubectl/pkg/util/templates"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/output"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/sanitize"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/kubeerr"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/version"
)

// VersionOptions holds the flags and state of the version command.
type VersionOptions struct {
	env        *Env
	ClientOnly bool
	Output     string
}

// versionReport is the -o json|yaml document; field names follow kubectl version's.
type versionReport struct {
	ClientVersion version.Info     `json:"clientVersion"`
	ServerVersion *apiversion.Info `json:"serverVersion,omitempty"`
}

func newVersionCommand(env *Env) *cobra.Command {
	o := &VersionOptions{env: env}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the client and server versions",
		Long: templates.LongDesc(`
			Print this tool's version, commit and build date and, unless --client is
			set, the Kubernetes version of the cluster the kubeconfig points at.`),
		Example: env.Example(`
			# Client and server versions
			%[1]s version

			# Only the client, without contacting a cluster
			%[1]s version --client

			# For scripts
			%[1]s version -o json`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return inTurn(o.Validate, func() error { return o.Run(cmd.Context()) })
		},
	}
	cmd.Flags().BoolVar(&o.ClientOnly, "client", o.ClientOnly, "If true, print the client version only (no cluster access).")
	cmd.Flags().StringVarP(&o.Output, "output", "o", o.Output, "Output format: '' (text), json or yaml.")
	return cmd
}

// Validate checks the flags.
func (o *VersionOptions) Validate() error {
	return validateDocOutput(o.Output)
}

// Run prints the versions; a server that cannot be reached is a could-not-check error
// after the client version has been printed.
func (o *VersionOptions) Run(ctx context.Context) error {
	rep := versionReport{ClientVersion: version.Get()}
	var serverErr error
	if !o.ClientOnly {
		rep.ServerVersion, serverErr = o.serverVersion(ctx)
	}
	out := o.env.Streams.Out
	switch o.Output {
	case "json", "yaml":
		if err := output.Write(out, o.Output, rep); err != nil {
			return err
		}
	default:
		c := rep.ClientVersion
		fmt.Fprintf(out, "Client Version: %s (commit %s, built %s, %s, %s)\n", c.Version, c.Commit, c.BuildDate, c.GoVersion, c.Platform)
		if rep.ServerVersion != nil {
			// The server says what its version is: shown, not obeyed.
			fmt.Fprintf(out, "Server Version: %s\n", sanitize.Text(rep.ServerVersion.GitVersion))
		}
	}
	return serverErr
}

func (o *VersionOptions) serverVersion(ctx context.Context) (*apiversion.Info, error) {
	cfg, err := o.env.RESTConfig()
	if err != nil {
		return nil, err
	}
	cs, err := o.env.Factory.KubernetesClientSet()
	if err != nil {
		return nil, kubeerr.Explain(err, cfg.Host)
	}
	body, err := cs.Discovery().RESTClient().Get().AbsPath("/version").Do(ctx).Raw()
	if err != nil {
		return nil, kubeerr.Explain(err, cfg.Host)
	}
	var info apiversion.Info
	if err := json.Unmarshal(body, &info); err != nil {
		return nil, kubeerr.Explain(fmt.Errorf("decoding /version: %w", err), cfg.Host)
	}
	return &info, nil
}
