package check

import (
	"net"
	"net/url"
	"strings"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// accessChecks are the access checks in report order, each declared beside the
// function that judges it.
var accessChecks = []*Check{
	accessPrivateEndpointCheck,
	accessCredentialPluginCheck,
}

func serverHost(server string) string {
	if u, err := url.Parse(server); err == nil && u.Host != "" {
		return u.Hostname()
	}
	h := server
	if i := strings.LastIndex(h, ":"); i > 0 && !strings.Contains(h[i:], "]") {
		h = h[:i]
	}
	return strings.Trim(h, "[]")
}

// inClusterSkip is why the access checks judge nothing from inside a pod.
const inClusterSkip = "run in-cluster: the pod reaches the API server through the kubernetes Service with its service account; run verify from the jump box to judge how people reach it"

var accessPrivateEndpointCheck = &Check{ID: "access-private-endpoint", Severity: result.Critical, Uses: []cluster.Resource{cluster.Kubeconfig}, Run: privateEndpoint,
	Title: "The kubeconfig's API server endpoint is private", Remediation: "create the cluster with enablePrivateCluster: true and reach it from the jump box ('az aks get-credentials' there gives the privatelink address)"}

func privateEndpoint(s *cluster.Snapshot, p *profile.Profile) result.Result {
	if s.Access.InCluster {
		return skip("%s", inClusterSkip)
	}
	server := s.Access.Server
	if server == "" {
		return fail("the kubeconfig names no API server")
	}
	host := serverHost(server)
	obj := "server/" + server
	if strings.EqualFold(host, "localhost") {
		return pass("%s is a loopback address: a local or simulated cluster, not an AKS endpoint", host).With(obj)
	}
	if ip := net.ParseIP(host); ip != nil {
		switch {
		case ip.IsLoopback():
			return pass("%s is a loopback address: a local or simulated cluster, not an AKS endpoint", host).With(obj)
		case ip.IsPrivate():
			return pass("%s is a private IP address", host).With(obj)
		}
		return publicEndpoint(p, host+" is a public IP address").With(obj)
	}
	if p.Access.Private.MatchString(strings.ToLower(host)) {
		return pass("%s is a private AKS endpoint", host).With(obj)
	}
	if p.Access.Public.MatchString(strings.ToLower(host)) {
		return publicEndpoint(p, host+" is a public AKS endpoint").With(obj)
	}
	// A custom name may resolve to a private address: say so, do not guess.
	return warn("%s is neither a private AKS endpoint nor a private IP address; check that it resolves to a private address", host).With(obj)
}

func publicEndpoint(p *profile.Profile, msg string) result.Result {
	if p.Access.AllowPublic {
		return warn("%s; the profile allows it (restrict it with authorized IP ranges)", msg)
	}
	return fail("%s; profile %s requires a private API server", msg, p.Name)
}

var accessCredentialPluginCheck = &Check{ID: "access-credential-plugin", Severity: result.Critical, Uses: []cluster.Resource{cluster.Kubeconfig}, Run: credentialPlugin,
	Title: "The kubeconfig's exec credential plugin is on PATH", Remediation: "install the plugin the kubeconfig names (for Entra ID clusters: kubelogin, 'az aks install-cli') and put it on PATH"}

func credentialPlugin(s *cluster.Snapshot, _ *profile.Profile) result.Result {
	switch {
	case s.Access.InCluster:
		return skip("%s", inClusterSkip)
	case s.Access.ExecCommand == "":
		return pass("the kubeconfig's user needs no exec credential plugin")
	case !s.Access.ExecFound:
		msg := "the kubeconfig's user runs the credential plugin %q, which is not on PATH"
		if strings.Contains(s.Access.ExecCommand, "kubelogin") {
			msg += "; AKS clusters with Entra ID need kubelogin ('az aks install-cli')"
		}
		return fail(msg, s.Access.ExecCommand).With("exec/" + s.Access.ExecCommand)
	}
	return pass("credential plugin %s found on PATH", s.Access.ExecCommand).With("exec/" + s.Access.ExecCommand)
}
