package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
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
// It reads each response into one buffer reused from page to page and
// walks the protobuf itself, decoding one item at a time: through the
// typed client, each page of 500 pods is copied three times (the body grown
// by doubling, the envelope, the codec's copy) and decoded whole, which at
// 50,000 pods is most of what verify holds at once. Here a page costs its
// bytes and one item.
func listReduced[L any, PL protoList[L], T any, PT protoItem[T], O any](ctx context.Context, rc rest.Interface, resource string, size int64,
	items func(PL) []T, reduce func(*T) O) ([]O, error) {
	var (
		all  []O
		buf  bytes.Buffer
		cont string
	)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		req := rc.Get().Resource(resource).Param("limit", strconv.FormatInt(size, 10))
		if cont != "" {
			req = req.Param("continue", cont)
		}
		data, err := fetchPage(ctx, req, &buf)
		if err != nil {
			return nil, err
		}
		var meta metav1.ListMeta
		if raw, ok := bytes.CutPrefix(data, protobufMagic); ok {
			var its [][]byte
			if meta, its, err = splitList(raw); err != nil {
				return nil, fmt.Errorf("decoding a page of %s: %w", resource, err)
			}
			if all == nil {
				all = make([]O, 0, presize(len(its), meta.RemainingItemCount))
			}
			for _, b := range its {
				// A fresh value for each item: what the reduction keeps
				// of one must never be overwritten by the next.
				var t T
				if err := PT(&t).Unmarshal(b); err != nil {
					return nil, fmt.Errorf("decoding a page of %s: %w", resource, err)
				}
				all = append(all, reduce(&t))
			}
		} else {
			// A server that answers with JSON: the page is decoded whole.
			var l PL = new(L)
			if err := json.Unmarshal(data, l); err != nil {
				return nil, err
			}
			its := items(l)
			if all == nil {
				all = make([]O, 0, presize(len(its), l.GetRemainingItemCount()))
			}
			for i := range its {
				all = append(all, reduce(&its[i]))
			}
			meta.Continue = l.GetContinue()
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

// splitList reads a protobuf list in its runtime.Unknown envelope (the
// magic removed): the list's metadata, and each item's bytes, which point
// into raw. Nothing is copied.
func splitList(raw []byte) (metav1.ListMeta, [][]byte, error) {
	var meta metav1.ListMeta
	// runtime.Unknown: the object's bytes are field 2; as protobuf merges
	// repeated occurrences of a message field, the last wins for bytes.
	var list []byte
	if err := eachBytes(raw, func(_ protowire.Number, v []byte) error { list = v; return nil }, 2); err != nil {
		return meta, nil, fmt.Errorf("the protobuf envelope: %w", err)
	}
	var items [][]byte
	err := eachBytes(list, func(num protowire.Number, v []byte) error {
		if num == 1 { // metadata
			return meta.Unmarshal(v)
		}
		items = append(items, v)
		return nil
	}, 1, 2)
	if err != nil {
		return meta, nil, err
	}
	return meta, items, nil
}

// eachBytes walks the message b and calls f with the number and value
// (pointing into b) of each field among nums, which must be bytes fields.
// Other fields are skipped, as the generated decoders skip them.
func eachBytes(b []byte, f func(num protowire.Number, v []byte) error, nums ...protowire.Number) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if !slices.Contains(nums, num) {
			if n = protowire.ConsumeFieldValue(num, typ, b); n < 0 {
				return protowire.ParseError(n)
			}
			b = b[n:]
			continue
		}
		if typ != protowire.BytesType {
			return fmt.Errorf("field %d has wire type %d, not bytes", num, typ)
		}
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if err := f(num, v); err != nil {
			return err
		}
	}
	return nil
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

// fetchPage reads one response into buf and returns its bytes, valid until
// the next call.
func fetchPage(ctx context.Context, req *rest.Request, buf *bytes.Buffer) ([]byte, error) {
	body, err := req.Stream(ctx)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(body); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
