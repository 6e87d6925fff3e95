package plugin

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
)

// runVerifyCategories runs the checks of the named categories (all when
// empty) with the default profile against env's cluster, writes the text
// report to w and reports whether nothing failed. bootstrap calls it after
// the apply; err is set only when the cluster could not be checked.
func runVerifyCategories(ctx context.Context, env *Env, categories []string, w io.Writer) (passed bool, err error) {
	o := &VerifyOptions{
		env:          &Env{Streams: env.Streams, ConfigFlags: env.ConfigFlags, Factory: env.Factory, Name: env.Name},
		Categories:   categories,
		FailOn:       "fail",
		Output:       "text",
		Timeout:      time.Minute,
		now:          time.Now,
		pollInterval: 5 * time.Second,
	}
	o.env.Streams.Out = w
	if err := o.Complete(); err != nil {
		return false, err
	}
	err = o.Run(ctx)
	switch code := exitcode.Code(err); {
	case err == nil:
		return true, nil
	case code == exitcode.Failed:
		return false, nil
	case exitcode.IsSilent(err):
		// The report holds the details; say what it means.
		return false, exitcode.WithCode(code, errors.New("no check could read the cluster: every one errored (see the report)"))
	default:
		return false, err
	}
}
