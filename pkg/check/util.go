package check

import (
	"fmt"
	"sort"
	"strings"

	kstatus "github.com/fluxcd/cli-utils/pkg/kstatus/status"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
)

// health computes kstatus for a typed workload, as 'flux check' does.
func health(obj runtime.Object, apiVersion, kind string) (bool, string) {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return false, err.Error()
	}
	u := &unstructured.Unstructured{Object: m}
	// Listed objects carry no TypeMeta; kstatus picks its rules by kind.
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	res, err := kstatus.Compute(u)
	if err != nil {
		return false, err.Error()
	}
	if res.Status == kstatus.CurrentStatus {
		return true, res.Message
	}
	msg := res.Message
	if msg == "" {
		msg = string(res.Status)
	}
	return false, fmt.Sprintf("%s: %s", res.Status, msg)
}

func deploymentHealth(d *appsv1.Deployment) (bool, string) {
	return health(d, "apps/v1", "Deployment")
}

func daemonSetHealth(d *appsv1.DaemonSet) (bool, string) {
	return health(d, "apps/v1", "DaemonSet")
}

// deploymentsAvailable checks that each named Deployment exists and is Current.
func deploymentsAvailable(s *cluster.Snapshot, refs []profile.Ref, what string) Result {
	var bad, objs []string
	for _, r := range refs {
		objs = append(objs, "Deployment/"+r.String())
		d := s.Deployment(r.Namespace, r.Name)
		if d == nil {
			bad = append(bad, fmt.Sprintf("Deployment %s not found", r))
			continue
		}
		if ok, msg := deploymentHealth(d); !ok {
			bad = append(bad, fmt.Sprintf("Deployment %s not ready (%s)", r, msg))
		}
	}
	if len(refs) == 0 {
		return skip("the profile expects no %s deployments", what)
	}
	if len(bad) > 0 {
		return fail("%s", strings.Join(bad, "; ")).with(objs...)
	}
	return pass("%s available: %s", what, joinRefs(refs)).with(objs...)
}

// deploymentsCheck gives the catalogue's check id the code that judges
// the Deployments refs picks from the profile, named what in messages.
func deploymentsCheck(id, what string, refs func(p *profile.Profile) []profile.Ref) {
	judge(id, func(s *cluster.Snapshot, p *profile.Profile) Result {
		return deploymentsAvailable(s, refs(p), what)
	}, cluster.Deployments)
}

func joinRefs(refs []profile.Ref) string {
	var out []string
	for _, r := range refs {
		out = append(out, r.String())
	}
	return strings.Join(out, ", ")
}

// condition returns the status, reason and message of a condition type.
func condition(u *unstructured.Unstructured, typ string) (status, reason, message string, found bool) {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if !ok || m["type"] != typ {
			continue
		}
		str := func(k string) string { v, _ := m[k].(string); return v }
		return str("status"), str("reason"), str("message"), true
	}
	return "", "", "", false
}

func str(u *unstructured.Unstructured, path ...string) string {
	v, _, _ := unstructured.NestedString(u.Object, path...)
	return v
}

func ref(u *unstructured.Unstructured) string {
	if u.GetNamespace() == "" {
		return u.GetKind() + "/" + u.GetName()
	}
	return u.GetKind() + "/" + u.GetNamespace() + "/" + u.GetName()
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// groupBy indexes items by key, keeping pointers into items and the
// items' order within each group.
func groupBy[T any](items []T, key func(*T) string) map[string][]*T {
	out := map[string][]*T{}
	for i := range items {
		k := key(&items[i])
		out[k] = append(out[k], &items[i])
	}
	return out
}
