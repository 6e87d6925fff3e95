package evidence

import (
	"sort"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/sanitize"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// APIVersion of the bundle's own documents (inventory.json, cluster.json, index.json).
const APIVersion = result.APIVersion

// InventoryItem identifies one object verify read. It holds identity only:
// never data, annotations or labels, where Secret values can hide.
type InventoryItem struct {
	APIVersion      string `json:"apiVersion"`
	Kind            string `json:"kind"`
	Namespace       string `json:"namespace,omitempty"`
	Name            string `json:"name"`
	UID             string `json:"uid"`
	ResourceVersion string `json:"resourceVersion"`
}

// Cluster is cluster.json: what identifies the cluster a bundle speaks of.
type Cluster struct {
	Server            string `json:"server"`
	Context           string `json:"context"`
	KubernetesVersion string `json:"kubernetesVersion"`
	// KubeSystemUID is the UID of the kube-system namespace, which stays the
	// same for the cluster's life whatever its context or address is called.
	KubeSystemUID string `json:"kubeSystemUID"`
}

// ClusterOf takes from a kubeconfig only the context's name and server
// address (without any user info or query in the URL): credentials in the
// kubeconfig never reach the bundle.
func ClusterOf(cfg clientcmdapi.Config, context, kubernetesVersion, kubeSystemUID string) Cluster {
	if context == "" {
		context = cfg.CurrentContext
	}
	c := Cluster{Context: context, KubernetesVersion: kubernetesVersion, KubeSystemUID: kubeSystemUID}
	if kctx := cfg.Contexts[context]; kctx != nil {
		if cl := cfg.Clusters[kctx.Cluster]; cl != nil {
			c.Server = sanitize.URL(cl.Server)
		}
	}
	return c
}

// Bundle is what one cluster's evidence is made of; the engine fills it.
type Bundle struct {
	Report  *result.Report
	Cluster Cluster
	// Verdict is the engine's verdict (it knows --fail-on); empty derives
	// it from the counts.
	Verdict string
	// Profile is the effective profile, as YAML.
	Profile []byte
	// Waivers is the waivers file as given; nil when there is none.
	Waivers []byte
	// Inventory lists every object verify read.
	Inventory []InventoryItem
}

type inventoryDoc struct {
	APIVersion string          `json:"apiVersion"`
	Kind       string          `json:"kind"`
	Items      []InventoryItem `json:"items"`
}

func sortedInventory(items []InventoryItem) []InventoryItem {
	out := append([]InventoryItem{}, items...)
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.APIVersion != b.APIVersion {
			return a.APIVersion < b.APIVersion
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		return a.Name < b.Name
	})
	return out
}
