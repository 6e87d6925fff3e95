package verify

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/test/testenv"
)

// countingTransport records the list requests per path.
type countingTransport struct {
	next  http.RoundTripper
	mu    sync.Mutex
	lists map[string][]string
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	if r.Method == http.MethodGet {
		c.lists[r.URL.Path] = append(c.lists[r.URL.Path], r.URL.RawQuery)
	}
	c.mu.Unlock()
	return c.next.RoundTrip(r)
}

var nodesOnce sync.Once

// sharedNodes creates 1,050 nodes in the shared control plane, once.
func sharedNodes(t *testing.T) int {
	const n = 1050
	nodesOnce.Do(func() {
		cfg := rest.CopyConfig(shared.Config)
		cfg.QPS, cfg.Burst = 500, 1000
		cs := kubernetes.NewForConfigOrDie(cfg)
		var wg sync.WaitGroup
		var failed atomic.Int32
		sem := make(chan struct{}, 32)
		for i := 0; i < n; i++ {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("page-node-%04d", i), Labels: map[string]string{"kubernetes.azure.com/agentpool": "nppage"}}}
				if _, err := cs.CoreV1().Nodes().Create(context.Background(), node, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
					failed.Add(1)
				}
			}()
		}
		wg.Wait()
		if failed.Load() > 0 {
			t.Fatalf("%d node creations failed", failed.Load())
		}
	})
	return n
}

func TestReaderPaginatesAndReadsEachTypeOnce(t *testing.T) {
	n := sharedNodes(t)
	ct := &countingTransport{lists: map[string][]string{}}
	cfg := rest.CopyConfig(shared.Config)
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { ct.next = rt; return ct }
	rd, err := cluster.NewReader(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rd.PageSize = 100
	var q cluster.Request
	q.Add(cluster.Nodes, cluster.Deployments, cluster.GitRepositories, cluster.ConstraintTemplates)
	snap := rd.Read(context.Background(), q, cluster.Access{})
	if st := snap.ReadStatus(cluster.Nodes); st.Outcome != cluster.OK {
		t.Fatalf("nodes: %v", st.Message(cluster.Nodes))
	}
	if len(snap.Nodes) < n {
		t.Errorf("read %d nodes, want at least %d", len(snap.Nodes), n)
	}
	pages := ct.lists["/api/v1/nodes"]
	if want := (len(snap.Nodes) + 99) / 100; len(pages) != want {
		t.Errorf("%d node list requests, want %d pages of 100", len(pages), want)
	}
	for _, q := range pages {
		if !strings.Contains(q, "limit=100") {
			t.Errorf("node list without limit: %q", q)
		}
	}
	if got := len(ct.lists["/apis/apps/v1/deployments"]); got != 1 {
		t.Errorf("deployments listed %d times, want once", got)
	}
	// Every page's nodes are kept whole as reduced: none lost or repeated
	// across the page boundaries, each with its labels.
	seen := map[string]bool{}
	for _, nd := range snap.Nodes {
		if seen[nd.Name] {
			t.Errorf("node %s read twice", nd.Name)
		}
		seen[nd.Name] = true
		if strings.HasPrefix(nd.Name, "page-node-") && nd.Labels.Get("kubernetes.azure.com/agentpool") != "nppage" {
			t.Errorf("node %s read without its labels: %v", nd.Name, nd.Labels)
		}
	}
	for i := range n {
		if name := fmt.Sprintf("page-node-%04d", i); !seen[name] {
			t.Errorf("node %s not read", name)
		}
	}
	for _, r := range []cluster.Resource{cluster.GitRepositories, cluster.ConstraintTemplates} {
		if st := snap.ReadStatus(r); st.Outcome != cluster.OK && st.Outcome != cluster.NotFound {
			t.Errorf("%s: %s", r, st.Message(r))
		}
		if got := len(ct.lists["/apis/"+strings.SplitN(string(r), ".", 2)[1]]); got > 1 {
			t.Errorf("discovery of %s repeated", r)
		}
	}
}

// grantNodes lets user list nodes and nothing else.
func grantNodes(t *testing.T, env *testenv.Env, user string) {
	t.Helper()
	testenv.Grant(t, env.Config, "verify-test-"+user, user, rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"nodes"}, Verbs: []string{"get", "list"}})
}

func TestReaderForbiddenPerType(t *testing.T) {
	grantNodes(t, shared, "reader-nodes-only")
	u, err := shared.AddUser("reader-nodes-only")
	if err != nil {
		t.Fatal(err)
	}
	rd, err := cluster.NewReader(u.Config)
	if err != nil {
		t.Fatal(err)
	}
	var q cluster.Request
	q.Add(cluster.Nodes, cluster.Pods, cluster.Deployments, cluster.CRDs, cluster.ServerVersion)
	q.AddNamed(cluster.Secrets, "ingress-nginx", "ingress-tls-csi")
	snap := rd.Read(context.Background(), q, cluster.Access{})
	want := map[cluster.Resource]string{
		cluster.Nodes:         "",
		cluster.ServerVersion: "",
		cluster.Pods:          "forbidden: list pods",
		cluster.Deployments:   "forbidden: list deployments.apps",
		cluster.CRDs:          "forbidden: list customresourcedefinitions.apiextensions.k8s.io",
		cluster.Secrets:       "forbidden: get secrets",
	}
	for r, msg := range want {
		if got := snap.ReadStatus(r).Message(r); got != msg {
			t.Errorf("%s: %q, want %q", r, got, msg)
		}
	}
}

