package verify

import (
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster/clustertest"
)

// agreeObjects are one object of each type verify lists or gets, each with
// what its reduction drops: annotations, addresses, capacity, Secret data,
// managed fields (the server adds those).
const agreeObjects = `
apiVersion: v1
kind: Namespace
metadata: {name: agree, labels: {pci-scope: in-scope}}
---
apiVersion: v1
kind: Node
metadata: {name: agree-node, labels: {kubernetes.azure.com/agentpool: npagree}, annotations: {node.alpha.kubernetes.io/ttl: "0"}}
spec: {providerID: "azure:///subscriptions/x/vm/0", taints: [{key: CriticalAddonsOnly, value: "true", effect: NoSchedule}]}
status:
  capacity: {cpu: "4", memory: 16Gi, pods: "110"}
  addresses: [{type: InternalIP, address: 10.240.0.4}]
  nodeInfo: {kubeletVersion: v1.33.2, osImage: Ubuntu 22.04.5 LTS, machineID: m, systemUUID: u, bootID: b, kernelVersion: k, containerRuntimeVersion: c, kubeProxyVersion: v, operatingSystem: linux, architecture: amd64}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: agree, labels: {app: web}}
spec: {nodeName: agree-node, initContainers: [{name: init, image: busybox}], containers: [{name: web, image: acr.azurecr.io/live/web:1}]}
---
apiVersion: v1
kind: Service
metadata: {name: lb, namespace: agree, annotations: {service.beta.kubernetes.io/azure-load-balancer-internal: "true"}}
spec: {type: LoadBalancer, ports: [{port: 443}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default, namespace: agree}
spec: {podSelector: {}, policyTypes: [Ingress, Egress], egress: [{ports: [{port: 53, protocol: UDP}]}]}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: default, namespace: agree}
spec: {hard: {pods: "10"}}
---
apiVersion: v1
kind: LimitRange
metadata: {name: default, namespace: agree}
spec: {limits: [{type: Container, default: {cpu: 100m}}]}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: agree, annotations: {azure.workload.identity/client-id: 00000000-0000-0000-0000-000000000000}}
---
apiVersion: v1
kind: Secret
metadata: {name: tls, namespace: agree}
type: kubernetes.io/tls
data: {tls.crt: Y3J0, tls.key: a2V5}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: agree}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: acr.azurecr.io/live/web:1}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: agree}
spec: {selector: {matchLabels: {app: agent}}, template: {metadata: {labels: {app: agent}}, spec: {containers: [{name: agent, image: acr.azurecr.io/live/agent:1}]}}}
`

// The reader and clustertest's fixture builder keep the same of the same
// objects, since one descriptor per type reduces both: objects created in a
// real API server, read back whole and built into a snapshot, hold what the
// Reader reads of them, type by type, CRDs and nodes slimmed alike.
func TestReaderAndFixtureBuilderAgree(t *testing.T) {
	sharedCRDs(t)
	ctx := ctxT(t)
	c := newClient(t, shared.Config)
	objs, err := cluster.DecodeObjects([]byte(agreeObjects))
	if err != nil {
		t.Fatal(err)
	}
	crd := obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", string(cluster.ConstraintTemplates))
	var live []*unstructured.Unstructured
	for _, o := range append(objs, crd) {
		if o != crd {
			if err := c.Create(ctx, o.DeepCopy()); err != nil && !apierrors.IsAlreadyExists(err) {
				t.Fatalf("creating %s %s: %v", o.GetKind(), o.GetName(), err)
			}
		}
		got := obj(o.GetAPIVersion(), o.GetKind(), o.GetNamespace(), o.GetName())
		if err := c.Get(ctx, client.ObjectKeyFromObject(got), got); err != nil {
			t.Fatal(err)
		}
		live = append(live, got)
	}
	built, err := clustertest.FromObjects(clustertest.Meta{}, live)
	if err != nil {
		t.Fatal(err)
	}

	rd, err := cluster.NewReader(shared.Config)
	if err != nil {
		t.Fatal(err)
	}
	var q cluster.Request
	q.Add(cluster.Nodes, cluster.Namespaces, cluster.Pods, cluster.Services, cluster.NetworkPolicies,
		cluster.ResourceQuotas, cluster.LimitRanges, cluster.Deployments, cluster.DaemonSets, cluster.CRDs)
	q.AddNamed(cluster.Secrets, "agree", "tls")
	q.AddNamed(cluster.ServiceAccounts, "agree", "web")
	read := rd.Read(ctx, q, cluster.Access{})
	for _, r := range read.Resources() {
		if st := read.ReadStatus(r); st.Outcome != cluster.OK {
			t.Fatalf("%s: %s", r, st.Message(r))
		}
	}

	// ours keeps the items of the objects above: the shared control plane
	// holds others too.
	ours := func(ns, name string) bool {
		return ns == "agree" || name == "agree" || name == "agree-node" || name == string(cluster.ConstraintTemplates)
	}
	for _, field := range []string{"Nodes", "Namespaces", "Pods", "Services", "NetworkPolicies", "ResourceQuotas", "LimitRanges",
		"ServiceAccounts", "Secrets", "Deployments", "DaemonSets", "CRDs"} {
		want, got := itemsOf(read, field, ours), itemsOf(built, field, ours)
		if len(want) != 1 {
			t.Errorf("%s: the reader kept %d of the objects, want 1", field, len(want))
			continue
		}
		if !equality.Semantic.DeepEqual(got, want) {
			t.Errorf("%s: the fixture builder keeps\n%+v\nthe reader\n%+v", field, got, want)
		}
	}
	if len(read.Secrets) == 1 && read.Secrets[0].Data != nil {
		t.Error("the reader kept Secret data")
	}
	if n := built.CRD(string(cluster.ConstraintTemplates)); n == nil || n.Spec.Versions[0].Schema != nil || n.Annotations != nil {
		t.Error("the fixture builder did not slim the CRD")
	}
}

// itemsOf returns the items of the snapshot's field whose namespace and
// name keep accepts.
func itemsOf(s *cluster.Snapshot, field string, keep func(ns, name string) bool) []any {
	var out []any
	v := reflect.ValueOf(s).Elem().FieldByName(field)
	for i := range v.Len() {
		it := v.Index(i)
		if keep(it.FieldByName("Namespace").String(), it.FieldByName("Name").String()) {
			out = append(out, it.Interface())
		}
	}
	return out
}
