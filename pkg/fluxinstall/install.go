package fluxinstall

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fluxcd/cli-utils/pkg/kstatus/polling"
	"github.com/fluxcd/cli-utils/pkg/kstatus/polling/engine"
	"github.com/fluxcd/cli-utils/pkg/object"
	"github.com/fluxcd/pkg/ssa"
	ssaerrors "github.com/fluxcd/pkg/ssa/errors"
	"github.com/fluxcd/pkg/ssa/normalize"
	ssautil "github.com/fluxcd/pkg/ssa/utils"
	"golang.org/x/sync/errgroup"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/progress"
)

// FieldManager owns the fields bootstrap applies. Distinct from Flux's own
// "flux" and "kustomize-controller" so 'kubectl get --show-managed-fields'
// tells who wrote what; ForceOwnership lets either take over from the other.
const FieldManager = "aksbaseline"

// How an object was validated before the first write.
const (
	ByServer    = "by server-side dry-run"
	ByNamespace = "by server-side dry-run in namespace default (theirs does not exist yet)"
	BySchema    = "against their CRD's schema (the kind is not served yet)"
)

// surrogateNamespace stands in for a namespace the set creates: objects
// bound for it are dry-run here before the first write.
const surrogateNamespace = "default"

// Installer applies a manifest set in stages with server-side apply.
type Installer struct {
	Client  client.Client
	Mapper  meta.RESTMapper
	Manager *ssa.ResourceManager
	Poller  *polling.StatusPoller
	// Progress receives human progress; never nil.
	Progress *progress.Printer
	// Concurrency bounds the requests in flight per stage.
	Concurrency int
	// PollInterval is how often waits look at the objects;
	// CRDPollInterval for the CRD wait, which is short and cheap (one
	// list of CRDs a poll) and sits on the critical path of every fresh
	// install.
	PollInterval, CRDPollInterval time.Duration
	// DefaultNamespace is given to namespaced objects that name none, as
	// 'kubectl apply' does.
	DefaultNamespace string

	wrote atomic.Bool
}

// NewInstaller connects to the API server cfg points at. Nothing is sent
// until a method is called.
func NewInstaller(cfg *rest.Config, p *progress.Printer) (*Installer, error) {
	httpClient, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	return newInstaller(cfg, httpClient, p)
}

func newInstaller(cfg *rest.Config, httpClient *http.Client, p *progress.Printer) (*Installer, error) {
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
	poller := polling.NewStatusPoller(c, mapper, polling.Options{CustomStatusReaders: []engine.StatusReader{newFluxStatusReader(mapper)}})
	man := ssa.NewResourceManager(c, poller, ssa.Owner{Field: FieldManager, Group: "aksbaseline.io"})
	const concurrency = 10
	man.SetConcurrency(concurrency)
	return &Installer{
		Client: c, Mapper: mapper, Manager: man, Poller: poller, Progress: p,
		Concurrency: concurrency, PollInterval: 500 * time.Millisecond, CRDPollInterval: 200 * time.Millisecond,
		DefaultNamespace: "default",
	}, nil
}

// Wrote reports whether anything has been written to the cluster.
func (in *Installer) Wrote() bool { return in.wrote.Load() }

// Conflict is a field another manager owned that bootstrap takes over.
type Conflict struct {
	Field   string `json:"field"`
	Manager string `json:"manager"`
}

// Change is what bootstrap does (or would do) to one object.
type Change struct {
	Object      Object
	Action      ssa.Action
	ValidatedBy string
	// Existing and Desired are the live object and the server's dry-run
	// result, both without managed fields, set for configured objects, for
	// --diff. Desired alone is set for created ones.
	Existing, Desired *unstructured.Unstructured
	// TakenOver lists fields that other field managers owned.
	TakenOver []Conflict
}

// Plan is the validated set, in apply order: stage one, then stage two.
type Plan struct {
	Changes []*Change
}

// Rejection is one object the server (or its CRD's schema) refused.
type Rejection struct {
	Ref    string
	Origin string
	Reason string
}

