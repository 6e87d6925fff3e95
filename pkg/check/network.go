package check

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/phrase"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// networkChecks are the network checks in report order, each declared beside the
// function that judges it.
var networkChecks = []*Check{
	networkDenyAllCheck,
	networkInternalLoadBalancersCheck,
}

var networkDenyAllCheck = &Check{ID: "network-deny-all", Severity: result.Critical, Uses: []cluster.Resource{cluster.Namespaces, cluster.NetworkPolicies}, Run: networkDenyAll,
	Title: "Each namespace the profile lists has a NetworkPolicy that denies all traffic by default", Remediation: "add the reference's networkpolicy-denyall.yaml (NetworkPolicy default: podSelector {}, policyTypes [Ingress, Egress], no rules but DNS egress) to the namespace's folder in cluster-manifests and list it in that folder's kustomization.yaml; Flux applies it. A policy named as opening the namespace allows more than the profile's network.denyAllEgress: narrow or remove it"}

func networkDenyAll(s *cluster.Snapshot, p *profile.Profile) result.Result {
	if len(p.Network.DenyAll) == 0 {
		return skip("the profile lists no namespace for a default-deny NetworkPolicy")
	}
	byNS := groupBy(s.NetworkPolicies, func(np *cluster.NetworkPolicy) string { return np.Namespace })
	var required, optional, good, objs []string
	var fs findings
	for _, d := range p.Network.DenyAll {
		st := result.Fail
		if !d.IsRequired() {
			st = result.Warn
		}
		nps := byNS[d.Namespace]
		for _, np := range nps {
			objs = append(objs, "NetworkPolicy/"+d.Namespace+"/"+np.Name)
		}
		var problems []string
		if missing := denyAllMissing(s, d.Namespace, nps); missing != "" {
			if d.Note != "" {
				missing += " (" + d.Note + ")"
			}
			problems = append(problems, missing)
			fs.addStatus(st, "Namespace/"+d.Namespace, "%s", missing)
		}
		for _, np := range nps {
			if open := opens(np, p.Network.DenyAllEgress); open != "" {
				problems = append(problems, fmt.Sprintf("%s: NetworkPolicy %s opens %s", d.Namespace, np.Name, open))
				fs.addStatus(st, "NetworkPolicy/"+d.Namespace+"/"+np.Name, "opens %s", open)
			}
		}
		switch {
		case len(problems) == 0:
			good = append(good, d.Namespace+" ("+policyNames(nps)+")")
		case d.IsRequired():
			required = append(required, problems...)
		default:
			optional = append(optional, problems...)
		}
	}
	switch {
	case len(required) > 0:
		msg := strings.Join(required, "; ")
		if len(optional) > 0 {
			msg += "; not required by the profile: " + strings.Join(optional, "; ")
		}
		r := fail("%s", msg).With(objs...).About(fs...)
		if len(optional) > 0 {
			// Shown should waivers leave only the optional findings.
			r.WarnReason = denyAllOptional
		}
		return r
	case len(optional) > 0:
		return warnBecause(denyAllOptional, "%s; the profile does not require it (network.denyAll required: false)", strings.Join(optional, "; ")).With(objs...).About(fs...)
	}
	return pass("default deny in %s", strings.Join(good, ", ")).With(objs...)
}

var networkInternalLoadBalancersCheck = &Check{ID: "network-internal-load-balancers", Severity: result.Critical, Uses: []cluster.Resource{cluster.Services}, Run: networkInternalLB,
	Title: "Every LoadBalancer Service is internal", Remediation: "annotate each Service named with the annotation in the message (AKS then gives it a private frontend in the cluster's virtual network), or make it ClusterIP behind the ingress controller"}

const denyAllOptional = "the profile does not require a default deny in this namespace (network.denyAll required: false)"

// denyAllMissing says why ns is not isolated in both directions, as
// Kubernetes isolates a pod: by any policy selecting it with that policy
// type, so two policies may share the work; "" when it is.
func denyAllMissing(s *cluster.Snapshot, ns string, nps []*cluster.NetworkPolicy) string {
	if !s.HasNamespace(ns) {
		return fmt.Sprintf("namespace %s does not exist", ns)
	}
	if len(nps) == 0 {
		return ns + " has no NetworkPolicy"
	}
	in, eg := false, false
	for _, np := range nps {
		in = in || (np.SelectsAll && np.Ingress)
		eg = eg || (np.SelectsAll && np.Egress)
	}
	var lack []string
	if !in {
		lack = append(lack, "ingress")
	}
	if !eg {
		lack = append(lack, "egress")
	}
	if len(lack) == 0 {
		return ""
	}
	return fmt.Sprintf("%s has %s (%s), none selects every pod for %s", ns, phrase.Count(len(nps), "NetworkPolicy", "NetworkPolicies"), phrase.Summary(policyNamesList(nps), 3), strings.Join(lack, " and "))
}

func policyNamesList(nps []*cluster.NetworkPolicy) []string {
	out := make([]string, len(nps))
	for i, np := range nps {
		out[i] = np.Name
	}
	return out
}

func policyNames(nps []*cluster.NetworkPolicy) string {
	return strings.Join(policyNamesList(nps), ", ")
}

func networkInternalLB(s *cluster.Snapshot, p *profile.Profile) result.Result {
	a := p.Network.InternalLoadBalancer
	if a.Key == "" {
		return skip("the profile sets no network.internalLoadBalancer annotation")
	}
	var public, objs []string
	var fs findings
	n := 0
	for i := range s.Services {
		svc := &s.Services[i]
		if svc.Type != corev1.ServiceTypeLoadBalancer {
			continue
		}
		n++
		ref := svc.Namespace + "/" + svc.Name
		objs = append(objs, "Service/"+ref)
		if v, ok := svc.Annotations[a.Key]; !ok {
			public = append(public, ref+" (no annotation)")
			fs.add("Service/"+ref, "public: no %s annotation", a.Key)
		} else if v != a.Value {
			public = append(public, fmt.Sprintf("%s (%q)", ref, v))
			fs.add("Service/"+ref, "public: %s is %q, not %q", a.Key, v, a.Value)
		}
	}
	if n == 0 {
		return pass("no Service of type LoadBalancer")
	}
	if len(public) > 0 {
		return fail("%s public, without %s: %q: %s", phrase.Count(len(public), "LoadBalancer Service is", "LoadBalancer Services are"), a.Key, a.Value, phrase.Summary(public, 10)).With(objs...).About(fs...)
	}
	return pass("%s, all internal (%s: %q)", phrase.Count(n, "LoadBalancer Service", "LoadBalancer Services"), a.Key, a.Value).With(objs...)
}
