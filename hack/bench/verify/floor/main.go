// Command floor reads the nodes and pods of the kubeconfig's cluster the
// cheapest way a client can, and nothing else: the floor the verify
// benchmark compares verify's time with. Judging may cost at most 30% over
// reading (issue 18). It is its own small program, linking client-go only,
// so that its peak RSS is that of reading.
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sync/errgroup"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// usage: floor PAGE-SIZE   (the bench passes verify's)
func main() {
	limit, err := strconv.ParseInt(os.Args[len(os.Args)-1], 10, 64)
	if len(os.Args) != 2 || err != nil || limit <= 0 {
		fmt.Fprintln(os.Stderr, "usage: floor PAGE-SIZE")
		os.Exit(2)
	}
	if err := floor(limit); err != nil {
		fmt.Fprintln(os.Stderr, "✗", err)
		os.Exit(1)
	}
}

// floor lists nodes and pods from the kubeconfig's cluster, concurrently as
// verify reads them, as protobuf in pages of limit, with no client-side
// rate limit; each page is dropped as the next is asked for. It fails when
// either list is empty, so that it never times an empty cluster.
func floor(limit int64) error {
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(clientcmd.NewDefaultClientConfigLoadingRules(), nil).ClientConfig()
	if err != nil {
		return err
	}
	cfg.ContentType = runtime.ContentTypeProtobuf
	cfg.AcceptContentTypes = runtime.ContentTypeProtobuf
	cfg.QPS = -1
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	ctx := context.Background()
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		return countPages(ctx, "nodes", limit, func(o metav1.ListOptions) (int, string, error) {
			l, err := cs.CoreV1().Nodes().List(ctx, o)
			if err != nil {
				return 0, "", err
			}
			return len(l.Items), l.Continue, nil
		})
	})
	g.Go(func() error {
		return countPages(ctx, "pods", limit, func(o metav1.ListOptions) (int, string, error) {
			l, err := cs.CoreV1().Pods(metav1.NamespaceAll).List(ctx, o)
			if err != nil {
				return 0, "", err
			}
			return len(l.Items), l.Continue, nil
		})
	})
	return g.Wait()
}

// countPages follows list's continue tokens and counts the items.
func countPages(ctx context.Context, what string, limit int64, list func(metav1.ListOptions) (int, string, error)) error {
	opts := metav1.ListOptions{Limit: limit}
	total := 0
	for {
		n, cont, err := list(opts)
		if err != nil {
			return fmt.Errorf("listing %s: %w", what, err)
		}
		total += n
		if cont == "" {
			break
		}
		opts.Continue = cont
	}
	if total == 0 {
		return fmt.Errorf("no %s to list: the floor would time an empty cluster", what)
	}
	return ctx.Err()
}
