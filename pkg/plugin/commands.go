package plugin

import "github.com/spf13/cobra"

// addCommands registers the product's commands, one line each.
func addCommands(root *cobra.Command, env *Env) {
	root.AddCommand(newVerifyCommand(env))
	root.AddCommand(newCompletionCommand(env))
	root.AddCommand(newConfigureCommand(env))
	root.AddCommand(newBootstrapCommand(env))
	root.AddCommand(newEvidenceCommand(env))
	root.AddCommand(newStatusCommand(env))
}

// inTurn runs a command's steps (Complete, Validate, Run) in order and
// stops at the first error, which cobra reports.
func inTurn(steps ...func() error) error {
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}
