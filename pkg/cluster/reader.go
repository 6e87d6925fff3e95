package cluster

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
)

// DefaultPageSize is the list page size: large enough that 5,000 nodes take
// ten round trips, small enough that no single response is huge.
const DefaultPageSize = 500

// Request says what to read: whole types, and single named objects of
// types that are too sensitive or too large to list (Secrets, ServiceAccounts).
type Request struct {
	Resources map[Resource]bool
	Named     map[Resource][]types.NamespacedName
}

// Add asks for each of rs.
func (q *Request) Add(rs ...Resource) {
	if q.Resources == nil {
		q.Resources = map[Resource]bool{}
	}
	for _, r := range rs {
		q.Resources[r] = true
	}
}

// AddNamed asks for one object of r.
func (q *Request) AddNamed(r Resource, ns, name string) {
	if q.Named == nil {
		q.Named = map[Resource][]types.NamespacedName{}
	}
	for _, n := range q.Named[r] {
		if n.Namespace == ns && n.Name == name {
			return
		}
	}
	q.Named[r] = append(q.Named[r], types.NamespacedName{Namespace: ns, Name: name})
}

// Reader reads snapshots from one cluster.
type Reader struct {
	typed    kubernetes.Interface
	ext      apiextensionsclient.Interface
	meta     metadata.Interface
	dyn      dynamic.Interface
	disc     discovery.DiscoveryInterface
	rest     rest.Interface
	PageSize int64
}

// NewReader builds the clients. Built-in types travel as protobuf, which
// decodes several times faster than JSON and keeps 5,000 nodes cheap.
func NewReader(cfg *rest.Config) (*Reader, error) {
	pcfg := rest.CopyConfig(cfg)
	pcfg.ContentType = runtime.ContentTypeProtobuf
	pcfg.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	typed, err := kubernetes.NewForConfig(pcfg)
	if err != nil {
		return nil, err
	}
	ext, err := apiextensionsclient.NewForConfig(pcfg)
	if err != nil {
		return nil, err
	}
	meta, err := metadata.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &Reader{typed: typed, ext: ext, meta: meta, dyn: dyn, disc: disc, rest: disc.RESTClient(), PageSize: DefaultPageSize}, nil
}

type collector struct {
	mu   sync.Mutex
	snap *Snapshot
	wg   sync.WaitGroup
}

func (c *collector) do(f func()) {
	c.wg.Add(1)
	go func() { defer c.wg.Done(); f() }()
}

// set records how reading r went and keeps what it got; store is nil when
// there is nothing to keep.
func (c *collector) set(r Resource, st ReadStatus, store func(*Snapshot)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if store != nil {
		store(c.snap)
	}
	c.snap.status[r] = st
}

// Read reads everything q asks for, concurrently. It never fails as a whole:
// each type carries its own outcome, so one forbidden type costs one check.
func (rd *Reader) Read(ctx context.Context, q Request, access Access) *Snapshot {
	c := &collector{snap: NewSnapshot()}
	c.snap.Access = access
	c.snap.Now = time.Now()
	c.snap.status[Kubeconfig] = ReadStatus{Outcome: OK}
	var customs []Resource
	for i := range descriptors {
		d := &descriptors[i]
		switch {
		case !d.wanted(q):
		case d.custom():
			customs = append(customs, d.resource)
		default:
			c.do(func() {
				st, store := d.read(ctx, rd, q)
				c.set(d.resource, st, store)
			})
		}
	}
	if len(customs) > 0 {
		c.do(func() { rd.readCustom(ctx, c, customs) })
	}
	c.wg.Wait()
	return c.snap
}

// readCustom finds the served version of each custom type with one
// discovery request, then lists them all at once.
func (rd *Reader) readCustom(ctx context.Context, c *collector, customs []Resource) {
	groups, err := rd.disc.ServerGroups()
	if err != nil {
		st := classify("discover", err)
		for _, r := range customs {
			c.set(r, st, nil)
		}
		return
	}
	preferred := map[string]string{}
	for _, g := range groups.Groups {
		preferred[g.Name] = g.PreferredVersion.Version
	}
	var wg sync.WaitGroup
	for _, r := range customs {
		group := r.Group()
		if r == Constraints {
			group = ConstraintsGroup
		}
		v, ok := preferred[group]
		if !ok {
			c.set(r, ReadStatus{Outcome: NotFound, Verb: "list"}, nil)
			continue
		}
		wg.Go(func() {
			if r == Constraints {
				rd.readConstraints(ctx, c, schema.GroupVersion{Group: group, Version: v})
				return
			}
			items, err := rd.listDynamic(ctx, schema.GroupVersionResource{Group: group, Version: v, Resource: r.Plural()})
			if err != nil {
				c.set(r, classify("list", err), nil)
				return
			}
			c.set(r, classify("list", nil), func(s *Snapshot) { s.Custom[r] = items })
		})
	}
	wg.Wait()
}

