package fluxinstall

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/fluxcd/cli-utils/pkg/kstatus/polling"
	"github.com/fluxcd/cli-utils/pkg/kstatus/polling/engine"
	"github.com/fluxcd/pkg/ssa"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/progress"
)

// fieldManager owns the fields bootstrap applies. Distinct from Flux's own
// "flux" and "kustomize-controller" so 'kubectl get --show-managed-fields'
// tells who wrote what; ForceOwnership lets either take over from the other.
const fieldManager = "aksbaseline"

// Options say how Install runs.
type Options struct {
	// Config points at the API server.
	Config *rest.Config
	// Progress receives the human progress lines; never nil.
	Progress *progress.Printer
	// DefaultNamespace is given to namespaced objects that name none, as
	// 'kubectl apply' does.
	DefaultNamespace string
	// PlanOnly stops after validation: nothing is written (--dry-run, --diff).
	PlanOnly bool
	// Force installs over a foreign Flux or a too old Kubernetes, with a warning.
	Force bool
	// Wait waits for the controllers and the sync objects after applying.
	Wait bool
	// Timeout bounds the waits for the CRDs and the controllers, counted
	// from the start of Install.
	Timeout time.Duration
	// Verify, when set, runs after a successful wait and says whether Flux
	// is healthy (bootstrap runs verify's Flux checks).
	Verify func(ctx context.Context) (healthy bool, err error)
	// Applied, when set, is called once the apply stage has ended, written
	// or failed, before the waits: a person reading a terminal learns what
	// changed without waiting minutes for the controllers.
	Applied func(Result)
}

// Install validates every object of set before the first write, applies
// them in two stages with server-side apply, waits with kstatus and runs
// o.Verify. The Result says how far it got; the error, why it stopped there:
// a *RefusedError or *RejectedError before anything was written, an
// *ApplyError, a *TimeoutError, ErrUnhealthy, ctx's error when interrupted,
// or an error reaching the API server.
func Install(ctx context.Context, set *Set, o Options) (Result, error) {
	deadline := time.Now().Add(o.Timeout)
	in, err := newInstaller(o.Config, o.Progress)
	if err != nil {
		return Result{Stage: StageValidate}, err
	}
	return in.install(ctx, set, o, deadline)
}

// installer holds the clients of one Install and what it has written.
type installer struct {
	client    client.Client
	mapper    meta.RESTMapper
	manager   *ssa.ResourceManager
	poller    *polling.StatusPoller
	discovery discovery.DiscoveryInterface
	progress  *progress.Printer

	// concurrency bounds the requests in flight while validating and per
	// apply stage; bulkConcurrency those of the upgrade's per-object
	// writes (a thousand small updates, whose time is the server's
	// latency, not its CPU: the bench measured 32 in flight at about half
	// the time of 10).
	concurrency, bulkConcurrency int
	// pollInterval is how often waits look at the objects; crdPollInterval
	// is for the CRD wait, which is short and cheap (one list of CRDs a
	// poll) and sits on the critical path of every fresh install.
	pollInterval, crdPollInterval time.Duration

	wrote atomic.Bool
	// up is the upgrade of an older Flux this Install runs, if any.
	up *upgradePlan
	// bulk reads and writes an upgrade's objects (upgrade_restore.go);
	// nil in tests that use client alone.
	bulk client.Client
	// remap makes a new mapper: once an upgrade has changed the versions
	// the Flux CRDs serve, the first mapper still prefers the old ones.
	remap func() (meta.RESTMapper, error)
}

// newPoller reads statuses with kstatus, Flux's own kinds by their Ready
// condition (status.go).
func newPoller(c client.Client, mapper meta.RESTMapper) *polling.StatusPoller {
	return polling.NewStatusPoller(c, mapper, polling.Options{CustomStatusReaders: []engine.StatusReader{newFluxStatusReader(mapper)}})
}

