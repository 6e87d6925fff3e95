package cluster

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/version"
	"k8s.io/client-go/rest"
)

// slot is where a type's items live in a snapshot and what an item becomes
// on the way there: T is the item as the API serves it, O as the snapshot
// keeps it.
type slot[T, O any] struct {
	field  func(*Snapshot) *[]O
	reduce func(*T, *interner) O
	ref    func(*O) ObjectRef
	// compare orders the items where the snapshot promises an order; nil
	// keeps the server's (by namespace and name).
	compare func(a, b *O) int
	// scrub names the top-level fields an object loses before it is even
	// converted: a Secret's data never reaches a typed value.
	scrub []string
}

// add converts u to T and keeps its reduction, in order.
func (sl slot[T, O]) add(s *Snapshot, u *unstructured.Unstructured) error {
	obj := u.Object
	if len(sl.scrub) > 0 {
		obj = maps.Clone(obj)
		for _, f := range sl.scrub {
			delete(obj, f)
		}
	}
	var t T
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj, &t); err != nil {
		return err
	}
	// The items of a list carry no type of their own; neither does t.
	if typed, ok := any(&t).(schema.ObjectKind); ok {
		typed.SetGroupVersionKind(schema.GroupVersionKind{})
	}
	o := sl.reduce(&t, newInterner())
	items := sl.field(s)
	i := len(*items)
	if sl.compare != nil {
		i, _ = slices.BinarySearchFunc(*items, &o, func(e O, o *O) int { return sl.compare(&e, o) })
	}
	*items = slices.Insert(*items, i, o)
	return nil
}

func (sl slot[T, O]) each(s *Snapshot, yield func(ObjectRef)) {
	items := *sl.field(s)
	for i := range items {
		yield(sl.ref(&items[i]))
	}
}

// keep is what a read of the type returns: how it went and, unless it
// failed, how to store what it got.
func (sl slot[T, O]) keep(verb string, got []O, err error) (ReadStatus, func(*Snapshot)) {
	st := classify(verb, err)
	if err != nil {
		return st, nil
	}
	if sl.compare != nil {
		slices.SortFunc(got, func(a, b O) int { return sl.compare(&a, &b) })
	}
	return st, func(s *Snapshot) { *sl.field(s) = got }
}

// listed is a built-in type listed in protobuf pages and reduced page by
// page (listReduced): only the reductions outlive a page, and each read
// shares its repeated strings through one interner.
func listed[L any, PL protoList[L], T any, PT protoItem[T], O any](r Resource, kind schema.GroupVersionKind, client func(*Reader) rest.Interface,
	items func(PL) []T, sl slot[T, O]) descriptor {
	return descriptor{resource: r, kind: kind, add: sl.add, each: sl.each,
		read: func(ctx context.Context, rd *Reader, _ Request) (ReadStatus, func(*Snapshot)) {
			in := newInterner()
			got, err := listReduced[L, PL, T, PT](ctx, client(rd), r.Plural(), rd.PageSize, items, func(t *T) O { return sl.reduce(t, in) })
			st, store := sl.keep("list", got, err)
			return builtin(st), store
		}}
}

// metadataListed is a type no check reads beyond its items' identities:
// the metadata client lists those alone, however large the objects are.
func metadataListed(r Resource, kind schema.GroupVersionKind, field func(*Snapshot) *[]ObjectRef, compare func(a, b *ObjectRef) int) descriptor {
	sl := slot[metav1.PartialObjectMetadata, ObjectRef]{field: field, reduce: refOfMetadata, ref: func(o *ObjectRef) ObjectRef { return *o }, compare: compare}
	gvr := kind.GroupVersion().WithResource(r.Plural())
	return descriptor{resource: r, kind: kind, add: sl.add, each: sl.each,
		read: func(ctx context.Context, rd *Reader, _ Request) (ReadStatus, func(*Snapshot)) {
			got, err := pages(ctx, rd.PageSize, func(o metav1.ListOptions) ([]ObjectRef, string, error) {
				l, err := rd.meta.Resource(gvr).List(ctx, o)
				if err != nil {
					return nil, "", err
				}
				refs := make([]ObjectRef, len(l.Items))
				for i := range l.Items {
					refs[i] = refOfMetadata(&l.Items[i], nil)
				}
				return refs, l.Continue, nil
			})
			st, store := sl.keep("list", got, err)
			return builtin(st), store
		}}
}

