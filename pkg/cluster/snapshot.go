package cluster

import (
	"fmt"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/version"
)

// Resource names a resource type as kubectl does: plural.group ("nodes",
// "deployments.apps", "constrainttemplates.templates.gatekeeper.sh").
type Resource string

// The resource types verify reads.
const (
	Nodes               Resource = "nodes"
	Namespaces          Resource = "namespaces"
	Pods                Resource = "pods"
	Services            Resource = "services"
	NetworkPolicies     Resource = "networkpolicies.networking.k8s.io"
	ResourceQuotas      Resource = "resourcequotas"
	LimitRanges         Resource = "limitranges"
	ServiceAccounts     Resource = "serviceaccounts"
	Secrets             Resource = "secrets"
	Deployments         Resource = "deployments.apps"
	DaemonSets          Resource = "daemonsets.apps"
	CRDs                Resource = "customresourcedefinitions.apiextensions.k8s.io"
	ConstraintTemplates Resource = "constrainttemplates.templates.gatekeeper.sh"
	// Constraints stands for every kind in ConstraintsGroup together.
	Constraints           Resource = "constraints.gatekeeper.sh"
	AzureIdentities       Resource = "azureidentities.aadpodidentity.k8s.io"
	AzureIdentityBindings Resource = "azureidentitybindings.aadpodidentity.k8s.io"
	SecretProviderClasses Resource = "secretproviderclasses.secrets-store.csi.x-k8s.io"
	GitRepositories       Resource = "gitrepositories.source.toolkit.fluxcd.io"
	Kustomizations        Resource = "kustomizations.kustomize.toolkit.fluxcd.io"
	// ClusterIdentity is the kube-system namespace, read with one get: its
	// UID names the cluster for the evidence bundle and drift, whatever the
	// context or address is called.
	ClusterIdentity Resource = "namespaces/" + KubeSystem
	// ServerVersion is the /version endpoint, read like a resource.
	ServerVersion Resource = "version"
	// Kubeconfig is the client side: nothing is read from the API server.
	Kubeconfig Resource = "kubeconfig"
)

// KubeSystem is the namespace whose UID identifies a cluster.
const KubeSystem = "kube-system"

// ConstraintsGroup serves one resource per constraint kind.
const ConstraintsGroup = "constraints.gatekeeper.sh"

// Group returns the API group of a resource ("" for core).
func (r Resource) Group() string {
	_, g, _ := strings.Cut(string(r), ".")
	return g
}

// Plural returns the resource name without its group.
func (r Resource) Plural() string {
	p, _, _ := strings.Cut(string(r), ".")
	return p
}

// ReadOutcome is how reading one resource type went.
type ReadOutcome string

const (
	OK        ReadOutcome = "ok"
	Forbidden ReadOutcome = "forbidden"
	// NotFound means the type is not served: its CRD is absent.
	NotFound ReadOutcome = "not-found"
	Error    ReadOutcome = "error"
)

// ReadStatus says how reading one resource type went: its outcome, and for
// a failure the request that failed and why.
type ReadStatus struct {
	Outcome ReadOutcome
	// Verb is the request attempted: "list", "get", "discover".
	Verb string
	Err  error
	// Target names the exact resource when it differs from the type read
	// (one constraint kind among many).
	Target string
}

// Message explains a non-OK status in the words the issue asks for:
// "forbidden: list constrainttemplates.templates.gatekeeper.sh".
func (s ReadStatus) Message(r Resource) string {
	if s.Target != "" {
		r = Resource(s.Target)
	}
	switch s.Outcome {
	case OK:
		return ""
	case Forbidden:
		return fmt.Sprintf("forbidden: %s %s", s.Verb, r)
	case NotFound:
		return fmt.Sprintf("%s is not served by the cluster (its CRD is absent)", r)
	}
	if s.Err != nil {
		// client-go errors can span paragraphs (the exec plugin's help): keep the first line.
		msg, _, _ := strings.Cut(s.Err.Error(), "\n")
		return fmt.Sprintf("%s %s: %s", s.Verb, r, msg)
	}
	return fmt.Sprintf("%s %s failed", s.Verb, r)
}

// Access is what the kubeconfig says about how we reach the cluster.
type Access struct {
	Context string
	Server  string
	// ExecCommand is the credential plugin of the context's user, if any.
	ExecCommand string
	// ExecFound is whether ExecCommand resolves on PATH.
	ExecFound bool
	// InCluster says the pod's service account reaches the API server
	// through the kubernetes Service: the address and the credential say
	// nothing about how people reach the cluster.
	InCluster bool
}

