package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/version"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
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

// Add asks for r.
func (q *Request) Add(r Resource) {
	if q.Resources == nil {
		q.Resources = map[Resource]bool{}
	}
	q.Resources[r] = true
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
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &Reader{typed: typed, ext: ext, dyn: dyn, disc: disc, rest: disc.RESTClient(), PageSize: DefaultPageSize}, nil
}

// customTypes are read through discovery and the dynamic client.
var customTypes = []Resource{ConstraintTemplates, AzureIdentities, AzureIdentityBindings, SecretProviderClasses, GitRepositories, Kustomizations}

type collector struct {
	mu   sync.Mutex
	snap *Snapshot
	wg   sync.WaitGroup
}

func (c *collector) do(f func()) {
	c.wg.Add(1)
	go func() { defer c.wg.Done(); f() }()
}

func (c *collector) set(r Resource, st Status, store func(*Snapshot)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if store != nil && st.Outcome == OK {
		store(c.snap)
	}
	// Several gets of one type share a status: the first failure sticks.
	if prev, ok := c.snap.status[r]; ok && prev.Outcome != OK {
		return
	}
	c.snap.status[r] = st
}

// Read reads everything q asks for, concurrently. It never fails as a whole:
// each type carries its own outcome, so one forbidden type costs one check.
func (rd *Reader) Read(ctx context.Context, q Request, access Access) *Snapshot {
	c := &collector{snap: NewSnapshot()}
	c.snap.Access = access
	c.snap.Now = time.Now()
	c.snap.status[Kubeconfig] = Status{Outcome: OK}
	want := func(r Resource) bool { return q.Resources[r] }

	if want(ServerVersion) {
		c.do(func() {
			body, err := rd.rest.Get().AbsPath("/version").Do(ctx).Raw()
			var info version.Info
			if err == nil {
				err = json.Unmarshal(body, &info)
			}
			c.set(ServerVersion, classify("get", err), func(s *Snapshot) { s.Version = &info })
		})
	}
	if want(ClusterIdentity) {
		c.do(func() {
			ns, err := rd.typed.CoreV1().Namespaces().Get(ctx, KubeSystem, metav1.GetOptions{})
			c.set(ClusterIdentity, classify("get", err), func(s *Snapshot) {
				s.KubeSystem = &Object{Name: ns.Name, Meta: metaOf(&ns.ObjectMeta)}
			})
		})
	}
	if want(Nodes) {
		c.do(func() {
			in := newInterner()
			items, err := listReduced(ctx, rd.typed.CoreV1().RESTClient(), "nodes", rd.PageSize,
				func(l *corev1.NodeList) []corev1.Node { return l.Items },
				func(n *corev1.Node) corev1.Node { slimNode(n, in); return *n })
			c.set(Nodes, classify("list", err), func(s *Snapshot) { s.Nodes = items })
		})
	}
	if want(Namespaces) {
		c.do(func() {
			items, err := listReduced(ctx, rd.typed.CoreV1().RESTClient(), "namespaces", rd.PageSize,
				func(l *corev1.NamespaceList) []corev1.Namespace { return l.Items },
				func(n *corev1.Namespace) Object { return Object{Name: n.Name, Meta: metaOf(&n.ObjectMeta)} })
			sort.Slice(items, func(i, j int) bool { return items[i].Name < items[j].Name })
			c.set(Namespaces, classify("list", err), func(s *Snapshot) { s.Namespaces = items })
		})
	}
	// Pods, Services and NetworkPolicies are reduced page by page: only the
	// slim values outlive a page. Each read interns its repeated strings.
	if want(Pods) {
		c.do(func() {
			in := newInterner()
			items, err := listReduced(ctx, rd.typed.CoreV1().RESTClient(), "pods", rd.PageSize,
				func(l *corev1.PodList) []corev1.Pod { return l.Items },
				func(p *corev1.Pod) Pod { return reducePod(p, in) })
			c.set(Pods, classify("list", err), func(s *Snapshot) { s.Pods = items })
		})
	}
	if want(Services) {
		c.do(func() {
			in := newInterner()
			items, err := listReduced(ctx, rd.typed.CoreV1().RESTClient(), "services", rd.PageSize,
				func(l *corev1.ServiceList) []corev1.Service { return l.Items },
				func(sv *corev1.Service) Service { return reduceService(sv, in) })
			c.set(Services, classify("list", err), func(s *Snapshot) { s.Services = items })
		})
	}
	if want(NetworkPolicies) {
		c.do(func() {
			in := newInterner()
			items, err := listReduced(ctx, rd.typed.NetworkingV1().RESTClient(), "networkpolicies", rd.PageSize,
				func(l *networkingv1.NetworkPolicyList) []networkingv1.NetworkPolicy { return l.Items },
				func(np *networkingv1.NetworkPolicy) NetworkPolicy { return reduceNetworkPolicy(np, in) })
			c.set(NetworkPolicies, classify("list", err), func(s *Snapshot) { s.NetworkPolicies = items })
		})
	}
	if want(ResourceQuotas) {
		c.do(func() {
			items, err := listReduced(ctx, rd.typed.CoreV1().RESTClient(), "resourcequotas", rd.PageSize,
				func(l *corev1.ResourceQuotaList) []corev1.ResourceQuota { return l.Items },
				func(o *corev1.ResourceQuota) Object { return Object{o.Namespace, o.Name, metaOf(&o.ObjectMeta)} })
			c.set(ResourceQuotas, classify("list", err), func(s *Snapshot) { s.ResourceQuotas = items })
		})
	}
	if want(LimitRanges) {
		c.do(func() {
			items, err := listReduced(ctx, rd.typed.CoreV1().RESTClient(), "limitranges", rd.PageSize,
				func(l *corev1.LimitRangeList) []corev1.LimitRange { return l.Items },
				func(o *corev1.LimitRange) Object { return Object{o.Namespace, o.Name, metaOf(&o.ObjectMeta)} })
			c.set(LimitRanges, classify("list", err), func(s *Snapshot) { s.LimitRanges = items })
		})
	}
	if want(Deployments) {
		c.do(func() {
			items, err := listTyped(ctx, rd.PageSize, rd.typed.AppsV1().Deployments("").List,
				func(l *appsv1.DeploymentList) []appsv1.Deployment { return l.Items },
				func(d *appsv1.Deployment) { d.ManagedFields = nil })
			c.set(Deployments, classify("list", err), func(s *Snapshot) { s.Deployments = items })
		})
	}
	if want(DaemonSets) {
		c.do(func() {
			items, err := listTyped(ctx, rd.PageSize, rd.typed.AppsV1().DaemonSets("").List,
				func(l *appsv1.DaemonSetList) []appsv1.DaemonSet { return l.Items },
				func(d *appsv1.DaemonSet) { d.ManagedFields = nil })
			c.set(DaemonSets, classify("list", err), func(s *Snapshot) { s.DaemonSets = items })
		})
	}
	if want(CRDs) {
		c.do(func() {
			items, err := listTyped(ctx, rd.PageSize, rd.ext.ApiextensionsV1().CustomResourceDefinitions().List,
				func(l *apiextensionsv1.CustomResourceDefinitionList) []apiextensionsv1.CustomResourceDefinition {
					return l.Items
				},
				slimCRD)
			c.set(CRDs, classify("list", err), func(s *Snapshot) { s.CRDs = items })
		})
	}
	for _, n := range q.Named[Secrets] {
		c.do(func() {
			sec, err := rd.typed.CoreV1().Secrets(n.Namespace).Get(ctx, n.Name, metav1.GetOptions{})
			st := classifyGet(err)
			c.set(Secrets, st, func(s *Snapshot) {
				if err == nil {
					// Never keep Secret data: verify reports presence and type only.
					sec.Data, sec.StringData, sec.ManagedFields = nil, nil, nil
					s.Secrets = append(s.Secrets, *sec)
				}
			})
		})
	}
	for _, n := range q.Named[ServiceAccounts] {
		c.do(func() {
			sa, err := rd.typed.CoreV1().ServiceAccounts(n.Namespace).Get(ctx, n.Name, metav1.GetOptions{})
			c.set(ServiceAccounts, classifyGet(err), func(s *Snapshot) {
				if err == nil {
					sa.ManagedFields = nil
					s.ServiceAccounts = append(s.ServiceAccounts, *sa)
				}
			})
		})
	}

	var customs []Resource
	for _, r := range customTypes {
		if want(r) {
			customs = append(customs, r)
		}
	}
	if len(customs) > 0 || want(Constraints) {
		c.do(func() { rd.readCustom(ctx, c, customs, want(Constraints)) })
	}
	c.wg.Wait()
	// Named gets finish in any order; keep the snapshot deterministic.
	sort.Slice(c.snap.Secrets, func(i, j int) bool { return key(&c.snap.Secrets[i].ObjectMeta) < key(&c.snap.Secrets[j].ObjectMeta) })
	sort.Slice(c.snap.ServiceAccounts, func(i, j int) bool {
		return key(&c.snap.ServiceAccounts[i].ObjectMeta) < key(&c.snap.ServiceAccounts[j].ObjectMeta)
	})
	return c.snap
}