// named is a type read one asked-for object at a time (Request.Named):
// Secrets and ServiceAccounts are too sensitive or too many to list. A
// missing object reads as OK, for the check to judge its absence; the
// first failure, in the order asked, is the type's status, and what the
// other gets found is kept.
func named[T any](r Resource, kind schema.GroupVersionKind, get func(context.Context, *Reader, types.NamespacedName) (*T, error), sl slot[T, T]) descriptor {
	return descriptor{resource: r, kind: kind, named: true, add: sl.add, each: sl.each,
		read: func(ctx context.Context, rd *Reader, q Request) (ReadStatus, func(*Snapshot)) {
			names := q.Named[r]
			got := make([]*T, len(names))
			errs := make([]error, len(names))
			var wg sync.WaitGroup
			for i, n := range names {
				wg.Go(func() { got[i], errs[i] = get(ctx, rd, n) })
			}
			wg.Wait()
			st := classifyGet(nil)
			var items []T
			for i, err := range errs {
				switch gs := classifyGet(err); {
				case gs.Outcome != OK:
					if st.Outcome == OK {
						st = gs
					}
				case err == nil:
					items = append(items, sl.reduce(got[i], nil))
				}
			}
			_, store := sl.keep("get", items, nil)
			return st, store
		}}
}

func getServiceAccount(ctx context.Context, rd *Reader, n types.NamespacedName) (*corev1.ServiceAccount, error) {
	return rd.typed.CoreV1().ServiceAccounts(n.Namespace).Get(ctx, n.Name, metav1.GetOptions{})
}

// readVersion reads /version, which doubles as the probe that tells no
// access from no permission.
func readVersion(ctx context.Context, rd *Reader, _ Request) (ReadStatus, func(*Snapshot)) {
	body, err := rd.rest.Get().AbsPath("/version").Do(ctx).Raw()
	var info version.Info
	if err == nil {
		err = json.Unmarshal(body, &info)
	}
	if err != nil {
		return builtin(classify("get", err)), nil
	}
	return classify("get", nil), func(s *Snapshot) { s.Version = &info }
}

// readClusterIdentity gets the kube-system namespace, whose UID names the
// cluster.
func readClusterIdentity(ctx context.Context, rd *Reader, _ Request) (ReadStatus, func(*Snapshot)) {
	m, err := rd.meta.Resource(corev1.SchemeGroupVersion.WithResource("namespaces")).Get(ctx, KubeSystem, metav1.GetOptions{})
	if err != nil {
		return builtin(classify("get", err)), nil
	}
	ref := refOfMetadata(m, nil)
	return classify("get", nil), func(s *Snapshot) { s.KubeSystem = &ref }
}

func refOfMetadata(m *metav1.PartialObjectMetadata, _ *interner) ObjectRef {
	return ObjectRef{Namespace: m.Namespace, Name: m.Name, Meta: metaOf(&m.ObjectMeta)}
}

// refOf names a typed object.
func refOf[T any, PT interface {
	*T
	metav1.Object
}](o *T) ObjectRef {
	m := PT(o)
	return ObjectRef{Namespace: m.GetNamespace(), Name: m.GetName(), Meta: Meta{m.GetUID(), m.GetResourceVersion()}}
}

// dropManagedFields keeps an object whole but for its managed fields, which
// no check reads and which are often its largest part.
func dropManagedFields[T any, PT interface {
	*T
	metav1.Object
}](o *T, _ *interner) T {
	PT(o).SetManagedFields(nil)
	return *o
}