// readConstraints lists every constraint kind the cluster serves; each kind
// is its own resource, so a forbidden one is named exactly.
func (rd *Reader) readConstraints(ctx context.Context, c *collector, gv schema.GroupVersion) {
	rl, err := rd.disc.ServerResourcesForGroupVersion(gv.String())
	if err != nil {
		c.set(Constraints, classify("discover", err), nil)
		return
	}
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		all   []unstructured.Unstructured
		worst = ReadStatus{Outcome: OK}
	)
	for _, ar := range rl.APIResources {
		if strings.Contains(ar.Name, "/") {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			items, err := rd.listDynamic(ctx, gv.WithResource(ar.Name))
			mu.Lock()
			defer mu.Unlock()
			st := classify("list", err)
			if st.Outcome == NotFound {
				return
			}
			if st.Outcome != OK {
				if worst.Outcome == OK {
					st.Target = ar.Name + "." + gv.Group
					worst = st
				}
				return
			}
			all = append(all, items...)
		}()
	}
	wg.Wait()
	sort.Slice(all, func(i, j int) bool {
		if all[i].GetKind() != all[j].GetKind() {
			return all[i].GetKind() < all[j].GetKind()
		}
		return all[i].GetName() < all[j].GetName()
	})
	if worst.Outcome != OK {
		c.set(Constraints, worst, nil)
		return
	}
	c.set(Constraints, worst, func(s *Snapshot) { s.Custom[Constraints] = all })
}

func (rd *Reader) listDynamic(ctx context.Context, gvr schema.GroupVersionResource) ([]unstructured.Unstructured, error) {
	return pages(ctx, rd.PageSize, func(o metav1.ListOptions) ([]unstructured.Unstructured, string, error) {
		l, err := rd.dyn.Resource(gvr).List(ctx, o)
		if err != nil {
			return nil, "", err
		}
		for i := range l.Items {
			unstructured.RemoveNestedField(l.Items[i].Object, "metadata", "managedFields")
		}
		return l.Items, l.GetContinue(), nil
	})
}

// pages follows continue tokens until the list is complete; a server that
// hands back the token it was given would otherwise loop forever.
func pages[T any](ctx context.Context, size int64, fetch func(metav1.ListOptions) ([]T, string, error)) ([]T, error) {
	var all []T
	opts := metav1.ListOptions{Limit: size}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		items, cont, err := fetch(opts)
		if err != nil {
			return nil, err
		}
		if all == nil {
			all = items
		} else {
			all = append(all, items...)
		}
		if cont == "" {
			return all, nil
		}
		if cont == opts.Continue {
			return nil, fmt.Errorf("the API server returned the same continue token twice")
		}
		opts.Continue = cont
	}
}

func classify(verb string, err error) ReadStatus {
	switch {
	case err == nil:
		return ReadStatus{Outcome: OK, Verb: verb}
	case apierrors.IsForbidden(err):
		return ReadStatus{Outcome: Forbidden, Verb: verb, Err: err}
	case apierrors.IsNotFound(err):
		return ReadStatus{Outcome: NotFound, Verb: verb, Err: err}
	}
	return ReadStatus{Outcome: Error, Verb: verb, Err: err}
}

// builtin is how reading a built-in type went. Every API server serves
// them: a 404 there is not "absent, nothing to judge" but a server (or a
// proxy in front of it) that does not answer as Kubernetes does, and the
// checks that need the type must error, never pass on an empty list. Only
// CRD-backed types may be absent.
func builtin(st ReadStatus) ReadStatus {
	if st.Outcome == NotFound {
		st.Outcome = Error
		st.Err = fmt.Errorf("the API server answered 404 Not Found for a built-in type: %w", st.Err)
	}
	return st
}

// classifyGet treats a missing named object as read successfully: the
// check decides what absence means.
func classifyGet(err error) ReadStatus {
	if apierrors.IsNotFound(err) {
		return ReadStatus{Outcome: OK, Verb: "get"}
	}
	return classify("get", err)
}

// String renders a status for debugging.
func (s ReadStatus) String() string { return fmt.Sprintf("%s(%s)", s.Outcome, s.Verb) }
