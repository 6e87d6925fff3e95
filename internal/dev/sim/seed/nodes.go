package seed

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/netip"
	"strconv"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
)

// Pool is one of the reference's node pools (fixtures/nodepools.yaml).
type Pool struct {
	Name              string            `json:"name"`
	Mode              string            `json:"mode"`
	Count             int               `json:"count"`
	VMSize            string            `json:"vmSize"`
	CPU               string            `json:"cpu"`
	Memory            string            `json:"memory"`
	AllocatableCPU    string            `json:"allocatableCPU"`
	AllocatableMemory string            `json:"allocatableMemory"`
	MaxPods           int               `json:"maxPods"`
	Labels            map[string]string `json:"labels"`
}

// Pools returns the reference's node pools with opts.Nodes applied.
func Pools(opts Options) ([]Pool, error) {
	b, err := fixtures.ReadFile("fixtures/nodepools.yaml")
	if err != nil {
		return nil, err
	}
	var pools []Pool
	if err := yaml.Unmarshal(b, &pools); err != nil {
		return nil, fmt.Errorf("fixtures/nodepools.yaml: %w", err)
	}
	known := map[string]bool{}
	for i := range pools {
		known[pools[i].Name] = true
		if n, ok := opts.Nodes[pools[i].Name]; ok {
			pools[i].Count = n
		}
	}
	for name := range opts.Nodes {
		if !known[name] {
			return nil, fmt.Errorf("no node pool %q (pools: npsystem, npinscope01, npooscope01)", name)
		}
	}
	return pools, nil
}

// NodeImageAgeDays is how old the healthy cluster's node image is: AKS
// publishes one a week and kured applies it.
const NodeImageAgeDays = 7

// NodeImageVersion is the AKS Ubuntu node image published on day, in the
// form of the kubernetes.azure.com/node-image-version label.
func NodeImageVersion(day time.Time) string {
	return "AKSUbuntu-2204gen2containerd-" + day.UTC().Format("200601.02") + ".0"
}

// NodeName is the AKS name of instance i of pool:
// aks-<pool>-<8 digits>-vmss<6 base-36 digits>.
func NodeName(pool string, i int) string {
	return fmt.Sprintf("%s-vmss%06s", scaleSetName(pool), strconv.FormatInt(int64(i), 36))
}

func scaleSetName(pool string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(sim.ClusterName + "/" + pool))
	return fmt.Sprintf("aks-%s-%08d", pool, h.Sum32()%100000000)
}

type seededNode struct {
	name   string
	labels labels.Set
}

func seedNodes(ctx context.Context, c client.Client, pools []Pool, d fixtureData, opts Options) ([]seededNode, error) {
	type job struct {
		pool Pool
		i    int
		ip   netip.Addr
	}
	var jobs []job
	ip := netip.MustParseAddr("10.240.0.4")
	for _, p := range pools {
		for i := 0; i < p.Count; i++ {
			jobs = append(jobs, job{p, i, ip})
			ip = ip.Next()
		}
	}
	nodes := make([]seededNode, len(jobs))
	workers := opts.Concurrency
	if workers <= 0 {
		workers = 32
	}
	err := forEach(ctx, workers, len(jobs), func(ctx context.Context, k int) error {
		j := jobs[k]
		n := nodeObject(j.pool, j.i, j.ip, d, opts)
		nodes[k] = seededNode{name: n.GetName(), labels: n.GetLabels()}
		return applyNode(ctx, c, n, opts.SetStatus)
	})
	if err != nil {
		return nil, err
	}
	return nodes, nil
}

