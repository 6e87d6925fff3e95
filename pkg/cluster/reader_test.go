package cluster

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
)

// hostileServer is an API server that answers each path with what the
// test wants, JSON or protobuf, and remembers what it was asked.
type hostileServer struct {
	mu      sync.Mutex
	answers map[string]func(w http.ResponseWriter, r *http.Request)
	seen    []*http.Request
}

func (h *hostileServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.seen = append(h.seen, r)
	a := h.answers[r.URL.Path]
	h.mu.Unlock()
	if a == nil {
		http.Error(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}`, http.StatusNotFound)
		return
	}
	a(w, r)
}

func startHostile(t testing.TB, answers map[string]func(w http.ResponseWriter, r *http.Request)) (*Reader, *hostileServer) {
	t.Helper()
	h := &hostileServer{answers: answers}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	// No client-side rate limit: the fuzzer sends thousands of lists.
	rd, err := NewReader(&rest.Config{Host: srv.URL, QPS: -1})
	if err != nil {
		t.Fatal(err)
	}
	return rd, h
}

func jsonAnswer(body string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}
}

// podsPage is a JSON pod list of one pod.
func podsPage(remaining, cont string) string {
	return `{"kind":"PodList","apiVersion":"v1","metadata":{"continue":"` + cont + `","remainingItemCount":` + remaining + `},
	"items":[{"metadata":{"name":"p","namespace":"n","uid":"u1","resourceVersion":"7"},"spec":{"nodeName":"node-1","containers":[{"name":"c","image":"nginx"}]}}]}`
}

func readOne(t *testing.T, rd *Reader, r Resource) *Snapshot {
	t.Helper()
	var q Request
	q.Add(r)
	return rd.Read(context.Background(), q, Access{})
}

// TestListReaderHostileCounts: a server's remainingItemCount sizes no
// allocation beyond a bound; a count past any slice (it used to panic with
// "makeslice: cap out of range"), a negative one and a lie all read the
// pods the pages hold.
func TestListReaderHostileCounts(t *testing.T) {
	for _, remaining := range []string{"9223372036854775807", "4611686018427387904", "-5", "1000000000", "0"} {
		rd, _ := startHostile(t, map[string]func(http.ResponseWriter, *http.Request){"/api/v1/pods": jsonAnswer(podsPage(remaining, ""))})
		s := readOne(t, rd, Pods)
		if st := s.ReadStatus(Pods); st.Outcome != OK || len(s.Pods) != 1 || s.Pods[0].Name != "p" {
			t.Errorf("remainingItemCount %s: status %v, pods %+v", remaining, st, s.Pods)
		}
		if c := cap(s.Pods); c > maxPresize {
			t.Errorf("remainingItemCount %s: capacity %d beyond the bound %d", remaining, c, maxPresize)
		}
	}
}

// TestListReaderBrokenPages: a truncated page, a body that is not a list,
// and a server that hands back the continue token it was given are errors
// naming the type, never a pass on what was read so far, and never a hang.
func TestListReaderBrokenPages(t *testing.T) {
	full := podsPage("1", "")
	for name, answer := range map[string]func(http.ResponseWriter, *http.Request){
		"truncated JSON": jsonAnswer(full[:len(full)/2]),
		"truncated protobuf": func(w http.ResponseWriter, r *http.Request) {
			b := protobufPods(t, "")
			w.Header().Set("Content-Type", runtime.ContentTypeProtobuf)
			_, _ = w.Write(b[:len(b)-7])
		},
		"not a list": jsonAnswer(`[1,2,3]`),
		"same continue token": func(w http.ResponseWriter, r *http.Request) {
			jsonAnswer(podsPage("1", "again"))(w, r)
		},
	} {
		rd, _ := startHostile(t, map[string]func(http.ResponseWriter, *http.Request){"/api/v1/pods": answer})
		s := readOne(t, rd, Pods)
		if st := s.ReadStatus(Pods); st.Outcome != Error || st.Err == nil {
			t.Errorf("%s: status %v (%v), want an error", name, st, st.Err)
		}
	}
}

// TestListReaderProtobufAndJSON: the reader decodes the protobuf envelope
// and falls back to JSON for a server that answers with it, following
// continue tokens across both.
func TestListReaderProtobufAndJSON(t *testing.T) {
	rd, h := startHostile(t, map[string]func(http.ResponseWriter, *http.Request){"/api/v1/pods": func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("continue") == "" {
			w.Header().Set("Content-Type", runtime.ContentTypeProtobuf)
			_, _ = w.Write(protobufPods(t, "page-2"))
			return
		}
		jsonAnswer(podsPage("0", ""))(w, r)
	}})
	s := readOne(t, rd, Pods)
	if st := s.ReadStatus(Pods); st.Outcome != OK || len(s.Pods) != 2 {
		t.Fatalf("status %v (%v), %d pods, want 2", st, st.Err, len(s.Pods))
	}
	if len(h.seen) != 2 || h.seen[0].URL.Query().Get("limit") != "500" {
		t.Errorf("requests: %d, first %v", len(h.seen), h.seen[0].URL)
	}
}

func protobufPods(t testing.TB, cont string) []byte {
	t.Helper()
	l := corev1.PodList{ListMeta: metav1.ListMeta{Continue: cont},
		Items: []corev1.Pod{{ObjectMeta: metav1.ObjectMeta{Name: "q", Namespace: "n"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "x"}}}}}}
	raw, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	env := runtime.Unknown{TypeMeta: runtime.TypeMeta{APIVersion: "v1", Kind: "PodList"}, Raw: raw, ContentType: runtime.ContentTypeProtobuf}
	b, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return append(append([]byte{}, protobufMagic...), b...)
}

// TestBuiltinNotFoundIsAnError: every API server serves pods, services,
// nodes ...; a 404 on their list is an error, so the checks needing them
// cannot pass on nothing. A custom type the server does not serve is
// absent.
func TestBuiltinNotFoundIsAnError(t *testing.T) {
	rd, _ := startHostile(t, map[string]func(http.ResponseWriter, *http.Request){
		"/apis": jsonAnswer(`{"kind":"APIGroupList","apiVersion":"v1","groups":[]}`),
		"/api":  jsonAnswer(`{"kind":"APIVersions","versions":["v1"]}`),
	})
	var q Request
	builtins := []Resource{Nodes, Namespaces, Pods, Services, NetworkPolicies, ResourceQuotas, LimitRanges, Deployments, DaemonSets, CRDs, ServerVersion, ClusterIdentity}
	q.Add(builtins...)
	q.Add(GitRepositories)
	s := rd.Read(context.Background(), q, Access{})
	for _, r := range builtins {
		if st := s.ReadStatus(r); st.Outcome != Error || !strings.Contains(st.Err.Error(), "404") {
			t.Errorf("%s: %v (%v), want an error saying 404", r, st, st.Err)
		}
	}
	if !s.Absent(GitRepositories) {
		t.Errorf("an unserved custom type: %v, want absent", s.ReadStatus(GitRepositories))
	}
}

// TestSecretReadAsTableRow: the reader asks for the Secret's table row
// without the object, so no value or metadata crosses the wire; a server
// asked for anything else answers with the Secret whole, and the test
// fails on it.
func TestSecretReadAsTableRow(t *testing.T) {
	const sentinel = "SENTINEL-secret-value"
	rd, h := startHostile(t, map[string]func(http.ResponseWriter, *http.Request){
		"/api/v1/namespaces/ingress-nginx/secrets/tls": func(w http.ResponseWriter, r *http.Request) {
			if !strings.Contains(r.Header.Get("Accept"), "as=Table") || r.URL.Query().Get("includeObject") != "None" {
				jsonAnswer(`{"kind":"Secret","apiVersion":"v1","metadata":{"name":"tls","namespace":"ingress-nginx"},"type":"kubernetes.io/tls","data":{"tls.key":"`+sentinel+`"}}`)(w, r)
				return
			}
			t := metav1.Table{TypeMeta: metav1.TypeMeta{Kind: "Table", APIVersion: "meta.k8s.io/v1"},
				ColumnDefinitions: []metav1.TableColumnDefinition{{Name: "Name"}, {Name: "Type"}, {Name: "Data"}, {Name: "Age"}},
				Rows:              []metav1.TableRow{{Cells: []any{"tls", "kubernetes.io/tls", 2, "5m"}}}}
			b, _ := json.Marshal(t)
			jsonAnswer(string(b))(w, r)
		},
	})
	var q Request
	q.AddNamed(Secrets, "ingress-nginx", "tls")
	q.AddNamed(Secrets, "ingress-nginx", "missing")
	s := rd.Read(context.Background(), q, Access{})
	if st := s.ReadStatus(Secrets); st.Outcome != OK {
		t.Fatalf("status %v (%v)", st, st.Err)
	}
	if len(s.Secrets) != 1 || s.Secrets[0].Name != "tls" || s.Secrets[0].Namespace != "ingress-nginx" || s.Secrets[0].Type != corev1.SecretTypeTLS ||
		s.Secrets[0].Data != nil || s.Secrets[0].UID != "" {
		t.Errorf("secrets %+v, want ingress-nginx/tls of type %s and nothing else", s.Secrets, corev1.SecretTypeTLS)
	}
	for _, r := range h.seen {
		if strings.Contains(r.URL.Path, "/secrets/") && !strings.Contains(r.Header.Get("Accept"), "as=Table") {
			t.Errorf("the Secret was asked for whole: %s Accept %q", r.URL, r.Header.Get("Accept"))
		}
	}
}
