package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/openreports"
)

// secondContext is the name the demo's cluster gets a second time in the
// kubeconfig, standing in for a second cluster of the fleet.
const secondContext = "aksbaseline-demo-centralus"

// fleetView is continuous compliance as a team runs it: the in-cluster
// verifier's folder delivered by Flux, a report written into the cluster,
// and the jump box reading every cluster's latest report without running
// a check.
func fleetView(ctx context.Context, u *ui, op *operator, era sim.Era) error {
	u.Actionf("the in-cluster verifier: an hourly CronJob running 'verify --report-to-cluster', delivered by Flux like the rest of the tree")
	if err := deliver(ctx, op, era,
		append(append([]string{}, op.plugin...), "configure", "cluster-manifests", "--add-verifier", "--acr-name", sim.ACRName),
		[]string{"git", "add", "--all"},
		[]string{"git", "commit", "--quiet", "-m", "Add the in-cluster verifier"},
	); err != nil {
		return err
	}
	u.Actionf("waiting for Flux to apply it")
	if err := waitFor(ctx, op, 0, 2*time.Minute, "kubectl", "get", "crd", openreports.ClusterReportsCRD); err != nil {
		return fmt.Errorf("Flux did not apply the verifier's folder: %w", err)
	}
	if code, err := op.run(ctx, "kubectl", "wait", "--for=condition=established", "--timeout=1m", "crd/"+openreports.ClusterReportsCRD); err != nil || code != 0 {
		return cmdErr("kubectl wait", code, err)
	}

	// kwok runs no container, so the CronJob's pod never runs the
	// binary: its command is run here, as the job would, with our
	// credentials rather than its ServiceAccount's.
	u.Actionf("what the job runs each hour (kwok runs no container, so the demo runs it here), once Flux has applied the whole folder: the report goes into the cluster as the ClusterReport %q", "aksbaseline")
	if code, err := op.toolDiscard(ctx, "verify", "--wait", "2m", "--report-to-cluster"); err != nil || code != 0 {
		return cmdErr("verify --report-to-cluster", code, err)
	}

	u.Actionf("the jump box reads the fleet: one GET a cluster, no check run; the demo's kubeconfig names its one cluster a second time, as %s, standing in for a second cluster", secondContext)
	current, _, err := op.quiet(ctx, "kubectl", "config", "view", "--minify", "-o", "jsonpath={.contexts[0].context.cluster} {.contexts[0].context.user}")
	if err != nil {
		return err
	}
	cu := strings.Fields(string(current))
	if len(cu) != 2 {
		return fmt.Errorf("the demo's kubeconfig has no current context with a cluster and a user (%q)", current)
	}
	if code, err := op.run(ctx, "kubectl", "config", "set-context", secondContext, "--cluster", cu[0], "--user", cu[1]); err != nil || code != 0 {
		return cmdErr("kubectl config set-context", code, err)
	}
	if code, err := op.tool(ctx, "status", "--all-contexts"); err != nil || code != 0 {
		return cmdErr("status --all-contexts", code, err)
	}
	u.Okf("every cluster's latest report is fresh and passed")
	return nil
}
