package profile

import (
	"fmt"
	"regexp"

	yaml "go.yaml.in/yaml/v3"
)

// APIVersion and Kind identify a profile document.
const (
	APIVersion = "aksbaseline.io/v1alpha1"
	Kind       = "VerifyProfile"
)

// Profile is every expectation verify holds a cluster to. Check code reads
// names, counts and patterns from here and never hard-codes them, so a user
// can adapt verify to a cluster that deviates from the reference on purpose.
type Profile struct {
	APIVersion  string     `yaml:"apiVersion" json:"apiVersion"`
	Kind        string     `yaml:"kind" json:"kind"`
	Name        string     `yaml:"name" json:"name"`
	Description string     `yaml:"description,omitempty" json:"description,omitempty"`
	Nodes       Nodes      `yaml:"nodes" json:"nodes"`
	Policies    Policies   `yaml:"policies" json:"policies"`
	Identities  Identities `yaml:"identities" json:"identities"`
	Access      Access     `yaml:"access" json:"access"`
	Secrets     Secrets    `yaml:"secrets" json:"secrets"`
	Flux        Flux       `yaml:"flux" json:"flux"`
	Images      Images     `yaml:"images" json:"images"`
}

// Ref names a namespaced object.
type Ref struct {
	Namespace string `yaml:"namespace" json:"namespace"`
	Name      string `yaml:"name" json:"name"`
}

func (r Ref) String() string { return r.Namespace + "/" + r.Name }

// Nodes holds the node-pool expectations.
type Nodes struct {
	// PoolLabel and ModeLabel are the AKS node labels naming a node's pool and its mode.
	PoolLabel string `yaml:"poolLabel" json:"poolLabel"`
	ModeLabel string `yaml:"modeLabel" json:"modeLabel"`
	Pools     []Pool `yaml:"pools" json:"pools"`
	// MaxKubeletSkew is how many minors a kubelet may trail the API server.
	MaxKubeletSkew int         `yaml:"maxKubeletSkew" json:"maxKubeletSkew"`
	SystemTaint    SystemTaint `yaml:"systemTaint" json:"systemTaint"`
}

// Pool is one expected node pool.
type Pool struct {
	Name     string            `yaml:"name" json:"name"`
	Mode     string            `yaml:"mode" json:"mode"`
	MinCount int               `yaml:"minCount" json:"minCount"`
	Labels   map[string]string `yaml:"labels,omitempty" json:"labels,omitempty"`
}

// SystemTaint says whether the system pool must carry the taint that keeps
// user workloads off it. The regulated reference leaves it commented out, so
// Required false turns its absence into a warning instead of a failure.
type SystemTaint struct {
	Pool     string `yaml:"pool" json:"pool"`
	Key      string `yaml:"key" json:"key"`
	Value    string `yaml:"value" json:"value"`
	Effect   string `yaml:"effect" json:"effect"`
	Required bool   `yaml:"required" json:"required"`
}

// Policies holds the Azure Policy add-on and Gatekeeper expectations.
type Policies struct {
	AddonDeployments      []Ref `yaml:"addonDeployments" json:"addonDeployments"`
	GatekeeperDeployments []Ref `yaml:"gatekeeperDeployments" json:"gatekeeperDeployments"`
	// Templates are matched by pattern, not name: the add-on names a template
	// after the policy store version it synced (k8sazurev3…), which changes.
	Templates []Template `yaml:"templates" json:"templates"`
	// Informational matches templates that may exist besides the expected
	// ones (Defender, MCSB); they are reported, never failed.
	Informational *Regexp `yaml:"informational" json:"informational"`
}

// Template is one expected ConstraintTemplate.
type Template struct {
	Policy string  `yaml:"policy" json:"policy"`
	Match  *Regexp `yaml:"match" json:"match"`
}

// Identities holds the ingress controller identity expectations for both
// eras of the reference: AAD Pod Identity and Workload Identity.
type Identities struct {
	// Mode is auto, podIdentity or workloadIdentity.
	Mode             string           `yaml:"mode" json:"mode"`
	PodIdentity      PodIdentity      `yaml:"podIdentity" json:"podIdentity"`
	WorkloadIdentity WorkloadIdentity `yaml:"workloadIdentity" json:"workloadIdentity"`
}