func nodeObject(p Pool, i int, ip netip.Addr, d fixtureData, opts Options) *unstructured.Unstructured {
	name := NodeName(p.Name, i)
	zone := fmt.Sprintf("%s-%d", d.Region, i%3+1)
	lbl := map[string]any{
		"kubernetes.azure.com/agentpool":           p.Name,
		"kubernetes.azure.com/mode":                p.Mode,
		"kubernetes.azure.com/role":                "agent",
		"kubernetes.azure.com/cluster":             "rg-" + d.ClusterName + "-nodepools",
		"kubernetes.azure.com/node-image-version":  NodeImageVersion(time.Now().AddDate(0, 0, -NodeImageAgeDays)),
		"kubernetes.azure.com/os-sku":              "Ubuntu",
		"kubernetes.azure.com/storageprofile":      "managed",
		"kubernetes.azure.com/storagetier":         "Premium_LRS",
		"kubernetes.azure.com/fips_enabled":        "false",
		"kubernetes.azure.com/managedby":           "aks",
		"agentpool":                                p.Name,
		"storageprofile":                           "managed",
		"storagetier":                              "Premium_LRS",
		"kubernetes.io/role":                       "agent",
		"node-role.kubernetes.io/agent":            "",
		"kubernetes.io/os":                         "linux",
		"kubernetes.io/arch":                       "amd64",
		"kubernetes.io/hostname":                   name,
		"beta.kubernetes.io/os":                    "linux",
		"beta.kubernetes.io/arch":                  "amd64",
		"beta.kubernetes.io/instance-type":         p.VMSize,
		"node.kubernetes.io/instance-type":         p.VMSize,
		"topology.kubernetes.io/region":            d.Region,
		"topology.kubernetes.io/zone":              zone,
		"failure-domain.beta.kubernetes.io/region": d.Region,
		"failure-domain.beta.kubernetes.io/zone":   zone,
	}
	for k, v := range p.Labels {
		lbl[k] = v
	}
	status := map[string]any{
		"capacity": map[string]any{
			"cpu": p.CPU, "memory": p.Memory, "pods": strconv.Itoa(p.MaxPods), "ephemeral-storage": "129886128Ki",
		},
		"allocatable": map[string]any{
			"cpu": p.AllocatableCPU, "memory": p.AllocatableMemory, "pods": strconv.Itoa(p.MaxPods), "ephemeral-storage": "119703055367",
		},
		"addresses": []any{
			map[string]any{"type": "InternalIP", "address": ip.String()},
			map[string]any{"type": "Hostname", "address": name},
		},
		"nodeInfo": map[string]any{
			"kubeletVersion":          opts.KubeletVersion,
			"kubeProxyVersion":        opts.KubeletVersion,
			"containerRuntimeVersion": "containerd://1.7.23-1",
			"kernelVersion":           "5.15.0-1074-azure",
			"osImage":                 "Ubuntu 22.04.5 LTS",
			"operatingSystem":         "linux",
			"architecture":            "amd64",
			"machineID":               "",
			"systemUUID":              "",
			"bootID":                  "",
		},
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1",
		"kind":       "Node",
		"metadata": map[string]any{
			"name":   name,
			"labels": lbl,
			// kwok keeps nodes with this annotation Ready.
			"annotations": map[string]any{"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
		},
		"spec": map[string]any{
			"providerID": fmt.Sprintf("azure:///subscriptions/%s/resourceGroups/rg-%s-nodepools/providers/Microsoft.Compute/virtualMachineScaleSets/%s-vmss/virtualMachines/%d",
				d.SubscriptionID, d.ClusterName, scaleSetName(p.Name), i),
		},
		"status": status,
	}}
}

// applyNode applies a Node with its status (kept on creation, so kwok's
// first look already sees our nodeInfo and capacity), then its status
// through the status subresource if the node does not show it yet (updates
// ignore status on the main resource). With ready set it adds the conditions
// a kubelet posts; a node that has them keeps their dates, so a second run
// changes nothing.
func applyNode(ctx context.Context, c client.Client, n *unstructured.Unstructured, ready bool) error {
	n = n.DeepCopy()
	if ready {
		now := time.Now().UTC().Format(time.RFC3339)
		cond := func(t, s, reason, msg string) map[string]any {
			return map[string]any{"type": t, "status": s, "reason": reason, "message": msg, "lastHeartbeatTime": now, "lastTransitionTime": now}
		}
		_ = unstructured.SetNestedSlice(n.Object, []any{
			cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
			cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
			cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
			cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
		}, "status", "conditions")
	}
	live, err := apply(ctx, c, n)
	if err != nil {
		return err
	}
	if ready {
		liveConds, _, _ := unstructured.NestedSlice(live.Object, "status", "conditions")
		conds, _, _ := unstructured.NestedSlice(n.Object, "status", "conditions")
		for _, want := range conds {
			w := want.(map[string]any)
			for _, have := range liveConds {
				h, _ := have.(map[string]any)
				if h["type"] == w["type"] && h["status"] == w["status"] {
					w["lastHeartbeatTime"], w["lastTransitionTime"] = h["lastHeartbeatTime"], h["lastTransitionTime"]
				}
			}
		}
		_ = unstructured.SetNestedSlice(n.Object, conds, "status", "conditions")
	}
	return applyStatus(ctx, c, n, live)
}
