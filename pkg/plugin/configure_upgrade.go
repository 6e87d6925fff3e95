package plugin

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/sanitize"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/configure"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/progress"
)

// runUpgradeFlux regenerates the tree's Flux (configure --upgrade-flux).
func (o *ConfigureOptions) runUpgradeFlux(ctx context.Context) error {
	pr := progress.New(o.env.Streams.ErrOut)
	plan, up, err := configure.PrepareFluxUpgrade(ctx, o.Dir, o.Registry)
	if errors.Is(err, configure.ErrNoFluxInstall) {
		pr.Okf("%s: %v", o.Dir, err)
		return nil
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		return exitcode.WithCode(exitcode.CouldNotCheck, err)
	}
	from := up.From
	if from == "" {
		from = "a Flux of unknown version"
	} else {
		from = "Flux " + from
	}
	pr.Actionf("%s/%s: %s (%s) to Flux %s", o.Dir, up.Folder, from, strings.Join(up.Components, ", "), up.To)
	for _, m := range up.Moved {
		pr.Okf("%s", m)
	}
	if len(up.Pin) > 0 {
		var kv []string
		for k, v := range up.Pin {
			kv = append(kv, k+"="+v)
		}
		sort.Strings(kv)
		pr.Okf("controllers stay pinned to the nodes labelled %s: a patch in %s/kustomization.yaml", strings.Join(kv, ","), up.Folder)
	}
	if o.DryRun {
		if err := plan.WriteDiff(o.env.Streams.Out); err != nil {
			return err
		}
		if len(plan.Changes) == 0 {
			pr.Waitingf("dry run: %s already carries Flux %s; nothing would change", o.Dir, up.To)
		} else {
			pr.Waitingf("dry run: %s would change; nothing written", plural(len(plan.Changes), "file", "files"))
		}
		return nil
	}
	if err := o.applyPlan(ctx, plan); err != nil {
		return err
	}
	if len(plan.Changes) == 0 {
		pr.Okf("%s already carries Flux %s: nothing to change", o.Dir, up.To)
		return nil
	}
	for _, c := range plan.Changes {
		pr.Okf("%s", c.Path)
	}
	pr.Okf("upgraded %s to Flux %s. Next: make the images %s available in your registry (the reference imports them into the ACR's live/fluxcd/), commit and push, then '%s bootstrap -k %s/%s'",
		o.Dir, up.To, strings.Join(up.Images, ", "), o.env.Name, o.Dir, up.Folder)
	return nil
}

// checkFlux reports a Flux in the tree older than the regulated profile's
// supported window.
func (o *ConfigureOptions) checkFlux(tree *configure.Tree) ([]configure.FluxFinding, error) {
	p, err := profile.Builtin("regulated")
	if err != nil {
		return nil, err
	}
	out, err := tree.CheckFlux(p.Flux.SupportedMinors)
	if out == nil {
		out = []configure.FluxFinding{}
	}
	return out, err
}

func (o *ConfigureOptions) reportFlux(pr *progress.Printer, fs []configure.FluxFinding) {
	if len(fs) == 0 {
		return
	}
	pr.Failuref("%s carries a Flux that current Flux no longer supports (%s): run '%s configure %s --upgrade-flux'", o.Dir, fmt.Sprint(len(fs))+" finding(s)", o.env.Name, o.Dir)
}

// applyPlan writes plan and then prints its diff: a failure to write is
// exit 2 (nothing written, or the files restored), an interrupt passes
// through.
func (o *ConfigureOptions) applyPlan(ctx context.Context, plan *configure.Plan) error {
	if err := plan.Apply(ctx); err != nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		return exitcode.WithCode(exitcode.CouldNotCheck, err)
	}
	return plan.WriteDiff(sanitize.Writer(o.env.Streams.Out))
}
