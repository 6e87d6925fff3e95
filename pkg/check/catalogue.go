package check

import "github.com/aksbaseline/kubectl-aksbaseline/pkg/placeholder"

// catalogue says what each check is, by category in report order: the
// facts 'verify --list', the README's table and every report print. IDs are
// part of the product and must never change or be reused. What a check
// reads and how it judges are bound to its ID in code.go (judge), the
// judging functions live in the category files; TestCatalogueAndCodeMatch
// keeps the catalogue and the code in step.
var catalogue = []struct {
	category string
	checks   []about
}{
	{"nodes", []about{
		{"nodes-ready", Critical,
			"Every node is Ready",
			"kubectl describe node NAME; on AKS, 'az aks nodepool show' and the node's kubelet logs explain the condition"},
		{"nodes-pools", Critical,
			"Every expected node pool is present with its minimum count, mode and labels",
			"scale or create the pool with 'az aks nodepool scale|add', with the labels the profile lists (--labels pci-scope=...)"},
		{"nodes-kubelet-version", Critical,
			"One kubelet minor version across nodes, within supported skew of the API server",
			"upgrade the lagging pools with 'az aks nodepool upgrade' to the control plane's version"},
		{"nodes-cordoned", Warning,
			"No node is cordoned",
			"kubectl uncordon NAME once maintenance is over"},
		{"nodes-system-taint", Critical,
			"The system pool carries the taint the profile asks for",
			"add the taint to the system pool ('az aks nodepool update --node-taints CriticalAddonsOnly=true:NoSchedule'), or set nodes.systemTaint.required: false in the profile"},
		{"nodes-image-age", Warning,
			"No node runs a node image older than the profile's limit",
			"upgrade the pools' node images ('az aks nodepool upgrade --node-image-only') or enable the node OS auto-upgrade channel; AKS publishes node images weekly"},
	}},
	{"segmentation", []about{
		{"segmentation-pci-scope", Critical,
			"In-scope workloads run only on in-scope nodes, out-of-scope ones only on out-of-scope nodes",
			"give the workload's pod template the nodeSelector of its scope (pci-scope: in-scope or out-of-scope, as the reference's deployments do) and move workloads that are not in scope off the in-scope pool; Flux re-applies the fixed manifests"},
	}},
	{"network", []about{
		{"network-deny-all", Critical,
			"Each namespace the profile lists has a NetworkPolicy that denies all traffic by default",
			"add the reference's networkpolicy-denyall.yaml (NetworkPolicy default: podSelector {}, policyTypes [Ingress, Egress], no rules) to the namespace's folder in cluster-manifests and list it in that folder's kustomization.yaml; Flux applies it"},
		{"network-internal-load-balancers", Critical,
			"Every LoadBalancer Service is internal",
			"annotate each Service named with the annotation in the message (AKS then gives it a private frontend in the cluster's virtual network), or make it ClusterIP behind the ingress controller"},
	}},
	{"namespaces", []about{
		{"namespaces-guardrails", Critical,
			"Each namespace the profile lists has a ResourceQuota and a LimitRange",
			"add the reference's resource-quota.yaml and limit-range.yaml (both named default) to the namespace's folder in cluster-manifests and list them in its kustomization.yaml"},
	}},
	{"security", []about{
		{"security-agents", Critical,
			"Every security agent DaemonSet runs a ready pod on every node it must cover",
			"check the DaemonSet named ('kubectl -n NAMESPACE describe daemonset NAME'): a missing one comes from cluster-manifests (cluster-baseline-settings, falco-system) through Flux; a node without a ready pod shows why in the pod's events (taints, resources, image pull)"},
	}},
	{"policies", []about{
		{"policies-azure-policy", Critical,
			"The Azure Policy add-on deployments are available",
			"enable the add-on ('az aks enable-addons --addons azure-policy') and check its pods in kube-system"},
		{"policies-gatekeeper", Critical,
			"The Gatekeeper deployments are available",
			"the Azure Policy add-on installs Gatekeeper in gatekeeper-system: check the add-on and 'kubectl -n gatekeeper-system get pods'"},
		{"policies-templates", Critical,
			"Every expected ConstraintTemplate is present and created",
			"assign the reference's policies to the cluster's resource group; the add-on syncs them within about 15 minutes ('kubectl get constrainttemplates')"},
		{"policies-constraints", Critical,
			"Every expected ConstraintTemplate has at least one constraint",
			"the add-on creates one constraint per policy assignment: check the assignments and the add-on's logs"},
		{"policies-enforcement", Critical,
			"The policies the profile marks deny are enforced with deny",
			"set the effect of each policy assignment named to Deny in Azure Policy (the add-on writes it to the constraint's spec.enforcementAction within about 15 minutes); an audit effect becomes dryrun"},
		{"policies-violations", Warning,
			"Gatekeeper's audit finds no violation",
			"fix or remove each object named (the message says which rule it breaks); Gatekeeper's audit refreshes status.violations every minute and Azure Policy reports the same compliance state"},
	}},
	{"identities", []about{
		{"identities-pod-identity", Critical,
			"AAD Pod Identity: the ingress AzureIdentity is served and well-formed",
			"re-run the cluster-stamp.v2 deployment that assigns the ingress identity (podIdentityProfile.userAssignedIdentities), then 'kubectl describe AzureIdentity -n ingress-nginx'"},
		{"identities-pod-identity-binding", Critical,
			"AAD Pod Identity: a binding names the identity and selects the running ingress controller pods",
			"the binding's spec.selector must equal the aadpodidbinding label of the ingress controller pods: fix the Deployment's pod template label or the binding"},
		{"identities-nmi", Critical,
			"AAD Pod Identity: NMI is ready on every node",
			"the AKS-managed add-on runs the nmi DaemonSet in kube-system: check its pods and the podIdentityProfile"},
		{"identities-workload-identity", Critical,
			"Workload Identity: the SecretProviderClass client ID is a GUID and the service account exists",
			"set parameters.clientID to the ingress identity's client ID (output ingressClientid) and make sure the ingress service account exists; its federated credential's subject must name it"},
		{"identities-wi-webhook", Critical,
			"Workload Identity: the mutating webhook is healthy where pods rely on it",
			"the AKS workload identity add-on runs the webhook in kube-system: enable it with 'az aks update --enable-workload-identity'"},
	}},
	{"access", []about{
		{"access-private-endpoint", Critical,
			"The kubeconfig's API server endpoint is private",
			"create the cluster with enablePrivateCluster: true and reach it from the jump box ('az aks get-credentials' there gives the privatelink address)"},
		{"access-credential-plugin", Critical,
			"The kubeconfig's exec credential plugin is on PATH",
			"install the plugin the kubeconfig names (for Entra ID clusters: kubelogin, 'az aks install-cli') and put it on PATH"},
	}},
	{"secrets", []about{
		{"secrets-provider-class", Critical,
			"The SecretProviderClass is present, uses the azure provider and well-formed names",
			"enable the azureKeyvaultSecretsProvider add-on and let Flux apply ingress-nginx/akv-tls-provider.yaml with your Key Vault name and tenant"},
		{"secrets-placeholders", Critical,
			"The SecretProviderClass has no placeholder left",
			"replace the placeholders in akv-tls-provider.yaml ('{cli} configure'), commit and push; Flux re-applies it"},
		{"secrets-tls-secret", Critical,
			"The TLS Secret synced from Key Vault is present",
			"the Secret exists once an ingress controller pod mounts the CSI volume: check the pod's events and that the certificate was imported into Key Vault"},
	}},
	{"flux", []about{
		{"flux-kubernetes-version", Critical,
			"The Kubernetes version satisfies Flux's minimum",
			"upgrade the cluster ('az aks upgrade') before installing this Flux version"},
		{"flux-controllers", Critical,
			"The Flux controllers are healthy",
			"kubectl -n flux-system describe deployment NAME; re-run '{cli} bootstrap' or check the microsoft.flux extension"},
		{"flux-crds", Critical,
			"The Flux CRDs are installed with stored versions",
			"install Flux ('{cli} bootstrap'); an empty storedVersions means the CRD was never used to store objects"},
		{"flux-sync-ready", Critical,
			"The Flux GitRepository and Kustomization are Ready",
			"flux get sources git -A; flux get kustomizations -A; the Ready message names the cause (credentials, URL, build error)"},
		{"flux-source-url", Critical,
			"The GitRepository URL has no placeholder left",
			"point the GitRepository at your fork: replace the placeholder in flux-system/gotk-sync.yaml ('{cli} configure') or re-run bootstrap with --url"},
		{"flux-suspended", Warning,
			"No GitRepository or Kustomization is suspended",
			"flux resume source git NAME / flux resume kustomization NAME"},
		{"flux-extension", Critical,
			"Flux managed by the AKS microsoft.flux extension is recognised and its agents healthy",
			"check the extension with 'az k8s-extension show --name flux' and its fluxconfig pods in flux-system"},
		{"flux-currency", Critical,
			"The installed Flux is within the supported window and serves current APIs",
			"upgrade Flux with '{cli} bootstrap', which installs the Flux this tool carries (with the microsoft.flux extension, let it upgrade: autoUpgradeMinorVersion); objects stored at an API version current Flux no longer serves must be rewritten to a served one first"},
	}},
	{"images", []about{
		{"images-placeholders", Critical,
			"No pod image still names a placeholder registry",
			"replace " + placeholder.ACRName + " in the kustomizations' images: ('{cli} configure'), commit and push; Flux re-applies the workloads"},
		{"images-allowed-registry", Critical,
			"Every container image comes from the registry the allowed-images policy allows",
			"import the image through the registry's quarantine into its live/ path ('az acr import', as the reference's pre-bootstrap step does) and point the workload's kustomization images: at it; Flux re-applies it"},
	}},
}

// about is what a reader is told of a check.
type about struct {
	id          string
	severity    Severity
	title       string
	remediation string
}
