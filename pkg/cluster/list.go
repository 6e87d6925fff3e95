package cluster

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"google.golang.org/protobuf/encoding/protowire"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
)

// protoList is a built-in list type; JSON pages decode into it.
type protoList[L any] interface {
	*L
	metav1.ListInterface
}

// protoItem is a built-in type that decodes itself from protobuf.
type protoItem[T any] interface {
	*T
	Unmarshal([]byte) error
}

// protobufMagic opens every protobuf response of the API server; a
// runtime.Unknown envelope holding the object follows.
var protobufMagic = []byte{0x6b, 0x38, 0x73, 0x00}

// listReduced lists resource (all namespaces) in pages through rc and keeps
// only what reduce makes of each item.
//
// It reads each protobuf response as a stream, one item at a time into a
// buffer reused from item to item (readProtoPage): through the typed
// client, each page of 500 pods is copied three times (the body grown by
// doubling, the envelope, the codec's copy) and decoded whole, and even
// read whole into one buffer a page of pods is megabytes, at 50,000 pods a
// tenth of what verify holds at once. Here a page costs one item.
func listReduced[L any, PL protoList[L], T any, PT protoItem[T], O any](ctx context.Context, rc rest.Interface, resource string, size int64,
	items func(PL) []T, reduce func(*T) O) ([]O, error) {
	var (
		all  []O
		cont string
		item bytes.Buffer
	)
	keep := func(t *T) { all = append(all, reduce(t)) }
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		req := rc.Get().Resource(resource).Param("limit", strconv.FormatInt(size, 10))
		if cont != "" {
			req = req.Param("continue", cont)
		}
		meta, err := readPage[L, PL, T, PT](ctx, req, &item, items, keep)
		if err != nil {
			return nil, fmt.Errorf("reading a page of %s: %w", resource, err)
		}
		if cont == "" {
			// The first page: one allocation of the right size for the
			// pages to come.
			if n := presize(len(all), meta.RemainingItemCount); n > cap(all) {
				all = append(make([]O, 0, n), all...)
			}
		}
		next := meta.Continue
		if next == "" {
			return all, nil
		}
		if next == cont {
			return nil, fmt.Errorf("listing %s: the API server returned the same continue token twice", resource)
		}
		cont = next
	}
}

// readPage requests one page and hands each item to keep: decoded one at a
// time from protobuf, through item; a server that answers with JSON has its
// page decoded whole.
func readPage[L any, PL protoList[L], T any, PT protoItem[T]](ctx context.Context, req *rest.Request, item *bytes.Buffer,
	items func(PL) []T, keep func(*T)) (metav1.ListMeta, error) {
	body, err := req.Stream(ctx)
	if err != nil {
		return metav1.ListMeta{}, err
	}
	defer body.Close()
	r := bufio.NewReaderSize(body, 32<<10)
	if magic, err := r.Peek(len(protobufMagic)); err == nil && bytes.Equal(magic, protobufMagic) {
		_, _ = r.Discard(len(protobufMagic))
		return readProtoPage(r, item, func(b []byte) error {
			// A fresh value for each item: what the reduction keeps of one
			// must never be overwritten by the next.
			var t T
			if err := PT(&t).Unmarshal(b); err != nil {
				return err
			}
			keep(&t)
			return nil
		})
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return metav1.ListMeta{}, err
	}
	var l PL = new(L)
	if err := json.Unmarshal(data, l); err != nil {
		return metav1.ListMeta{}, err
	}
	its := items(l)
	for i := range its {
		keep(&its[i])
	}
	return metav1.ListMeta{Continue: l.GetContinue(), RemainingItemCount: l.GetRemainingItemCount()}, nil
}

// readProtoPage reads a protobuf list in its runtime.Unknown envelope (the
// magic already read) from r to its end: it returns the list's metadata
// and hands each item's bytes to each, in item, which the next item
// overwrites. Fields it does not know are skipped, as the generated
// decoders skip them. An envelope holding two lists is an error (the
// generated decoder would keep the second).
func readProtoPage(r *bufio.Reader, item *bytes.Buffer, each func([]byte) error) (metav1.ListMeta, error) {
	var meta metav1.ListMeta
	env := &fields{r: r, left: -1}
	found := false
	for {
		num, typ, err := env.next()
		if err == io.EOF {
			return meta, nil
		}
		if err != nil {
			return meta, fmt.Errorf("the protobuf envelope: %w", err)
		}
		if num != 2 { // runtime.Unknown: the object's bytes are field 2
			if err := env.skip(num, typ); err != nil {
				return meta, fmt.Errorf("the protobuf envelope: %w", err)
			}
			continue
		}
		if typ != protowire.BytesType {
			return meta, fmt.Errorf("the protobuf envelope: field 2 has wire type %d, not bytes", typ)
		}
		if found {
			return meta, fmt.Errorf("the protobuf envelope holds two objects")
		}
		found = true
		list, err := env.message()
		if err != nil {
			return meta, fmt.Errorf("the protobuf envelope: %w", err)
		}
		if err := readList(list, item, &meta, each); err != nil {
			return meta, err
		}
	}
}

// readList reads the fields of a list message: metadata (1) and items (2).
func readList(list *fields, item *bytes.Buffer, meta *metav1.ListMeta, each func([]byte) error) error {
	for {
		num, typ, err := list.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if num != 1 && num != 2 {
			if err := list.skip(num, typ); err != nil {
				return err
			}
			continue
		}
		if typ != protowire.BytesType {
			return fmt.Errorf("field %d has wire type %d, not bytes", num, typ)
		}
		b, err := list.bytes(item)
		if err != nil {
			return err
		}
		if num == 1 {
			err = meta.Unmarshal(b)
		} else {
			err = each(b)
		}
		if err != nil {
			return err
		}
	}
}

// maxPresize bounds the capacity the first page may ask for: a server's
// remainingItemCount is a hint, and a hostile or broken one must not make
// verify allocate gigabytes (or panic on a count beyond any slice).
const maxPresize = 1 << 17

// presize is the capacity for a list whose first page holds first items and
// says remaining follow: one allocation of the right size instead of
// doubling (50,000 pods would leave a quarter of the slice unused), within
// maxPresize; append grows past it if the pages really hold more.
func presize(first int, remaining *int64) int {
	n := int64(first)
	if remaining != nil && *remaining > 0 {
		n += min(*remaining, maxPresize)
	}
	return int(min(n, maxPresize))
}
