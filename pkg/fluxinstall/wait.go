package fluxinstall

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/fluxcd/cli-utils/pkg/kstatus/polling"
	"github.com/fluxcd/cli-utils/pkg/kstatus/polling/event"
	"github.com/fluxcd/cli-utils/pkg/kstatus/status"
	objmeta "github.com/fluxcd/cli-utils/pkg/object"
	ssautil "github.com/fluxcd/pkg/ssa/utils"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/phrase"
)

// TimeoutError says which objects did not become ready before the deadline.
type TimeoutError struct {
	What    string
	Pending []string
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("timed out waiting for %s: still not ready: %s", e.What, strings.Join(e.Pending, "; "))
}

// waitHealthy waits with kstatus until the plan's Deployments (the Flux
// controllers) are Current, rolled out and available, and then until its
// Flux objects (the GitRepository and Kustomization) report Ready, as
// 'flux bootstrap' does: only then is the cluster actually syncing.
func (in *installer) waitHealthy(ctx context.Context, p *plan, deadline time.Time) error {
	var controllers, syncs objmeta.ObjMetadataSet
	for _, c := range p.changes {
		gvk := c.obj.GroupVersionKind()
		switch {
		case gvk.Kind == "Deployment" && gvk.Group == "apps":
			controllers = append(controllers, objmeta.UnstructuredToObjMetadata(c.obj.Unstructured))
		case isFluxKind(gvk.GroupKind()):
			syncs = append(syncs, objmeta.UnstructuredToObjMetadata(c.obj.Unstructured))
		}
	}
	pr := in.progress
	if len(controllers) > 0 {
		pr.Waitingf("waiting for %d controller(s) to become ready", len(controllers))
		if err := in.waitCurrent(ctx, controllers, "controllers", in.pollInterval, deadline); err != nil {
			return err
		}
		pr.Successf("%d controller(s) ready", len(controllers))
	}
	if len(syncs) > 0 {
		pr.Waitingf("waiting for %s to be reconciled", phrase.Summary(refs(syncs), 3))
		if err := in.waitCurrent(ctx, syncs, "Flux objects", in.pollInterval, deadline); err != nil {
			return err
		}
		pr.Successf("%s reconciled", phrase.Summary(refs(syncs), 3))
	}
	return nil
}

func refs(set objmeta.ObjMetadataSet) []string {
	var out []string
	for _, id := range set {
		out = append(out, ssautil.FmtObjMetadata(id))
	}
	return out
}

