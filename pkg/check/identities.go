package check

import (
	"fmt"
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/phrase"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/placeholder"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// identityChecks are the identities checks in report order, each declared beside the
// function that judges it.
var identityChecks = []*Check{
	identitiesPodIdentityCheck,
	identitiesPodIdentityBindingCheck,
	identitiesNMICheck,
	identitiesWorkloadIdentityCheck,
	identitiesWIWebhookCheck,
}

// identityUses are the types an identity check reads besides uses: every
// one reads the SecretProviderClass and the AzureIdentity type to tell the
// era apart.
func identityUses(uses ...cluster.Resource) []cluster.Resource {
	return append(uses, cluster.SecretProviderClasses, cluster.AzureIdentities)
}

// ingressServiceAccount is the service account the federated credential names.
func ingressServiceAccount(p *profile.Profile) []Named {
	sa := p.Identities.WorkloadIdentity.ServiceAccount
	return []Named{{cluster.ServiceAccounts, sa.Namespace, sa.Name}}
}

// identityMode tells AAD Pod Identity from Workload Identity. The profile
// may force it; otherwise the evidence is weighed strongest first: the
// SecretProviderClass's own settings, then AzureIdentity objects, and last
// a served AzureIdentity type, which outlives a migration because nothing
// removes CRDs when the add-on goes. why says what the decision rests on.
func identityMode(s *cluster.Snapshot, p *profile.Profile) (mode, why string) {
	switch p.Identities.Mode {
	case "podIdentity", "workloadIdentity":
		return p.Identities.Mode, "set by the profile"
	}
	ref := p.Secrets.SecretProviderClass
	if spc := s.CustomObject(cluster.SecretProviderClasses, ref.Namespace, ref.Name); spc != nil {
		use := str(spc, "spec", "parameters", "usePodIdentity")
		if strings.EqualFold(use, "true") {
			return "podIdentity", fmt.Sprintf("SecretProviderClass %s sets usePodIdentity \"true\"", ref)
		}
		// An explicit "false", or a client ID of any form, is the SPC choosing
		// Workload Identity: a malformed ID is then identities-workload-identity's
		// failure to report, not a reason to fall back to weaker evidence.
		id := str(spc, "spec", "parameters", "clientID")
		switch {
		case placeholder.IsGUID(id):
			return "workloadIdentity", fmt.Sprintf("SecretProviderClass %s sets clientID %s and usePodIdentity %q", ref, id, use)
		case strings.EqualFold(use, "false"):
			return "workloadIdentity", fmt.Sprintf("SecretProviderClass %s sets usePodIdentity \"false\"", ref)
		case id != "":
			return "workloadIdentity", fmt.Sprintf("SecretProviderClass %s sets clientID %q", ref, id)
		}
	}
	if n := len(s.Custom[cluster.AzureIdentities]); n > 0 {
		return "podIdentity", fmt.Sprintf("the cluster holds %s", phrase.Count(n, "AzureIdentity", "AzureIdentities"))
	}
	if !s.Absent(cluster.AzureIdentities) {
		return "podIdentity", "the cluster serves AzureIdentity, though it holds none and the SecretProviderClass does not say (the weakest evidence)"
	}
	return "workloadIdentity", "the cluster does not serve AzureIdentity"
}

var resourceID = regexp.MustCompile(`(?i)^/subscriptions/[^/]+/resourcegroups/[^/]+/providers/microsoft\.managedidentity/userassignedidentities/[^/]+$`)

var identitiesPodIdentityCheck = &Check{ID: "identities-pod-identity", Severity: result.Critical, Uses: identityUses(), Run: podIdentity,
	Title: "AAD Pod Identity: the ingress AzureIdentity is served and well-formed", Remediation: "re-run the cluster-stamp.v2 deployment that assigns the ingress identity (podIdentityProfile.userAssignedIdentities), then 'kubectl describe AzureIdentity -n ingress-nginx'"}

func podIdentity(s *cluster.Snapshot, p *profile.Profile) result.Result {
	if mode, why := identityMode(s, p); mode != "podIdentity" {
		return skip("Workload Identity era (%s)", why)
	}
	id := p.Identities.PodIdentity.Identity
	if s.Absent(cluster.AzureIdentities) {
		return fail("AAD Pod Identity is not installed: the cluster does not serve %s", cluster.AzureIdentities).About(crdMissing(cluster.AzureIdentities))
	}
	obj := "AzureIdentity/" + id.String()
	u := s.CustomObject(cluster.AzureIdentities, id.Namespace, id.Name)
	if u == nil {
		return fail("AzureIdentity %s not found", id).With(obj).About(result.Finding{Object: obj, Message: "not found"})
	}
	var bad []string
	typ, found, _ := unstructured.NestedFieldNoCopy(u.Object, "spec", "type")
	if !found || fmt.Sprint(typ) != "0" {
		bad = append(bad, fmt.Sprintf("spec.type is %v, want 0 (user-assigned identity)", typ))
	}
	if c := str(u, "spec", "clientID"); !placeholder.IsGUID(c) {
		bad = append(bad, fmt.Sprintf("spec.clientID %q is not a GUID", c))
	}
	if r := str(u, "spec", "resourceID"); !resourceID.MatchString(r) {
		bad = append(bad, fmt.Sprintf("spec.resourceID %q is not a user-assigned identity resource ID", r))
	}
	if len(bad) > 0 {
		return fail("AzureIdentity %s: %s", id, strings.Join(bad, "; ")).With(obj).About(result.Finding{Object: obj, Message: strings.Join(bad, "; ")})
	}
	return pass("AzureIdentity %s: type 0, client ID %s", id, str(u, "spec", "clientID")).With("AzureIdentity/" + id.String())
}

var identitiesPodIdentityBindingCheck = &Check{ID: "identities-pod-identity-binding", Severity: result.Critical, Uses: identityUses(cluster.AzureIdentityBindings, cluster.Pods), Run: podIdentityBinding,
	Title: "AAD Pod Identity: a binding names the identity and selects the running ingress controller pods", Remediation: "the binding's spec.selector must equal the aadpodidbinding label of the ingress controller pods: fix the Deployment's pod template label or the binding"}

func podIdentityBinding(s *cluster.Snapshot, p *profile.Profile) result.Result {
	if mode, why := identityMode(s, p); mode != "podIdentity" {
		return skip("Workload Identity era (%s)", why)
	}
	if s.Absent(cluster.AzureIdentityBindings) {
		return fail("AAD Pod Identity is not installed: the cluster does not serve %s", cluster.AzureIdentityBindings).About(crdMissing(cluster.AzureIdentityBindings))
	}
	pi := p.Identities.PodIdentity
	// Find the binding by what it says, not by its name, which AKS picks.
	var binding *unstructured.Unstructured
	items := s.Custom[cluster.AzureIdentityBindings]
	for i := range items {
		if items[i].GetNamespace() == pi.Identity.Namespace && str(&items[i], "spec", "azureIdentity") == pi.Identity.Name {
			binding = &items[i]
			break
		}
	}
	if binding == nil {
		// The binding's name is AKS's choice: the identity it should bind is named.
		return fail("no AzureIdentityBinding in %s names the identity %s in spec.azureIdentity", pi.Identity.Namespace, pi.Identity.Name).
			About(result.Finding{Object: "AzureIdentity/" + pi.Identity.String(), Message: "no AzureIdentityBinding names it"})
	}
	selector := str(binding, "spec", "selector")
	sel, err := labels.Parse(pi.Pods.Labels)
	if err != nil {
		return fail("profile pod selector %q: %v", pi.Pods.Labels, err)
	}
	var running []*cluster.Pod
	for i := range s.Pods {
		pod := &s.Pods[i]
		if pod.Namespace == pi.Pods.Namespace && pod.Phase == corev1.PodRunning && sel.Matches(pod.Labels) {
			running = append(running, pod)
		}
	}
	obj := ref(binding)
	if len(running) == 0 {
		return fail("%s selects %q, but no ingress controller pod (%s in %s) is running", obj, selector, pi.Pods.Labels, pi.Pods.Namespace).With(obj).
			About(result.Finding{Object: obj, Message: fmt.Sprintf("selects %q, but no ingress controller pod is running", selector)})
	}
	var wrong []string
	var fs findings
	for _, pod := range running {
		if pod.Labels.Get(pi.SelectorKey) != selector {
			wrong = append(wrong, fmt.Sprintf("%s (%s=%q)", pod.Name, pi.SelectorKey, pod.Labels.Get(pi.SelectorKey)))
			fs.add(podRef(pod), "%s=%q, not the binding's %q", pi.SelectorKey, pod.Labels.Get(pi.SelectorKey), selector)
		}
	}
	if len(wrong) > 0 {
		return fail("%s selects %s=%s, but running ingress controller pods differ: %s", obj, pi.SelectorKey, selector, phrase.Summary(wrong, 5)).With(obj).About(fs...)
	}
	return pass("%s binds %s to %s", obj, pi.Identity.Name, phrase.Count(len(running), "running ingress controller pod", "running ingress controller pods")).With(obj)
}

var identitiesNMICheck = &Check{ID: "identities-nmi", Severity: result.Critical, Uses: identityUses(cluster.DaemonSets), Run: podIdentityNMI,
	Title: "AAD Pod Identity: NMI is ready on every node", Remediation: "the AKS-managed add-on runs the nmi DaemonSet in kube-system: check its pods and the podIdentityProfile"}

func podIdentityNMI(s *cluster.Snapshot, p *profile.Profile) result.Result {
	if mode, why := identityMode(s, p); mode != "podIdentity" {
		return skip("Workload Identity era (%s)", why)
	}
	n := p.Identities.PodIdentity.NMI
	obj := "DaemonSet/" + n.String()
	ds := s.DaemonSet(n.Namespace, n.Name)
	if ds == nil {
		return fail("DaemonSet %s not found", n).With(obj).About(result.Finding{Object: obj, Message: "not found"})
	}
	if ok, msg := daemonSetHealth(ds); !ok || ds.Status.DesiredNumberScheduled == 0 {
		if msg == "" {
			msg = "no pod scheduled"
		}
		return fail("DaemonSet %s not ready: %d of %d ready (%s)", n, ds.Status.NumberReady, ds.Status.DesiredNumberScheduled, msg).With(obj).
			About(result.Finding{Object: obj, Message: fmt.Sprintf("not ready: %d of %d ready (%s)", ds.Status.NumberReady, ds.Status.DesiredNumberScheduled, msg)})
	}
	return pass("DaemonSet %s ready on %s", n, phrase.Count(int(ds.Status.NumberReady), "node", "nodes")).With("DaemonSet/" + n.String())
}

var identitiesWorkloadIdentityCheck = &Check{ID: "identities-workload-identity", Severity: result.Critical, Uses: identityUses(), Named: ingressServiceAccount, Run: workloadIdentity,
	Title: "Workload Identity: the SecretProviderClass client ID is a GUID and the service account exists", Remediation: "set parameters.clientID to the ingress identity's client ID (output ingressClientid) and make sure the ingress service account exists; its federated credential's subject must name it"}

func workloadIdentity(s *cluster.Snapshot, p *profile.Profile) result.Result {
	if mode, why := identityMode(s, p); mode != "workloadIdentity" {
		return skip("AAD Pod Identity era (%s)", why)
	}
	var bad, objs []string
	var fs findings
	ref := p.Secrets.SecretProviderClass
	spcObj := providerClassObject(p)
	spc := s.CustomObject(cluster.SecretProviderClasses, ref.Namespace, ref.Name)
	clientID := ""
	switch {
	case s.Absent(cluster.SecretProviderClasses) || spc == nil:
		bad = append(bad, fmt.Sprintf("SecretProviderClass %s not found, so no client ID is configured", ref))
		fs.add(spcObj, "not found, so no client ID is configured")
	default:
		objs = append(objs, spcObj)
		clientID = str(spc, "spec", "parameters", "clientID")
		switch {
		case clientID == "":
			bad = append(bad, fmt.Sprintf("SecretProviderClass %s sets no parameters.clientID", ref))
			fs.add(spcObj, "sets no parameters.clientID")
		case len(placeholder.FindIn(clientID)) > 0:
			// The placeholder itself is reported by secrets-placeholders.
			bad = append(bad, fmt.Sprintf("SecretProviderClass %s parameters.clientID is still the placeholder", ref))
			fs.add(spcObj, "parameters.clientID is still the placeholder")
		case !placeholder.IsGUID(clientID):
			bad = append(bad, fmt.Sprintf("SecretProviderClass %s parameters.clientID %q is not a GUID", ref, clientID))
			fs.add(spcObj, "parameters.clientID %q is not a GUID", clientID)
		}
	}
	sa := p.Identities.WorkloadIdentity.ServiceAccount
	found := false
	for _, x := range s.ServiceAccounts {
		if x.Namespace == sa.Namespace && x.Name == sa.Name {
			found = true
		}
	}
	objs = append(objs, "ServiceAccount/"+sa.String())
	if !found {
		bad = append(bad, fmt.Sprintf("ServiceAccount %s not found (the federated credential's subject names it)", sa))
		fs.add("ServiceAccount/"+sa.String(), "not found (the federated credential's subject names it)")
	}
	if len(bad) > 0 {
		return fail("%s", strings.Join(bad, "; ")).With(objs...).About(fs...)
	}
	return pass("client ID %s; ServiceAccount %s exists", clientID, sa).With(objs...)
}

var identitiesWIWebhookCheck = &Check{ID: "identities-wi-webhook", Severity: result.Critical, Uses: identityUses(cluster.Pods, cluster.Deployments), Run: workloadIdentityWebhook,
	Title: "Workload Identity: the mutating webhook is healthy where pods rely on it", Remediation: "the AKS workload identity add-on runs the webhook in kube-system: enable it with 'az aks update --enable-workload-identity'"}

func workloadIdentityWebhook(s *cluster.Snapshot, p *profile.Profile) result.Result {
	if mode, why := identityMode(s, p); mode != "workloadIdentity" {
		return skip("AAD Pod Identity era (%s)", why)
	}
	wi := p.Identities.WorkloadIdentity
	var relying []string
	for i := range s.Pods {
		if strings.EqualFold(s.Pods[i].Labels.Get(wi.UseLabel), "true") {
			relying = append(relying, s.Pods[i].Namespace+"/"+s.Pods[i].Name)
		}
	}
	if len(relying) == 0 {
		return skip("no pod is labelled %s=true, so none relies on the webhook (the reference's CSI driver exchanges tokens itself)", wi.UseLabel)
	}
	r := deploymentsAvailable(s, []profile.Ref{wi.Webhook}, "workload identity webhook")
	if r.Status == result.Fail {
		r.Message = fmt.Sprintf("%s pods rely on it (%s): %s", phrase.Count(len(relying), "pod", "pods"), phrase.Summary(relying, 3), r.Message)
	}
	return r
}
