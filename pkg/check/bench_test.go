package check

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster/clustertest"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// largeSnapshot is the healthy workload identity era grown to 5,000 nodes
// and 50,000 pods: the four agents on every node, workloads in a0005-i on
// in-scope nodes, a0005-o and other teams on out-of-scope nodes.
func largeSnapshot(b *testing.B) *cluster.Snapshot {
	b.Helper()
	meta, objs := loadEra(b, "workloadidentity")
	s, err := clustertest.FromObjects(meta, objs)
	if err != nil {
		b.Fatal(err)
	}
	const nodes, pods = 5000, 50000
	tmpl := s.Nodes[0]
	s.Nodes = s.Nodes[:0]
	pools := []struct{ name, scope string }{{"npsystem", ""}, {"npinscope01", "in-scope"}, {"npooscope01", "out-of-scope"}}
	for i := 0; i < nodes; i++ {
		n := tmpl
		pool := pools[min(i%10, 2)]
		n.Name = fmt.Sprintf("aks-%s-26621167-vmss%06d", pool.name, i)
		labels := map[string]string{"kubernetes.azure.com/agentpool": pool.name, "kubernetes.io/os": "linux",
			"kubernetes.azure.com/node-image-version": "AKSUbuntu-2204gen2containerd-202611.16.0"}
		if pool.scope != "" {
			labels["pci-scope"] = pool.scope
		}
		n.Labels = cluster.NewNodeLabels(n.Name, labels)
		s.Nodes = append(s.Nodes, n)
	}
	acr := "acraksxkgp5rywefmci.azurecr.io/live/"
	agents := []struct{ ns, name string }{{"cluster-baseline-settings", "dummy-av"}, {"cluster-baseline-settings", "dummy-fim"}, {"cluster-baseline-settings", "kured"}, {"falco-system", "aks-falco"}}
	s.Pods = s.Pods[:0]
	for _, a := range agents {
		for i := range s.Nodes {
			s.Pods = append(s.Pods, cluster.Pod{Namespace: a.ns, Name: fmt.Sprintf("%s-%05d", a.name, i), NodeName: s.Nodes[i].Name,
				OwnerKind: "DaemonSet", OwnerName: a.name, Phase: corev1.PodRunning, Ready: true,
				Containers: []cluster.Container{{Name: a.name, Image: acr + "library/busybox:1.33.0", Kind: cluster.RegularContainer}}})
		}
	}
	for i := 0; len(s.Pods) < pods; i++ {
		node := s.Nodes[i%nodes]
		ns := "a0005-o"
		switch node.Labels.Get("pci-scope") {
		case "in-scope":
			ns = "a0005-i"
		case "":
			ns = "kube-system"
		}
		if ns == "a0005-o" && i%3 == 0 {
			ns = fmt.Sprintf("team-%02d", i%40)
		}
		s.Pods = append(s.Pods, cluster.Pod{Namespace: ns, Name: fmt.Sprintf("app-%06d", i), NodeName: node.Name,
			OwnerKind: "ReplicaSet", OwnerName: fmt.Sprintf("app-%03d", i%400), Phase: corev1.PodRunning, Ready: true,
			Labels: cluster.Labels{"app", fmt.Sprintf("app-%03d", i%400), "pci-scope", "out-of-scope"},
			Containers: []cluster.Container{{Name: "app", Image: fmt.Sprintf("%sa0005/app-%03d:1.0", acr, i%400), Kind: cluster.RegularContainer},
				{Name: "envoy", Image: "mcr.microsoft.com/oss/envoyproxy/envoy:v1.30.1", Kind: cluster.RegularContainer}}})
	}
	return s
}

// BenchmarkPodChecks runs every check that reads pods over 50,000 pods on
// 5,000 nodes.
func BenchmarkPodChecks(b *testing.B) {
	s := largeSnapshot(b)
	p := loadProfile(b, "")
	var checks []*Check
	for _, c := range All() {
		for _, u := range c.Uses {
			if u == cluster.Pods {
				checks = append(checks, c)
				break
			}
		}
	}
	for _, r := range Run(s, p, checks) {
		if r.Status != result.Pass && r.Status != result.Skip {
			b.Fatalf("%s: %s: %s", r.ID, r.Status, r.Message)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		Run(s, p, checks)
	}
}

// BenchmarkEachPodCheck times the pod checks one by one.
func BenchmarkEachPodCheck(b *testing.B) {
	s := largeSnapshot(b)
	p := loadProfile(b, "")
	for _, id := range []string{"segmentation-pci-scope", "security-agents", "images-allowed-registry", "images-placeholders", "nodes-image-age"} {
		c := Lookup(id)
		b.Run(id, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Run(s, p, []*Check{c})
			}
		})
	}
}
