package plugin

import "github.com/spf13/cobra"

// addCommands registers the product's commands, one line each.
func addCommands(root *cobra.Command, env *Env) {
	root.AddCommand(newVerifyCommand(env))
	root.AddCommand(newCompletionCommand(env))
	root.AddCommand(newConfigureCommand(env))
	root.AddCommand(newBootstrapCommand(env))
}
