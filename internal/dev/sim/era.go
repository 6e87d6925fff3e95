package sim

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/dircopy"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/oldflux"
)

// Era is a generation of the reference's design (aks-baseline.md §0).
type Era string

const (
	// EraPodIdentity is the reference's bootstrap walkthrough: Flux v2
	// installed by hand, AKS-managed AAD Pod Identity for the ingress
	// controller. The default.
	EraPodIdentity Era = "podidentity"
	// EraWorkloadIdentity keeps the hand-installed Flux but moves the
	// ingress controller to Microsoft Entra Workload ID.
	EraWorkloadIdentity Era = "workloadidentity"
	// EraExtension is the reference's current main: Flux from the AKS
	// microsoft.flux extension, Workload ID.
	EraExtension Era = "extension"
	// EraMigrated is the workload-identity era on a cluster that ran AAD
	// Pod Identity before: the aadpodidentity.k8s.io CRDs are still served
	// (nothing removes CRDs when the add-on goes) but hold no objects, and
	// no NMI runs.
	EraMigrated Era = "migrated"
	// EraOldFlux is the pod-identity era as the reference's walkthrough
	// left it before this tool: Flux v0.8.1 applied by hand from the fork's
	// flux-system folder (CRDs and objects stored at v1beta1, controllers
	// pinned to the out-of-scope pool), which the fork carries too. The
	// operator's first job is to upgrade it (configure --upgrade-flux, push,
	// bootstrap -k).
	EraOldFlux Era = "oldflux"
)

// eraSpec is what sets one era apart; every consumer (seeding, the demo,
// the end-to-end suite, the benchmarks) reads it from here, so a new era is
// one row.
type eraSpec struct {
	// overlays are the folders of demo/era-overlays whose sub-folders
	// replace the sample tree's folders of the same name, in order.
	overlays []string
	// region of the cluster's nodes.
	region string
	// podIdentity: the ingress controller uses AAD Pod Identity (its CRDs
	// are served, its binding label is set) rather than Workload ID.
	podIdentity bool
	// podIdentityCRDs: the AAD Pod Identity CRDs are served, with or
	// without the add-on.
	podIdentityCRDs bool
	// fluxExtension: Flux comes from the AKS microsoft.flux extension,
	// which bootstrap refuses to take over.
	fluxExtension bool
	// oldFlux: Flux is the reference's own v0.8.1 (internal/dev/sim/oldflux),
	// on the cluster and in the fork's flux-system folder.
	oldFlux bool
}

// eras are the eras a healthy cluster is built in, which the suites judge
// one by one; upgrades start from a state the operator must first move, as
// the demo shows (the move itself has its own suites).
var (
	eras     = []Era{EraPodIdentity, EraWorkloadIdentity, EraExtension, EraMigrated}
	upgrades = []Era{EraOldFlux}
)

var table = map[Era]eraSpec{
	EraPodIdentity:      {region: "eastus2", podIdentity: true, podIdentityCRDs: true},
	EraWorkloadIdentity: {overlays: []string{"workloadidentity"}, region: "centralus"},
	EraExtension:        {overlays: []string{"workloadidentity", "extension"}, region: "centralus", fluxExtension: true},
	EraMigrated:         {overlays: []string{"workloadidentity"}, region: "eastus2", podIdentityCRDs: true},
	EraOldFlux:          {region: "eastus2", podIdentity: true, podIdentityCRDs: true, oldFlux: true},
}

// Eras lists the eras a healthy cluster is built in, the default first.
func Eras() []Era { return append([]Era(nil), eras...) }

// DemoEras lists every era the demo starts from: Eras, then the upgrades.
func DemoEras() []Era { return append(Eras(), upgrades...) }

// EraNames lists the names of DemoEras, the default first.
func EraNames() []string {
	var out []string
	for _, e := range DemoEras() {
		out = append(out, string(e))
	}
	return out
}

// ParseEra accepts an era name; "" is the default era.
func ParseEra(s string) (Era, error) {
	if s == "" {
		return EraPodIdentity, nil
	}
	if _, ok := table[Era(s)]; ok {
		return Era(s), nil
	}
	return "", fmt.Errorf("unknown era %q: want %s", s, strings.Join(EraNames(), ", "))
}

// Overlays names the folders of demo/era-overlays applied for e.
func (e Era) Overlays() []string { return append([]string(nil), table[e].overlays...) }

// Region is the Azure region of e's cluster.
func (e Era) Region() string { return table[e].region }

// PodIdentity reports whether e's ingress controller uses AAD Pod Identity.
func (e Era) PodIdentity() bool { return table[e].podIdentity }

// PodIdentityCRDs reports whether e's cluster serves the AAD Pod Identity
// CRDs: in the pod-identity era, and after a migration away from it.
func (e Era) PodIdentityCRDs() bool { return table[e].podIdentityCRDs }

// FluxFromExtension reports whether Flux comes from the AKS extension in e:
// the Flux CRDs and sync objects are there from the start and bootstrap
// must refuse to take them over.
func (e Era) FluxFromExtension() bool { return table[e].fluxExtension }

// OldFlux reports whether e starts with the reference's own Flux v0.8.1
// (oldflux.Version) on the cluster and in the fork, to be upgraded.
func (e Era) OldFlux() bool { return table[e].oldFlux }

// SyncNames are the GitRepository and Kustomization in flux-system that
// sync the fork in e: bootstrap's, or those the extension's FluxConfig
// "bootstrap" generates.
func (e Era) SyncNames() (gitRepository, kustomization string) {
	if e.FluxFromExtension() {
		return "bootstrap", "bootstrap-unified"
	}
	return "flux-system", "flux-system"
}

// ConfigureArgs is the configure command an operator runs on tree (the
// cluster-manifests folder, relative to the working directory) in e, with
// the simulated cluster's values.
func (e Era) ConfigureArgs(tree string) []string {
	args := []string{"configure", tree, "--acr-name", ACRName, "--keyvault-name", KeyVaultName, "--tenant-id", TenantID}
	// The extension era has no gotk-sync.yaml naming the GitHub account;
	// the Workload ID eras add the ingress controller's client ID.
	if !e.FluxFromExtension() {
		args = append(args, "--github-account", GitHubAccount)
	}
	if !e.PodIdentity() {
		args = append(args, "--ingress-client-id", IngressClientID)
	}
	return args
}

// Fork copies the sample tree demo/cluster-manifests of the repository at
// root to dst, with e's overlays replacing whole folders, as an operator's
// fork of the reference looks for that era; with OldFlux, flux-system is
// the reference's v0.8.1 folder.
func Fork(root string, e Era, dst string) error {
	if err := dircopy.Copy(filepath.Join(root, "demo", "cluster-manifests"), dst); err != nil {
		return err
	}
	for _, o := range e.Overlays() {
		src := filepath.Join(root, "demo", "era-overlays", o)
		entries, err := os.ReadDir(src)
		if err != nil {
			return err
		}
		for _, d := range entries {
			if !d.IsDir() {
				continue
			}
			target := filepath.Join(dst, d.Name())
			if err := os.RemoveAll(target); err != nil {
				return err
			}
			if err := dircopy.Copy(filepath.Join(src, d.Name()), target); err != nil {
				return err
			}
		}
	}
	if e.OldFlux() {
		target := filepath.Join(dst, "flux-system")
		if err := os.RemoveAll(target); err != nil {
			return err
		}
		return oldflux.WriteFolder(target)
	}
	return nil
}
