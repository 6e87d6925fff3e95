package check

import (
	"fmt"
	"strings"

	kstatus "github.com/fluxcd/cli-utils/pkg/kstatus/status"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
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
func deploymentsAvailable(s *cluster.Snapshot, refs []profile.Ref, what string) result.Result {
	var bad, objs []string
	var fs findings
	for _, r := range refs {
		obj := "Deployment/" + r.String()
		objs = append(objs, obj)
		d := s.Deployment(r.Namespace, r.Name)
		if d == nil {
			bad = append(bad, fmt.Sprintf("Deployment %s not found", r))
			fs.add(obj, "not found")
			continue
		}
		if ok, msg := deploymentHealth(d); !ok {
			bad = append(bad, fmt.Sprintf("Deployment %s not ready (%s)", r, msg))
			fs.add(obj, "not ready (%s)", msg)
		}
	}
	if len(refs) == 0 {
		return skip("the profile expects no %s deployments", what)
	}
	if len(bad) > 0 {
		return fail("%s", strings.Join(bad, "; ")).With(objs...).About(fs...)
	}
	return pass("%s available: %s", what, joinRefs(refs)).With(objs...)
}

// judgeDeployments is the judging function of a check that the
// Deployments refs picks from the profile are available, named what in
// messages.
func judgeDeployments(what string, refs func(p *profile.Profile) []profile.Ref) func(s *cluster.Snapshot, p *profile.Profile) result.Result {
	return func(s *cluster.Snapshot, p *profile.Profile) result.Result {
		return deploymentsAvailable(s, refs(p), what)
	}
}

func joinRefs(refs []profile.Ref) string {
	var out []string
	for _, r := range refs {
		out = append(out, r.String())
	}
	return strings.Join(out, ", ")
}
