package seed

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
)

// The pods a busy regulated cluster runs, at scale (the verify benchmark's
// 50,000): the four security agents on every node (as their DaemonSets
// would place them) and the rest Deployment pods, a0005-i on in-scope nodes,
// a0005-o and other teams on out-of-scope nodes, system add-ons on system
// nodes. Nothing in envtest schedules or runs pods, so each is created bound
// (spec.nodeName) and its status written as a kubelet would, through the
// status subresource.

// Pods adds total pods to the cluster Apply dressed with opts, with
// opts.Concurrency writers, and returns how many it created; pods a former
// run left Running are kept. progress, when not nil, gets a line every
// fifteen seconds.
func Pods(ctx context.Context, cfg *rest.Config, opts Options, total int, progress io.Writer) (int, error) {
	s, err := newPodSeeder(cfg, opts)
	if err != nil {
		return 0, err
	}
	if progress != nil {
		defer s.report(progress, total)()
	}
	err = s.seed(ctx, total)
	return int(s.created.Load()), err
}

// agents are the DaemonSets every node runs (the extension era's names).
var agents = []struct{ namespace, name, image string }{
	{"cluster-baseline-settings", "dummy-av", "library/busybox:1.33.0"},
	{"cluster-baseline-settings", "dummy-fim", "library/busybox:1.33.0"},
	{"cluster-baseline-settings", "kured", "kubereboot/kured:1.16.0"},
	{"falco-system", "falco", "falcosecurity/falco-no-driver:0.38.2"},
}

// appGroup is a share of the Deployment pods: namespaces, the pool whose
// nodes run them, and the weight of the share.
type appGroup struct {
	namespaces []string
	pool       string
	weight     int
	registry   string // image prefix; the ACR's live/ path unless excluded from the policy
	// scope is the pci-scope the pod template selects, as the reference's
	// workloads do; empty selects none (system add-ons).
	scope string
}

func appGroups() []appGroup {
	acr := sim.ACRName + ".azurecr.io/live/"
	return []appGroup{
		{[]string{"a0005-i"}, "npinscope01", 4, acr, "in-scope"},
		{[]string{"a0005-o"}, "npooscope01", 3, acr, "out-of-scope"},
		{[]string{"team-payments", "team-ledger", "team-web", "team-search"}, "npooscope01", 2, acr, "out-of-scope"},
		{[]string{"kube-system"}, "npsystem", 1, "mcr.microsoft.com/oss/kubernetes/", ""},
	}
}

// replicasPerDeployment sizes the Deployments; 30,000 pods make 600.
const replicasPerDeployment = 50

// podSeeder creates the workloads and their pods.
type podSeeder struct {
	cs      kubernetes.Interface
	pools   map[string][]string // pool → node names
	workers int
	created atomic.Int64
}

func newPodSeeder(cfg *rest.Config, opts Options) (*podSeeder, error) {
	c := rest.CopyConfig(cfg)
	c.ContentType = runtime.ContentTypeProtobuf
	c.AcceptContentTypes = runtime.ContentTypeProtobuf
	c.QPS = -1 // no client-side limit: the workers bound the load
	cs, err := kubernetes.NewForConfig(c)
	if err != nil {
		return nil, err
	}
	pools, err := Pools(opts)
	if err != nil {
		return nil, err
	}
	workers := opts.Concurrency
	if workers <= 0 {
		workers = 32
	}
	s := &podSeeder{cs: cs, pools: map[string][]string{}, workers: workers}
	for _, p := range pools {
		for i := range p.Count {
			s.pools[p.Name] = append(s.pools[p.Name], NodeName(p.Name, i))
		}
	}
	return s, nil
}

func (s *podSeeder) allNodes() []string {
	var all []string
	for _, p := range []string{"npsystem", "npinscope01", "npooscope01"} {
		all = append(all, s.pools[p]...)
	}
	return all
}

// seed adds total pods: one per node of each agent, the rest Deployment pods.
func (s *podSeeder) seed(ctx context.Context, total int) error {
	nodes := s.allNodes()
	if total < len(agents)*len(nodes) {
		return fmt.Errorf("%d pods do not cover %d agents on %d nodes", total, len(agents), len(nodes))
	}
	var pods []*corev1.Pod
	namespaces := map[string]bool{}
	for _, a := range agents {
		namespaces[a.namespace] = true
	}
	for _, g := range appGroups() {
		for _, ns := range g.namespaces {
			namespaces[ns] = true
		}
	}
	for ns := range namespaces {
		if err := s.ensureNamespace(ctx, ns); err != nil {
			return err
		}
	}
	for _, a := range agents {
		ds, err := s.ensureDaemonSet(ctx, a.namespace, a.name, a.image, int32(len(nodes)))
		if err != nil {
			return err
		}
		for i, n := range nodes {
			pods = append(pods, agentPod(ds, a.image, n, i))
		}
	}
	weights := 0
	for _, g := range appGroups() {
		weights += g.weight
	}
	rest := total - len(pods)
	for gi, g := range appGroups() {
		share := rest * g.weight / weights
		if gi == len(appGroups())-1 {
			share = total - len(pods) // the rounding remainder
		}
		onto := s.pools[g.pool]
		for d := 0; share > 0; d++ {
			ns := g.namespaces[d%len(g.namespaces)]
			name := fmt.Sprintf("%s-app-%03d", ns, d/len(g.namespaces))
			replicas := min(replicasPerDeployment, share)
			rs, err := s.ensureDeployment(ctx, ns, name, g.registry, g.scope, int32(replicas))
			if err != nil {
				return err
			}
			for r := range replicas {
				pods = append(pods, deploymentPod(rs, g.registry, onto[(len(pods)+r)%len(onto)], r))
			}
			share -= replicas
		}
	}
	return forEach(ctx, s.workers, len(pods), func(ctx context.Context, i int) error { return s.createPod(ctx, pods[i]) })
}

