package e2e

import (
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/fluxinstall"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// unbreakable are the checks no variant of a healthy kwok cluster can fail,
// with the reason; every other check of the catalogue must be caught below.
var unbreakable = map[string]string{
	"flux-kubernetes-version": "the simulated API server's version is the one 'make testbin' built, above Flux's minimum",
}

var (
	coveredMu sync.Mutex
	covered   = map[string][]sim.Era{}
)

func markCovered(id string, era sim.Era) {
	coveredMu.Lock()
	defer coveredMu.Unlock()
	covered[id] = append(covered[id], era)
}

// TestEras runs, for each era of the reference: the tree synced by Flux,
// bootstrap (not in the extension era) and its idempotent re-run, a green
// verify, and then every check's broken variant, caught with its ID and
// repaired. It ends by asserting every check of the catalogue was caught in
// some era.
func TestEras(t *testing.T) {
	start := time.Now()
	cat := catalogue(t)
	ran := 0
	for _, era := range sim.Eras() {
		t.Run(string(era), func(t *testing.T) {
			ran++
			eraStart := time.Now()
			s := newSim(t, era)
			if !era.FluxFromExtension() {
				bootstrapThenVerify(t, s)
			} else {
				// The extension installed Flux; bootstrap must refuse to take it over.
				r := s.bootstrap(t)
				if r.Code != 2 || !strings.Contains(r.Stdout+r.Stderr, "extension") {
					t.Errorf("bootstrap on an extension-managed Flux: want exit 2 naming the extension, got %s", r)
				}
			}
			healthy := verifyGreen(t, s)
			breakEach(t, s, cat, healthy)
			t.Logf("era %s done in %s", era, time.Since(eraStart).Round(time.Second))
		})
	}
	if t.Failed() || ran < len(sim.Eras()) {
		// A failed or partial run (-run TestEras/<era>) proves no coverage.
		return
	}
	var missing []string
	for _, c := range cat {
		if _, ok := covered[c.ID]; ok {
			continue
		}
		if _, ok := unbreakable[c.ID]; ok {
			continue
		}
		missing = append(missing, c.ID)
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("checks of 'verify --list' with no broken variant caught in any era: %s (add one to breakers)", strings.Join(missing, ", "))
	}
	t.Logf("all eras in %s", time.Since(start).Round(time.Second))
}

// bootstrapThenVerify shows Flux absent before the bootstrap (the Flux
// checks fail), bootstraps from the Git server, and re-runs the bootstrap to
// see every object unchanged.
func bootstrapThenVerify(t *testing.T, s *simCluster) {
	t.Helper()
	r, rep := verify(t, s.c.Kubeconfig, "--checks", "flux-crds,flux-controllers,flux-sync-ready")
	got := plugintest.ByID(rep)
	for _, id := range []string{"flux-crds", "flux-controllers", "flux-sync-ready"} {
		if got[id].Status != result.Fail {
			t.Errorf("before bootstrap: %s is %s, want fail:\n%s", id, got[id].Status, plugintest.Describe(rep))
		} else {
			markCovered(id, s.era)
		}
	}
	if r.Code != 1 {
		t.Errorf("verify before bootstrap: exit code %d, want 1", r.Code)
	}

	r = s.bootstrap(t)
	if r.Code != 0 {
		t.Fatalf("bootstrap: %s", r)
	}
	for _, want := range []string{"CustomResourceDefinition/gitrepositories.source.toolkit.fluxcd.io created", "GitRepository/flux-system/flux-system created"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("bootstrap's change set lacks %q:\n%s", want, r.Stdout)
		}
	}

	again := s.bootstrap(t, "-o", "json")
	if again.Code != 0 {
		t.Fatalf("bootstrap re-run: %s", again)
	}
	var rep2 fluxinstall.Report
	if err := json.Unmarshal([]byte(again.Stdout), &rep2); err != nil {
		t.Fatalf("bootstrap -o json: %v\n%s", err, again)
	}
	if len(rep2.Changes) == 0 {
		t.Fatalf("bootstrap re-run reported no objects:\n%s", again.Stdout)
	}
	for _, c := range rep2.Changes {
		if c.Action != "unchanged" {
			t.Errorf("bootstrap re-run: %s/%s/%s %s, want unchanged", c.Kind, c.Namespace, c.Name, c.Action)
		}
	}
	if rep2.Healthy == nil || !*rep2.Healthy {
		t.Errorf("bootstrap re-run does not report Flux healthy:\n%s", again.Stdout)
	}
}

