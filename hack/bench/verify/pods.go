package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/seed"
)

// The pods a healthy regulated cluster runs, at scale: the four security
// agents on every node (as their DaemonSets would place them) and the rest
// Deployment pods, a0005-i on in-scope nodes, a0005-o and other teams on
// out-of-scope nodes, system add-ons on system nodes. Nothing in envtest
// schedules or runs pods, so each is created bound (spec.nodeName) and its
// status written as a kubelet would, through the status subresource.

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
}

func appGroups() []appGroup {
	acr := sim.ACRName + ".azurecr.io/live/"
	return []appGroup{
		{[]string{"a0005-i"}, "npinscope01", 4, acr},
		{[]string{"a0005-o"}, "npooscope01", 3, acr},
		{[]string{"team-payments", "team-ledger", "team-web", "team-search"}, "npooscope01", 2, acr},
		{[]string{"kube-system"}, "npsystem", 1, "mcr.microsoft.com/oss/kubernetes/"},
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

func newPodSeeder(cfg *rest.Config, opts seed.Options, workers int) (*podSeeder, error) {
	c := rest.CopyConfig(cfg)
	c.ContentType = runtime.ContentTypeProtobuf
	c.AcceptContentTypes = runtime.ContentTypeProtobuf
	c.QPS = -1 // no client-side limit: the workers bound the load
	cs, err := kubernetes.NewForConfig(c)
	if err != nil {
		return nil, err
	}
	pools, err := seed.Pools(opts)
	if err != nil {
		return nil, err
	}
	s := &podSeeder{cs: cs, pools: map[string][]string{}, workers: workers}
	for _, p := range pools {
		for i := range p.Count {
			s.pools[p.Name] = append(s.pools[p.Name], seed.NodeName(p.Name, i))
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

// Seed adds total pods: one per node of each agent, the rest Deployment pods.
func (s *podSeeder) Seed(ctx context.Context, total int) error {
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
			rs, err := s.ensureDeployment(ctx, ns, name, g.registry, int32(replicas))
			if err != nil {
				return err
			}
			for r := range replicas {
				pods = append(pods, deploymentPod(rs, g.registry, onto[(len(pods)+r)%len(onto)], r))
			}
			share -= replicas
		}
	}
	return s.createAll(ctx, pods)
}

// createAll creates the pods and writes their status with bounded workers.
func (s *podSeeder) createAll(ctx context.Context, pods []*corev1.Pod) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan *corev1.Pod)
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	fail := func(err error) { once.Do(func() { firstErr = err; cancel() }) }
	for range s.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range ch {
				if err := s.createPod(ctx, p); err != nil {
					fail(err)
				}
			}
		}()
	}
feed:
	for _, p := range pods {
		select {
		case ch <- p:
		case <-ctx.Done():
			break feed
		}
	}
	close(ch)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
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
func (s *podSeeder) ensureDeployment(ctx context.Context, ns, name, registry string, replicas int32) (*appsv1.ReplicaSet, error) {
	lbl := map[string]string{"app.kubernetes.io/name": name}
	spec := podSpec(registry, name+":1.0.0", nil)
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

// templateHash stands in for the controllers' pod-template-hash.
func templateHash(s string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(s))
	return strconv.FormatUint(uint64(h.Sum32()), 36)
}

func controllerRef(kind, name string, uid types.UID) metav1.OwnerReference {
	return metav1.OwnerReference{APIVersion: "apps/v1", Kind: kind, Name: name, UID: uid, Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true)}
}

// podSpec is a pod of two containers (the workload and a sidecar), with the
// requests and probes real workloads carry.
func podSpec(registry, image string, nodeSelector map[string]string) corev1.PodSpec {
	res := corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("50m"), corev1.ResourceMemory: resource.MustParse("64Mi")},
		Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("200m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
	}
	probe := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080)}}, PeriodSeconds: 10}
	return corev1.PodSpec{
		NodeSelector: nodeSelector,
		Containers: []corev1.Container{
			{Name: "main", Image: registry + image, Resources: res, ReadinessProbe: probe,
				Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP}}},
			{Name: "envoy", Image: "mcr.microsoft.com/oss/envoyproxy/envoy:v1.30.1", Resources: res},
		},
	}
}

