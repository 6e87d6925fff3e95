package e2e

import (
	"context"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/flux"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/gitserver"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/kwok"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/seed"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
	"github.com/aksbaseline/kubectl-aksbaseline/test/testenv"
)

// simCluster is one kwok cluster dressed as the reference's cluster of an era, with
// the demo's cluster-manifests (configured by the built configure) served by
// a loopback Git server and the real Flux controllers reconciling them as
// soon as Flux's CRDs exist.
type simCluster struct {
	era sim.Era
	c   *kwok.Cluster
	// gitURL is the fork's repository on the loopback Git server.
	gitURL string
	git    *gitserver.Server
	// fork holds the configured cluster-manifests the Git server serves.
	fork string
	opts seed.Options
	cs   kubernetes.Interface
	dyn  dynamic.Interface
	cl   client.Client
	// fluxUp is closed once the local Flux controllers run.
	fluxUp chan struct{}
	// mentions are what the broken variant applied last must see named in
	// its check's message (a pod, a node, an image).
	mentions []string
}

func newSim(t *testing.T, era sim.Era) *simCluster {
	t.Helper()
	return newSimWith(t, era, kwok.Options{})
}

// newSimWith is newSim on a cluster made with opts.
func newSimWith(t *testing.T, era sim.Era, opts kwok.Options) *simCluster {
	t.Helper()
	tree := testenv.ConfiguredFork(t, plugin, era)
	s := &simCluster{era: era, fluxUp: make(chan struct{}), fork: tree}
	s.c = testenv.KwokT(t, opts)
	git, url := testenv.ForkT(t)
	s.git = git
	if _, err := git.Publish(sim.RepoName, "main", tree, "Use images from my ACR, my Key Vault and tenant"); err != nil {
		t.Fatal(err)
	}
	s.gitURL = url
	s.opts = seed.Options{SkipGitOps: true, GitURL: s.gitURL, GitBranch: "main"}
	var err error
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
func (s *simCluster) seed(t *testing.T) {
	t.Helper()
	ctx := ctxFor(t, 4*time.Minute)
	if err := seed.Apply(ctx, s.c.Config, s.era, s.opts); err != nil {
		t.Fatalf("seeding era %s: %v", s.era, err)
	}
	if err := seed.WaitReady(ctx, s.c.Config, s.era, s.opts, 3*time.Minute); err != nil {
		t.Fatalf("era %s: %v", s.era, err)
	}
	s.refreshClient(t)
}

// refreshClient makes a client that knows the kinds served right now.
func (s *simCluster) refreshClient(t *testing.T) {
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
func (s *simCluster) startFluxWhenCRDs(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	workdir := t.TempDir()
	var (
		mu   sync.Mutex
		ctrl *flux.Controllers
		done = make(chan struct{})
	)
	go func() {
		defer close(done)
		f, err := flux.StartWhenServed(ctx, s.c.Kubeconfig, workdir, func(err error) {
			t.Logf("starting the local Flux controllers (will retry): %v", err)
		})
		if err != nil {
			return
		}
		mu.Lock()
		ctrl = f
		mu.Unlock()
		close(s.fluxUp)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		mu.Lock()
		defer mu.Unlock()
		if ctrl != nil {
			if err := ctrl.Stop(); err != nil {
				t.Errorf("stopping the local Flux controllers: %v", err)
			}
		}
	})
}

// bootstrap runs the operator's bootstrap against the sim's Git server.
func (s *simCluster) bootstrap(t *testing.T, extra ...string) plugintest.Result {
	t.Helper()
	return tool(t, "", append([]string{"bootstrap", "--kubeconfig", s.c.Kubeconfig,
		"--url", s.gitURL, "--branch", "main", "--path", "./cluster-manifests", "--registry", sim.FluxRegistry}, extra...)...)
}