// PodIdentity is the AAD Pod Identity era.
type PodIdentity struct {
	Identity Ref `yaml:"identity" json:"identity"`
	// Pods selects the pods that must carry the binding's selector label.
	Pods        Selector `yaml:"pods" json:"pods"`
	SelectorKey string   `yaml:"selectorLabel" json:"selectorLabel"`
	NMI         Ref      `yaml:"nmi" json:"nmi"`
}

// Selector is a namespace and a label selector.
type Selector struct {
	Namespace string `yaml:"namespace" json:"namespace"`
	Labels    string `yaml:"labels" json:"labels"`
}

// WorkloadIdentity is the Workload Identity era.
type WorkloadIdentity struct {
	ServiceAccount Ref `yaml:"serviceAccount" json:"serviceAccount"`
	Webhook        Ref `yaml:"webhook" json:"webhook"`
	// UseLabel marks pods that rely on the mutating webhook.
	UseLabel string `yaml:"useLabel" json:"useLabel"`
}

// Access holds the API server endpoint expectations.
type Access struct {
	// Private matches host names of a private API server endpoint.
	Private *Regexp `yaml:"private" json:"private"`
	// Public matches host names of a public AKS endpoint.
	Public *Regexp `yaml:"public" json:"public"`
	// AllowPublic turns a public endpoint into a warning.
	AllowPublic bool `yaml:"allowPublic" json:"allowPublic"`
}

// Secrets holds the Secrets Store CSI expectations.
type Secrets struct {
	SecretProviderClass Ref    `yaml:"secretProviderClass" json:"secretProviderClass"`
	Provider            string `yaml:"provider" json:"provider"`
	TLSSecret           Ref    `yaml:"tlsSecret" json:"tlsSecret"`
}

// Flux holds the GitOps expectations.
type Flux struct {
	Namespace string `yaml:"namespace" json:"namespace"`
	// PartOfLabel selects the Flux controllers and CRDs, as 'flux check' does.
	PartOfLabel string `yaml:"partOfLabel" json:"partOfLabel"`
	// Controllers must exist in Namespace whatever their labels: installs
	// older than the part-of label, or made by other tools, lack it.
	Controllers []string `yaml:"controllers" json:"controllers"`
	// CRDGroupSuffix recognises Flux CRDs that lack the part-of label.
	CRDGroupSuffix string `yaml:"crdGroupSuffix" json:"crdGroupSuffix"`
	// Sync lists the accepted sync object sets; the first one found is used.
	Sync      []SyncSet `yaml:"sync" json:"sync"`
	Extension Extension `yaml:"extension" json:"extension"`
}

// SyncSet is one way the reference names its GitRepository and Kustomization.
type SyncSet struct {
	Name          string `yaml:"name" json:"name"`
	GitRepository string `yaml:"gitRepository" json:"gitRepository"`
	Kustomization string `yaml:"kustomization" json:"kustomization"`
}

// Extension recognises Flux managed by the AKS microsoft.flux extension.
type Extension struct {
	CRD         string   `yaml:"crd" json:"crd"`
	Deployments []string `yaml:"deployments" json:"deployments"`
}

// Images holds the pod image expectations.
type Images struct {
	// ExcludeNamespaces are not scanned (AKS-managed system pods).
	ExcludeNamespaces []string `yaml:"excludeNamespaces,omitempty" json:"excludeNamespaces,omitempty"`
}

// Regexp is a regular expression that keeps its source for printing and
// fails decoding, with the line, when it does not compile.
type Regexp struct {
	*regexp.Regexp
}

// UnmarshalYAML compiles the pattern.
func (r *Regexp) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	re, err := regexp.Compile(s)
	if err != nil {
		// A TypeError lets decoding go on, so one run reports every mistake.
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: invalid regular expression %q: %v", n.Line, s, err)}}
	}
	r.Regexp = re
	return nil
}

// MarshalYAML prints the source.
func (r Regexp) MarshalYAML() (any, error) {
	if r.Regexp == nil {
		return "", nil
	}
	return r.String(), nil
}

// MarshalJSON prints the source.
func (r Regexp) MarshalJSON() ([]byte, error) {
	if r.Regexp == nil {
		return []byte(`""`), nil
	}
	return []byte(fmt.Sprintf("%q", r.String())), nil
}

// MatchString is nil-safe: a pattern left out matches nothing.
func (r *Regexp) MatchString(s string) bool {
	return r != nil && r.Regexp != nil && r.Regexp.MatchString(s)
}
