package cluster

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/apimachinery/pkg/version"
)

// AllResources lists every type a snapshot can hold.
var AllResources = []Resource{Nodes, Namespaces, Pods, Services, NetworkPolicies, ResourceQuotas, LimitRanges, ServiceAccounts, Secrets, Deployments, DaemonSets, CRDs, ConstraintTemplates, Constraints,
	AzureIdentities, AzureIdentityBindings, SecretProviderClasses, GitRepositories, Kustomizations, ServerVersion, Kubeconfig}

// FixtureMeta is the optional first document of a fixture: what the
// kubeconfig and /version say, and how reading each type went.
type FixtureMeta struct {
	// Now is the time the snapshot is judged at (RFC 3339), so age checks
	// give the same answer every day.
	Now           string              `json:"now"`
	ServerVersion string              `json:"serverVersion"`
	Context       string              `json:"context"`
	Server        string              `json:"server"`
	ExecCommand   string              `json:"execCommand"`
	ExecFound     bool                `json:"execFound"`
	InCluster     bool                `json:"inCluster"`
	Outcomes      map[Resource]string `json:"outcomes"`
}

// FixtureKind marks the meta document of a fixture.
const FixtureKind = "Snapshot"

// fixtureCustomKind maps the kind of a custom resource to its type. A switch,
// not a map variable, which start-up would initialise in every binary that
// links this package: nothing of the fixture builder reaches the plugin
// (test/layout checks its symbols).
func fixtureCustomKind(kind string) (Resource, bool) {
	switch kind {
	case "ConstraintTemplate":
		return ConstraintTemplates, true
	case "AzureIdentity":
		return AzureIdentities, true
	case "AzureIdentityBinding":
		return AzureIdentityBindings, true
	case "SecretProviderClass":
		return SecretProviderClasses, true
	case "GitRepository":
		return GitRepositories, true
	case "Kustomization":
		return Kustomizations, true
	}
	return "", false
}

// FromObjects builds a snapshot from objects, as if read from a cluster
// that holds exactly them: every type reads OK unless meta says otherwise.
// Tests and fixtures use it; verify itself reads with a Reader.
func FromObjects(meta FixtureMeta, objs []*unstructured.Unstructured) (*Snapshot, error) {
	s := NewSnapshot()
	s.Access = Access{Context: meta.Context, Server: meta.Server, ExecCommand: meta.ExecCommand, ExecFound: meta.ExecFound, InCluster: meta.InCluster}
	if meta.ServerVersion != "" {
		s.Version = &version.Info{GitVersion: meta.ServerVersion}
	}
	if meta.Now != "" {
		t, err := time.Parse(time.RFC3339, meta.Now)
		if err != nil {
			return nil, fmt.Errorf("fixture: now: %w", err)
		}
		s.Now = t
	}
	for _, r := range AllResources {
		s.status[r] = Status{Outcome: OK, Verb: "list"}
	}
	// A custom type is served only when its CRD is among the objects, as on
	// a real API server.
	served := map[Resource]bool{}
	for _, u := range objs {
		if u.GetKind() == "CustomResourceDefinition" {
			served[Resource(u.GetName())] = true
			if g, _, _ := unstructured.NestedString(u.Object, "spec", "group"); g == ConstraintsGroup {
				served[Constraints] = true
			}
		}
	}
	for _, r := range append(customTypes, Constraints) {
		if !served[r] {
			s.status[r] = Status{Outcome: NotFound, Verb: "list"}
		}
	}
	for r, o := range meta.Outcomes {
		st := Status{Outcome: Outcome(o), Verb: "list"}
		if st.Outcome == Error {
			st.Err = errors.New("simulated error")
		}
		s.status[r] = st
	}
	in := newInterner()
	for _, u := range objs {
		var err error
		switch u.GetKind() {
		case "Node":
			err = appendAs(&s.Nodes, u.Object, same[corev1.Node])
		case "Namespace":
			o := objectOf(u)
			s.Namespaces = append(s.Namespaces, o)
			if o.Name == KubeSystem {
				s.KubeSystem = &o
			}
		case "Pod":
			err = appendAs(&s.Pods, u.Object, func(o *corev1.Pod) Pod { return reducePod(o, in) })
		case "Service":
			err = appendAs(&s.Services, u.Object, func(o *corev1.Service) Service { return reduceService(o, in) })
		case "NetworkPolicy":
			err = appendAs(&s.NetworkPolicies, u.Object, func(o *networkingv1.NetworkPolicy) NetworkPolicy { return reduceNetworkPolicy(o, in) })
		case "ResourceQuota":
			s.ResourceQuotas = append(s.ResourceQuotas, objectOf(u))
		case "LimitRange":
			s.LimitRanges = append(s.LimitRanges, objectOf(u))
		case "ServiceAccount":
			err = appendAs(&s.ServiceAccounts, u.Object, same[corev1.ServiceAccount])
		case "Secret":
			// A fixture's Secret data goes no further than a cluster's would.
			m := u.DeepCopy().Object
			delete(m, "data")
			delete(m, "stringData")
			err = appendAs(&s.Secrets, m, same[corev1.Secret])
		case "Deployment":
			err = appendAs(&s.Deployments, u.Object, same[appsv1.Deployment])
		case "DaemonSet":
			err = appendAs(&s.DaemonSets, u.Object, same[appsv1.DaemonSet])
		case "CustomResourceDefinition":
			err = appendAs(&s.CRDs, u.Object, same[apiextensionsv1.CustomResourceDefinition])
		default:
			r, ok := fixtureCustomKind(u.GetKind())
			if !ok && strings.HasPrefix(u.GetAPIVersion(), ConstraintsGroup+"/") {
				r, ok = Constraints, true
			}
			if !ok {
				return nil, fmt.Errorf("fixture: unsupported kind %s", u.GetKind())
			}
			s.Custom[r] = append(s.Custom[r], *u)
		}
		if err != nil {
			return nil, fmt.Errorf("fixture: %s %s: %w", u.GetKind(), u.GetName(), err)
		}
	}
	sort.Slice(s.Namespaces, func(i, j int) bool { return s.Namespaces[i].Name < s.Namespaces[j].Name })
	return s, nil
}

// appendAs converts obj to T and appends what keep makes of it to dst: the
// same reduction the reader applies, so fixtures judge like clusters.
func appendAs[T, R any](dst *[]R, obj map[string]any, keep func(*T) R) error {
	var o T
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj, &o); err != nil {
		return err
	}
	*dst = append(*dst, keep(&o))
	return nil
}

// same keeps a typed object whole, as the reader does for these types.
func same[T any](o *T) T { return *o }

func objectOf(u *unstructured.Unstructured) Object {
	return Object{Namespace: u.GetNamespace(), Name: u.GetName(), Meta: Meta{u.GetUID(), u.GetResourceVersion()}}
}

// DecodeObjects splits a multi-document YAML stream into objects; empty
// documents are skipped.
func DecodeObjects(data []byte) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var out []*unstructured.Unstructured
	for {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, err
		}
		if len(m) == 0 {
			continue
		}
		out = append(out, &unstructured.Unstructured{Object: m})
	}
}
