package main

import (
	"context"
	"log"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/go-logr/logr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/flux"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/gitserver"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/kwok"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/seed"
)

// startGitServer serves the demo's Git folder with an empty fork repository
// for the operator to push to.
func startGitServer(root string) (*gitserver.Server, error) {
	g, err := gitserver.Start(root)
	if err != nil {
		return nil, err
	}
	if _, err := g.Init(sim.RepoName, "main"); err != nil {
		g.Stop()
		return nil, err
	}
	return g, nil
}

// startFlux runs the real Flux controllers once the cluster serves their
// CRDs, with their logs in the demo's logs folder, and records their pids so
// that 'down' can stop them should the daemon die without doing it. A start
// that fails is tried again: in the oldflux era the CRDs serve v1beta1
// alone until the upgrade's bridge serves the versions these controllers
// watch, and they exit until then.
func startFlux(ctx context.Context, l layout) (*flux.Controllers, error) {
	f, err := flux.StartWhenServed(ctx, l.kubeconfig(), l.logs(), func(err error) {
		log.Printf("the Flux controllers did not start (%v); trying again", firstLine(err.Error()))
	})
	if err != nil {
		return nil, err
	}
	var pids []string
	for _, p := range f.PIDs() {
		pids = append(pids, strconv.Itoa(p))
	}
	log.Printf("source-controller and kustomize-controller running (pids %s), logs in %s", strings.Join(pids, ", "), l.logs())
	return f, os.WriteFile(l.fluxPIDs(), []byte(strings.Join(pids, "\n")+"\n"), 0o644)
}

// The seeding's controller-runtime client would otherwise warn, with a
// stack, that no logger was set.
func init() {
	ctrllog.SetLogger(logr.Discard())
}

// seedCluster dresses the cluster as the reference's AKS cluster of era,
// leaving out what the fork's cluster-manifests deliver through Flux, and
// waits until kwok reports every node and add-on ready.
func seedCluster(ctx context.Context, c *kwok.Cluster, era sim.Era, gitURL string) error {
	opts := seed.Options{SkipGitOps: true, GitURL: gitURL, GitBranch: "main"}
	if err := seed.Apply(ctx, c.Config, era, opts); err != nil {
		return err
	}
	return seed.WaitReady(ctx, c.Config, era, opts, 3*time.Minute)
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
