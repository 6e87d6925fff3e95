package seed

import (
	"context"

	"golang.org/x/sync/errgroup"
)

// forEach calls fn for 0 ≤ i < n on at most workers goroutines at once: the
// seeder's thousands of nodes and pods are independent writes, and the API
// server, not one request after another, should be what bounds it. The first
// error cancels the rest and is returned.
func forEach(ctx context.Context, workers, n int, fn func(ctx context.Context, i int) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for i := range n {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error { return fn(gctx, i) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	// Wait cancels gctx; the caller's ctx tells whether it ended early.
	return ctx.Err()
}
