package plugin

import (
	"context"
	"errors"
	"io"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/verify"
)

// runVerifyCategories runs the checks of the named categories (all when
// empty) with the default profile against env's cluster, writes the text
// report to w and reports whether nothing failed. bootstrap calls it after
// the apply; err is set only when the cluster could not be checked.
func runVerifyCategories(ctx context.Context, env *Env, categories []string, w io.Writer) (passed bool, err error) {
	o := NewVerifyOptions(env)
	o.Categories = categories
	if err := o.Complete(); err != nil {
		return false, err
	}
	res, err := o.verifyAndRender(ctx, w, colorFor(w, o.Output))
	switch {
	case err != nil:
		return false, err
	case res.Verdict == verify.Interrupted:
		return false, ctx.Err()
	case res.Verdict == verify.Passed:
		return true, nil
	case res.Verdict == verify.Failed:
		return false, nil
	case res.Targets[0].Err != nil:
		return false, exitcode.WithCode(exitcode.CouldNotCheck, res.Targets[0].Err)
	}
	// The report holds the details; say what it means.
	return false, exitcode.WithCode(exitcode.CouldNotCheck, errors.New("no check could read the cluster: every one errored (see the report)"))
}
