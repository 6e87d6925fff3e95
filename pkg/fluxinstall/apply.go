package fluxinstall

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	objmeta "github.com/fluxcd/cli-utils/pkg/object"
	"github.com/fluxcd/pkg/ssa"
	ssaerrors "github.com/fluxcd/pkg/ssa/errors"
	ssautil "github.com/fluxcd/pkg/ssa/utils"
	"golang.org/x/sync/errgroup"
)

// ApplyError is a failure once writing has begun: every object of the stage
// that failed, not only the first.
type ApplyError struct {
	stage string
	errs  []error
}

func (e *ApplyError) Error() string {
	var parts []string
	for _, err := range e.errs {
		parts = append(parts, err.Error())
	}
	return fmt.Sprintf("applying %s: %s", e.stage, strings.Join(parts, "; "))
}

func (e *ApplyError) Unwrap() []error { return e.errs }

// waitEstablished waits until every CRD among changes is Established.
func (in *installer) waitEstablished(ctx context.Context, changes []*change, deadline time.Time) error {
	var crds objmeta.ObjMetadataSet
	for _, c := range changes {
		if ssautil.IsCRD(c.obj.Unstructured) {
			crds = append(crds, objmeta.UnstructuredToObjMetadata(c.obj.Unstructured))
		}
	}
	if len(crds) == 0 {
		return nil
	}
	pr := in.progress
	pr.Waitingf("waiting for %d CRDs to be established", len(crds))
	if err := in.waitCurrent(ctx, crds, "CRDs to be established", in.crdPollInterval, deadline); err != nil {
		return err
	}
	pr.Successf("%d CRDs established", len(crds))
	return nil
}

// apply writes the plan: stage one (CRDs, Namespaces, ClusterRoles)
// concurrently, then waits until every CRD of the set is Established
// (bounded by deadline, not a fixed minute), then stage two concurrently.
// Unchanged objects are not sent again, so a re-run writes nothing. The
// plan's actions are updated with what the server actually did.
func (in *installer) apply(ctx context.Context, p *plan, deadline time.Time) error {
	var one, two []*change
	for _, c := range p.changes {
		if stageOne(c.obj) {
			one = append(one, c)
		} else {
			two = append(two, c)
		}
	}
	pr := in.progress
	pr.Actionf("applying %d cluster definitions (CRDs, namespaces, cluster roles)", len(one))
	if err := in.applyStage(ctx, "cluster definitions", one); err != nil {
		return err
	}
	pr.Successf("cluster definitions %s", countActions(one))

	if _, err := in.nudgeStuck(ctx, one); err != nil {
		return err
	}
	if err := in.waitEstablished(ctx, one, deadline); err != nil {
		return err
	}

	// The controllers to recreate are independent: removed at once.
	g, gctx := errgroup.WithContext(ctx)
	for _, c := range two {
		if c.recreate {
			pr.Actionf("recreating %s: its spec.selector changes, which Kubernetes does not allow in place", c.obj.ref())
			g.Go(func() error { return in.recreate(gctx, c, deadline) })
		}
	}
	if err := g.Wait(); err != nil {
		return err
	}
	pr.Actionf("applying %d objects", len(two))
	if err := in.applyStage(ctx, "objects", two); err != nil {
		return err
	}
	pr.Successf("objects %s", countActions(two))
	return nil
}

// applyStage applies each changed object with ssa's Apply, at most
// in.concurrency at a time. Not ssa's ApplyAll: it stops at the first
// failure and returns no change set then, so neither what was written nor
// every failure could be reported; and it writes one object after another.
func (in *installer) applyStage(ctx context.Context, stage string, changes []*change) error {
	var (
		mu   sync.Mutex
		errs []error
	)
	var g errgroup.Group
	g.SetLimit(in.concurrency)
	for _, c := range changes {
		if c.action == ssa.UnchangedAction {
			continue
		}
		g.Go(func() error {
			if ctx.Err() != nil {
				return nil
			}
			entry, err := in.manager.Apply(ctx, c.obj.DeepCopy(), ssa.ApplyOptions{WaitInterval: in.pollInterval, WaitTimeout: time.Minute})
			if err != nil {
				mu.Lock()
				errs = append(errs, explainApplyError(c.obj, err))
				mu.Unlock()
				return nil
			}
			c.action = entry.Action
			if entry.Action == ssa.CreatedAction || entry.Action == ssa.ConfiguredAction {
				in.wrote.Store(true)
			}
			return nil
		})
	}
	_ = g.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if len(errs) > 0 {
		sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
		return &ApplyError{stage: stage, errs: errs}
	}
	return nil
}

func explainApplyError(o object, err error) error {
	var dre *ssaerrors.DryRunErr
	if errors.As(err, &dre) {
		return fmt.Errorf("%s (%s) rejected: %s", o.ref(), o.origin, apiReason(errors.Unwrap(dre)))
	}
	return err
}