// Snapshot is the cluster state one run judges. Checks only read it.
type Snapshot struct {
	Access  Access
	Version *version.Info
	// Now is when the snapshot was read; age checks measure from it.
	Now time.Time

	// Every type is held as its descriptor (types.go) reduces it, whether
	// read from a cluster or built from objects (clustertest).
	//
	// Nodes are reduced to what the checks read (node.go); CRDs are slimmed
	// (slim.go): no managed fields, annotations or schemas.
	Nodes []Node
	// Namespaces are each namespace's identity, sorted by name.
	Namespaces []ObjectRef
	// KubeSystem is the kube-system namespace read for ClusterIdentity.
	KubeSystem *ObjectRef
	// Pods, Services and NetworkPolicies are reduced as they are read: the
	// checks need a few fields of each, and a cluster can hold 50,000 pods.
	Pods            []Pod
	Services        []Service
	NetworkPolicies []NetworkPolicy
	ResourceQuotas  []ObjectRef
	LimitRanges     []ObjectRef
	// ServiceAccounts and Secrets are the named ones the checks asked for,
	// sorted by namespace and name.
	ServiceAccounts []corev1.ServiceAccount
	// Secrets hold metadata and type only: their data is dropped on read.
	Secrets []corev1.Secret
	// Deployments and DaemonSets keep their identity, labels, what kstatus
	// judges and of their pod template where it schedules and what images
	// it runs (slim.go).
	Deployments []appsv1.Deployment
	DaemonSets  []appsv1.DaemonSet
	CRDs        []apiextensionsv1.CustomResourceDefinition
	// Custom holds custom resources by type; Constraints holds every
	// constraint kind together.
	Custom map[Resource][]unstructured.Unstructured

	status map[Resource]ReadStatus
}

// NewSnapshot returns an empty snapshot.
func NewSnapshot() *Snapshot {
	return &Snapshot{Custom: map[Resource][]unstructured.Unstructured{}, status: map[Resource]ReadStatus{}}
}

// SetReadStatus records how reading r went.
func (s *Snapshot) SetReadStatus(r Resource, st ReadStatus) { s.status[r] = st }

// ReadStatus returns how reading r went; a type never read is an error.
func (s *Snapshot) ReadStatus(r Resource) ReadStatus {
	if st, ok := s.status[r]; ok {
		return st
	}
	return ReadStatus{Outcome: Error, Verb: "read", Err: fmt.Errorf("not read")}
}

// Absent reports whether r is not served by the cluster.
func (s *Snapshot) Absent(r Resource) bool { return s.ReadStatus(r).Outcome == NotFound }

// Resources lists the types with a recorded status, sorted.
func (s *Snapshot) Resources() []Resource {
	var out []Resource
	for r := range s.status {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Deployment returns the named Deployment, or nil.
func (s *Snapshot) Deployment(ns, name string) *appsv1.Deployment {
	for i := range s.Deployments {
		if d := &s.Deployments[i]; d.Namespace == ns && d.Name == name {
			return d
		}
	}
	return nil
}

// DaemonSet returns the named DaemonSet, or nil.
func (s *Snapshot) DaemonSet(ns, name string) *appsv1.DaemonSet {
	for i := range s.DaemonSets {
		if d := &s.DaemonSets[i]; d.Namespace == ns && d.Name == name {
			return d
		}
	}
	return nil
}

// CustomObject returns the named custom resource of type r, or nil.
func (s *Snapshot) CustomObject(r Resource, ns, name string) *unstructured.Unstructured {
	for i := range s.Custom[r] {
		if o := &s.Custom[r][i]; o.GetNamespace() == ns && o.GetName() == name {
			return o
		}
	}
	return nil
}

// CRD returns the named CRD, or nil.
func (s *Snapshot) CRD(name string) *apiextensionsv1.CustomResourceDefinition {
	for i := range s.CRDs {
		if s.CRDs[i].Name == name {
			return &s.CRDs[i]
		}
	}
	return nil
}

// ClusterID returns the kube-system namespace UID, or "" when it was not read.
func (s *Snapshot) ClusterID() string {
	if s.KubeSystem == nil {
		return ""
	}
	return string(s.KubeSystem.UID)
}

// HasNamespace reports whether the cluster has namespace ns.
func (s *Snapshot) HasNamespace(ns string) bool {
	i := sort.Search(len(s.Namespaces), func(i int) bool { return s.Namespaces[i].Name >= ns })
	return i < len(s.Namespaces) && s.Namespaces[i].Name == ns
}
