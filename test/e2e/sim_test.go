package e2e

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/aksbaseline/kubectl-aksbaseline/test/kwokcluster"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
	"github.com/aksbaseline/kubectl-aksbaseline/test/simcluster"
)

// sim is one kwok cluster dressed as the reference's cluster of an era, with
// the demo's cluster-manifests (configured by the built configure) served by
// a loopback Git server and the real Flux controllers reconciling them as
// soon as Flux's CRDs exist.
type sim struct {
	era  simcluster.Era
	c    *kwokcluster.Cluster
	git  *simcluster.GitServer
	opts simcluster.Options
	cs   kubernetes.Interface
	dyn  dynamic.Interface
	cl   client.Client
	// fluxUp is closed once the local Flux controllers run.
	fluxUp chan struct{}
}

// overlays: demo/era-overlays/README.md.
var overlays = map[simcluster.Era][]string{
	simcluster.EraPodIdentity:      nil,
	simcluster.EraWorkloadIdentity: {"workloadidentity"},
	simcluster.EraExtension:        {"workloadidentity", "extension"},
}

func newSim(t *testing.T, era simcluster.Era) *sim {
	t.Helper()
	tree := configuredTree(t, era)
	s := &sim{era: era, fluxUp: make(chan struct{})}
	s.c = kwokcluster.CreateT(t, kwokcluster.Options{})
	var err error
	if s.git, err = simcluster.StartGitServer(tree, "main"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.git.Stop)
	s.opts = simcluster.Options{SkipGitOps: true, GitURL: s.git.URL, GitBranch: "main"}
	if s.cs, err = kubernetes.NewForConfig(s.c.Config); err != nil {
		t.Fatal(err)
	}
	if s.dyn, err = dynamic.NewForConfig(s.c.Config); err != nil {
		t.Fatal(err)
	}
	s.seed(t)
	s.startFluxWhenCRDs(t)
	return s
}

// seed applies (again) what AKS and its add-ons put in the cluster and waits
// until kwok has it running; a second run restores what a test broke.
func (s *sim) seed(t *testing.T) {
	t.Helper()
	ctx := ctxFor(t, 4*time.Minute)
	if err := simcluster.Seed(ctx, s.c.Config, s.era, s.opts); err != nil {
		t.Fatalf("seeding era %s: %v", s.era, err)
	}
	if err := simcluster.WaitReady(ctx, s.c.Config, s.era, s.opts, 3*time.Minute); err != nil {
		t.Fatalf("era %s: %v", s.era, err)
	}
	s.refreshClient(t)
}

// refreshClient makes a client that knows the kinds served right now.
func (s *sim) refreshClient(t *testing.T) {
	t.Helper()
	cl, err := client.New(s.c.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.cl = cl
}

// startFluxWhenCRDs runs the local Flux controllers once the cluster serves
// GitRepository and Kustomization (from bootstrap, or from the seeding in the
// extension era): they exit when a watched kind is missing.
func (s *sim) startFluxWhenCRDs(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	workdir := t.TempDir()
	cl, err := client.New(s.c.Config, client.Options{})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	var (
		mu   sync.Mutex
		flux *simcluster.LocalFlux
		done = make(chan struct{})
	)
	go func() {
		defer close(done)
		err := wait.PollUntilContextCancel(ctx, 500*time.Millisecond, true, func(ctx context.Context) (bool, error) {
			for _, name := range []string{"gitrepositories.source.toolkit.fluxcd.io", "kustomizations.kustomize.toolkit.fluxcd.io"} {
				var crd apiextensionsv1.CustomResourceDefinition
				if err := cl.Get(ctx, client.ObjectKey{Name: name}, &crd); err != nil {
					return false, nil
				}
				established := false
				for _, c := range crd.Status.Conditions {
					if c.Type == apiextensionsv1.Established && c.Status == apiextensionsv1.ConditionTrue {
						established = true
					}
				}
				if !established {
					return false, nil
				}
			}
			return true, nil
		})
		if err != nil {
			return
		}
		// The controllers exit when the API server is unreachable while
		// they start (a test may stop it): start them again until they run.
		for {
			f, err := simcluster.StartFlux(ctx, s.c.Kubeconfig, workdir)
			if err == nil {
				mu.Lock()
				flux = f
				mu.Unlock()
				close(s.fluxUp)
				return
			}
			if ctx.Err() != nil {
				return
			}
			t.Logf("starting the local Flux controllers (will retry): %v", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(2 * time.Second):
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		mu.Lock()
		defer mu.Unlock()
		if flux != nil {
			if err := flux.Stop(); err != nil {
				t.Errorf("stopping the local Flux controllers: %v", err)
			}
		}
	})
}

// configuredTree copies demo/cluster-manifests (with the era's overlays) and
// fills in its placeholders with the built configure, as an operator does
// before pushing.
func configuredTree(t *testing.T, era simcluster.Era) string {
	t.Helper()
	dir := t.TempDir()
	cm := filepath.Join(dir, "cluster-manifests")
	plugintest.CopyTree(t, filepath.Join(repoRoot, "demo", "cluster-manifests"), cm)
	for _, o := range overlays[era] {
		src := filepath.Join(repoRoot, "demo", "era-overlays", o)
		entries, err := os.ReadDir(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() {
				if err := os.RemoveAll(filepath.Join(cm, e.Name())); err != nil {
					t.Fatal(err)
				}
				plugintest.CopyTree(t, filepath.Join(src, e.Name()), filepath.Join(cm, e.Name()))
			}
		}
	}
	args := []string{"configure", "cluster-manifests", "--acr-name", simcluster.ACRName,
		"--keyvault-name", simcluster.KeyVaultName, "--tenant-id", simcluster.TenantID}
	if era != simcluster.EraExtension {
		args = append(args, "--github-account", "contoso")
	}
	if era != simcluster.EraPodIdentity {
		args = append(args, "--ingress-client-id", simcluster.IngressClientID)
	}
	if r := tool(t, dir, args...); r.Code != 0 {
		t.Fatalf("configure: %s", r)
	}
	if r := tool(t, dir, "configure", "--check", "cluster-manifests"); r.Code != 0 {
		t.Fatalf("configure --check after configure: %s", r)
	}
	return dir
}

// bootstrap runs the operator's bootstrap against the sim's Git server.
func (s *sim) bootstrap(t *testing.T, extra ...string) plugintest.Result {
	t.Helper()
	return tool(t, "", append([]string{"bootstrap", "--kubeconfig", s.c.Kubeconfig,
		"--url", s.git.URL, "--branch", "main", "--path", "./cluster-manifests"}, extra...)...)
}
