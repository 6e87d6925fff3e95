package fluxinstall

import (
	"fmt"
	"strings"

	ssautil "github.com/fluxcd/pkg/ssa/utils"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/placeholder"
)

// object is one object of the set and where it came from, for messages.
type object struct {
	*unstructured.Unstructured
	// origin names the source: a file, a folder, "embedded <part>.yaml" or a flag.
	origin string
}

// ref formats the object as Flux's change sets do: Kind/namespace/name.
func (o object) ref() string { return ssautil.FmtUnstructured(o.Unstructured) }

// Set is the final manifest set Build assembles and Install applies. It keeps
// what its source files say about placeholders, so a refusal can name the
// file and line as well as the object.
type Set struct {
	objects []object
	// findings are the placeholder occurrences in the source files.
	findings []placeholder.Finding
	// embedded is set when the objects are this binary's Flux install, whose
	// Kubernetes minimum is known (manifests.KubernetesMinimum).
	embedded bool
}

// add appends other's objects and findings.
func (s *Set) add(other *Set) {
	s.objects = append(s.objects, other.objects...)
	s.findings = append(s.findings, other.findings...)
}

// checkDuplicates refuses a set that defines one object twice: which copy
// wins would depend on apply order.
func (s *Set) checkDuplicates() error {
	seen := map[string]object{}
	var dups []string
	for _, o := range s.objects {
		key := o.GroupVersionKind().GroupKind().String() + "/" + o.GetNamespace() + "/" + o.GetName()
		if prev, ok := seen[key]; ok {
			dups = append(dups, fmt.Sprintf("%s (from %s and %s)", o.ref(), prev.origin, o.origin))
			continue
		}
		seen[key] = o
	}
	if len(dups) > 0 {
		return fmt.Errorf("the manifest set defines objects twice: %s", strings.Join(dups, "; "))
	}
	return nil
}

// stageOne holds what must exist before anything else can be validated
// by the server or applied: CRDs, Namespaces and ClusterRoles.
func stageOne(o object) bool { return ssautil.IsClusterDefinition(o.Unstructured) }

// inApplyOrder returns the objects stage one first, each stage in set order.
func (s *Set) inApplyOrder() []object {
	out := make([]object, 0, len(s.objects))
	for _, o := range s.objects {
		if stageOne(o) {
			out = append(out, o)
		}
	}
	for _, o := range s.objects {
		if !stageOne(o) {
			out = append(out, o)
		}
	}
	return out
}

// Objects returns the set's objects in set order.
func (s *Set) Objects() []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, 0, len(s.objects))
	for _, o := range s.objects {
		out = append(out, o.Unstructured)
	}
	return out
}
