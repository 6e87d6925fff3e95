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
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// How an object was validated before the first write.
const (
	byServer    = "by server-side dry-run"
	byNamespace = "by server-side dry-run in namespace default (theirs does not exist yet)"
	bySchema    = "against their CRD's schema (the kind is not served yet)"
)

// surrogateNamespace stands in for a namespace the set creates: objects
// bound for it are dry-run here before the first write.
const surrogateNamespace = "default"

// rejection is one object the server (or its CRD's schema) refused.
type rejection struct {
	ref, origin, reason string
}

// RejectedError lists every object refused during validation; nothing was written.
type RejectedError struct {
	rejections []rejection
}

func (e *RejectedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d object(s) rejected by validation, nothing was applied:", len(e.rejections))
	for _, r := range e.rejections {
		fmt.Fprintf(&b, "\n  %s (%s): %s", r.ref, r.origin, r.reason)
	}
	return b.String()
}

// validate checks every object before anything is written, and works out
// what applying would do. Objects the server can judge (their kind is
// served and their namespace exists) get a server-side dry-run apply,
// which also runs admission; objects bound for a namespace the set creates
// are dry-run in a stand-in namespace; custom resources whose CRD is in the
// set but not yet served are checked against the CRD's schema (see
// schema.go for why). Namespaced objects that name no namespace get
// defaultNamespace, as 'kubectl apply' does. Any rejection returns a
// *RejectedError naming every refused object; other errors (no access) are
// returned as they are.
func (in *installer) validate(ctx context.Context, set *Set, defaultNamespace string) (*plan, error) {
	crds, err := indexCRDs(set.objects)
	if err != nil {
		return nil, err
	}
	var us []*unstructured.Unstructured
	for _, o := range set.objects {
		us = append(us, o.Unstructured)
	}
	// The same defaults the server applies to native kinds, so a re-run
	// compares like with like and finds nothing changed.
	if err := normalize.UnstructuredList(us); err != nil {
		return nil, err
	}
	v := &validationRun{
		in: in, crds: crds, nsInSet: map[string]bool{}, defaultNamespace: defaultNamespace,
		known: map[string]bool{}, terminating: map[string]bool{},
	}
	for _, o := range set.objects {
		if ssautil.IsNamespace(o.Unstructured) {
			v.nsInSet[o.GetName()] = true
		}
	}

	ordered := set.inApplyOrder()
	changes := make([]*change, len(ordered))
	rejections := make([]*rejection, len(ordered))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(in.concurrency)
	for i, o := range ordered {
		g.Go(func() error {
			ch, rej, err := v.one(gctx, o)
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
	var rejected []rejection
	for _, r := range rejections {
		if r != nil {
			rejected = append(rejected, *r)
		}
	}
	if len(rejected) > 0 {
		return nil, &RejectedError{rejections: rejected}
	}
	return &plan{changes: changes}, nil
}

// validationRun is the state one validate call shares between its objects.
type validationRun struct {
	in               *installer
	crds             crdIndex
	nsInSet          map[string]bool
	defaultNamespace string

	mu          sync.Mutex
	known       map[string]bool // namespace → exists
	terminating map[string]bool // namespace → being deleted
}

// namespaceExists reports whether ns exists and whether it is being deleted.
func (v *validationRun) namespaceExists(ctx context.Context, ns string) (exists, terminating bool, err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if ok, seen := v.known[ns]; seen {
		return ok, v.terminating[ns], nil
	}
	obj := &metav1.PartialObjectMetadata{}
	obj.SetGroupVersionKind(metav1.SchemeGroupVersion.WithKind("Namespace"))
	obj.APIVersion = "v1"
	err = v.in.client.Get(ctx, client.ObjectKey{Name: ns}, obj)
	switch {
	case err == nil:
		v.known[ns] = true
		v.terminating[ns] = obj.DeletionTimestamp != nil
	case apierrors.IsNotFound(err):
		v.known[ns] = false
	default:
		return false, false, err
	}
	return v.known[ns], v.terminating[ns], nil
}

// one validates a single object: a change, a rejection, or an access error.
func (v *validationRun) one(ctx context.Context, o object) (*change, *rejection, error) {
	in := v.in
	reject := func(reason string) (*change, *rejection, error) {
		return nil, &rejection{ref: o.ref(), origin: o.origin, reason: reason}, nil
	}
	if ch, rej, ok, err := v.upgradeCase(ctx, o); ok {
		return ch, rej, err
	}
	gvk := o.GroupVersionKind()
	namespaced := false
	mapping, err := in.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	served := err == nil
	switch {
	case served:
		namespaced = mapping.Scope.Name() == meta.RESTScopeNameNamespace
	case meta.IsNoMatchError(err):
		crd, ok := v.crds[gvk.GroupKind()]
		if !ok {
			return reject(fmt.Sprintf("the API server does not serve %s and the set has no CustomResourceDefinition for it", gvk.GroupVersion().WithKind(gvk.Kind)))
		}
		namespaced = crd.Spec.Scope == apiextensionsv1.NamespaceScoped
	default:
		return nil, nil, err
	}
	if namespaced && o.GetNamespace() == "" {
		o.SetNamespace(v.defaultNamespace)
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
		if _, terminating, err := v.namespaceExists(ctx, termNS); err != nil {
			return nil, nil, err
		} else if terminating {
			return reject(fmt.Sprintf("namespace %q is being deleted: wait until it is gone ('kubectl get ns %s'), then run bootstrap again", termNS, termNS))
		}
	}

	nsMissing := false
	if namespaced {
		exists, _, err := v.namespaceExists(ctx, o.GetNamespace())
		if err != nil {
			return nil, nil, err
		}
		if !exists && !v.nsInSet[o.GetNamespace()] {
			return reject(fmt.Sprintf("namespace %q does not exist and this set does not create it", o.GetNamespace()))
		}
		nsMissing = !exists
	}

	if !served {
		if errs := validateCustomResource(ctx, v.crds[gvk.GroupKind()], o.Unstructured); len(errs) > 0 {
			return reject(formatFieldErrors(errs))
		}
		// An object the upgrade moves exists at the old version, which is
		// all the server serves of its kind until the bridge opens.
		action := ssa.CreatedAction
		if v.in.up.moves(o.ref()) {
			action = ssa.ConfiguredAction
		}
		return &change{obj: o, action: action, validatedBy: bySchema, desired: o.DeepCopy()}, nil, nil
	}

	if nsMissing {
		// The object cannot exist yet, so a dry-run create in a namespace
		// that does exist runs the same schema validation and admission.
		probe := o.DeepCopy()
		probe.SetNamespace(surrogateNamespace)
		err := in.client.Create(ctx, probe, client.DryRunAll, client.FieldOwner(fieldManager), client.FieldValidation(metav1.FieldValidationStrict))
		switch {
		case err == nil, apierrors.IsAlreadyExists(err):
			// AlreadyExists comes from storage, after validation and admission passed.
			return &change{obj: o, action: ssa.CreatedAction, validatedBy: byNamespace, desired: o.DeepCopy()}, nil, nil
		case isRejection(err):
			return reject(fmt.Sprintf("%s (dry-run in namespace %s, standing in for %s, which this set creates)", apiReason(err), surrogateNamespace, o.GetNamespace()))
		default:
			return nil, nil, err
		}
	}

	entry, existing, dryRun, err := in.manager.Diff(ctx, o.DeepCopy(), ssa.DiffOptions{})
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
	ch := &change{obj: o, action: entry.Action, validatedBy: byServer, existing: existing, desired: dryRun}
	if entry.Action == ssa.CreatedAction {
		ch.desired = o.DeepCopy()
	}
	if entry.Action == ssa.ConfiguredAction {
		ch.takenOver, err = in.conflicts(ctx, o)
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
func (in *installer) conflicts(ctx context.Context, o object) ([]Conflict, error) {
	probe := o.DeepCopy()
	err := in.client.Patch(ctx, probe, client.Apply, client.DryRunAll, client.FieldOwner(fieldManager))
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

// validatedBy counts how the plan's objects were validated, e.g. "22 by
// server-side dry-run, 2 against their CRD's schema (...)".
func (p *plan) validatedBy() string {
	counts := map[string]int{}
	for _, c := range p.changes {
		counts[c.validatedBy]++
	}
	var parts []string
	for _, k := range []string{byServer, byNamespace, bySchema, byBridge, byRecreate} {
		if counts[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
		}
	}
	return strings.Join(parts, ", ")
}
