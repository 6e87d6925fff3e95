package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/flux"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/kwok"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/oldflux"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/seed"
	"github.com/aksbaseline/kubectl-aksbaseline/manifests"
	"github.com/aksbaseline/kubectl-aksbaseline/test/testenv"
)

// teamApp is what each team's repository deploys: the Deployment the
// team's v1beta1 Kustomization patches with patchesStrategicMerge.
const teamApp = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: acraksdemo0001.azurecr.io/live/a0005/chain-api:1.0
`

// TestUpgradeV081WithRealFlux is the upgrade as an operator of the
// reference's first era does it: Flux v0.8.1 installed by hand from the
// fork's flux-system folder, syncing itself from the local Git server, and
// three teams' GitRepositories and Kustomizations at v1beta1 in their own
// namespaces; then 'configure --upgrade-flux', push, 'bootstrap -k'. The
// real Flux controllers then reconcile every migrated object to Ready, and
// Flux stays at the embedded version once it has reconciled the tree.
func TestUpgradeV081WithRealFlux(t *testing.T) {
	ctx := ctxFor(t, 12*time.Minute)
	git, gitURL := testenv.ForkT(t)
	teamURLs := map[string]string{}
	for i := 1; i <= 3; i++ {
		ns := fmt.Sprintf("team-%02d", i)
		u, err := git.Init(ns+".git", "main")
		if err != nil {
			t.Fatal(err)
		}
		src := t.TempDir()
		if err := os.MkdirAll(filepath.Join(src, "deploy"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, "deploy", "web.yaml"), []byte(teamApp), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := git.Publish(ns+".git", "main", src, "web"); err != nil {
			t.Fatal(err)
		}
		teamURLs[ns] = u
	}

	// The fork: the demo tree with the reference's flux-system folder at
	// v0.8.1, pointed at the local Git server, configured.
	dir := t.TempDir()
	tree := filepath.Join(dir, "cluster-manifests")
	if err := sim.Fork(repoRoot, sim.EraOldFlux, tree); err != nil {
		t.Fatal(err)
	}
	fs := filepath.Join(tree, "flux-system")
	syncFile := filepath.Join(fs, "gotk-sync.yaml")
	b, err := os.ReadFile(syncFile)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.Replace(b, []byte("https://github.com/REPLACE_ME_WITH_YOUR_GITHUBACCOUNTNAME/aks-baseline-regulated"), []byte(gitURL), 1)
	if err := os.WriteFile(syncFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if r := tool(t, dir, sim.EraOldFlux.ConfigureArgs("cluster-manifests")...); r.Code != 0 {
		t.Fatalf("configure: %s", r)
	}
	if r := tool(t, dir, "configure", "--check", "cluster-manifests"); r.Code != 1 || !strings.Contains(r.Stdout, "flux-system/gotk-components.yaml: carries Flux v0.8.1") {
		t.Errorf("configure --check on the v0.8.1 tree: want exit 1 naming the file and version: %s", r)
	}
	if _, err := git.Publish(sim.RepoName, "main", dir, "Flux v0.8.1, as the walkthrough installs it"); err != nil {
		t.Fatal(err)
	}

	c := testenv.KwokT(t, kwok.Options{})
	opts := seed.Options{SkipGitOps: true, GitURL: gitURL, GitBranch: "main"}
	if err := seed.Apply(ctx, c.Config, sim.EraOldFlux, opts); err != nil {
		t.Fatal(err)
	}
	if err := seed.WaitReady(ctx, c.Config, sim.EraOldFlux, opts, 3*time.Minute); err != nil {
		t.Fatal(err)
	}
	n, err := oldflux.Install(ctx, c.Config, oldflux.Options{URL: gitURL, Teams: 3, TeamURL: func(ns string) string { return teamURLs[ns] }, SelfManaged: true})
	if err != nil {
		t.Fatal(err)
	}

	// The real controllers of the embedded version start once the cluster
	// serves their APIs: after the upgrade's bridge. Until then a start
	// fails, and is tried again.
	fluxCtx, stopFlux := context.WithCancel(context.Background())
	started := make(chan *flux.Controllers, 1)
	go func() {
		f, err := flux.StartWhenServed(fluxCtx, c.Kubeconfig, t.TempDir(), func(error) {})
		if err == nil {
			started <- f
		}
		close(started)
	}()
	t.Cleanup(func() {
		stopFlux()
		if f, ok := <-started; ok && f != nil {
			if err := f.Stop(); err != nil {
				t.Errorf("stopping the local Flux controllers: %v", err)
			}
		}
	})

	if r := tool(t, dir, "configure", "cluster-manifests", "--upgrade-flux"); r.Code != 0 {
		t.Fatalf("configure --upgrade-flux: %s", r)
	}
	if r := tool(t, dir, "configure", "--check", "cluster-manifests"); r.Code != 0 {
		t.Errorf("configure --check after --upgrade-flux: %s", r)
	}
	if _, err := git.Publish(sim.RepoName, "main", dir, "Upgrade Flux"); err != nil {
		t.Fatal(err)
	}
	r := tool(t, "", "bootstrap", "--kubeconfig", c.Kubeconfig, "-k", fs, "--timeout", "5m")
	if r.Code != 0 {
		t.Fatalf("bootstrap -k: %s", r)
	}
	for _, want := range []string{
		"upgrade plan: Flux v0.8.1",
		fmt.Sprintf("%d of %d Flux objects kept, every one with its UID", n, n),
		"reconciled its Git tree with Flux " + manifests.FluxVersion + " in place: Git and cluster agree",
	} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("bootstrap -k lacks %q:\n%s", want, r.Stderr)
		}
	}

	// Every team's migrated objects reconciled to Ready by the real
	// controllers, and Flux still the embedded version after they
	// reconciled the tree.
	dyn, err := dynamic.NewForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	for ns := range teamURLs {
		for _, gvr := range []schema.GroupVersionResource{
			{Group: "source.toolkit.fluxcd.io", Version: "v1", Resource: "gitrepositories"},
			{Group: "kustomize.toolkit.fluxcd.io", Version: "v1", Resource: "kustomizations"},
		} {
			var last string
			err := wait.PollUntilContextTimeout(ctx, time.Second, 3*time.Minute, true, func(ctx context.Context) (bool, error) {
				u, err := dyn.Resource(gvr).Namespace(ns).Get(ctx, "app-001", metav1.GetOptions{})
				if err != nil {
					last = err.Error()
					return false, nil
				}
				conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
				for _, c := range conds {
					if m, _ := c.(map[string]any); m["type"] == "Ready" {
						last = fmt.Sprintf("Ready=%v: %v", m["status"], m["message"])
						return m["status"] == "True", nil
					}
				}
				return false, nil
			})
			if err != nil {
				t.Errorf("%s %s/app-001 not Ready: %s", gvr.Resource, ns, last)
			}
		}
	}
	crd, err := dyn.Resource(schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}).Get(ctx, "gitrepositories.source.toolkit.fluxcd.io", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v := crd.GetLabels()["app.kubernetes.io/version"]; v != manifests.FluxVersion {
		t.Errorf("after Flux reconciled the tree, its CRDs say %q, want %s", v, manifests.FluxVersion)
	}
	if stored, _, _ := unstructured.NestedStringSlice(crd.Object, "status", "storedVersions"); strings.Join(stored, ",") != "v1" {
		t.Errorf("storedVersions %v", stored)
	}
}