func agentPod(ds *appsv1.DaemonSet, image, node string, i int) *corev1.Pod {
	spec := podSpec(sim.ACRName+".azurecr.io/live/", image, map[string]string{"kubernetes.io/os": "linux"})
	spec.NodeName = node
	// What the DaemonSet controller adds: pin to the node, tolerate its
	// transient conditions.
	spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
		NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchFields: []corev1.NodeSelectorRequirement{{Key: "metadata.name", Operator: corev1.NodeSelectorOpIn, Values: []string{node}}}}},
	}}}
	for _, t := range []string{"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable", "node.kubernetes.io/disk-pressure", "node.kubernetes.io/memory-pressure", "node.kubernetes.io/pid-pressure", "node.kubernetes.io/unschedulable"} {
		spec.Tolerations = append(spec.Tolerations, corev1.Toleration{Key: t, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule})
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: ds.Namespace,
			Name:      fmt.Sprintf("%s-%s", ds.Name, suffix(ds.Name, i)),
			Labels: map[string]string{"app.kubernetes.io/name": ds.Name, "controller-revision-hash": templateHash(ds.Namespace + "/" + ds.Name),
				"pod-template-generation": "1"},
			OwnerReferences: []metav1.OwnerReference{controllerRef("DaemonSet", ds.Name, ds.UID)},
		},
		Spec: spec,
	}
}

func deploymentPod(rs *appsv1.ReplicaSet, registry, node string, i int) *corev1.Pod {
	spec := podSpec(registry, rs.Labels["app.kubernetes.io/name"]+":1.0.0", nil)
	spec.NodeName = node
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Namespace:       rs.Namespace,
			Name:            fmt.Sprintf("%s-%s", rs.Name, suffix(rs.Name, i)),
			Labels:          rs.Spec.Template.Labels,
			OwnerReferences: []metav1.OwnerReference{controllerRef("ReplicaSet", rs.Name, rs.UID)},
		},
		Spec: spec,
	}
}

// suffix is a stable, distinct five-character name suffix for replica i,
// shaped like the controllers' random ones.
func suffix(owner string, i int) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(owner))
	return fmt.Sprintf("%05s", strconv.FormatUint(uint64(h.Sum32()%1000+uint32(i)*1000)%60466176, 36))
}

// runningStatus is what the kubelet reports for a pod whose containers all
// run and pass their probes.
func runningStatus(p *corev1.Pod) corev1.PodStatus {
	now := metav1.NewTime(time.Now().Truncate(time.Second))
	st := corev1.PodStatus{
		Phase:     corev1.PodRunning,
		HostIP:    "10.240.0.4",
		PodIP:     "10.244.0.10",
		PodIPs:    []corev1.PodIP{{IP: "10.244.0.10"}},
		StartTime: &now,
		QOSClass:  corev1.PodQOSBurstable,
	}
	for _, t := range []corev1.PodConditionType{"PodReadyToStartContainers", corev1.PodInitialized, corev1.PodReady, corev1.ContainersReady, corev1.PodScheduled} {
		st.Conditions = append(st.Conditions, corev1.PodCondition{Type: t, Status: corev1.ConditionTrue, LastTransitionTime: now})
	}
	for _, c := range p.Spec.Containers {
		st.ContainerStatuses = append(st.ContainerStatuses, corev1.ContainerStatus{
			Name: c.Name, Image: c.Image, ImageID: c.Image + "@sha256:0f6a3d5c2b1e4f7a9c8d0e2b3a4f5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b",
			ContainerID: "containerd://" + templateHash(p.Name+c.Name),
			Ready:       true, Started: ptr.To(true),
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}},
		})
	}
	return st
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

// seedPods adds n pods to the cluster seeded with opts, showing progress on
// stderr, and returns how long it took.
func seedPods(ctx context.Context, cfg *rest.Config, opts seed.Options, n int) (time.Duration, error) {
	ps, err := newPodSeeder(cfg, opts, 64)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	fmt.Fprintf(os.Stderr, "► adding %d pods (the four agents on every node, the rest Deployment pods), bound and Running\n", n)
	stop := ps.report(os.Stderr, n)
	err = ps.Seed(ctx, n)
	stop()
	if err != nil {
		return 0, fmt.Errorf("seeding pods: %w", err)
	}
	took := time.Since(start)
	fmt.Fprintf(os.Stderr, "✔ %d pods in %s\n", ps.created.Load(), took.Round(time.Second))
	return took, nil
}
