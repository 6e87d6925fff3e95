package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/hack/internal/devcmd"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/kwok"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/oldflux"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/testbin"
)

func up(ctx context.Context, dir, era, tool string) (err error) {
	e, err := sim.ParseEra(era)
	if err != nil || era == "" {
		return fmt.Errorf("unknown ERA %q: use one of %s", era, strings.Join(sim.EraNames(), ", "))
	}
	u := newUI()
	start := time.Now()
	root, err := testbin.RepoRoot()
	if err != nil {
		return err
	}
	if tool, err = filepath.Abs(tool); err != nil {
		return err
	}
	if _, err := os.Stat(tool); err != nil {
		return fmt.Errorf("the plugin is not built (%v): run 'make demo', which builds it", err)
	}
	if _, err := exec.LookPath("kubectl"); err != nil {
		return errors.New("kubectl not found on PATH: the demo runs the tool as 'kubectl aksbaseline', the way operators do; install kubectl")
	}
	if _, err := exec.LookPath("git"); err != nil {
		return errors.New("git not found on PATH: the demo pushes the cluster-manifests to a local Git server with it; install git")
	}
	l := layout{dir: dir}
	if _, err := os.Stat(dir); err == nil {
		u.Waitingf("removing the previous demo in %s", dir)
		if err := down(ctx, dir, false); err != nil {
			return fmt.Errorf("removing the previous demo: %w", err)
		}
	}
	for _, d := range []string{l.logs(), l.gitRoot(), l.work()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if err := l.writeState(state{Era: era, Cluster: clusterName, Started: start.UTC()}); err != nil {
		return err
	}
	// An interrupted or failed demo tells the user how to remove it; Ctrl-C
	// removes it straight away, as nobody is left to look at it.
	defer func() {
		if err == nil {
			return
		}
		if errors.Is(err, context.Canceled) || ctx.Err() != nil {
			u.Waitingf("interrupted: removing the demo")
			_ = down(context.WithoutCancel(ctx), dir, false)
			err = context.Canceled
			return
		}
		u.Failuref("the demo stopped: logs are in %s; 'make demo-down' removes what it started", l.logs())
	}()

	env := append(os.Environ(),
		"KUBECONFIG="+l.kubeconfig(),
		"PATH="+filepath.Dir(tool)+string(os.PathListSeparator)+os.Getenv("PATH"),
		// The fork's commits, without touching the user's git configuration.
		"GIT_AUTHOR_NAME=AKS baseline demo", "GIT_AUTHOR_EMAIL=demo@example.com",
		"GIT_COMMITTER_NAME=AKS baseline demo", "GIT_COMMITTER_EMAIL=demo@example.com",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0",
	)
	op := &operator{ui: u, env: env, dir: filepath.Dir(l.work()), plugin: []string{"kubectl", "aksbaseline"}}
	if filepath.Base(tool) != "kubectl-aksbaseline" {
		op.plugin = []string{tool}
	}

	u.section("The Git server for your fork (era %s)", era)
	u.Actionf("starting the background daemon: a Git server on loopback, and the Flux controllers once Flux's CRDs exist (logs in %s)", l.logs())
	gitBase, err := startDaemon(ctx, l, dir)
	if err != nil {
		return err
	}
	gitURL := gitBase + "/" + sim.RepoName
	st, _ := l.readState()
	st.GitURL = gitURL
	if err := l.writeState(st); err != nil {
		return err
	}
	u.Okf("Git server at %s", gitBase)

	u.section("Prepare the fork: fill in the placeholders and push")
	if err := prepareFork(ctx, u, op, l, root, e, gitURL); err != nil {
		return err
	}

	u.section("The cluster: a simulated AKS regulated cluster (kwok)")
	u.Actionf("starting %s: a real kube-apiserver, controller manager, scheduler and etcd; kwok plays the kubelets", clusterName)
	logf, err := os.OpenFile(filepath.Join(l.logs(), "kwokctl.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	t := time.Now()
	c, err := kwok.Create(ctx, kwok.Options{Name: clusterName, Workdir: l.kwokDir(), Log: logf})
	if err != nil {
		return err
	}
	u.Okf("cluster %s ready in %s (Kubernetes %s)", clusterName, since(t), c.KubeVersion)
	u.Actionf("dressing it as the reference's AKS cluster, era %s: 7 nodes in 3 pools, Azure Policy and Gatekeeper, identities, Secrets Store CSI", era)
	t = time.Now()
	if err := seedCluster(ctx, c, e, gitURL); err != nil {
		return fmt.Errorf("seeding the cluster: %w", err)
	}
	u.Okf("seeded in %s", since(t))
	if e.OldFlux() {
		if err := installOldFlux(ctx, u, c, gitURL); err != nil {
			return err
		}
	}

	switch {
	case e.OldFlux():
		u.section("Upgrade the reference's Flux %s", oldflux.Version)
		if err := upgradeFlux(ctx, u, op); err != nil {
			return err
		}
	case e.FluxFromExtension():
		u.section("Bootstrap Flux")
		u.Waitingf("skipping bootstrap: in this era the AKS microsoft.flux extension installed Flux and its bootstrap/bootstrap-unified sync objects (bootstrap would refuse to take it over)")
	default:
		u.section("Bootstrap Flux")
		code, err := op.tool(ctx, "bootstrap", "--url", gitURL, "--branch", "main", "--path", "./cluster-manifests", "--registry", sim.FluxRegistry)
		if err != nil {
			return err
		}
		if code != 0 {
			return fmt.Errorf("bootstrap exited with code %d", code)
		}
	}

	u.section("Verify the cluster against the baseline")
	code, err := op.tool(ctx, "verify", "--wait", "3m")
	if err != nil {
		return err
	}
	if code != 0 {
		return fmt.Errorf("verify exited with code %d on the healthy cluster", code)
	}
	u.Okf("passed (exit code 0)")
	if err := explainWarnings(ctx, u, op); err != nil {
		return err
	}

	u.section("Break a regulated control: an in-scope workload leaves the in-scope pool")
	if err := segmentationBreak(ctx, u, op, e); err != nil {
		return err
	}

	u.section("Evidence for the assessor")
	evidenceDir := l.evidence()
	u.Actionf("the verdict, the effective profile, the inventory of what verify read and their hashes, in one folder, signed with the team's key")
	priv, pub, err := devcmd.SigningKey(l.signing())
	if err != nil {
		return fmt.Errorf("the demo's signing key: %w", err)
	}
	// The report was on screen a moment ago: its stdout goes, and the
	// plugin's own line names the bundle.
	if code, err := op.toolDiscard(ctx, "verify", "--evidence", evidenceDir, "--force", "--sign-key", priv); err != nil || code != 0 {
		return cmdErr("verify --evidence --sign-key", code, err)
	}
	u.Actionf("the assessor checks it offline with the team's public key")
	if code, err := op.tool(ctx, "evidence", "verify", evidenceDir, "--key", pub); err != nil || code != 0 {
		return cmdErr("evidence verify", code, err)
	}

	u.section("The fleet view: each cluster reports, the jump box reads")
	if err := fleetView(ctx, u, op, e); err != nil {
		return err
	}

	u.section("Done in %s", since(start))
	fmt.Fprintf(os.Stdout, `
The simulated cluster keeps running, with Flux reconciling from the local Git server.
Point kubectl at it:

    export KUBECONFIG=%s
    kubectl get nodes -L kubernetes.azure.com/agentpool,pci-scope
    kubectl get gitrepositories,kustomizations -A
    kubectl aksbaseline verify          # with %s on PATH

The fork's working copy is %s (push to it: git push origin main).
Remove everything with:

    make demo-down
`, l.kubeconfig(), filepath.Dir(tool), l.work())
	return nil
}

// prepareFork does the reference's pre-bootstrap steps on a copy of the
// sample tree: configure (the sed commands of the docs), check, commit, push.
func prepareFork(ctx context.Context, u *ui, op *operator, l layout, root string, era sim.Era, gitURL string) error {
	work := l.work()
	u.Actionf("copying the sample tree demo/cluster-manifests%s into the fork at %s", overlayNote(era), work)
	if err := sim.Fork(root, era, filepath.Join(work, "cluster-manifests")); err != nil {
		return err
	}
	op.dir = work
	if code, err := op.run(ctx, "git", "init", "--quiet", "--initial-branch", "main"); err != nil || code != 0 {
		return cmdErr("git init", code, err)
	}
	if code, err := op.run(ctx, "git", "remote", "add", "origin", gitURL); err != nil || code != 0 {
		return cmdErr("git remote add", code, err)
	}
	if code, err := op.tool(ctx, era.ConfigureArgs("cluster-manifests")...); err != nil || code != 0 {
		return cmdErr("configure", code, err)
	}
	// The old Flux is left for the upgrade to move, after the cluster runs
	// it: --check names it and nothing else.
	wantCheck := 0
	if era.OldFlux() {
		if err := pointSyncAtGitServer(ctx, u, op, gitURL); err != nil {
			return err
		}
		wantCheck = 1
	}
	if code, err := op.tool(ctx, "configure", "--check", "cluster-manifests"); err != nil || code != wantCheck {
		return cmdErr("configure --check", code, err)
	}
	if wantCheck == 1 {
		u.Waitingf("as expected for this era: the fork still carries Flux %s, which the upgrade below moves", oldflux.Version)
	}
	if err := push(ctx, op,
		[]string{"git", "add", "--all"},
		[]string{"git", "commit", "--quiet", "-m", "Use images from my ACR, my Key Vault and tenant"},
	); err != nil {
		return err
	}
	u.Okf("pushed to %s (branch main)", gitURL)
	return nil
}

func overlayNote(era sim.Era) string {
	if len(era.Overlays()) == 0 {
		return ""
	}
	var s []string
	for _, o := range era.Overlays() {
		s = append(s, "demo/era-overlays/"+o)
	}
	return " (with " + strings.Join(s, ", ") + ")"
}

// segmentationBreak is the PCI story of the demo: a commit gives
// microservice-c (in scope, a0005-i) the out-of-scope nodeSelector, Flux
// rolls it out, 'verify segmentation' exits 1 naming the pods and nodes, and
// reverting the commit makes it green again.
func segmentationBreak(ctx context.Context, u *ui, op *operator, era sim.Era) error {
	const file = "cluster-manifests/a0005-i/microservice-c.yaml"
	u.Actionf("a change to microservice-c copies the nodeSelector of the a0005-o manifests, so its pods leave the in-scope pool")
	if err := deliver(ctx, op, era,
		[]string{"sed", "-i", "/nodeSelector:/,/pci-scope:/ s/pci-scope: in-scope/pci-scope: out-of-scope/", file},
		[]string{"git", "commit", "--quiet", "-am", "microservice-c: schedule like the a0005-o services"},
	); err != nil {
		return err
	}
	u.Actionf("waiting for Flux to roll it out")
	if err := waitExit(ctx, op, 1, 2*time.Minute, "verify", "segmentation", "-o", "json"); err != nil {
		return fmt.Errorf("the rollout never put microservice-c on out-of-scope nodes: %w", err)
	}
	code, err := op.tool(ctx, "verify", "segmentation")
	if err != nil {
		return err
	}
	if code != 1 {
		return fmt.Errorf("verify segmentation exited with code %d on the broken cluster, want 1", code)
	}
	u.Okf("caught: verify exited with code 1, failing check %s", strings.Join(failingChecks(ctx, op, "segmentation"), ", "))

	u.Actionf("the repair: revert the commit; Flux moves the pods back to the in-scope pool")
	if err := deliver(ctx, op, era, []string{"git", "revert", "--no-edit", "HEAD"}); err != nil {
		return err
	}
	if code, err := op.tool(ctx, "verify", "segmentation", "--wait", "2m"); err != nil || code != 0 {
		return cmdErr("verify segmentation after the repair", code, err)
	}
	u.Okf("repaired: verify is green again")
	return nil
}

// push runs the commands that make a commit in the fork, then pushes its
// branch to the demo's Git server.
func push(ctx context.Context, op *operator, commit ...[]string) error {
	return op.runAll(ctx, append(commit, []string{"git", "push", "--quiet", "origin", "main"})...)
}

// deliver is push, then syncNow: a change made in Git, and Flux told to
// take it now rather than at its next interval.
func deliver(ctx context.Context, op *operator, era sim.Era, commit ...[]string) error {
	if err := push(ctx, op, commit...); err != nil {
		return err
	}
	return syncNow(ctx, op, era)
}

// syncNow asks Flux to fetch the fork at once instead of at its next
// interval, as 'flux reconcile source git' does.
func syncNow(ctx context.Context, op *operator, era sim.Era) error {
	repo, _ := era.SyncNames()
	argv := []string{"kubectl", "-n", "flux-system", "annotate", "--overwrite", "gitrepository/" + repo,
		"reconcile.fluxcd.io/requestedAt=" + time.Now().UTC().Format(time.RFC3339Nano)}
	if code, err := op.run(ctx, argv...); err != nil || code != 0 {
		return cmdErr("kubectl annotate", code, err)
	}
	return nil
}

// waitExit runs the tool quietly until it exits with want.
func waitExit(ctx context.Context, op *operator, want int, timeout time.Duration, args ...string) error {
	return waitFor(ctx, op, want, timeout, append(append([]string{}, op.plugin...), args...)...)
}

// waitFor runs argv quietly until it exits with want.
func waitFor(ctx context.Context, op *operator, want int, timeout time.Duration, argv ...string) error {
	deadline := time.Now().Add(timeout)
	for {
		_, code, err := op.quiet(ctx, argv...)
		if err == nil && code == want {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not exit with %d within %s (last: %d, %v)", display(argv), want, timeout, code, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// failingChecks asks verify for its JSON report on category and returns
// the IDs of the failed checks.
func failingChecks(ctx context.Context, op *operator, category string) []string {
	out, _, err := op.toolQuiet(ctx, "verify", category, "-o", "json")
	if err != nil {
		return []string{"(unknown: " + err.Error() + ")"}
	}
	var rep struct {
		Results []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"results"`
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		return []string{"(unknown: " + err.Error() + ")"}
	}
	var ids []string
	for _, r := range rep.Results {
		if r.Status == "fail" {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

func since(t time.Time) string { return time.Since(t).Round(100 * time.Millisecond).String() }

func cmdErr(what string, code int, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("%s exited with code %d", what, code)
}
