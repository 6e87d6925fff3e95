package fluxinstall

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// upgradePlan is what bootstrap must do, beyond applying the set, to take an
// older Flux to the set's: the kinds whose objects are stored at versions
// the set's CRDs no longer serve (each object moved to the new storage
// version), the controllers whose immutable selector changes, and the
// Kustomization that manages Flux from Git. Computed before the first
// write; nil when applying the set is enough.
type upgradePlan struct {
	// installed and target are Flux versions ("" when unknown); from says
	// where installed was read.
	installed, from, target string
	kinds                   []*kindMove
	// recreate holds the Deployments (by ref) whose spec.selector differs
	// from the live one (immutable): deleted with their ReplicaSets, then
	// applied.
	recreate map[string]bool
	// manager is the Kustomization that applies Flux's own manifests from
	// Git, if any; managerResumeOK is set when bootstrap suspends it and
	// resumes it at the end (it was not suspended, or a previous run
	// suspended it and did not resume).
	manager         *types.NamespacedName
	managerResumeOK bool
	// kept counts the objects found with their UIDs after the upgrade.
	kept int
}

// kindMove is one Flux kind whose stored objects must move to the set's
// storage version.
type kindMove struct {
	gk     schema.GroupKind
	crd    *unstructured.Unstructured // the live CRD
	target *apiextensionsv1.CustomResourceDefinition
	// stale are the live stored versions the target does not serve; to is
	// the target's storage version; listed is the live version read.
	stale    []string
	stored   []string
	to       string
	listed   string
	resource string
	objects  []*movedObject
}

// movedObject is one live object and the form it is written back in.
type movedObject struct {
	live  *unstructured.Unstructured
	moved *unstructured.Unstructured
	// dropped are the fields the target API does not have; converted the
	// fields rewritten into their successors.
	dropped, converted []string
}

func (m *movedObject) ref() string { return objectRef(m.live) }

func objectRef(u *unstructured.Unstructured) string {
	if u.GetNamespace() == "" {
		return u.GetKind() + "/" + u.GetName()
	}
	return u.GetKind() + "/" + u.GetNamespace() + "/" + u.GetName()
}

// moves reports whether the plan moves the object ref names.
func (p *upgradePlan) moves(ref string) bool {
	if p == nil {
		return false
	}
	for _, k := range p.kinds {
		for _, m := range k.objects {
			if m.ref() == ref {
				return true
			}
		}
	}
	return false
}

func (p *upgradePlan) objectCount() int {
	n := 0
	for _, k := range p.kinds {
		n += len(k.objects)
	}
	return n
}

