package fluxinstall

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// The upgrade of an older Flux, in the order install runs it:
//
//	prepareUpgrade  plan (reads only) and print it; refuse a newer Flux
//	upgradeStores   suspend the managing Kustomization, open the bridge,
//	                dry-run every move, store the new version, re-store
//	                every object, forget the old versions
//	(apply)         the set's CRDs and controllers; recreate()s first
//	finishUpgrade   compare UIDs, resume, say whether Git agrees
//
// Each step looks at the cluster before it writes and skips what is done,
// so a run stopped anywhere converges when run again.

// active reports whether the plan asks for more than applying the set
// (a manager with no kinds to move is one an earlier run left suspended).
func (p *upgradePlan) active() bool {
	return p != nil && (len(p.kinds) > 0 || len(p.recreate) > 0 || p.manager != nil)
}

// prepareUpgrade plans the upgrade and prints the plan. A Flux newer than
// the set's is refused unless force.
func (in *installer) prepareUpgrade(ctx context.Context, set *Set, force bool) (*upgradePlan, error) {
	up, err := in.planUpgrade(ctx, set)
	if err != nil {
		return nil, err
	}
	if err := checkNotNewer(up.installed, up.target); err != nil {
		var re *RefusedError
		if !force || !errors.As(err, &re) {
			return nil, err
		}
		in.progress.Warningf("--force: %s", re.forced)
	}
	changes, err := in.selectorChanges(ctx, set)
	if err != nil {
		return nil, err
	}
	up.recreate = changes
	if !up.active() {
		return nil, nil
	}
	in.printPlan(up)
	return up, nil
}

// upgradeStores moves every object of the plan's kinds to the new storage
// version. Where admission may judge a move, nothing but the bridge is
// written before every such move has passed the server's dry-run, and a
// rejection takes the bridge back; where none may, the schemas have had
// the last word and the CRDs switch storage at once.
func (in *installer) upgradeStores(ctx context.Context, up *upgradePlan) error {
	if len(up.kinds) == 0 {
		return nil
	}
	p := in.progress
	judges := in.admissionJudges(ctx, up.kinds)
	if up.manager != nil && up.managerResumeOK {
		ks, err := in.setSuspended(ctx, *up.manager, true)
		if err != nil {
			return err
		}
		in.refreshPlanned(up, ks)
		p.Successf("suspended Kustomization %s: neither Git nor the old controllers re-apply Flux while it moves", up.manager)
	}
	originals := map[*kindMove][]any{}
	if len(judges) > 0 {
		for _, k := range up.kinds {
			vs, _, _ := unstructured.NestedSlice(k.crd.Object, "spec", "versions")
			originals[k] = vs
			if err := in.openBridge(ctx, k); err != nil {
				return err
			}
		}
		p.Successf("%d CRDs serve their new versions beside the old ones", len(up.kinds))
	}
	var rejected []rejection
	dryRun := 0
	for _, k := range up.kinds {
		if len(judges[k]) == 0 {
			continue
		}
		r, err := in.dryRunMoves(ctx, k)
		if err != nil {
			return err
		}
		rejected = append(rejected, r...)
		dryRun += len(k.objects)
	}
	if len(rejected) > 0 {
		// Take everything back: the cluster is as it was, and the
		// rejection is the "nothing written" kind (exit 2).
		for _, k := range up.kinds {
			if err := in.closeBridge(ctx, k, originals[k]); err != nil {
				return fmt.Errorf("%w (and taking the bridge back failed: %v)", &RejectedError{rejections: rejected}, err)
			}
		}
		if up.manager != nil && up.managerResumeOK {
			if _, err := in.setSuspended(ctx, *up.manager, false); err != nil {
				return fmt.Errorf("%w (and resuming Kustomization %s failed: %v)", &RejectedError{rejections: rejected}, up.manager, err)
			}
		}
		in.wrote.Store(false)
		return &RejectedError{rejections: rejected}
	}
	in.reportAdmission(up, judges, dryRun)
	// Each kind moves on its own, all at once: its CRD stores the new
	// version, every object the plan read is re-stored (in.bulkConcurrency
	// updates in flight across the kinds), then those created since are
	// caught up and re-stored, and its old versions are forgotten as soon
	// as its own last object is stored at the new one. One kind's CRD
	// switch, discovery wait and status patch overlap the others'
	// re-stores; the catch-up's list, which waits for the API server to
	// fill its cache of the new version, comes once the cache has filled
	// beside the updates instead of holding them back.
	slots := semaphore.NewWeighted(int64(in.bulkConcurrency))
	var written atomic.Int64
	if err := in.eachKind(ctx, up.kinds, func(ctx context.Context, k *kindMove) error {
		if err := in.storeNew(ctx, k); err != nil {
			return err
		}
		n, err := in.restore(ctx, k, k.objects, slots)
		written.Add(int64(n))
		if err != nil {
			return err
		}
		added, err := in.catchUp(ctx, k)
		if err != nil {
			return err
		}
		n, err = in.restore(ctx, k, added, slots)
		written.Add(int64(n))
		if err != nil {
			return err
		}
		return in.forgetOldVersions(ctx, k)
	}); err != nil {
		return err
	}
	p.Successf("%d objects re-stored at their new versions (%d written); storedVersions hold only the new versions", up.objectCount(), written.Load())
	return nil
}