// TestReaderReducesControlTypes reads the types of the regulated controls
// from a real API server and checks what survives the reduction.
func TestReaderReducesControlTypes(t *testing.T) {
	cs := kubernetes.NewForConfigOrDie(shared.Config)
	ctx := ctxT(t)
	const ns = "reader-slim"
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	yes := true
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "agent-x1", Namespace: ns, Labels: map[string]string{"app": "agent", "pci-scope": "out-of-scope"},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "DaemonSet", Name: "agent", UID: "6b1c5e7a-0000-4000-8000-000000000001", Controller: &yes}}},
		Spec: corev1.PodSpec{NodeName: "page-node-0001",
			InitContainers: []corev1.Container{{Name: "init", Image: "acr.azurecr.io/live/init:1"}},
			Containers:     []corev1.Container{{Name: "main", Image: "acr.azurecr.io/live/agent:1"}}},
	}
	created, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	if err == nil {
		created.Status.Phase = corev1.PodRunning
		created.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
		if _, err := cs.CoreV1().Pods(ns).UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	creates := []error{}
	_, err = cs.CoreV1().Services(ns).Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "lb", Namespace: ns,
		Annotations: map[string]string{"service.beta.kubernetes.io/azure-load-balancer-internal": "true"}},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Ports: []corev1.ServicePort{{Port: 443}}}}, metav1.CreateOptions{})
	creates = append(creates, err)
	dnsPort, highPort := intstr.FromInt32(53), int32(65535)
	_, err = cs.NetworkingV1().NetworkPolicies(ns).Create(ctx, &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: ns},
		Spec: networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
			// The rules survive the protobuf page: network-deny-all judges them.
			Egress: []networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "0.0.0.0/0"}}},
				Ports: []networkingv1.NetworkPolicyPort{{Port: &dnsPort, EndPort: &highPort}}}}}}, metav1.CreateOptions{})
	creates = append(creates, err)
	_, err = cs.CoreV1().ResourceQuotas(ns).Create(ctx, &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: ns}}, metav1.CreateOptions{})
	creates = append(creates, err)
	_, err = cs.CoreV1().LimitRanges(ns).Create(ctx, &corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: ns},
		Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{Type: corev1.LimitTypeContainer}}}}, metav1.CreateOptions{})
	creates = append(creates, err)
	for _, err := range creates {
		if err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
	}
	rd, err := cluster.NewReader(shared.Config)
	if err != nil {
		t.Fatal(err)
	}
	var q cluster.Request
	q.Add(cluster.Namespaces, cluster.Pods, cluster.Services, cluster.NetworkPolicies, cluster.ResourceQuotas, cluster.LimitRanges, cluster.ClusterIdentity)
	snap := rd.Read(ctx, q, cluster.Access{})
	for _, r := range snap.Resources() {
		if st := snap.ReadStatus(r); st.Outcome != cluster.OK {
			t.Fatalf("%s: %s", r, st.Message(r))
		}
	}
	if !snap.HasNamespace(ns) || snap.Now.IsZero() {
		t.Errorf("namespace %s not read, or no reading time", ns)
	}
	if snap.ClusterID() == "" {
		t.Errorf("the kube-system UID not read")
	}
	for _, o := range snap.Namespaces {
		if o.UID == "" || o.ResourceVersion == "" {
			t.Errorf("namespace %s read without its identity (%+v)", o.Name, o.Meta)
		}
	}
	var p *cluster.Pod
	for i := range snap.Pods {
		if snap.Pods[i].Namespace == ns && snap.Pods[i].Name == "agent-x1" {
			p = &snap.Pods[i]
		}
	}
	if p == nil {
		t.Fatal("pod not read")
	}
	if p.NodeName != "page-node-0001" || p.OwnerKind != "DaemonSet" || p.OwnerName != "agent" || !p.Ready || p.Labels.Get("pci-scope") != "out-of-scope" ||
		len(p.Containers) != 2 || p.Containers[0].Kind != cluster.InitContainer || p.Containers[1].Image != "acr.azurecr.io/live/agent:1" ||
		p.UID == "" || p.ResourceVersion == "" {
		t.Errorf("pod reduced to %+v", *p)
	}
	found := map[string]bool{}
	for _, s := range snap.Services {
		if s.Namespace == ns && s.Name == "lb" && s.Type == corev1.ServiceTypeLoadBalancer && s.UID != "" && s.Annotations["service.beta.kubernetes.io/azure-load-balancer-internal"] == "true" {
			found["service"] = true
		}
	}
	for _, np := range snap.NetworkPolicies {
		if np.Namespace == ns && np.UID != "" && np.SelectsAll && np.Ingress && np.Egress && len(np.IngressRules) == 0 && len(np.EgressRules) == 1 &&
			np.EgressRules[0].To[0].IPBlock.CIDR == "0.0.0.0/0" && *np.EgressRules[0].Ports[0].EndPort == 65535 {
			found["networkpolicy"] = true
		}
	}
	for _, o := range snap.ResourceQuotas {
		found["quota"] = found["quota"] || o.Namespace == ns && o.Name == "default" && o.UID != "" && o.ResourceVersion != ""
	}
	for _, o := range snap.LimitRanges {
		found["limitrange"] = found["limitrange"] || o.Namespace == ns && o.Name == "default" && o.UID != "" && o.ResourceVersion != ""
	}
	for _, k := range []string{"service", "networkpolicy", "quota", "limitrange"} {
		if !found[k] {
			t.Errorf("%s not read as created", k)
		}
	}
}
