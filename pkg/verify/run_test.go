package verify

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/version"
	"k8s.io/client-go/rest"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/progress"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// script is a Reader that answers round n (from 1) with state(n).
type script struct {
	mu    sync.Mutex
	reads int
	state func(n int) *cluster.Snapshot
}

func (s *script) Read(_ context.Context, plan cluster.Request, acc cluster.Access) *cluster.Snapshot {
	s.mu.Lock()
	s.reads++
	n := s.reads
	s.mu.Unlock()
	snap := s.state(n)
	snap.Access = acc
	return snap
}

func (s *script) rounds() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads
}

// state is a cluster with nodes that answered every read; with no nodes
// given, one Ready node.
func state(nodes ...cluster.Node) *cluster.Snapshot {
	s := cluster.NewSnapshot()
	for _, r := range []cluster.Resource{cluster.Kubeconfig, cluster.ServerVersion, cluster.Nodes, cluster.CRDs, cluster.Secrets} {
		s.SetReadStatus(r, cluster.ReadStatus{Outcome: cluster.OK, Verb: "list"})
	}
	s.Version = &version.Info{GitVersion: "v1.31.2"}
	if len(nodes) == 0 {
		nodes = []cluster.Node{node("aks-system-1", true, false)}
	}
	s.Nodes = nodes
	return s
}

func node(name string, ready, cordoned bool) cluster.Node {
	st := corev1.ConditionTrue
	if !ready {
		st = corev1.ConditionFalse
	}
	return cluster.Node{Name: name, Unschedulable: cordoned, Ready: &cluster.NodeCondition{Status: st}}
}

func forbidden(s *cluster.Snapshot, r cluster.Resource) *cluster.Snapshot {
	s.SetReadStatus(r, cluster.ReadStatus{Outcome: cluster.Forbidden, Verb: "list"})
	return s
}

func checks(t *testing.T, ids ...string) []*check.Check {
	t.Helper()
	cs, err := check.Select(nil, ids, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// fakeClock advances only when the engine sleeps, so --wait runs in no time
// and the number of rounds is exact.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	ch := make(chan time.Time, 1)
	ch <- c.Now()
	return ch
}

// options runs ids with the default profile on readers from r, on a fake
// clock, printing progress to progressOut.
func options(t *testing.T, r Reader, progressOut *bytes.Buffer, ids ...string) *Options {
	t.Helper()
	p, err := profile.Builtin(profile.Default)
	if err != nil {
		t.Fatal(err)
	}
	o := NewOptions("flux aksbaseline")
	o.Profile, o.Checks = p, checks(t, ids...)
	o.NewReader = func(*rest.Config) (Reader, error) { return r, nil }
	clock := &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	o.now, o.after = clock.Now, clock.After
	if progressOut != nil {
		o.Progress = progress.New(progressOut)
	}
	return o
}

func target(name string) Target {
	return Target{Context: name, RESTConfig: func() (*rest.Config, error) { return &rest.Config{Host: "https://10.0.0.1:443"}, nil }}
}

func run(t *testing.T, o *Options, targets ...Target) *Outcome {
	t.Helper()
	out, err := Run(context.Background(), targets, o)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestVerdicts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		snap   *cluster.Snapshot
		ids    []string
		failOn string
		want   Verdict
	}{
		{"healthy", state(), []string{"nodes-ready", "access-private-endpoint"}, FailOnFail, Passed},
		{"a failure", state(node("n1", false, false)), []string{"nodes-ready", "access-private-endpoint"}, FailOnFail, Failed},
		// Every check that reads objects errored: the kubeconfig-only check
		// passing proves nothing about the cluster.
		{"every object read errored", forbidden(state(), cluster.Nodes), []string{"nodes-ready", "nodes-cordoned", "access-private-endpoint"}, FailOnFail, CouldNotCheck},
		{"some errored", forbidden(state(), cluster.CRDs), []string{"nodes-ready", "flux-crds"}, FailOnFail, Failed},
		// /version alone is readable by every authenticated user: it does
		// not count as having read the cluster.
		{"only version read", forbidden(state(), cluster.Nodes), []string{"nodes-ready", "flux-kubernetes-version"}, FailOnFail, CouldNotCheck},
		{"a warning passes", state(node("n1", true, true)), []string{"nodes-ready", "nodes-cordoned"}, FailOnFail, Passed},
		{"a warning fails with fail-on warn", state(node("n1", true, true)), []string{"nodes-ready", "nodes-cordoned"}, FailOnWarn, Failed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := options(t, &script{state: func(int) *cluster.Snapshot { return tc.snap }}, nil, tc.ids...)
			o.FailOn = tc.failOn
			out := run(t, o, target("aks"))
			if out.Verdict != tc.want || out.Targets[0].Verdict != tc.want {
				t.Errorf("verdict %s (target %s), want %s\n%+v", out.Verdict, out.Targets[0].Verdict, tc.want, out.Targets[0].Report.Results)
			}
			if out.Targets[0].Err != nil {
				t.Errorf("the cluster was reachable, yet Err = %v", out.Targets[0].Err)
			}
			if out.Targets[0].Snapshot != tc.snap {
				t.Error("the outcome does not expose the snapshot the results were judged on")
			}
		})
	}
}