// eachKind runs fn for every kind concurrently and returns the first error.
func (in *installer) eachKind(ctx context.Context, kinds []*kindMove, fn func(context.Context, *kindMove) error) error {
	g, gctx := errgroup.WithContext(ctx)
	for _, k := range kinds {
		g.Go(func() error { return fn(gctx, k) })
	}
	return g.Wait()
}

// refreshPlanned replaces the planned form of the object u is with u (the
// suspend changed it), so that its re-store carries the suspension.
func (in *installer) refreshPlanned(up *upgradePlan, u *unstructured.Unstructured) {
	for _, k := range up.kinds {
		for i, m := range k.objects {
			if m.live.GetUID() != u.GetUID() {
				continue
			}
			if again, err := moveObject(u, k.target, k.to); err == nil {
				k.objects[i] = again
			}
		}
	}
}

// finishUpgrade checks that every Flux object the plan read is still
// there with its UID, and resumes the managing Kustomization.
func (in *installer) finishUpgrade(ctx context.Context, up *upgradePlan) error {
	p := in.progress
	if in.remap != nil && len(up.kinds) > 0 {
		// The waits ask the mapper for each kind's preferred version,
		// which it learnt when only the old ones were served.
		m, err := in.remap()
		if err != nil {
			return err
		}
		in.mapper, in.poller = m, newPoller(in.client, m)
	}
	if len(up.kinds) > 0 {
		var (
			mu   sync.Mutex
			lost []string
		)
		if err := in.eachKind(ctx, up.kinds, func(ctx context.Context, k *kindMove) error {
			now, err := in.uids(ctx, k, k.to)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			for _, m := range k.objects {
				if _, ok := now[m.live.GetUID()]; !ok {
					lost = append(lost, fmt.Sprintf("%s (UID %s)", m.ref(), m.live.GetUID()))
				}
			}
			return nil
		}); err != nil {
			return err
		}
		sort.Strings(lost)
		missing := len(lost)
		up.kept = up.objectCount() - missing
		if missing > 0 {
			return fmt.Errorf("%d of %d Flux objects are no longer there after the upgrade: %s", missing, up.objectCount(), strings.Join(lost, "; "))
		}
		p.Successf("%d of %d Flux objects kept, every one with its UID", up.kept, up.objectCount())
	}
	if up.manager != nil && up.managerResumeOK {
		if _, err := in.setSuspended(ctx, *up.manager, false); err != nil {
			return err
		}
		p.Successf("resumed Kustomization %s", up.manager)
	}
	return nil
}

// gitVerdict says, once the managing Kustomization has reconciled (or
// failed to), whether the Git tree carries the new Flux: an old tree's
// CRDs are refused by the server (their only version is no longer
// stored), which the Kustomization reports.
func (in *installer) gitVerdict(ctx context.Context, up *upgradePlan, waitErr error) error {
	if up == nil || up.manager == nil || len(up.kinds) == 0 {
		return waitErr
	}
	ks, err := in.getManager(ctx, *up.manager)
	if err != nil || ks == nil {
		return waitErr
	}
	msg := readyMessage(ks)
	old := up.installed
	if old == "" {
		old = "its old version"
	}
	if strings.Contains(msg, "storedVersions") || strings.Contains(msg, "v1beta1") || strings.Contains(msg, "v1beta2") {
		hint := fmt.Errorf("the Git tree Kustomization %s applies still carries Flux %s (%s): run 'configure DIR --upgrade-flux' on it, commit and push, then bootstrap again", up.manager, old, clip(msg, 200))
		if waitErr == nil {
			return hint
		}
		return fmt.Errorf("%w\n%v", waitErr, hint)
	}
	if waitErr == nil {
		in.progress.Successf("Kustomization %s reconciled its Git tree with Flux %s in place: Git and cluster agree", up.manager, up.target)
	}
	return waitErr
}

func readyMessage(u *unstructured.Unstructured) string {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		if m, _ := c.(map[string]any); m["type"] == "Ready" {
			s, _ := m["message"].(string)
			return s
		}
	}
	return ""
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
