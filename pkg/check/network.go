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

// deniesAll reports whether np selects every pod and denies both directions
// by default. DNS egress is tolerated: the reference's workload
// namespaces allow it in the same policy.
func deniesAll(np *cluster.NetworkPolicy) bool {
	return np.SelectsAll && np.Ingress && np.Egress && np.IngressRules == 0 && (np.EgressRules == 0 || np.EgressDNSOnly)
}

var networkDenyAllCheck = &Check{ID: "network-deny-all", Severity: result.Critical, Uses: []cluster.Resource{cluster.Namespaces, cluster.NetworkPolicies}, Run: networkDenyAll,
	Title: "Each namespace the profile lists has a NetworkPolicy that denies all traffic by default", Remediation: "add the reference's networkpolicy-denyall.yaml (NetworkPolicy default: podSelector {}, policyTypes [Ingress, Egress], no rules) to the namespace's folder in cluster-manifests and list it in that folder's kustomization.yaml; Flux applies it"}

func networkDenyAll(s *cluster.Snapshot, p *profile.Profile) result.Result {
	if len(p.Network.DenyAll) == 0 {
		return skip("the profile lists no namespace for a default-deny NetworkPolicy")
	}
	byNS := groupBy(s.NetworkPolicies, func(np *cluster.NetworkPolicy) string { return np.Namespace })
	var required, optional, good, objs []string
	for _, d := range p.Network.DenyAll {
		var finding string
		switch nps := byNS[d.Namespace]; {
		case !s.HasNamespace(d.Namespace):
			finding = fmt.Sprintf("namespace %s does not exist", d.Namespace)
		default:
			var found *cluster.NetworkPolicy
			var others []string
			for _, np := range nps {
				if deniesAll(np) {
					found = np
					break
				}
				others = append(others, np.Name)
			}
			if found != nil {
				good = append(good, d.Namespace+"/"+found.Name)
				objs = append(objs, "NetworkPolicy/"+d.Namespace+"/"+found.Name)
				continue
			}
			finding = d.Namespace + " has no NetworkPolicy"
			if len(others) > 0 {
				finding = fmt.Sprintf("%s has %s (%s), none selects every pod and denies ingress and egress", d.Namespace, phrase.Count(len(others), "NetworkPolicy", "NetworkPolicies"), phrase.Summary(others, 3))
			}
		}
		if d.Note != "" {
			finding += " (" + d.Note + ")"
		}
		if d.IsRequired() {
			required = append(required, finding)
		} else {
			optional = append(optional, finding)
		}
	}
	switch {
	case len(required) > 0:
		msg := strings.Join(required, "; ")
		if len(optional) > 0 {
			msg += "; not required by the profile: " + strings.Join(optional, "; ")
		}
		return fail("%s", msg).With(objs...)
	case len(optional) > 0:
		return warn("%s; the profile does not require it (network.denyAll required: false)", strings.Join(optional, "; ")).With(objs...)
	}
	return pass("default deny in %s", strings.Join(good, ", ")).With(objs...)
}

var networkInternalLoadBalancersCheck = &Check{ID: "network-internal-load-balancers", Severity: result.Critical, Uses: []cluster.Resource{cluster.Services}, Run: networkInternalLB,
	Title: "Every LoadBalancer Service is internal", Remediation: "annotate each Service named with the annotation in the message (AKS then gives it a private frontend in the cluster's virtual network), or make it ClusterIP behind the ingress controller"}

func networkInternalLB(s *cluster.Snapshot, p *profile.Profile) result.Result {
	a := p.Network.InternalLoadBalancer
	if a.Key == "" {
		return skip("the profile sets no network.internalLoadBalancer annotation")
	}
	var public, objs []string
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
		} else if v != a.Value {
			public = append(public, fmt.Sprintf("%s (%q)", ref, v))
		}
	}
	if n == 0 {
		return pass("no Service of type LoadBalancer")
	}
	if len(public) > 0 {
		return fail("%s public, without %s: %q: %s", phrase.Count(len(public), "LoadBalancer Service is", "LoadBalancer Services are"), a.Key, a.Value, phrase.Summary(public, 10)).With(objs...)
	}
	return pass("%s, all internal (%s: %q)", phrase.Count(n, "LoadBalancer Service", "LoadBalancer Services"), a.Key, a.Value).With(objs...)
}
