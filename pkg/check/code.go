package check

import (
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
)

// Every check in the catalogue gets its code here: the types it reads and
// the pure function that judges them. One table, in report order, so that
// what each check reads can be seen (and reviewed for permissions) in one
// place; the category files hold only the judging functions.
func init() {
	judge("nodes-ready", nodesReady, cluster.Nodes)
	judge("nodes-pools", nodesPools, cluster.Nodes)
	judge("nodes-kubelet-version", nodesKubelet, cluster.Nodes, cluster.ServerVersion)
	judge("nodes-cordoned", nodesCordoned, cluster.Nodes)
	judge("nodes-system-taint", nodesSystemTaint, cluster.Nodes)
	judge("nodes-image-age", nodesImageAge, cluster.Nodes)
	judge("segmentation-pci-scope", segmentation, cluster.Nodes, cluster.Pods, cluster.Namespaces)
	judge("network-deny-all", networkDenyAll, cluster.Namespaces, cluster.NetworkPolicies)
	judge("network-internal-load-balancers", networkInternalLB, cluster.Services)
	judge("namespaces-guardrails", namespaceGuardrails, cluster.Namespaces, cluster.ResourceQuotas, cluster.LimitRanges)
	judge("security-agents", securityAgents, cluster.Nodes, cluster.Pods, cluster.DaemonSets)
	deploymentsCheck("policies-azure-policy", "Azure Policy add-on", func(p *profile.Profile) []profile.Ref { return p.Policies.AddonDeployments })
	deploymentsCheck("policies-gatekeeper", "Gatekeeper", func(p *profile.Profile) []profile.Ref { return p.Policies.GatekeeperDeployments })
	judge("policies-templates", policiesTemplates, cluster.ConstraintTemplates)
	judge("policies-constraints", policiesConstraints, constraintUses...)
	judge("policies-enforcement", policiesEnforcement, constraintUses...)
	judge("policies-violations", policiesViolations, constraintUses...)
	judgeIdentity("identities-pod-identity", podIdentity)
	judgeIdentity("identities-pod-identity-binding", podIdentityBinding, cluster.AzureIdentityBindings, cluster.Pods)
	judgeIdentity("identities-nmi", podIdentityNMI, cluster.DaemonSets)
	judgeIdentity("identities-workload-identity", workloadIdentity).Named = ingressServiceAccount
	judgeIdentity("identities-wi-webhook", workloadIdentityWebhook, cluster.Pods, cluster.Deployments)
	judge("access-private-endpoint", privateEndpoint, cluster.Kubeconfig)
	judge("access-credential-plugin", credentialPlugin, cluster.Kubeconfig)
	judge("secrets-provider-class", providerClass, cluster.SecretProviderClasses)
	judge("secrets-placeholders", providerPlaceholders, cluster.SecretProviderClasses)
	judge("secrets-tls-secret", tlsSecret).Named = tlsSecretObject
	judge("flux-kubernetes-version", fluxKubernetes, cluster.ServerVersion)
	judge("flux-controllers", fluxControllers, cluster.Deployments)
	judge("flux-crds", fluxCRDs, cluster.CRDs)
	judge("flux-sync-ready", fluxSyncReady, syncUses...)
	judge("flux-source-url", fluxSourceURL, syncUses...)
	judge("flux-suspended", fluxSuspended, syncUses...)
	judge("flux-extension", fluxExtension, append([]cluster.Resource{cluster.CRDs, cluster.Deployments}, syncUses...)...)
	judge("flux-currency", fluxCurrency, cluster.CRDs, cluster.Deployments)
	judge("images-placeholders", imagePlaceholders, cluster.Pods)
	judge("images-allowed-registry", imagesAllowedRegistry, cluster.Pods, cluster.ConstraintTemplates, cluster.Constraints)
}
