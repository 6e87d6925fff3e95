package cluster

import (
	"context"
	"net/http"
	"sync"
	"testing"
)

// FuzzListPage serves the fuzzer's bytes as every page of a pod list
// (protobuf when they carry the magic, JSON otherwise): the reader must
// end, with the pods or an error, never panic, hang on a continue token or
// allocate what a count in the page asks for.
func FuzzListPage(f *testing.F) {
	f.Add([]byte(podsPage("9223372036854775807", "")))
	f.Add([]byte(podsPage("-1", "next")))
	f.Add([]byte(`{"kind":"PodList","items":[{"metadata":{"name":"\u001b]0;x\u0007"}}]}`))
	f.Add(protobufPods(f, ""))
	f.Add(protobufPods(f, "page-2"))
	var (
		mu   sync.Mutex
		body []byte
	)
	rd, _ := startHostile(f, map[string]func(http.ResponseWriter, *http.Request){"/api/v1/pods": func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		b := body
		mu.Unlock()
		_, _ = w.Write(b)
	}})
	f.Fuzz(func(t *testing.T, page []byte) {
		mu.Lock()
		body = page
		mu.Unlock()
		var q Request
		q.Add(Pods)
		s := rd.Read(context.Background(), q, Access{})
		st := s.ReadStatus(Pods)
		if st.Outcome == OK && cap(s.Pods) > maxPresize && cap(s.Pods) > 2*len(s.Pods) {
			t.Fatalf("%d pods in a slice of capacity %d", len(s.Pods), cap(s.Pods))
		}
		if st.Outcome != OK && st.Err == nil {
			t.Fatalf("status %v without an error", st)
		}
	})
}
