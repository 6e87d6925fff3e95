package fluxinstall

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// newBulkClient is the client of the upgrade's per-object requests: a
// thousand objects at the command's client-side limit (50 a second) would
// take a minute of waiting on the client alone. Its concurrency
// (installer.bulkConcurrency requests in flight) bounds the load instead, and
// the API server's priority and fairness protects it from the rest.
func newBulkClient(cfg *rest.Config, httpClient *http.Client, mapper meta.RESTMapper) (client.Client, error) {
	bc := rest.CopyConfig(cfg)
	bc.QPS, bc.Burst, bc.RateLimiter = -1, 0, nil
	return client.New(bc, client.Options{HTTPClient: httpClient, Mapper: mapper})
}

// objects is the client of the per-object requests.
func (in *installer) objects() client.Client {
	if in.bulk != nil {
		return in.bulk
	}
	return in.client
}

// dryRunMoves sends every object's move to the server as a dry-run
// update at the new version: the server's schema validation and admission
// judge each one before any is written. It returns the rejections.
func (in *installer) dryRunMoves(ctx context.Context, k *kindMove) ([]rejection, error) {
	var (
		mu  sync.Mutex
		out []rejection
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(in.bulkConcurrency)
	for _, m := range k.objects {
		g.Go(func() error {
			err := in.objects().Update(gctx, m.moved.DeepCopy(), client.DryRunAll, client.FieldOwner(upgradeManager), client.FieldValidation(metav1.FieldValidationStrict))
			switch {
			case err == nil, apierrors.IsConflict(err), apierrors.IsNotFound(err):
				// A conflict or a deletion since the list: the write
				// re-reads the object; validation passed or is moot.
				return nil
			case isRejection(err):
				mu.Lock()
				out = append(out, rejection{ref: m.ref(), origin: "on the cluster, moving to " + m.moved.GetAPIVersion(), reason: apiReason(err)})
				mu.Unlock()
				return nil
			default:
				return fmt.Errorf("%s: %w", m.ref(), err)
			}
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ref < out[j].ref })
	return out, nil
}

// restore writes objects of k back at its new storage version, each
// update holding one of slots (the requests in flight across the kinds):
// one update each, which the server stores at the CRD's storage version.
// An object changed since it was read (its controller wrote its status) is
// read again and moved again; one deleted since is gone and needs nothing.
// It returns how many were written (an object already stored at the new
// version is not written again: the server skips an update that changes
// nothing).
func (in *installer) restore(ctx context.Context, k *kindMove, objects []*movedObject, slots *semaphore.Weighted) (int, error) {
	var written atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	for _, m := range objects {
		if err := slots.Acquire(gctx, 1); err != nil {
			break // the group's error, or ctx's, follows from Wait
		}
		g.Go(func() error {
			defer slots.Release(1)
			wrote, err := in.restoreOne(gctx, k, m)
			if err != nil {
				return fmt.Errorf("re-storing %s: %s", m.ref(), apiReason(err))
			}
			if wrote {
				written.Add(1)
			}
			return nil
		})
	}
	err := g.Wait()
	if err == nil {
		err = ctx.Err()
	}
	if written.Load() > 0 {
		in.wrote.Store(true)
	}
	return int(written.Load()), err
}

func (in *installer) restoreOne(ctx context.Context, k *kindMove, m *movedObject) (bool, error) {
	moved := m.moved
	for attempt := 0; ; attempt++ {
		u := moved.DeepCopy()
		err := in.objects().Update(ctx, u, client.FieldOwner(upgradeManager), client.FieldValidation(metav1.FieldValidationStrict))
		notFound := apierrors.IsNotFound(err)
		switch {
		case err == nil:
			return u.GetResourceVersion() != moved.GetResourceVersion(), nil
		case !notFound && !apierrors.IsConflict(err) || attempt == 4:
			return false, err
		}
		// A 404 is an object deleted since it was read (storeNew waited
		// until the new version was served): read it again at that
		// version a moment later, and write it again if it is still there.
		if notFound {
			select {
			case <-ctx.Done():
				return false, ctx.Err()
			case <-time.After(in.crdPollInterval):
			}
		}
		fresh := &unstructured.Unstructured{}
		fresh.SetGroupVersionKind(schema.GroupVersionKind{Group: k.gk.Group, Version: k.to, Kind: k.gk.Kind})
		if err := in.objects().Get(ctx, client.ObjectKey{Namespace: m.live.GetNamespace(), Name: m.live.GetName()}, fresh); err != nil {
			if apierrors.IsNotFound(err) {
				return false, nil
			}
			return false, err
		}
		if fresh.GetUID() != m.live.GetUID() {
			return false, fmt.Errorf("was deleted and created again during the upgrade (UID %s, now %s)", m.live.GetUID(), fresh.GetUID())
		}
		again, err := moveObject(fresh, k.target, k.to)
		if err != nil {
			return false, err
		}
		moved = again.moved
	}
}

// uids lists the UIDs of every object of k at version, metadata only, in
// pages of 500.
func (in *installer) uids(ctx context.Context, k *kindMove, version string) (map[types.UID]types.NamespacedName, error) {
	out := map[types.UID]types.NamespacedName{}
	cont := ""
	for {
		l := &metav1.PartialObjectMetadataList{}
		l.SetGroupVersionKind(schema.GroupVersionKind{Group: k.gk.Group, Version: version, Kind: k.gk.Kind + "List"})
		opts := []client.ListOption{client.Limit(500)}
		if cont != "" {
			opts = append(opts, client.Continue(cont))
		}
		if err := in.client.List(ctx, l, opts...); err != nil {
			return nil, fmt.Errorf("listing %s: %w", k.resource, err)
		}
		for _, it := range l.Items {
			out[it.UID] = types.NamespacedName{Namespace: it.Namespace, Name: it.Name}
		}
		if cont = l.Continue; cont == "" {
			return out, nil
		}
	}
}

// catchUp re-reads k's objects by metadata once the new version is
// stored, and adds to k the moves of those created since the plan's list
// (stored at the old version, they would be lost when it goes), which it
// returns.
func (in *installer) catchUp(ctx context.Context, k *kindMove) ([]*movedObject, error) {
	now, err := in.uids(ctx, k, k.to)
	if err != nil {
		return nil, err
	}
	known := map[types.UID]bool{}
	for _, m := range k.objects {
		known[m.live.GetUID()] = true
	}
	var added []*movedObject
	for uid, key := range now {
		if known[uid] {
			continue
		}
		fresh := &unstructured.Unstructured{}
		fresh.SetGroupVersionKind(schema.GroupVersionKind{Group: k.gk.Group, Version: k.to, Kind: k.gk.Kind})
		if err := in.client.Get(ctx, client.ObjectKey(key), fresh); err != nil {
			if apierrors.IsNotFound(err) {
				continue
			}
			return nil, err
		}
		m, err := moveObject(fresh, k.target, k.to)
		if err != nil {
			return nil, err
		}
		added = append(added, m)
	}
	k.objects = append(k.objects, added...)
	return added, nil
}