// planUpgrade reads what the upgrade needs: the live CRDs of the set's
// kinds, every object of the kinds to move (each kind listed once, in
// pages), the live Deployments the set replaces, the managing
// Kustomization. It writes nothing. Objects the target API would reject
// are returned as a *RejectedError naming object and field.
func (in *installer) planUpgrade(ctx context.Context, set *Set) (*upgradePlan, error) {
	targets, err := indexCRDs(set.objects)
	if err != nil {
		return nil, err
	}
	up := &upgradePlan{target: setFluxVersion(set)}
	// The GitRepository CRD's labels say both which Flux is installed
	// and which Kustomization manages it: read once.
	crdLabels, err := in.gitRepositoryLabels(ctx)
	if err != nil {
		return nil, err
	}
	up.installed, up.from, err = in.installedFlux(ctx, crdLabels)
	if err != nil {
		return nil, err
	}
	gks := make([]schema.GroupKind, 0, len(targets))
	for gk := range targets {
		gks = append(gks, gk)
	}
	sort.Slice(gks, func(i, j int) bool { return gks[i].String() < gks[j].String() })
	// The kinds are independent: each is read and its moves validated
	// at once (one kind's validation, client CPU, overlaps another's
	// list); the plan keeps them in name order.
	planned := make([]*kindMove, len(gks))
	rejectedOf := make([][]rejection, len(gks))
	g, gctx := errgroup.WithContext(ctx)
	for i, gk := range gks {
		g.Go(func() error {
			k, err := in.planKind(gctx, targets[gk])
			if err != nil || k == nil {
				return err
			}
			planned[i], rejectedOf[i] = k, k.validate(gctx)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var rejected []rejection
	for i, k := range planned {
		if k != nil {
			up.kinds = append(up.kinds, k)
			rejected = append(rejected, rejectedOf[i]...)
		}
	}
	if len(rejected) > 0 {
		return nil, &RejectedError{rejections: rejected}
	}
	var leftSuspended bool
	if up.manager, up.managerResumeOK, leftSuspended, err = in.fluxManager(ctx, crdLabels); err != nil {
		return nil, err
	}
	// With nothing to move the Kustomization is left alone, unless a run
	// cut after the moves (and before its resume) left it suspended.
	if len(up.kinds) == 0 && !leftSuspended {
		up.manager = nil
	}
	return up, nil
}

// planKind compares the live CRD of target with it: nil when the live one
// stores nothing at a version target lacks (or does not exist).
func (in *installer) planKind(ctx context.Context, target *apiextensionsv1.CustomResourceDefinition) (*kindMove, error) {
	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(crdGVK)
	if err := in.client.Get(ctx, client.ObjectKey{Name: target.Name}, live); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	want := map[string]bool{}
	to := ""
	for _, v := range target.Spec.Versions {
		want[v.Name] = true
		if v.Storage {
			to = v.Name
		}
	}
	stored, _, _ := unstructured.NestedStringSlice(live.Object, "status", "storedVersions")
	k := &kindMove{
		gk: schema.GroupKind{Group: target.Spec.Group, Kind: target.Spec.Names.Kind}, crd: live, target: target,
		stored: stored, to: to, resource: target.Spec.Names.Plural,
	}
	for _, s := range stored {
		if !want[s] {
			k.stale = append(k.stale, s)
		}
	}
	if len(k.stale) == 0 {
		return nil, nil
	}
	// Read at the live storage version: what the objects hold, without
	// a conversion.
	if k.listed = k.liveStorage(); k.listed == "" {
		return nil, fmt.Errorf("CustomResourceDefinition %s has no storage version", target.Name)
	}
	if err := in.listKind(ctx, k); err != nil {
		return nil, err
	}
	return k, nil
}

// listKind reads every object of k in every namespace, in pages of 500.
func (in *installer) listKind(ctx context.Context, k *kindMove) error {
	cont := ""
	for {
		l := &unstructured.UnstructuredList{}
		l.SetGroupVersionKind(schema.GroupVersionKind{Group: k.gk.Group, Version: k.listed, Kind: k.gk.Kind + "List"})
		opts := []client.ListOption{client.Limit(500)}
		if cont != "" {
			opts = append(opts, client.Continue(cont))
		}
		if err := in.client.List(ctx, l, opts...); err != nil {
			return fmt.Errorf("listing %s: %w", k.resource, err)
		}
		for i := range l.Items {
			u := &l.Items[i]
			m, err := moveObject(u, k.target, k.to)
			if err != nil {
				return fmt.Errorf("%s: %w", objectRef(u), err)
			}
			k.objects = append(k.objects, m)
		}
		if cont = l.GetContinue(); cont == "" {
			return nil
		}
	}
}

// validate checks every moved object against the target schema with the
// API server's own code (schema.go): before the first write, so that an
// object the new API rejects stops the upgrade with nothing written.
func (k *kindMove) validate(ctx context.Context) []rejection {
	var out []rejection
	for _, m := range k.objects {
		if errs := validateCustomResource(ctx, k.target, m.moved); len(errs) > 0 {
			out = append(out, rejection{ref: m.ref(), origin: "on the cluster, moving to " + m.moved.GetAPIVersion(), reason: formatFieldErrors(errs)})
		}
	}
	return out
}

// setFluxVersion is the Flux version the set installs: the label on its
// GitRepository CRD, as 'flux check' reads it.
func setFluxVersion(set *Set) string {
	for _, o := range set.objects {
		if o.GetKind() == "CustomResourceDefinition" && o.GetName() == gitRepositoryCRD {
			return o.GetLabels()["app.kubernetes.io/version"]
		}
	}
	return ""
}

func versions(vs []string) string { return strings.Join(vs, ", ") }
