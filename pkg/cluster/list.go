package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
)

// protoList is a built-in list type that decodes itself from protobuf.
type protoList[L any] interface {
	*L
	metav1.ListInterface
	Unmarshal([]byte) error
}

// protobufMagic opens every protobuf response of the API server; a
// runtime.Unknown envelope holding the object follows.
var protobufMagic = []byte{0x6b, 0x38, 0x73, 0x00}

// listReduced lists resource (all namespaces) in pages through rc and keeps
// only what reduce makes of each item, so no page outlives its reduction.
//
// It reads each response into one buffer reused from page to page and
// decodes the protobuf itself: through the typed client, each page of 500
// pods is copied three times (the body grown by doubling, the envelope, the
// codec's copy), which at 50,000 pods is most of what verify allocates.
func listReduced[L any, PL protoList[L], T, O any](ctx context.Context, rc rest.Interface, resource string, size int64,
	items func(PL) []T, reduce func(*T) O) ([]O, error) {
	var (
		all  []O
		buf  bytes.Buffer
		env  runtime.Unknown
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
		var l PL = new(L)
		if err := fetchPage(ctx, req, &buf, &env, l); err != nil {
			return nil, err
		}
		its := items(l)
		if all == nil {
			all = make([]O, 0, presize(len(its), l.GetRemainingItemCount()))
		}
		for i := range its {
			all = append(all, reduce(&its[i]))
		}
		next := l.GetContinue()
		if next == "" {
			return all, nil
		}
		if next == cont {
			return nil, fmt.Errorf("listing %s: the API server returned the same continue token twice", resource)
		}
		cont = next
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

// fetchPage reads one response into buf and decodes it into l: protobuf in
// the envelope env, or JSON from a server that answers with it.
func fetchPage(ctx context.Context, req *rest.Request, buf *bytes.Buffer, env *runtime.Unknown, l interface{ Unmarshal([]byte) error }) error {
	body, err := req.Stream(ctx)
	if err != nil {
		return err
	}
	defer body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(body); err != nil {
		return err
	}
	data := buf.Bytes()
	if !bytes.HasPrefix(data, protobufMagic) {
		return json.Unmarshal(data, l)
	}
	if err := env.Unmarshal(data[len(protobufMagic):]); err != nil {
		return fmt.Errorf("decoding the protobuf envelope: %w", err)
	}
	return l.Unmarshal(env.Raw)
}
