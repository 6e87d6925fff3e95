package check

import (
	"fmt"
	"net"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
)

// opens says what np lets through beyond a default deny that allows no
// ingress and egress only on the allowed ports to destinations a rule
// names; "" when nothing. Policies add up in Kubernetes, so one such rule
// anywhere in a namespace opens it for the pods its policy selects.
func opens(np *cluster.NetworkPolicy, allowed []profile.Port) string {
	var out []string
	if np.Ingress {
		for _, r := range np.IngressRules {
			out = append(out, fmt.Sprintf("ingress from %s on %s", peers(r.From, "every source"), ports(r.Ports)))
		}
	}
	if np.Egress {
		for _, r := range np.EgressRules {
			if egressOpen(r, allowed) {
				out = append(out, fmt.Sprintf("egress to %s on %s", peers(r.To, "every destination"), ports(r.Ports)))
			}
		}
	}
	if len(out) == 0 {
		return ""
	}
	if np.Egress && len(allowed) == 0 && len(np.EgressRules) > 0 {
		out[len(out)-1] += " (the profile's network.denyAllEgress allows no egress at all)"
	}
	who := ""
	if !np.SelectsAll {
		who = "for pods " + selector(&np.PodSelector) + ": "
	}
	return who + strings.Join(out, "; ")
}

// egressOpen reports whether r allows more than the allowed ports to the
// destinations it names: no ports (every port), a range past them, a named
// port (any container may carry the name), or a destination that is
// everything (no peer, an ipBlock of /0, every pod of every namespace).
func egressOpen(r networkingv1.NetworkPolicyEgressRule, allowed []profile.Port) bool {
	if len(r.Ports) == 0 || len(r.To) == 0 {
		return true
	}
	for _, p := range r.Ports {
		proto := protocol(p.Protocol)
		if p.Port == nil || p.Port.Type == intstr.String {
			return true
		}
		last := p.Port.IntVal
		if p.EndPort != nil && *p.EndPort > last {
			last = *p.EndPort
		}
		for n := p.Port.IntVal; n <= last; n++ {
			if !slices.Contains(allowed, profile.Port{Protocol: proto, Port: n}) {
				return true
			}
		}
	}
	for _, peer := range r.To {
		if peerIsEverything(peer) {
			return true
		}
	}
	return false
}

func peerIsEverything(p networkingv1.NetworkPolicyPeer) bool {
	if b := p.IPBlock; b != nil {
		_, n, err := net.ParseCIDR(b.CIDR)
		if err != nil {
			return true // the API server validates CIDRs: unreadable means unknown, judged open
		}
		ones, _ := n.Mask.Size()
		return ones == 0
	}
	return p.NamespaceSelector != nil && emptySelector(p.NamespaceSelector) && (p.PodSelector == nil || emptySelector(p.PodSelector))
}

func protocol(p *corev1.Protocol) string {
	if p == nil {
		return string(corev1.ProtocolTCP)
	}
	return string(*p)
}

func emptySelector(s *metav1.LabelSelector) bool {
	return len(s.MatchLabels) == 0 && len(s.MatchExpressions) == 0
}

func selector(s *metav1.LabelSelector) string {
	if emptySelector(s) {
		return "(all)"
	}
	return metav1.FormatLabelSelector(s)
}

// peers describes the sources or destinations of a rule; none is all.
func peers(ps []networkingv1.NetworkPolicyPeer, all string) string {
	if len(ps) == 0 {
		return all
	}
	var out []string
	for _, p := range ps {
		switch {
		case p.IPBlock != nil:
			what := "addresses " + p.IPBlock.CIDR
			if peerIsEverything(p) {
				what = "any address (" + p.IPBlock.CIDR
				if len(p.IPBlock.Except) > 0 {
					what += " except " + strings.Join(p.IPBlock.Except, ", ")
				}
				what += ")"
			} else if len(p.IPBlock.Except) > 0 {
				what += " except " + strings.Join(p.IPBlock.Except, ", ")
			}
			out = append(out, what)
		case p.NamespaceSelector == nil:
			if p.PodSelector == nil || emptySelector(p.PodSelector) {
				out = append(out, "every pod in this namespace")
			} else {
				out = append(out, "pods "+selector(p.PodSelector)+" in this namespace")
			}
		default:
			where := "every namespace"
			if !emptySelector(p.NamespaceSelector) {
				where = "namespaces " + selector(p.NamespaceSelector)
			}
			if p.PodSelector == nil || emptySelector(p.PodSelector) {
				out = append(out, "every pod in "+where)
			} else {
				out = append(out, "pods "+selector(p.PodSelector)+" in "+where)
			}
		}
	}
	return strings.Join(out, " or ")
}

// ports describes the ports of a rule; none is every port.
func ports(ps []networkingv1.NetworkPolicyPort) string {
	if len(ps) == 0 {
		return "every port"
	}
	var out []string
	for _, p := range ps {
		proto := protocol(p.Protocol)
		switch {
		case p.Port == nil:
			out = append(out, "every "+proto+" port")
		case p.Port.Type == intstr.String:
			out = append(out, fmt.Sprintf("%s port %s (a named port)", proto, p.Port.StrVal))
		case p.EndPort != nil && *p.EndPort > p.Port.IntVal:
			out = append(out, fmt.Sprintf("%s ports %d-%d", proto, p.Port.IntVal, *p.EndPort))
		default:
			out = append(out, fmt.Sprintf("%s port %d", proto, p.Port.IntVal))
		}
	}
	return strings.Join(out, ", ")
}
