package plugin

import (
	"context"
	"errors"
	"io"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/report"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/verify"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/waiver"
)

// runVerifyCategories runs the checks of the named categories (all when
// empty) with the default profile and its waivers against env's cluster,
// writes the text report to w and reports whether nothing failed. bootstrap
// calls it after the apply; err is set only when the cluster could not be
// checked.
func runVerifyCategories(ctx context.Context, env *Env, categories []string, w io.Writer) (passed bool, err error) {
	engine := verify.NewOptions(env.Name)
	if engine.Profile, _, err = profile.Load(""); err != nil {
		return false, exitcode.WithCode(exitcode.CouldNotCheck, err)
	}
	if engine.Waivers, err = waiver.FromProfile(engine.Profile.Name+".yaml", engine.Profile); err != nil {
		return false, exitcode.WithCode(exitcode.CouldNotCheck, err)
	}
	if engine.Checks, err = check.Select(categories, nil, nil); err != nil {
		return false, exitcode.Usage("%v", err)
	}
	targets, err := env.clusters(nil, false)
	if err != nil {
		return false, err
	}
	res, err := verify.Run(ctx, targets, engine)
	if err != nil {
		return false, err
	}
	if res.Verdict != verify.Interrupted {
		if err := report.Write(w, res.Reports(), report.Options{Format: "text", Color: colorFor(w, "text"), Elapsed: res.Elapsed}); err != nil {
			return false, err
		}
	}
	switch {
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
