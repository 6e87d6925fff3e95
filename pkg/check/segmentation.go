package check

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/phrase"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// segmentationChecks are the segmentation checks in report order, each declared beside the
// function that judges it.
var segmentationChecks = []*Check{segmentationPCIScopeCheck, segmentationInScopeNodeSelectorCheck}

var segmentationPCIScopeCheck = &Check{ID: "segmentation-pci-scope", Severity: result.Critical, Uses: []cluster.Resource{cluster.Nodes, cluster.Pods, cluster.Namespaces}, Run: segmentation,
	Title: "In-scope workloads run only on in-scope nodes, out-of-scope ones only on out-of-scope nodes", Remediation: "give the workload's pod template the nodeSelector of its scope (pci-scope: in-scope or out-of-scope, as the reference's deployments do) and move workloads that are not in scope off the in-scope pool; Flux re-applies the fixed manifests"}

func segmentation(s *cluster.Snapshot, p *profile.Profile) result.Result {
	sg := p.Segmentation
	if sg.ScopeLabel == "" {
		return skip("the profile sets no segmentation.scopeLabel")
	}
	ix := newNodeIndex(s, p)
	in, out, system := set(sg.InScope.Namespaces), set(sg.OutOfScope.Namespaces), set(sg.SystemNamespaces)
	var bad groups
	var objs []string
	var fs findings
	nIn, nOut := 0, 0
	for i := range s.Pods {
		pod := &s.Pods[i]
		// Pods that are not bound, or no longer run, occupy no node.
		if pod.NodeName == "" || pod.Phase == corev1.PodSucceeded || pod.Phase == corev1.PodFailed {
			continue
		}
		if ix.byName[pod.NodeName] == nil {
			continue // a node gone since: its scope cannot be told
		}
		scope, _ := ix.scope(pod.NodeName)
		var want string
		switch {
		case in[pod.Namespace]:
			want, nIn = sg.InScope.Value, nIn+1
		case out[pod.Namespace]:
			want, nOut = sg.OutOfScope.Value, nOut+1
		case scope == sg.InScope.Value:
			if pod.OwnerKind == "DaemonSet" || system[pod.Namespace] {
				continue
			}
			bad.add(pod.Namespace+" (not in scope)", fmt.Sprintf("%s on in-scope node %s", pod.Name, ix.describe(pod.NodeName)))
			objs = append(objs, podRef(pod))
			fs.add(podRef(pod), "not in scope, on in-scope node %s", ix.describe(pod.NodeName))
			continue
		default:
			continue
		}
		if scope != want {
			bad.add(pod.Namespace+" ("+want+")", fmt.Sprintf("%s on %s", pod.Name, ix.describe(pod.NodeName)))
			objs = append(objs, podRef(pod))
			fs.add(podRef(pod), "%s, on %s", want, ix.describe(pod.NodeName))
		}
	}
	var problems []string
	if miss := missingNamespaces(s, append(append([]string(nil), sg.InScope.Namespaces...), sg.OutOfScope.Namespaces...)); len(miss) > 0 {
		problems = append(problems, "the profile's scoped namespaces do not exist: "+strings.Join(miss, ", "))
		for _, ns := range miss {
			fs.add("Namespace/"+ns, "does not exist")
		}
	}
	if !bad.empty() {
		problems = append(problems, fmt.Sprintf("%s on the wrong side of the scope boundary: %s", phrase.Count(bad.total, "pod", "pods"), bad.render(5, 3)))
	}
	if len(problems) > 0 {
		return fail("%s", strings.Join(problems, "; ")).With(objs...).About(fs...)
	}
	return pass("%s of %s on %s=%s nodes, %s of %s on %s=%s nodes; in-scope nodes run nothing else but DaemonSets and system namespaces",
		phrase.Count(nIn, "pod", "pods"), strings.Join(sg.InScope.Namespaces, ", "), sg.ScopeLabel, sg.InScope.Value,
		phrase.Count(nOut, "pod", "pods"), strings.Join(sg.OutOfScope.Namespaces, ", "), sg.ScopeLabel, sg.OutOfScope.Value)
}

var segmentationInScopeNodeSelectorCheck = &Check{ID: "segmentation-in-scope-node-selector", Severity: result.Critical, Uses: []cluster.Resource{cluster.Deployments, cluster.DaemonSets}, Run: inScopeNodeSelector,
	Title: "In-scope workloads select in-scope nodes rather than landing there by chance", Remediation: "give the pod template of each workload named the nodeSelector of its scope (pci-scope: in-scope, as the reference's a0005-i deployments do) or a required node affinity on that label, so no reschedule can move it onto an out-of-scope node; Flux re-applies the fixed manifests"}

// inScopeNodeSelector judges the pod templates of the Deployments and
// DaemonSets in the in-scope namespaces: each must require the in-scope
// value of the scope label, or the scheduler may place it anywhere the
// next time it moves.
func inScopeNodeSelector(s *cluster.Snapshot, p *profile.Profile) result.Result {
	sg := p.Segmentation
	if sg.ScopeLabel == "" || len(sg.InScope.Namespaces) == 0 {
		return skip("the profile sets no segmentation.scopeLabel or no in-scope namespace")
	}
	in := set(sg.InScope.Namespaces)
	want := sg.ScopeLabel + "=" + sg.InScope.Value
	var bad, objs []string
	var fs []result.Finding
	judged := 0
	judge := func(kind, ns, name string, spec *corev1.PodSpec) {
		if !in[ns] {
			return
		}
		judged++
		ref := kind + "/" + ns + "/" + name
		objs = append(objs, ref)
		if !selectsOnly(spec, sg.ScopeLabel, sg.InScope.Value) {
			bad = append(bad, ref)
			fs = append(fs, result.Finding{Object: ref, Message: fmt.Sprintf("%s %s/%s selects no %s node", kind, ns, name, want)})
		}
	}
	for i := range s.Deployments {
		d := &s.Deployments[i]
		judge("Deployment", d.Namespace, d.Name, &d.Spec.Template.Spec)
	}
	for i := range s.DaemonSets {
		d := &s.DaemonSets[i]
		judge("DaemonSet", d.Namespace, d.Name, &d.Spec.Template.Spec)
	}
	namespaces := strings.Join(sg.InScope.Namespaces, ", ")
	if judged == 0 {
		return skip("no Deployment or DaemonSet runs in the in-scope namespaces (%s)", namespaces)
	}
	if len(bad) > 0 {
		return fail("%s of %s select no %s node, so they are on in-scope nodes only by chance: %s",
			phrase.Count(len(bad), "workload", "workloads"), namespaces, want, phrase.Summary(bad, 10)).With(bad...).About(fs...)
	}
	return pass("%s of %s select %s nodes", phrase.Count(judged, "workload", "workloads"), namespaces, want).With(objs...)
}

// selectsOnly reports whether a pod spec can be scheduled only on nodes
// whose label key has value: through its nodeSelector, or a required node
// affinity every term of which demands it (terms are alternatives).
func selectsOnly(spec *corev1.PodSpec, key, value string) bool {
	if v, ok := spec.NodeSelector[key]; ok && v == value {
		return true
	}
	a := spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return false
	}
	terms := a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
	for _, t := range terms {
		pinned := false
		for _, e := range t.MatchExpressions {
			pinned = pinned || (e.Key == key && e.Operator == corev1.NodeSelectorOpIn && len(e.Values) > 0 && !slices.ContainsFunc(e.Values, func(v string) bool { return v != value }))
		}
		if !pinned {
			return false
		}
	}
	return len(terms) > 0
}