func TestVerdictExitCodes(t *testing.T) {
	want := map[Verdict]int{Passed: 0, Failed: 1, CouldNotCheck: 2, Interrupted: 130}
	for v, code := range want {
		if v.ExitCode() != code {
			t.Errorf("%s maps to %d, want %d", v, v.ExitCode(), code)
		}
	}
}

func TestNoAccess(t *testing.T) {
	noVersion := func(int) *cluster.Snapshot {
		s := state()
		s.SetReadStatus(cluster.ServerVersion, cluster.ReadStatus{Outcome: cluster.Error, Verb: "get", Err: errors.New("dial tcp 10.0.0.1:443: connect: connection refused")})
		s.SetReadStatus(cluster.Nodes, cluster.ReadStatus{Outcome: cluster.Error, Verb: "list", Err: errors.New("dial tcp 10.0.0.1:443: connect: connection refused")})
		return s
	}
	out := run(t, options(t, &script{state: noVersion}, nil, "nodes-ready", "access-private-endpoint"), target("aks"))
	tr := out.Targets[0]
	if out.Verdict != CouldNotCheck || tr.Err == nil || tr.Report.Error == "" {
		t.Fatalf("unreachable API server: verdict %s, err %v, report error %q", out.Verdict, tr.Err, tr.Report.Error)
	}
	for _, r := range tr.Report.Results {
		if r.ID == "nodes-ready" && !strings.HasPrefix(r.Message, "not checked: ") {
			t.Errorf("nodes-ready does not name the one cause: %q", r.Message)
		}
		if r.ID == "access-private-endpoint" && r.Status != result.Pass {
			t.Errorf("the kubeconfig check still runs without the API server: %s %s", r.Status, r.Message)
		}
	}

	bad := Target{Context: "gone", RESTConfig: func() (*rest.Config, error) { return nil, errors.New("no kubeconfig") }}
	out = run(t, options(t, &script{state: func(int) *cluster.Snapshot { t.Error("read a cluster without a config"); return state() }}, nil, "nodes-ready"), bad)
	if out.Verdict != CouldNotCheck || out.Targets[0].Err == nil || out.Targets[0].Report.Error != "no kubeconfig" || out.Targets[0].Snapshot != nil {
		t.Errorf("no REST config: %+v", out.Targets[0])
	}
}

func TestWaitRechecksUntilPass(t *testing.T) {
	r := &script{state: func(n int) *cluster.Snapshot {
		if n < 3 {
			return state(node("n1", false, false))
		}
		return state()
	}}
	var errOut bytes.Buffer
	o := options(t, r, &errOut, "nodes-ready")
	o.Wait = time.Minute
	out := run(t, o, target("aks"))
	if out.Verdict != Passed || r.rounds() != 3 {
		t.Errorf("verdict %s after %d rounds, want passed after 3", out.Verdict, r.rounds())
	}
	// The text verify --wait has always printed, one block per round.
	want := "◎ waiting for 1 check (1m0s left):\n  ◎ nodes-ready (1 node of 1 not Ready: n1 (Ready=False))\n" +
		"◎ waiting for 1 check (55s left):\n  ◎ nodes-ready (1 node of 1 not Ready: n1 (Ready=False))\n"
	if errOut.String() != want {
		t.Errorf("progress:\n%s\nwant\n%s", errOut.String(), want)
	}
	if got := out.Targets[0].Report.Duration; time.Duration(got) != 10*time.Second {
		t.Errorf("report duration %s, want the 10s the two pauses took", time.Duration(got))
	}
}

func TestWaitGivesUpAtTheDeadline(t *testing.T) {
	r := &script{state: func(int) *cluster.Snapshot { return state(node("n1", false, false)) }}
	o := options(t, r, &bytes.Buffer{}, "nodes-ready")
	o.Wait, o.Interval = 12*time.Second, 5*time.Second
	out := run(t, o, target("aks"))
	// Rounds at 0s, 5s, 10s and, the last pause cut to what is left, 12s.
	if out.Verdict != Failed || r.rounds() != 4 {
		t.Errorf("verdict %s after %d rounds, want failed after 4", out.Verdict, r.rounds())
	}
	if out.Targets[0].Report.Summary.Fail != 1 {
		t.Errorf("the report is not the last round's: %+v", out.Targets[0].Report.Summary)
	}
}

func TestWithoutWaitOneRound(t *testing.T) {
	r := &script{state: func(int) *cluster.Snapshot { return state(node("n1", false, false)) }}
	var errOut bytes.Buffer
	out := run(t, options(t, r, &errOut, "nodes-ready"), target("aks"))
	if out.Verdict != Failed || r.rounds() != 1 || errOut.Len() != 0 {
		t.Errorf("verdict %s, %d rounds, progress %q", out.Verdict, r.rounds(), errOut.String())
	}
}