func key(m *metav1.ObjectMeta) string { return m.Namespace + "/" + m.Name }

// readCustom finds the served version of each custom type with one
// discovery request, then lists them all at once.
func (rd *Reader) readCustom(ctx context.Context, c *collector, customs []Resource, constraints bool) {
	groups, err := rd.disc.ServerGroups()
	if err != nil {
		st := classify("discover", err)
		for _, r := range customs {
			c.set(r, st, nil)
		}
		if constraints {
			c.set(Constraints, st, nil)
		}
		return
	}
	preferred := map[string]string{}
	for _, g := range groups.Groups {
		preferred[g.Name] = g.PreferredVersion.Version
	}
	var wg sync.WaitGroup
	for _, r := range customs {
		v, ok := preferred[r.Group()]
		if !ok {
			c.set(r, Status{Outcome: NotFound, Verb: "list"}, nil)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			items, err := rd.listDynamic(ctx, schema.GroupVersionResource{Group: r.Group(), Version: v, Resource: r.Plural()})
			c.set(r, classify("list", err), func(s *Snapshot) { s.Custom[r] = items })
		}()
	}
	if constraints {
		v, ok := preferred[ConstraintsGroup]
		if !ok {
			c.set(Constraints, Status{Outcome: NotFound, Verb: "list"}, nil)
		} else {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rd.readConstraints(ctx, c, schema.GroupVersion{Group: ConstraintsGroup, Version: v})
			}()
		}
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
		worst = Status{Outcome: OK}
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

// listTyped pages through a typed client's List, trimming each item as its
// page arrives so that no page is kept whole.
func listTyped[L interface{ GetContinue() string }, T any](ctx context.Context, size int64, list func(context.Context, metav1.ListOptions) (L, error), items func(L) []T, trim func(*T)) ([]T, error) {
	return pages(ctx, size, func(o metav1.ListOptions) ([]T, string, error) {
		l, err := list(ctx, o)
		if err != nil {
			return nil, "", err
		}
		it := items(l)
		for i := range it {
			trim(&it[i])
		}
		return it, l.GetContinue(), nil
	})
}

// pages follows continue tokens until the list is complete.
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
		opts.Continue = cont
	}
}

func slimCRD(c *apiextensionsv1.CustomResourceDefinition) {
	c.ManagedFields = nil
	c.Annotations = nil
	for i := range c.Spec.Versions {
		c.Spec.Versions[i].Schema = nil
	}
}

func classify(verb string, err error) Status {
	switch {
	case err == nil:
		return Status{Outcome: OK, Verb: verb}
	case apierrors.IsForbidden(err):
		return Status{Outcome: Forbidden, Verb: verb, Err: err}
	case apierrors.IsNotFound(err):
		return Status{Outcome: NotFound, Verb: verb, Err: err}
	}
	return Status{Outcome: Error, Verb: verb, Err: err}
}

// classifyGet treats a missing named object as read successfully: the
// check decides what absence means.
func classifyGet(err error) Status {
	if apierrors.IsNotFound(err) {
		return Status{Outcome: OK, Verb: "get"}
	}
	return classify("get", err)
}

// String renders a status for debugging.
func (s Status) String() string { return fmt.Sprintf("%s(%s)", s.Outcome, s.Verb) }