// waitCurrent polls set with kstatus every interval until every object is
// Current, showing what is still pending. It returns early when every
// object is Current or Failed (a Failed Deployment will not recover by
// waiting), with an error naming the failed ones, a *TimeoutError at the
// deadline, and ctx's error when the user interrupts.
func (in *installer) waitCurrent(ctx context.Context, set objmeta.ObjMetadataSet, what string, interval time.Duration, deadline time.Time) error {
	p := in.progress
	if len(set) == 0 {
		return nil
	}
	wctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	latest := map[objmeta.ObjMetadata]*event.ResourceStatus{}
	events := in.poller.Poll(wctx, set, polling.PollOptions{PollInterval: interval})
	// The redrawn line's elapsed time should move even when no status does.
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var pollErr error
	var unreachableSince time.Time
	finished := false
	show := func() {
		names := pendingNames(set, latest)
		pending, _ := classify(set, latest, false)
		// Off a terminal the line repeats only when the pending set
		// changes, so it names objects, not their changing messages.
		p.Pending(strings.Join(names, ","),
			fmt.Sprintf("waiting for %d of %d %s: %s", len(names), len(set), what, phrase.Summary(names, 4)),
			fmt.Sprintf("waiting for %d of %d %s: %s", len(pending), len(set), what, phrase.Summary(pending, 2)))
	}
loop:
	for {
		var ev event.Event
		var ok bool
		select {
		case ev, ok = <-events:
			if !ok {
				break loop
			}
		case <-tick.C:
			if finished {
				continue
			}
			if err := lostContact(set, latest, &unreachableSince); err != nil {
				p.Done()
				return err
			}
			show()
			continue
		}
		switch ev.Type {
		case event.ErrorEvent:
			pollErr = ev.Error
		case event.ResourceUpdateEvent:
			latest[ev.Resource.Identifier] = ev.Resource
		}
		if finished {
			continue // drain until the poller closes the channel
		}
		if err := lostContact(set, latest, &unreachableSince); err != nil {
			p.Done()
			return err
		}
		pending, failed := classify(set, latest, true)
		if len(pending) == 0 {
			finished = true
			cancel()
			if len(failed) > 0 {
				p.Done()
				return fmt.Errorf("%s failed: %s", what, strings.Join(failed, "; "))
			}
			continue
		}
		show()
	}
	p.Done()
	if finished {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	pending, _ := classify(set, latest, true)
	if errors.Is(wctx.Err(), context.DeadlineExceeded) {
		return &TimeoutError{What: what, Pending: pending}
	}
	if pollErr != nil {
		return fmt.Errorf("waiting for %s: %w", what, pollErr)
	}
	return &TimeoutError{What: what, Pending: pending}
}

// classify returns the objects not yet Current (with their status and
// message) and the Failed ones, named in full or short (for the live line);
// pending is empty once all are terminal.
func classify(set objmeta.ObjMetadataSet, latest map[objmeta.ObjMetadata]*event.ResourceStatus, full bool) (pending, failed []string) {
	for _, id := range set {
		rs := latest[id]
		name := shortRef(id)
		if full {
			name = ssautil.FmtObjMetadata(id)
		}
		switch {
		case rs == nil:
			pending = append(pending, name+" (no status yet)")
		case rs.Status == status.NotFoundStatus:
			pending = append(pending, name+" (not found yet)")
		case rs.Status == status.CurrentStatus:
		case rs.Status == status.FailedStatus:
			failed = append(failed, describe(name, rs))
		default:
			pending = append(pending, describe(name, rs))
		}
	}
	sort.Strings(pending)
	sort.Strings(failed)
	return pending, failed
}

// pendingNames lists the objects not yet Current or Failed.
func pendingNames(set objmeta.ObjMetadataSet, latest map[objmeta.ObjMetadata]*event.ResourceStatus) []string {
	var out []string
	for _, id := range set {
		if rs := latest[id]; rs == nil || (rs.Status != status.CurrentStatus && rs.Status != status.FailedStatus) {
			out = append(out, shortRef(id))
		}
	}
	sort.Strings(out)
	return out
}

// shortRef names an object in a waiting line, where the kind is mostly
// already said: "source-controller", "gitrepositories.source.toolkit.fluxcd.io".
func shortRef(id objmeta.ObjMetadata) string {
	if isFluxKind(id.GroupKind) {
		// The sync objects share a name; their kinds tell them apart.
		return id.GroupKind.Kind + "/" + id.Name
	}
	return id.Name
}

func describe(name string, rs *event.ResourceStatus) string {
	s := fmt.Sprintf("%s %s", name, rs.Status)
	if rs.Message != "" {
		s += " (" + rs.Message + ")"
	}
	if rs.Error != nil {
		s += ": " + innermost(rs.Error.Error())
	}
	return s
}

// innermost keeps the last part of a "Get URL: dial tcp: connect:
// connection refused" chain: the part a human needs.
func innermost(msg string) string {
	if i := strings.LastIndex(msg, ": "); i >= 0 && i+2 < len(msg) {
		return msg[i+2:]
	}
	return msg
}

// unreachableFor is how long every object may fail to be read before the
// wait gives up on the API server instead of waiting out --timeout: long
// enough for a control-plane restart, short enough not to hang.
const unreachableFor = 15 * time.Second

// lostContact returns an error once every object's status has been an
// error (the API server not answering) for unreachableFor.
func lostContact(set objmeta.ObjMetadataSet, latest map[objmeta.ObjMetadata]*event.ResourceStatus, since *time.Time) error {
	var last error
	for _, id := range set {
		rs := latest[id]
		if rs == nil || rs.Error == nil {
			*since = time.Time{}
			return nil
		}
		last = rs.Error
	}
	if since.IsZero() {
		*since = time.Now()
		return nil
	}
	if time.Since(*since) < unreachableFor {
		return nil
	}
	return fmt.Errorf("lost contact with the API server while waiting (%s for %s): %w", innermost(last.Error()), unreachableFor, last)
}