func TestFleetKeepsTargetOrderAndTakesTheWorst(t *testing.T) {
	// The first target answers last: the outcome is still in target order.
	release := make(chan struct{})
	readers := map[string]Reader{
		"https://slow": &script{state: func(int) *cluster.Snapshot { <-release; return state() }},
		"https://fail": &script{state: func(int) *cluster.Snapshot { defer close(release); return state(node("n1", false, false)) }},
	}
	o := options(t, nil, nil, "nodes-ready")
	o.NewReader = func(cfg *rest.Config) (Reader, error) { return readers[cfg.Host], nil }
	at := func(name, host string) Target {
		return Target{Context: name, RESTConfig: func() (*rest.Config, error) { return &rest.Config{Host: host}, nil }}
	}
	down := Target{Context: "down", RESTConfig: func() (*rest.Config, error) { return nil, errors.New("unreachable") }}
	out := run(t, o, at("slow", "https://slow"), at("fail", "https://fail"), down)
	var got []string
	for _, r := range out.Reports() {
		got = append(got, r.Context)
	}
	if strings.Join(got, ",") != "slow,fail,down" {
		t.Errorf("reports in order %v", got)
	}
	verdicts := [3]Verdict{out.Targets[0].Verdict, out.Targets[1].Verdict, out.Targets[2].Verdict}
	if verdicts != [3]Verdict{Passed, Failed, CouldNotCheck} || out.Verdict != CouldNotCheck {
		t.Errorf("verdicts %v, overall %s", verdicts, out.Verdict)
	}
}

func TestInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancelled while pausing between rounds.
	o := options(t, &script{state: func(int) *cluster.Snapshot { return state(node("n1", false, false)) }}, &bytes.Buffer{}, "nodes-ready")
	o.Wait = time.Minute
	o.after = func(time.Duration) <-chan time.Time { cancel(); return nil }
	out, err := Run(ctx, []Target{target("aks")}, o)
	if err != nil {
		t.Fatal(err)
	}
	if out.Verdict != Interrupted || out.Targets[0].Verdict != Interrupted || out.Targets[0].Report != nil {
		t.Errorf("cancelled while waiting: %s, %+v", out.Verdict, out.Targets[0])
	}

	// Cancelled while reading: the half-read round is not reported.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	o = options(t, &script{state: func(int) *cluster.Snapshot { cancel(); return state() }}, nil, "nodes-ready")
	out, err = Run(ctx, []Target{target("aks")}, o)
	if err != nil {
		t.Fatal(err)
	}
	if out.Verdict != Interrupted || out.Targets[0].Report != nil {
		t.Errorf("cancelled while reading: %s, %+v", out.Verdict, out.Targets[0])
	}
}

// Checks cannot know which CLI launched us: they write check.CLIToken and
// the engine says the name the user typed.
func TestRemediationsSpeakTheInvokedName(t *testing.T) {
	for _, c := range check.All() {
		for _, s := range []string{c.Title, c.Remediation} {
			if strings.Contains(s, "kubectl aksbaseline") || strings.Contains(s, "flux aksbaseline") {
				t.Errorf("%s names the CLI literally, not as %s: %q", c.ID, check.CLIToken, s)
			}
		}
	}
	if c := check.Lookup("flux-crds"); !strings.Contains(c.Remediation, check.CLIToken) {
		t.Fatalf("flux-crds no longer names the CLI: %q", c.Remediation)
	}
	for _, cli := range []string{"flux aksbaseline", "kubectl aksbaseline"} {
		o := options(t, &script{state: func(int) *cluster.Snapshot { return state() }}, nil, "flux-crds")
		o.CLI = cli
		r := run(t, o, target("aks")).Targets[0].Report.Results[0]
		if r.Status != result.Fail || !strings.Contains(r.Remediation, "'"+cli+" bootstrap'") || strings.Contains(r.Remediation, check.CLIToken) {
			t.Errorf("as %s: %s %q", cli, r.Status, r.Remediation)
		}
	}
}

func TestRunRefusesIncompleteOptions(t *testing.T) {
	o := NewOptions("kubectl aksbaseline")
	if _, err := Run(context.Background(), []Target{target("aks")}, o); err == nil {
		t.Error("ran without a profile or checks")
	}
	o = options(t, nil, nil, "nodes-ready")
	o.FailOn = "error"
	if _, err := Run(context.Background(), []Target{target("aks")}, o); err == nil {
		t.Error("accepted --fail-on error")
	}
	o = options(t, nil, nil, "nodes-ready")
	o.Wait, o.Interval = time.Minute, 0
	if _, err := Run(context.Background(), []Target{target("aks")}, o); err == nil {
		t.Error("would re-check without pausing")
	}
}
