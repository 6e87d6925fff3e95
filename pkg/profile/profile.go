package profile

import (
	"fmt"
	"regexp"
	"strings"

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
	// The controls the regulated reference builds: segmentation, networking,
	// namespace guardrails and security agents.
	Segmentation Segmentation `yaml:"segmentation" json:"segmentation"`
	Network      Network      `yaml:"network" json:"network"`
	Namespaces   Namespaces   `yaml:"namespaces" json:"namespaces"`
	Security     Security     `yaml:"security" json:"security"`
	// Waivers is the profile's waivers: list, the shape of a Waivers
	// file's. It stays a YAML node, with its lines, because pkg/waiver
	// validates it (waiver.FromProfile) and pkg/waiver sits above this
	// package; verify refuses a bad entry as FILE:LINE before reading.
	Waivers yaml.Node `yaml:"waivers,omitempty" json:"-"`
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
	// ImageVersionLabel names the node image (its name ends in the image's
	// date); nodes whose image is older than ImageMaxAgeDays are reported.
	// An empty label turns the check off.
	ImageVersionLabel string `yaml:"imageVersionLabel,omitempty" json:"imageVersionLabel,omitempty"`
	ImageMaxAgeDays   int    `yaml:"imageMaxAgeDays,omitempty" json:"imageMaxAgeDays,omitempty"`
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
	// Enforcement is the enforcementAction its constraints must have (deny
	// for the policies the reference assigns with the deny effect); empty
	// accepts any.
	Enforcement string `yaml:"enforcement,omitempty" json:"enforcement,omitempty"`
}

// Template returns the expected template of a policy, or nil.
func (p *Policies) Template(policy string) *Template {
	for i := range p.Templates {
		if p.Templates[i].Policy == policy {
			return &p.Templates[i]
		}
	}
	return nil
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
	// SupportedMinors is how many minors of Flux are supported, counting
	// the one this tool installs: 3 is the current and the previous two.
	// 0 turns the currency check off.
	SupportedMinors int `yaml:"supportedMinors,omitempty" json:"supportedMinors,omitempty"`
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
	ExcludeNamespaces []string      `yaml:"excludeNamespaces,omitempty" json:"excludeNamespaces,omitempty"`
	Allowed           AllowedImages `yaml:"allowed" json:"allowed"`
}

// ACRToken stands for the registry name in AllowedImages.Pattern.
const ACRToken = "{acr}"

// AllowedImages says where pod images may come from. The cluster's own
// allowed-images constraint is the judge; Pattern stands in when the
// cluster has none.
type AllowedImages struct {
	// Policy names the entry of policies.templates whose constraint
	// carries the pattern in spec.parameters[Parameter].
	Policy    string `yaml:"policy,omitempty" json:"policy,omitempty"`
	Parameter string `yaml:"parameter,omitempty" json:"parameter,omitempty"`
	// Pattern is a regular expression in which {acr} stands for ACRName,
	// quoted. The policy's regex is unanchored, and so is this.
	Pattern string `yaml:"pattern,omitempty" json:"pattern,omitempty"`
	// ACRName fills {acr}; the command line (--acr-name, ACR_NAME) sets it.
	ACRName string `yaml:"acrName,omitempty" json:"acrName,omitempty"`
	// ExcludeNamespaces are added to the constraint's own excludedNamespaces.
	ExcludeNamespaces []string `yaml:"excludeNamespaces,omitempty" json:"excludeNamespaces,omitempty"`
}

// Regexp compiles Pattern with ACRName in place of {acr}.
func (a AllowedImages) Regexp() (*regexp.Regexp, error) {
	if strings.Contains(a.Pattern, ACRToken) && a.ACRName == "" {
		return nil, fmt.Errorf("the profile's pattern %q needs the registry name: pass --acr-name or set ACR_NAME", a.Pattern)
	}
	return regexp.Compile(strings.ReplaceAll(a.Pattern, ACRToken, regexp.QuoteMeta(a.ACRName)))
}

