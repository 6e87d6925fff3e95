package flux

import (
	"context"
	"os"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/crd"
)

// StartWhenServed waits until kubeconfig exists and its cluster serves the
// kinds the controllers watch (crd.Flux: from bootstrap, or from the
// seeding in the extension era), then starts them in workdir. When a start
// fails (the controllers exit if the API server goes away while they
// start), retry, if not nil, is told why and the start is tried again two
// seconds later; with a nil retry the first error is returned. It returns
// ctx's error once ctx ends first.
func StartWhenServed(ctx context.Context, kubeconfig, workdir string, retry func(error)) (*Controllers, error) {
	var c client.Client
	for c == nil {
		if _, err := os.Stat(kubeconfig); err == nil {
			if cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig); err == nil {
				c, _ = client.New(cfg, client.Options{})
			}
		}
		if c != nil {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
	if err := crd.WaitEstablished(ctx, c, 500*time.Millisecond, crd.Flux...); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	for {
		f, err := Start(ctx, kubeconfig, workdir)
		if err == nil {
			return f, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if retry == nil {
			return nil, err
		}
		retry(err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
}