// createPod creates p (or finds it, on a re-run) and makes it Running and
// Ready.
func (s *podSeeder) createPod(ctx context.Context, p *corev1.Pod) error {
	pods := s.cs.CoreV1().Pods(p.Namespace)
	live, err := pods.Create(ctx, p, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		if live, err = pods.Get(ctx, p.Name, metav1.GetOptions{}); err == nil && live.Status.Phase == corev1.PodRunning {
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("creating pod %s/%s: %w", p.Namespace, p.Name, err)
	}
	live.Status = runningStatus(live)
	if _, err := pods.UpdateStatus(ctx, live, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("writing the status of pod %s/%s: %w", p.Namespace, p.Name, err)
	}
	s.created.Add(1)
	return nil
}

func (s *podSeeder) ensureNamespace(ctx context.Context, name string) error {
	_, err := s.cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating namespace %s: %w", name, err)
	}
	// No controller manager creates the default ServiceAccount, and the
	// ServiceAccount admission plugin refuses pods without it.
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: name, Name: "default"}}
	if _, err := s.cs.CoreV1().ServiceAccounts(name).Create(ctx, sa, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating the default ServiceAccount of %s: %w", name, err)
	}
	return nil
}

// ensureDaemonSet returns the DaemonSet ns/name, created (with the status of
// one ready pod on each of n nodes) unless it exists.
func (s *podSeeder) ensureDaemonSet(ctx context.Context, ns, name, image string, n int32) (*appsv1.DaemonSet, error) {
	dss := s.cs.AppsV1().DaemonSets(ns)
	ds, err := dss.Get(ctx, name, metav1.GetOptions{})
	if err == nil {
		return ds, nil
	}
	if !apierrors.IsNotFound(err) {
		return nil, err
	}
	lbl := map[string]string{"app.kubernetes.io/name": name}
	ds, err = dss.Create(ctx, &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: lbl},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: lbl},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: lbl},
				Spec:       podSpec(sim.ACRName+".azurecr.io/live/", image, map[string]string{"kubernetes.io/os": "linux"}),
			},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("creating DaemonSet %s/%s: %w", ns, name, err)
	}
	ds.Status = appsv1.DaemonSetStatus{
		DesiredNumberScheduled: n, CurrentNumberScheduled: n, UpdatedNumberScheduled: n,
		NumberReady: n, NumberAvailable: n, ObservedGeneration: ds.Generation,
	}
	if ds, err = dss.UpdateStatus(ctx, ds, metav1.UpdateOptions{}); err != nil {
		return nil, fmt.Errorf("writing the status of DaemonSet %s/%s: %w", ns, name, err)
	}
	return ds, nil
}

// ensureDeployment creates the Deployment ns/name and the ReplicaSet its
// controller would make, and returns the ReplicaSet (the pods' owner).
func (s *podSeeder) ensureDeployment(ctx context.Context, ns, name, registry, scope string, replicas int32) (*appsv1.ReplicaSet, error) {
	lbl := map[string]string{"app.kubernetes.io/name": name}
	var sel map[string]string
	if scope != "" {
		sel = map[string]string{"pci-scope": scope}
	}
	spec := podSpec(registry, name+":1.0.0", sel)
	deps := s.cs.AppsV1().Deployments(ns)
	dep, err := deps.Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		dep, err = deps.Create(ctx, &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: lbl},
			Spec: appsv1.DeploymentSpec{
				Replicas: &replicas,
				Selector: &metav1.LabelSelector{MatchLabels: lbl},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: lbl}, Spec: spec},
			},
		}, metav1.CreateOptions{})
		if err == nil {
			dep.Status = appsv1.DeploymentStatus{ObservedGeneration: dep.Generation, Replicas: replicas, UpdatedReplicas: replicas, ReadyReplicas: replicas, AvailableReplicas: replicas}
			dep, err = deps.UpdateStatus(ctx, dep, metav1.UpdateOptions{})
		}
	}
	if err != nil {
		return nil, fmt.Errorf("Deployment %s/%s: %w", ns, name, err)
	}
	hash := templateHash(ns + "/" + name)
	rsName := name + "-" + hash
	rss := s.cs.AppsV1().ReplicaSets(ns)
	rs, err := rss.Get(ctx, rsName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		rsLbl := map[string]string{"app.kubernetes.io/name": name, "pod-template-hash": hash}
		rs, err = rss.Create(ctx, &appsv1.ReplicaSet{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: rsName, Labels: rsLbl,
				OwnerReferences: []metav1.OwnerReference{controllerRef("Deployment", dep.Name, dep.UID)}},
			Spec: appsv1.ReplicaSetSpec{
				Replicas: &replicas,
				Selector: &metav1.LabelSelector{MatchLabels: rsLbl},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: rsLbl}, Spec: spec},
			},
		}, metav1.CreateOptions{})
	}
	if err != nil {
		return nil, fmt.Errorf("ReplicaSet %s/%s: %w", ns, rsName, err)
	}
	return rs, nil
}

// report prints progress to w every fifteen seconds until stop is called.
func (s *podSeeder) report(w io.Writer, total int) (stop func()) {
	done := make(chan struct{})
	t0 := time.Now()
	go func() {
		t := time.NewTicker(15 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				n := s.created.Load()
				fmt.Fprintf(w, "◎ %d of %d pods (%.0f/s)\n", n, total, float64(n)/time.Since(t0).Seconds())
			}
		}
	}()
	return func() { close(done) }
}
