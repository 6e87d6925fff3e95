package plugin

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/kubectl/pkg/util/templates"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
)

// completionTargets are the shells cobra writes scripts for, plus the helper
// kubectl runs for plugin completion.
var completionTargets = []string{"bash", "zsh", "fish", "powershell", "kubectl-plugin"}

// kubectlCompletionShim is the file name kubectl (1.26+) looks up on PATH to
// complete 'kubectl aksbaseline …': kubectl_complete-<plugin>.
const kubectlCompletionShim = "kubectl_complete-aksbaseline"

// CompletionOptions holds the flags and state of the completion command.
type CompletionOptions struct {
	env            *Env
	Target         string
	NoDescriptions bool
}

func newCompletionCommand(env *Env) *cobra.Command {
	o := &CompletionOptions{env: env}
	cmd := &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell|kubectl-plugin",
		Short: "Print a shell completion script, or kubectl's plugin-completion helper",
		Long: templates.LongDesc(`
			Print a completion script for bash, zsh, fish or PowerShell; it completes the
			` + executableName(env.Name) + ` command typed directly.

			Tab completion of 'kubectl aksbaseline' goes through kubectl's own completion,
			which (kubectl 1.26+) runs ` + kubectlCompletionShim + ` from PATH:
			'completion kubectl-plugin' prints that helper. 'make install' puts it beside
			the binary; after 'kubectl krew install aksbaseline', save it on your PATH
			yourself. Tab completion of 'flux aksbaseline' needs nothing more: flux asks
			the plugin directly.`),
		Example: env.Example(`
			# Let kubectl 1.26+ complete 'kubectl aksbaseline': save the helper on your PATH
			%[1]s completion kubectl-plugin > ~/.local/bin/` + kubectlCompletionShim + `
			chmod +x ~/.local/bin/` + kubectlCompletionShim + `

			# bash, in the current shell
			source <(%[1]s completion bash)

			# zsh, for every new shell
			%[1]s completion zsh > "${fpath[1]}/_` + executableName(env.Name) + `"`),
		ValidArgs:             completionTargets,
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return inTurn(func() error { return o.Complete(args) }, o.Validate, func() error { return o.Run(cmd.Root()) })
		},
	}
	cmd.Flags().BoolVar(&o.NoDescriptions, "no-descriptions", o.NoDescriptions, "If true, offer completions without their descriptions.")
	return cmd
}

// Complete takes the target from the arguments.
func (o *CompletionOptions) Complete(args []string) error {
	if len(args) != 1 {
		return exitcode.Usage("give one of %s", strings.Join(completionTargets, ", "))
	}
	o.Target = args[0]
	return nil
}

// Validate checks the target.
func (o *CompletionOptions) Validate() error {
	for _, t := range completionTargets {
		if o.Target == t {
			return nil
		}
	}
	return exitcode.Usage("unknown completion target %q: give one of %s", o.Target, strings.Join(completionTargets, ", "))
}

// Run writes the script for the target to stdout.
func (o *CompletionOptions) Run(root *cobra.Command) error {
	out := o.env.Streams.Out
	if o.Target == "kubectl-plugin" {
		_, err := io.WriteString(out, KubectlCompletionShim())
		return err
	}
	// The scripts register themselves for the root's name; make that the
	// executable's, which is what the shell sees the user type.
	use := root.Use
	root.Use = executableName(o.env.Name)
	defer func() { root.Use = use }()
	desc := !o.NoDescriptions
	switch o.Target {
	case "bash":
		return root.GenBashCompletionV2(out, desc)
	case "zsh":
		if desc {
			return root.GenZshCompletion(out)
		}
		return root.GenZshCompletionNoDesc(out)
	case "fish":
		return root.GenFishCompletion(out, desc)
	default:
		if desc {
			return root.GenPowerShellCompletionWithDesc(out)
		}
		return root.GenPowerShellCompletion(out)
	}
}

// KubectlCompletionShim is the executable kubectl runs to complete the plugin:
// it hands the words to cobra's hidden __complete command, which answers
// without contacting a cluster.
func KubectlCompletionShim() string {
	return fmt.Sprintf(`#!/usr/bin/env sh
# %[1]s: kubectl (1.26+) runs this to complete
# 'kubectl aksbaseline ...'. Keep it on PATH, beside kubectl-aksbaseline.
# Written by 'kubectl aksbaseline completion kubectl-plugin'.
exec kubectl-aksbaseline __complete "$@"
`, kubectlCompletionShim)
}

// executableName is the file name behind a display name: "kubectl
// aksbaseline" runs kubectl-aksbaseline, "flux aksbaseline" flux-aksbaseline.
func executableName(display string) string {
	return strings.Replace(display, " ", "-", 1)
}
