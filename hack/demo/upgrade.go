package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/kwok"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/oldflux"
	"github.com/aksbaseline/kubectl-aksbaseline/manifests"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// The fork's flux-system folder as the oldflux era carries it.
const (
	fluxFolder = "cluster-manifests/flux-system"
	syncFile   = fluxFolder + "/gotk-sync.yaml"
)

// pointSyncAtGitServer is the step the reference's walkthrough leaves to
// configure (its GitHub account): the demo's fork lives on the local Git
// server, so gotk-sync.yaml, which the v0.8.1 folder applies, names it.
func pointSyncAtGitServer(ctx context.Context, u *ui, op *operator, gitURL string) error {
	u.Actionf("the fork lives on the demo's Git server, not on GitHub: gotk-sync.yaml, which this flux-system folder applies, names it")
	github := "https://github.com/" + sim.GitHubAccount + "/aks-baseline-regulated"
	argv := []string{"sed", "-i", "s|" + github + "|" + gitURL + "|", syncFile}
	if code, err := op.run(ctx, argv...); err != nil || code != 0 {
		return cmdErr(display(argv), code, err)
	}
	return nil
}

// installOldFlux puts the reference's Flux v0.8.1 on the cluster as its
// walkthrough did ('kubectl apply -f gotk-crds.yaml', then the folder; the
// namespace's guard rails come with the tree once Flux runs), labelled as its kustomize-controller left what the flux-system
// Kustomization applied: Flux managing itself from the fork. v0.8.1's
// controllers are not run (their modules are not served); the embedded
// Flux's controllers start once the upgrade serves the APIs they watch.
func installOldFlux(ctx context.Context, u *ui, c *kwok.Cluster, gitURL string) error {
	u.Actionf("Flux %s as the reference's walkthrough installed it: 'kubectl apply -f flux-system/gotk-crds.yaml', then 'kubectl apply -k flux-system', syncing itself from the fork", oldflux.Version)
	n, err := oldflux.Install(ctx, c.Config, oldflux.Options{URL: gitURL, SelfManaged: true})
	if err != nil {
		return fmt.Errorf("installing Flux %s: %w", oldflux.Version, err)
	}
	u.Okf("Flux %s installed: 5 CRDs serving and storing v1beta1 only, its controllers pinned to the out-of-scope pool, %d sync objects at v1beta1", oldflux.Version, n)
	return nil
}

// upgradeFlux is what an operator does on finding the reference's old
// Flux: verify names the problem and the remedy, and the remedy's three
// steps move Git and the cluster together.
func upgradeFlux(ctx context.Context, u *ui, op *operator) error {
	u.Actionf("what does verify say about this Flux?")
	code, err := op.tool(ctx, "verify", "flux")
	if err != nil {
		return err
	}
	if code != 1 {
		return fmt.Errorf("verify flux exited with code %d on Flux %s, want 1", code, oldflux.Version)
	}
	rem, err := currencyRemediation(ctx, op)
	if err != nil {
		return err
	}
	u.Okf("caught: flux-currency fails; its remediation: %s", rem)

	u.Actionf("step 1 of 3: move the fork's flux-system folder to Flux %s", manifests.FluxVersion)
	// Its diff (stdout) regenerates two files of thousands of lines: the
	// progress lines name each change, and git sums it up.
	if code, err := op.toolDiscard(ctx, "configure", "cluster-manifests", "--upgrade-flux"); err != nil || code != 0 {
		return cmdErr("configure --upgrade-flux", code, err)
	}
	if code, err := op.run(ctx, "git", "diff", "--stat"); err != nil || code != 0 {
		return cmdErr("git diff --stat", code, err)
	}
	if code, err := op.tool(ctx, "configure", "--check", "cluster-manifests"); err != nil || code != 0 {
		return cmdErr("configure --check after --upgrade-flux", code, err)
	}
	u.Actionf("step 2 of 3: commit and push, so that Flux does not reconcile %s back from Git", oldflux.Version)
	if err := push(ctx, op,
		[]string{"git", "add", "--all"},
		[]string{"git", "commit", "--quiet", "-m", "Upgrade Flux to " + manifests.FluxVersion},
	); err != nil {
		return err
	}
	u.Actionf("step 3 of 3: bootstrap from the folder; it shows its plan, then re-stores every Flux object at the current APIs before it installs Flux %s", manifests.FluxVersion)
	if code, err := op.tool(ctx, "bootstrap", "-k", fluxFolder); err != nil || code != 0 {
		return cmdErr("bootstrap -k "+fluxFolder, code, err)
	}

	u.Actionf("after Flux reconciled the pushed tree, its CRDs are still %s and store v1 only", manifests.FluxVersion)
	argv := []string{"kubectl", "get", "crd", "gitrepositories.source.toolkit.fluxcd.io", "kustomizations.kustomize.toolkit.fluxcd.io",
		"-o", `custom-columns=NAME:.metadata.name,VERSION:.metadata.labels.app\.kubernetes\.io/version,STORED:.status.storedVersions`}
	out, _, err := op.quiet(ctx, argv...)
	if err != nil {
		return err
	}
	op.ui.command(display(argv))
	fmt.Fprint(u.w, string(out))
	if strings.Count(string(out), manifests.FluxVersion) != 2 || strings.Contains(string(out), "v1beta") {
		return fmt.Errorf("the Flux CRDs after the upgrade are not at %s storing v1 only:\n%s", manifests.FluxVersion, out)
	}
	return nil
}

// currencyRemediation reads verify's JSON report on the flux category and
// returns flux-currency's remediation, provided the check failed.
func currencyRemediation(ctx context.Context, op *operator) (string, error) {
	out, _, err := op.toolQuiet(ctx, "verify", "flux", "-o", "json")
	if err != nil {
		return "", err
	}
	var rep result.Report
	if err := json.Unmarshal(out, &rep); err != nil {
		return "", fmt.Errorf("reading verify flux -o json: %w", err)
	}
	for _, r := range rep.Results {
		if r.ID != "flux-currency" {
			continue
		}
		if r.Status != result.Fail || !strings.Contains(r.Remediation, "--upgrade-flux") {
			return "", fmt.Errorf("flux-currency is %s on Flux %s (remediation %q), want a failure naming configure --upgrade-flux", r.Status, oldflux.Version, r.Remediation)
		}
		return r.Remediation, nil
	}
	return "", fmt.Errorf("verify flux -o json has no flux-currency result")
}