// verifyGreen waits for the whole cluster to pass (Flux has synced the
// tree) and returns each check's healthy status.
func verifyGreen(t *testing.T, s *simCluster) map[string]result.Status {
	t.Helper()
	r, rep := verify(t, s.c.Kubeconfig, "--wait", "3m")
	if r.Code != 0 {
		t.Fatalf("verify --wait 3m on the healthy %s cluster: exit code %d\n%s\nstderr:\n%s", s.era, r.Code, plugintest.Describe(rep), r.Stderr)
	}
	out := map[string]result.Status{}
	for _, res := range rep.Results {
		out[res.ID] = res.Status
		if res.Status == result.Fail || res.Status == result.Error {
			t.Errorf("healthy %s cluster: %s is %s: %s", s.era, res.ID, res.Status, res.Message)
		}
	}
	return out
}

// breakEach breaks, one at a time, every check that has a variant for this
// era, asserts verify names it, repairs the cluster and asserts it is green
// again.
func breakEach(t *testing.T, s *simCluster, cat []result.Result, healthy map[string]result.Status) {
	t.Helper()
	for _, c := range cat {
		b, ok := breakers[c.ID]
		if !ok || !b.appliesTo(s.era) {
			continue
		}
		t.Run(c.ID, func(t *testing.T) {
			want := result.Fail
			if c.Severity == result.Warning {
				// A warning-severity check reports its failures as warnings;
				// --fail-on warn turns them into exit code 1.
				want = result.Warn
			}
			func() {
				// Undone even when an assertion stops the subtest, so the
				// next variant starts from a healthy cluster.
				s.mentions = nil
				if undo := b.apply(t, s); undo != nil {
					defer undo()
				}
				kubeconfig := s.c.Kubeconfig
				if b.kubeconfig != nil {
					kubeconfig = b.kubeconfig(t, s)
				}
				args := append([]string{"--checks", c.ID, "--fail-on", "warn"}, b.args(t, s)...)
				r, rep := verify(t, kubeconfig, args...)
				got := plugintest.ByID(rep)[c.ID]
				switch {
				case got.Status != want:
					t.Errorf("%s (%s): %s is %s, want %s; exit code %d\n%s", c.ID, b.what, c.ID, got.Status, want, r.Code, plugintest.Describe(rep))
				case r.Code != 1:
					t.Errorf("%s (%s): exit code %d, want 1\n%s", c.ID, b.what, r.Code, plugintest.Describe(rep))
				case !mentionsAll(got.Message, s.mentions):
					t.Errorf("%s (%s): the message does not name %q: %s", c.ID, b.what, s.mentions, got.Message)
				default:
					markCovered(c.ID, s.era)
					t.Logf("%s caught (%s): %s", c.ID, b.what, got.Message)
				}
			}()
			// Repaired: the check passes again (within Flux's and kwok's
			// time to settle).
			r, rep := verify(t, s.c.Kubeconfig, "--checks", c.ID, "--wait", "2m")
			if r.Code != 0 {
				t.Fatalf("%s: not repaired after undoing %s: exit code %d\n%s", c.ID, b.what, r.Code, plugintest.Describe(rep))
			}
			if st := plugintest.ByID(rep)[c.ID].Status; st != healthy[c.ID] {
				t.Errorf("%s: %s after the repair, %s before the break", c.ID, st, healthy[c.ID])
			}
		})
	}
}

func mentionsAll(msg string, names []string) bool {
	for _, n := range names {
		if !strings.Contains(msg, n) {
			return false
		}
	}
	return true
}
