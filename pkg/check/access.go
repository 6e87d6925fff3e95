package check

import (
	"net"
	"net/url"
	"path/filepath"
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
	if ip := net.ParseIP(host); strings.EqualFold(host, "localhost") || (ip != nil && ip.IsLoopback()) {
		// Nothing to judge, and nothing proved: a port-forward or SSH tunnel
		// to a public API server looks the same from here.
		return skip("%s is a loopback address: a local cluster, or a tunnel (kubectl port-forward, SSH) to one whose real endpoint verify cannot see; show the AKS resource's apiServerAccessProfile.enablePrivateCluster instead", host).With(obj)
	}
	if ip := net.ParseIP(host); ip != nil {
		switch {
		case ip.IsPrivate():
			return pass("%s is a private IP address", host).With(obj)
		}
		return publicEndpoint(p, host+" is a public IP address", obj)
	}
	if p.Access.Private.MatchString(strings.ToLower(host)) {
		return pass("%s is a private AKS endpoint", host).With(obj)
	}
	if p.Access.Public.MatchString(strings.ToLower(host)) {
		return publicEndpoint(p, host+" is a public AKS endpoint", obj)
	}
	// A custom name may resolve to a private address: say so, do not guess.
	return warnBecause("verify does not resolve names, so it cannot tell where this one leads", "%s is neither a private AKS endpoint nor a private IP address; check that it resolves to a private address", host).With(obj).
		About(result.Finding{Object: obj, Message: "neither a private AKS endpoint nor a private IP address"})
}

func publicEndpoint(p *profile.Profile, msg, obj string) result.Result {
	if p.Access.AllowPublic {
		return warnBecause("the profile allows a public API server (access.allowPublic)", "%s; the profile allows it (restrict it with authorized IP ranges)", msg).With(obj).About(result.Finding{Object: obj, Message: msg})
	}
	return fail("%s; profile %s requires a private API server", msg, p.Name).With(obj).About(result.Finding{Object: obj, Message: msg})
}

var accessCredentialPluginCheck = &Check{ID: "access-credential-plugin", Severity: result.Critical, Uses: []cluster.Resource{cluster.Kubeconfig}, Run: credentialPlugin,
	Title: "The kubeconfig signs in through Entra ID (kubelogin), and the plugin is on PATH", Remediation: "sign in through Entra ID: 'az aks get-credentials' (without --admin) then 'kubelogin convert-kubeconfig'; install kubelogin with 'az aks install-cli' and put it on PATH"}

// entraPlugin is the exec credential plugin of AKS's Entra ID sign-in.
const entraPlugin = "kubelogin"

// credentialPlugin judges how the kubeconfig signs in. What it sees is one
// user's kubeconfig: whether the cluster disables local accounts, and
// whether Entra ID asks for MFA, the cluster cannot show (8.3.1 and 8.4.2
// stay not verifiable whatever this finds); a sign-in that bypasses Entra
// ID is still a finding.
func credentialPlugin(s *cluster.Snapshot, _ *profile.Profile) result.Result {
	who := "context/" + s.Access.Context
	plugin := strings.TrimSuffix(filepath.Base(s.Access.ExecCommand), ".exe")
	switch {
	case s.Access.InCluster:
		return skip("%s", inClusterSkip)
	case s.Access.ExecCommand == "":
		return warnBecause("verify sees one kubeconfig, not whether the cluster disables local accounts",
			"the kubeconfig's user signs in without Entra ID (no kubelogin exec plugin): a client certificate or token, which on AKS is a local account the regulated reference disables (disableLocalAccounts)").
			With(who).About(result.Finding{Object: who, Message: "signs in without Entra ID (no kubelogin exec plugin)"})
	case !s.Access.ExecFound:
		// Whatever its name, a plugin that is not there signs nobody in.
		msg := "the kubeconfig's user runs the credential plugin %q, which is not on PATH"
		if strings.Contains(s.Access.ExecCommand, "kubelogin") {
			msg += "; AKS clusters with Entra ID need kubelogin ('az aks install-cli')"
		}
		return fail(msg, s.Access.ExecCommand).With("exec/" + s.Access.ExecCommand).About(result.Finding{Object: "exec/" + s.Access.ExecCommand, Message: "not on PATH"})
	case plugin != entraPlugin:
		return warnBecause("verify sees one kubeconfig, not whether the cluster disables local accounts",
			"credential plugin %s is not Entra ID's kubelogin", s.Access.ExecCommand).
			With("exec/" + s.Access.ExecCommand).About(result.Finding{Object: "exec/" + s.Access.ExecCommand, Message: "not Entra ID's kubelogin"})
	}
	return pass("signs in through Entra ID: credential plugin %s found on PATH", s.Access.ExecCommand).With("exec/" + s.Access.ExecCommand)
}