// RejectedError lists every object refused during validation; nothing was written.
type RejectedError struct {
	Rejections []Rejection
}

func (e *RejectedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d object(s) rejected by validation, nothing was applied:", len(e.Rejections))
	for _, r := range e.Rejections {
		fmt.Fprintf(&b, "\n  %s (%s): %s", r.Ref, r.Origin, r.Reason)
	}
	return b.String()
}

// stageOne holds what must exist before anything else can be validated
// by the server or applied: CRDs, Namespaces and ClusterRoles.
func stageOne(o Object) bool { return ssautil.IsClusterDefinition(o.Unstructured) }

// Validate checks every object before anything is written, and works out
// what applying would do. Objects the server can judge (their kind is
// served and their namespace exists) get a server-side dry-run apply,
// which also runs admission; objects bound for a namespace the set creates
// are dry-run in a stand-in namespace; custom resources whose CRD is in the
// set but not yet served are checked against the CRD's schema (see
// schema.go for why). Any rejection returns a *RejectedError naming every
// refused object; other errors (no access) are returned as they are.
func (in *Installer) Validate(ctx context.Context, set *Set) (*Plan, error) {
	crds, err := indexCRDs(set.Objects)
	if err != nil {
		return nil, err
	}
	var us []*unstructured.Unstructured
	for _, o := range set.Objects {
		us = append(us, o.Unstructured)
	}
	// The same defaults the server applies to native kinds, so a re-run
	// compares like with like and finds nothing changed.
	if err := normalize.UnstructuredList(us); err != nil {
		return nil, err
	}
	nsInSet := map[string]bool{}
	for _, o := range set.Objects {
		if ssautil.IsNamespace(o.Unstructured) {
			nsInSet[o.GetName()] = true
		}
	}

	ordered := make([]Object, 0, len(set.Objects))
	for _, o := range set.Objects {
		if stageOne(o) {
			ordered = append(ordered, o)
		}
	}
	for _, o := range set.Objects {
		if !stageOne(o) {
			ordered = append(ordered, o)
		}
	}

	changes := make([]*Change, len(ordered))
	rejections := make([]*Rejection, len(ordered))
	nsCache := &namespaceCache{known: map[string]bool{}, terminating: map[string]bool{}}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(in.Concurrency)
	for i, o := range ordered {
		g.Go(func() error {
			ch, rej, err := in.validateOne(gctx, o, crds, nsInSet, nsCache)
			if err != nil {
				return err
			}
			changes[i], rejections[i] = ch, rej
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var rejected []Rejection
	for _, r := range rejections {
		if r != nil {
			rejected = append(rejected, *r)
		}
	}
	if len(rejected) > 0 {
		return nil, &RejectedError{Rejections: rejected}
	}
	return &Plan{Changes: changes}, nil
}

type namespaceCache struct {
	mu          sync.Mutex
	known       map[string]bool
	terminating map[string]bool
}

// namespaceExists reports whether ns exists and whether it is being deleted.
func (in *Installer) namespaceExists(ctx context.Context, c *namespaceCache, ns string) (exists, terminating bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.known[ns]; ok {
		return v, c.terminating[ns], nil
	}
	obj := &metav1.PartialObjectMetadata{}
	obj.SetGroupVersionKind(metav1.SchemeGroupVersion.WithKind("Namespace"))
	obj.APIVersion = "v1"
	err = in.Client.Get(ctx, client.ObjectKey{Name: ns}, obj)
	switch {
	case err == nil:
		c.known[ns] = true
		c.terminating[ns] = obj.DeletionTimestamp != nil
	case apierrors.IsNotFound(err):
		c.known[ns] = false
	default:
		return false, false, err
	}
	return c.known[ns], c.terminating[ns], nil
}

func (in *Installer) validateOne(ctx context.Context, o Object, crds crdIndex, nsInSet map[string]bool, nsCache *namespaceCache) (*Change, *Rejection, error) {
	reject := func(reason string) (*Change, *Rejection, error) {
		return nil, &Rejection{Ref: o.Ref(), Origin: o.Origin, Reason: reason}, nil
	}
	gvk := o.GroupVersionKind()
	namespaced := false
	mapping, err := in.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	served := err == nil
	switch {
	case served:
		namespaced = mapping.Scope.Name() == meta.RESTScopeNameNamespace
	case meta.IsNoMatchError(err):
		crd, ok := crds[gvk.GroupKind()]
		if !ok {
			return reject(fmt.Sprintf("the API server does not serve %s and the set has no CustomResourceDefinition for it", gvk.GroupVersion().WithKind(gvk.Kind)))
		}
		namespaced = crd.Spec.Scope == apiextensionsv1.NamespaceScoped
	default:
		return nil, nil, err
	}
	if namespaced && o.GetNamespace() == "" {
		o.SetNamespace(in.DefaultNamespace)
	}
	if !namespaced && o.GetNamespace() != "" {
		o.SetNamespace("")
	}

	// A namespace being deleted accepts nothing new; say so up front
	// rather than half-way through stage two.
	termNS := o.GetNamespace()
	if ssautil.IsNamespace(o.Unstructured) {
		termNS = o.GetName()
	}
	if termNS != "" && (namespaced || ssautil.IsNamespace(o.Unstructured)) {
		if _, terminating, err := in.namespaceExists(ctx, nsCache, termNS); err != nil {
			return nil, nil, err
		} else if terminating {
			return reject(fmt.Sprintf("namespace %q is being deleted: wait until it is gone ('kubectl get ns %s'), then run bootstrap again", termNS, termNS))
		}
	}

	nsMissing := false
	if namespaced {
		exists, _, err := in.namespaceExists(ctx, nsCache, o.GetNamespace())
		if err != nil {
			return nil, nil, err
		}
		if !exists && !nsInSet[o.GetNamespace()] {
			return reject(fmt.Sprintf("namespace %q does not exist and this set does not create it", o.GetNamespace()))
		}
		nsMissing = !exists
	}

	if !served {
		if errs := validateCustomResource(ctx, crds[gvk.GroupKind()], o.Unstructured); len(errs) > 0 {
			return reject(formatFieldErrors(errs))
		}
		return &Change{Object: o, Action: ssa.CreatedAction, ValidatedBy: BySchema, Desired: o.DeepCopy()}, nil, nil
	}

	if nsMissing {
		// The object cannot exist yet, so a dry-run create in a namespace
		// that does exist runs the same schema validation and admission.
		probe := o.DeepCopy()
		probe.SetNamespace(surrogateNamespace)
		err := in.Client.Create(ctx, probe, client.DryRunAll, client.FieldOwner(FieldManager), client.FieldValidation(metav1.FieldValidationStrict))
		switch {
		case err == nil, apierrors.IsAlreadyExists(err):
			// AlreadyExists comes from storage, after validation and admission passed.
			return &Change{Object: o, Action: ssa.CreatedAction, ValidatedBy: ByNamespace, Desired: o.DeepCopy()}, nil, nil
		case isRejection(err):
			return reject(fmt.Sprintf("%s (dry-run in namespace %s, standing in for %s, which this set creates)", apiReason(err), surrogateNamespace, o.GetNamespace()))
		default:
			return nil, nil, err
		}
	}

	entry, existing, dryRun, err := in.Manager.Diff(ctx, o.DeepCopy(), ssa.DiffOptions{})
	if err != nil {
		var dre *ssaerrors.DryRunErr
		if errors.As(err, &dre) && isRejection(errors.Unwrap(dre)) {
			return reject(apiReason(errors.Unwrap(dre)))
		}
		if isRejection(err) {
			return reject(apiReason(err))
		}
		return nil, nil, err
	}
	ch := &Change{Object: o, Action: entry.Action, ValidatedBy: ByServer, Existing: existing, Desired: dryRun}
	if entry.Action == ssa.CreatedAction {
		ch.Desired = o.DeepCopy()
	}
	if entry.Action == ssa.ConfiguredAction {
		ch.TakenOver, err = in.conflicts(ctx, o)
		if err != nil {
			return nil, nil, err
		}
	}
	return ch, nil, nil
}

// conflictMessage is how the API server names the other manager in a
// FieldManagerConflict cause.
var conflictMessage = regexp.MustCompile(`conflict with "([^"]+)"`)

// conflicts asks the server which fields applying o would take from other
// managers: the same dry-run without force fails with one cause per field.
func (in *Installer) conflicts(ctx context.Context, o Object) ([]Conflict, error) {
	probe := o.DeepCopy()
	err := in.Client.Patch(ctx, probe, client.Apply, client.DryRunAll, client.FieldOwner(FieldManager))
	if err == nil || !apierrors.IsConflict(err) {
		return nil, nil
	}
	var st apierrors.APIStatus
	if !errors.As(err, &st) || st.Status().Details == nil {
		return nil, nil
	}
	var out []Conflict
	for _, c := range st.Status().Details.Causes {
		if c.Type != metav1.CauseTypeFieldManagerConflict {
			continue
		}
		m := conflictMessage.FindStringSubmatch(c.Message)
		mgr := c.Message
		if m != nil {
			mgr = m[1]
		}
		out = append(out, Conflict{Field: c.Field, Manager: mgr})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out, nil
}

// isRejection tells the server judging the object (invalid, forbidden by
// RBAC or admission, a bad request) from failing to reach it.
func isRejection(err error) bool {
	var st apierrors.APIStatus
	if !errors.As(err, &st) {
		return false
	}
	code := st.Status().Code
	return code >= 400 && code < 500 && code != http.StatusUnauthorized && code != http.StatusTooManyRequests && code != http.StatusRequestTimeout
}

func apiReason(err error) string {
	var st apierrors.APIStatus
	if errors.As(err, &st) && st.Status().Message != "" {
		return st.Status().Message
	}
	return err.Error()
}

// ApplyError is a failure once writing has begun.
type ApplyError struct {
	Stage string
	Errs  []error
}

func (e *ApplyError) Error() string {
	var parts []string
	for _, err := range e.Errs {
		parts = append(parts, err.Error())
	}
	return fmt.Sprintf("applying %s: %s", e.Stage, strings.Join(parts, "; "))
}

func (e *ApplyError) Unwrap() []error { return e.Errs }

// Apply writes the plan: stage one (CRDs, Namespaces, ClusterRoles)
// concurrently, then waits until every CRD of the set is Established
// (bounded by deadline, not a fixed minute), then stage two concurrently.
// Unchanged objects are not sent again, so a re-run writes nothing. The
// plan's actions are updated with what the server actually did.
func (in *Installer) Apply(ctx context.Context, plan *Plan, deadline time.Time) error {
	var one, two []*Change
	for _, c := range plan.Changes {
		if stageOne(c.Object) {
			one = append(one, c)
		} else {
			two = append(two, c)
		}
	}
	p := in.Progress
	p.Actionf("applying %d cluster definitions (CRDs, namespaces, cluster roles)", len(one))
	if err := in.applyStage(ctx, "cluster definitions", one); err != nil {
		return err
	}
	p.Successf("cluster definitions %s", countActions(one))

	var crds object.ObjMetadataSet
	for _, c := range one {
		if ssautil.IsCRD(c.Object.Unstructured) {
			crds = append(crds, object.UnstructuredToObjMetadata(c.Object.Unstructured))
		}
	}
	if len(crds) > 0 {
		p.Waitingf("waiting for %d CRDs to be established", len(crds))
		if err := waitCurrent(ctx, in.Poller, crds, "CRDs to be established", in.CRDPollInterval, deadline, p); err != nil {
			return err
		}
		p.Successf("%d CRDs established", len(crds))
	}

	p.Actionf("applying %d objects", len(two))
	if err := in.applyStage(ctx, "objects", two); err != nil {
		return err
	}
	p.Successf("objects %s", countActions(two))
	return nil
}

func (in *Installer) applyStage(ctx context.Context, stage string, changes []*Change) error {
	var (
		mu   sync.Mutex
		errs []error
	)
	var g errgroup.Group
	g.SetLimit(in.Concurrency)
	for _, c := range changes {
		if c.Action == ssa.UnchangedAction {
			continue
		}
		g.Go(func() error {
			if ctx.Err() != nil {
				return nil
			}
			entry, err := in.Manager.Apply(ctx, c.Object.DeepCopy(), ssa.ApplyOptions{WaitInterval: in.PollInterval, WaitTimeout: time.Minute})
			if err != nil {
				mu.Lock()
				errs = append(errs, explainApplyError(c.Object, err))
				mu.Unlock()
				return nil
			}
			c.Action = entry.Action
			if entry.Action == ssa.CreatedAction || entry.Action == ssa.ConfiguredAction {
				in.wrote.Store(true)
			}
			return nil
		})
	}
	_ = g.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if len(errs) > 0 {
		sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
		return &ApplyError{Stage: stage, Errs: errs}
	}
	return nil
}

func explainApplyError(o Object, err error) error {
	var dre *ssaerrors.DryRunErr
	if errors.As(err, &dre) {
		return fmt.Errorf("%s (%s) rejected: %s", o.Ref(), o.Origin, apiReason(errors.Unwrap(dre)))
	}
	return err
}

// WaitHealthy waits with kstatus until the set's Deployments (the Flux
// controllers) are Current, rolled out and available, and then until its
// Flux objects (the GitRepository and Kustomization) report Ready, as
// 'flux bootstrap' does: only then is the cluster actually syncing.
func (in *Installer) WaitHealthy(ctx context.Context, plan *Plan, deadline time.Time) error {
	var controllers, syncs object.ObjMetadataSet
	for _, c := range plan.Changes {
		gvk := c.Object.GroupVersionKind()
		switch {
		case gvk.Kind == "Deployment" && gvk.Group == "apps":
			controllers = append(controllers, object.UnstructuredToObjMetadata(c.Object.Unstructured))
		case isFluxKind(gvk.GroupKind()):
			syncs = append(syncs, object.UnstructuredToObjMetadata(c.Object.Unstructured))
		}
	}
	if len(controllers) > 0 {
		in.Progress.Waitingf("waiting for %d controller(s) to become ready", len(controllers))
		if err := waitCurrent(ctx, in.Poller, controllers, "controllers", in.PollInterval, deadline, in.Progress); err != nil {
			return err
		}
		in.Progress.Successf("%d controller(s) ready", len(controllers))
	}
	if len(syncs) > 0 {
		in.Progress.Waitingf("waiting for %s to be reconciled", progress.Summary(refs(syncs), 3))
		if err := waitCurrent(ctx, in.Poller, syncs, "Flux objects", in.PollInterval, deadline, in.Progress); err != nil {
			return err
		}
		in.Progress.Successf("%s reconciled", progress.Summary(refs(syncs), 3))
	}
	return nil
}

func refs(set object.ObjMetadataSet) []string {
	var out []string
	for _, id := range set {
		out = append(out, ssautil.FmtObjMetadata(id))
	}
	return out
}

// HasSync reports whether the plan carries Flux objects to reconcile.
func (p *Plan) HasSync() bool {
	for _, c := range p.Changes {
		if isFluxKind(c.Object.GroupVersionKind().GroupKind()) {
			return true
		}
	}
	return false
}

func countActions(changes []*Change) string {
	counts := map[ssa.Action]int{}
	for _, c := range changes {
		counts[c.Action]++
	}
	var parts []string
	for _, a := range []ssa.Action{ssa.CreatedAction, ssa.ConfiguredAction, ssa.UnchangedAction} {
		if counts[a] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[a], a))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// Summary counts the plan's actions, e.g. "3 created, 40 unchanged".
func (p *Plan) Summary() string { return countActions(p.Changes) }

// Unchanged reports whether applying the plan would write nothing.
func (p *Plan) Unchanged() bool {
	for _, c := range p.Changes {
		if c.Action != ssa.UnchangedAction {
			return false
		}
	}
	return true
}