// newInstaller connects to the API server cfg points at. Nothing is sent
// until an operation runs.
func newInstaller(cfg *rest.Config, p *progress.Printer) (*installer, error) {
	httpClient, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	// A dynamic mapper re-discovers on a miss, so kinds of CRDs applied in
	// stage one resolve in stage two without a new client.
	mapper, err := apiutil.NewDynamicRESTMapper(cfg, httpClient)
	if err != nil {
		return nil, err
	}
	c, err := client.New(cfg, client.Options{HTTPClient: httpClient, Mapper: mapper})
	if err != nil {
		return nil, err
	}
	bulk, err := newBulkClient(cfg, httpClient, mapper)
	if err != nil {
		return nil, err
	}
	dc, err := discovery.NewDiscoveryClientForConfigAndClient(cfg, httpClient)
	if err != nil {
		return nil, err
	}
	poller := newPoller(c, mapper)
	return &installer{
		client: c, bulk: bulk, mapper: mapper, poller: poller, discovery: dc, progress: p,
		remap: func() (meta.RESTMapper, error) { return apiutil.NewDynamicRESTMapper(cfg, httpClient) },
		// ssa's own concurrency setting is read only by ApplyAll, which
		// applyStage does not use (see there): the limit is ours.
		manager:     ssa.NewResourceManager(c, poller, ssa.Owner{Field: fieldManager, Group: "aksbaseline.io"}),
		concurrency: 10, bulkConcurrency: 32,
		pollInterval: 500 * time.Millisecond, crdPollInterval: 200 * time.Millisecond,
	}, nil
}

// install runs the stages in order and records in the Result how far it got.
func (in *installer) install(ctx context.Context, set *Set, o Options, deadline time.Time) (r Result, err error) {
	defer func() { r.Wrote = in.wrote.Load() }()
	p := in.progress

	r.Stage = StageValidate
	if err := in.preflight(ctx, set, o.Force); err != nil {
		return r, err
	}
	up, err := in.prepareUpgrade(ctx, set, o.Force)
	if err != nil {
		return r, err
	}
	in.up, r.upgrade = up, up
	p.Actionf("validating %d objects before the first write", len(set.objects))
	pl, err := in.validate(ctx, set, o.DefaultNamespace)
	if err != nil {
		return r, err
	}
	r.plan = pl
	p.Successf("%d objects validated: %s", len(pl.changes), pl.validatedBy())
	for _, c := range pl.changes {
		for _, t := range c.takenOver {
			p.Warningf("%s: taking over %s from field manager %q", c.obj.ref(), t.Field, t.Manager)
		}
	}
	if o.PlanOnly {
		r.Stage, r.DryRun = StageDone, true
		return r, nil
	}

	r.Stage = StageApply
	if up.active() {
		if err := in.upgradeStores(ctx, up); err != nil {
			return r, err
		}
	}
	if pl.unchanged() {
		p.Successf("all %d objects unchanged; nothing to apply", len(pl.changes))
		// Unchanged is not converged when an outage left a CRD unestablished.
		if n, err := in.nudgeStuck(ctx, pl.changes); err != nil || n > 0 {
			if err == nil {
				err = in.waitEstablished(ctx, pl.changes, deadline)
			}
			if err != nil {
				o.applied(r)
				return r, err
			}
		}
	} else if err := in.apply(ctx, pl, deadline); err != nil {
		o.applied(r)
		return r, err
	}
	if up.active() {
		if err := in.finishUpgrade(ctx, up); err != nil {
			o.applied(r)
			return r, err
		}
	}
	o.applied(r)
	if !o.Wait {
		r.Stage = StageDone
		return r, nil
	}

	r.Stage = StageWait
	healthy := false
	r.Healthy = &healthy
	if err := in.gitVerdict(ctx, up, in.waitHealthy(ctx, pl, deadline)); err != nil {
		return r, err
	}
	if o.Verify != nil {
		r.Stage = StageVerify
		p.Actionf("running verify's Flux checks")
		passed, err := o.Verify(ctx)
		if err != nil {
			return r, err
		}
		if !passed {
			return r, ErrUnhealthy
		}
	}
	healthy = true
	r.Stage = StageDone
	return r, nil
}

func (o Options) applied(r Result) {
	if o.Applied != nil {
		o.Applied(r)
	}
}

// preflight refuses, unless forced, a cluster where another installer
// manages Flux or, for the embedded install, a Kubernetes too old for it.
func (in *installer) preflight(ctx context.Context, set *Set, force bool) error {
	refuse := func(err error) error {
		var re *RefusedError
		if !force || !errors.As(err, &re) {
			return err
		}
		in.progress.Warningf("--force: %s", re.forced)
		return nil
	}
	if set.embedded {
		v, err := in.discovery.ServerVersion()
		if err != nil {
			return err
		}
		if err := refuse(checkKubernetesVersion(v.GitVersion)); err != nil {
			return err
		}
	}
	return refuse(detectForeign(ctx, in.client))
}