// Segmentation says which workloads may run on which nodes: PCI scope.
type Segmentation struct {
	// ScopeLabel is the node label that holds a node's scope; empty turns
	// the check off.
	ScopeLabel string `yaml:"scopeLabel,omitempty" json:"scopeLabel,omitempty"`
	InScope    Scope  `yaml:"inScope" json:"inScope"`
	OutOfScope Scope  `yaml:"outOfScope" json:"outOfScope"`
	// SystemNamespaces may run pods on in-scope nodes besides DaemonSets.
	SystemNamespaces []string `yaml:"systemNamespaces,omitempty" json:"systemNamespaces,omitempty"`
}

// Scope is one value of the scope label and the namespaces that belong to it.
type Scope struct {
	Value      string   `yaml:"value" json:"value"`
	Namespaces []string `yaml:"namespaces,omitempty" json:"namespaces,omitempty"`
}

// Network holds the network policy and load balancer expectations.
type Network struct {
	DenyAll []DenyAll `yaml:"denyAll,omitempty" json:"denyAll,omitempty"`
	// DenyAllEgress is all a default deny may still let out, to pods or to
	// addresses it names (the reference's policies allow DNS to kube-dns):
	// a policy in a denyAll namespace that allows any ingress, or egress on
	// other ports or to every destination, opens the namespace.
	DenyAllEgress []Port `yaml:"denyAllEgress,omitempty" json:"denyAllEgress,omitempty"`
	// InternalLoadBalancer is the annotation and value that make a
	// LoadBalancer Service internal; an empty annotation turns the check off.
	InternalLoadBalancer Annotation `yaml:"internalLoadBalancer" json:"internalLoadBalancer"`
}

// DenyAll asks for a default-deny NetworkPolicy in a namespace.
type DenyAll struct {
	Namespace string `yaml:"namespace" json:"namespace"`
	// Required false reports a missing policy as a warning.
	Required *bool `yaml:"required,omitempty" json:"required,omitempty"`
	// Note is added to the finding: why the namespace may lack one.
	Note string `yaml:"note,omitempty" json:"note,omitempty"`
}

// IsRequired is true unless the profile says otherwise.
func (d DenyAll) IsRequired() bool { return d.Required == nil || *d.Required }

// Port is a protocol and port number, as a NetworkPolicy names them.
type Port struct {
	Protocol string `yaml:"protocol" json:"protocol"`
	Port     int32  `yaml:"port" json:"port"`
}

// Annotation is a key and the value it must have.
type Annotation struct {
	Key   string `yaml:"annotation,omitempty" json:"annotation,omitempty"`
	Value string `yaml:"value,omitempty" json:"value,omitempty"`
}

// Namespaces holds the per-namespace guardrail expectations.
type Namespaces struct {
	// Guardrails must each hold a ResourceQuota and a LimitRange.
	Guardrails []string `yaml:"guardrails,omitempty" json:"guardrails,omitempty"`
}

// Security holds the agents that must run on every node.
type Security struct {
	// Nodes selects the nodes every agent must cover (a label selector);
	// cordoned nodes are left out.
	Nodes  string  `yaml:"nodes,omitempty" json:"nodes,omitempty"`
	Agents []Agent `yaml:"agents,omitempty" json:"agents,omitempty"`
	// StandIns matches the images of placeholders (the reference's busybox
	// dummy-av and dummy-fim): an agent whose containers all run one is
	// there but protects nothing, which is at most a warning.
	StandIns *Regexp `yaml:"standIns,omitempty" json:"standIns,omitempty"`
}

// Agent is one security agent: a DaemonSet under one of several names, as
// the reference renamed some over time.
type Agent struct {
	Name       string   `yaml:"name" json:"name"`
	Namespace  string   `yaml:"namespace" json:"namespace"`
	DaemonSets []string `yaml:"daemonSets" json:"daemonSets"`
	// Note is said with the finding (a stand-in is not a product).
	Note string `yaml:"note,omitempty" json:"note,omitempty"`
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
