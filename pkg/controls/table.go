package controls

// The map follows the grouping of Microsoft's AKS regulated-cluster PCI
// pages: segmentation and the private API server under 1, policy and
// configuration under 2.2, keys and TLS under 3 and 4, antimalware under 5,
// patching, registry and change control under 6, access under 7 and 8,
// logging under 10, FIM, IDS and monitoring under 11. The v4.0.1 numbers are
// the nearest equivalents of the 3.2.1 ones those pages use; the titles are
// short paraphrases for a reader, the standard's text is authoritative.

var requirements = []Requirement{
	{"1.2.1", "Configuration standards for network security controls are defined and kept"},
	{"1.3.1", "Inbound traffic to the cardholder data environment is restricted"},
	{"1.3.2", "Outbound traffic from the cardholder data environment is restricted"},
	{"1.4.4", "Components that store cardholder data are not reachable directly from untrusted networks"},
	{"2.2.1", "Configuration standards cover every system component and are applied"},
	{"2.2.3", "Functions of different security levels are isolated from each other"},
	{"2.2.6", "System security parameters are set to prevent misuse"},
	{"3.2.1", "Storage of account data is kept to a minimum"},
	{"3.6.1", "Cryptographic keys are protected by documented procedures"},
	{"4.2.1", "Strong cryptography protects cardholder data in transit over open networks"},
	{"5.2.1", "An anti-malware solution is deployed on every system component"},
	{"5.3.5", "Users cannot disable or alter the anti-malware mechanisms"},
	{"6.3.1", "Security vulnerabilities are identified and managed"},
	{"6.3.3", "Known vulnerabilities are patched in time"},
	{"6.4.2", "Public-facing web applications are protected by an automated attack-detection solution"},
	{"6.5.1", "Changes to production follow a change-control procedure"},
	{"7.2.5", "Application and system accounts have least-privilege access"},
	{"8.3.1", "Every user access is authenticated"},
	{"8.4.2", "Multi-factor authentication protects all access into the cardholder data environment"},
	{"8.6.3", "Credentials of application and system accounts are protected"},
	{"10.2.1", "Audit logs are enabled for all system components"},
	{"10.4.1", "Audit logs are reviewed at least daily"},
	{"10.5.1", "Audit log history is kept 12 months, the last 3 immediately available"},
	{"11.3.1", "Internal vulnerability scans run at least quarterly"},
	{"11.5.1", "Intrusion detection or prevention watches the cardholder data environment"},
	{"11.5.2", "A change-detection mechanism watches critical files"},
	{"12.5.1", "An inventory of in-scope system components is kept"},
	{"12.10.1", "An incident response plan exists and is ready to run"},
}

// mappings holds one row per check ID; a test keeps it in step with the
// catalogue of checks.
var mappings = []Mapping{
	// 1.x: segmentation and the private API server.
	{"access-private-endpoint", []string{"1.3.1", "1.4.4"}, []string{"1.3"}},
	{"segmentation-pci-scope", []string{"1.3.1", "1.3.2", "2.2.3"}, []string{"1.2", "2.2"}},
	{"segmentation-in-scope-node-selector", []string{"1.2.1", "2.2.3"}, []string{"1.2", "2.2"}},
	{"network-deny-all", []string{"1.3.1", "1.3.2"}, []string{"1.2", "1.3"}},
	{"network-internal-load-balancers", []string{"1.3.1", "1.4.4"}, []string{"1.3"}},
	{"nodes-pools", []string{"1.2.1", "2.2.3"}, []string{"1.2", "2.2"}},

	// 2.2: policy and configuration.
	{"nodes-ready", []string{"2.2.1"}, []string{"2.2"}},
	{"nodes-cordoned", []string{"2.2.1"}, []string{"2.2"}},
	{"nodes-system-taint", []string{"2.2.3"}, []string{"2.2"}},
	{"policies-azure-policy", []string{"2.2.1"}, []string{"2.2"}},
	{"policies-gatekeeper", []string{"2.2.1"}, []string{"2.2"}},
	{"policies-templates", []string{"2.2.1", "2.2.6"}, []string{"2.2"}},
	{"policies-constraints", []string{"2.2.1", "2.2.6"}, []string{"2.2"}},
	{"policies-enforcement", []string{"2.2.1", "2.2.6"}, []string{"2.2"}},
	{"policies-violations", []string{"2.2.1", "2.2.6"}, []string{"2.2"}},
	{"namespaces-guardrails", []string{"2.2.1", "3.2.1"}, []string{"2.2", "3.1"}},

	// 3 and 4: keys and TLS.
	{"secrets-provider-class", []string{"3.6.1", "8.6.3"}, []string{"3.5", "8.2"}},
	{"secrets-placeholders", []string{"3.6.1"}, []string{"3.5"}},
	{"secrets-tls-secret", []string{"4.2.1"}, []string{"4.1"}},

	// 5 and 11: antimalware, FIM, IDS.
	{"security-agents", []string{"5.2.1", "5.3.5", "11.5.1", "11.5.2"}, []string{"5.1", "5.3", "11.4", "11.5"}},

	// 6: patching, registry, change control.
	{"nodes-kubelet-version", []string{"6.3.3"}, []string{"6.2"}},
	{"nodes-image-age", []string{"6.3.3"}, []string{"6.2"}},
	{"flux-kubernetes-version", []string{"6.3.3"}, []string{"6.2"}},
	{"flux-currency", []string{"6.3.3"}, []string{"6.2"}},
	{"images-placeholders", []string{"6.3.1", "6.5.1"}, []string{"6.1", "6.4"}},
	{"images-allowed-registry", []string{"6.3.1", "6.3.3"}, []string{"6.1", "6.2"}},
	{"flux-controllers", []string{"6.5.1"}, []string{"6.4"}},
	{"flux-crds", []string{"6.5.1"}, []string{"6.4"}},
	{"flux-sync-ready", []string{"2.2.1", "6.5.1"}, []string{"2.2", "6.4"}},
	{"flux-source-url", []string{"6.5.1"}, []string{"6.4"}},
	{"flux-suspended", []string{"6.5.1"}, []string{"6.4"}},
	{"flux-extension", []string{"6.5.1"}, []string{"6.4"}},

	// 7 and 8: access.
	{"access-credential-plugin", []string{"8.3.1", "8.4.2"}, []string{"8.2", "8.3"}},
	{"identities-pod-identity", []string{"7.2.5", "8.6.3"}, []string{"7.1", "8.2"}},
	{"identities-pod-identity-binding", []string{"7.2.5"}, []string{"7.1"}},
	{"identities-nmi", []string{"7.2.5"}, []string{"7.1"}},
	{"identities-workload-identity", []string{"7.2.5", "8.6.3"}, []string{"7.1", "8.2"}},
	{"identities-wi-webhook", []string{"7.2.5"}, []string{"7.1"}},
}

// manual lists what the Kubernetes API cannot show, requirement by
// requirement, and what to attach instead.
var manual = []Manual{
	{"1.3.2", "1.3", "egress filtering happens in Azure Firewall, outside the cluster",
		"the Azure Firewall policy rules and the route table that sends the cluster subnets' egress through the firewall"},
	{"6.4.2", "6.6", "the web application firewall runs in Application Gateway, outside the cluster",
		"the Application Gateway WAF policy (Prevention mode, rule set version) and its association with the listener"},
	{"8.3.1", "8.2", "that every access is authenticated through Entra ID is a property of the AKS resource; verify sees only the kubeconfig it runs with",
		"the AKS resource's aadProfile (managed Entra ID, Azure RBAC) and disableLocalAccounts: true, so no certificate or token bypasses Entra ID"},
	{"8.4.2", "8.3", "multi-factor authentication is enforced by Microsoft Entra ID, not by the cluster",
		"the Entra ID Conditional Access policy that requires MFA for the groups bound to cluster roles"},
	{"10.2.1", "10.2", "audit logs leave the cluster through the AKS resource's diagnostic settings",
		"the AKS resource's diagnostic settings sending kube-audit-admin and guard to the Log Analytics workspace"},
	{"10.4.1", "10.6", "log review is a process run on the workspace, not a cluster setting",
		"the log-review procedure and the alert rules (Microsoft Sentinel or Azure Monitor) with recent review records"},
	{"10.5.1", "10.7", "retention is a property of the Log Analytics workspace (the reference sets 90 days)",
		"the workspace retention or archive settings showing 12 months kept, the last 3 immediately available"},
	{"11.3.1", "11.2", "vulnerability scanning is done by Microsoft Defender for Containers and the registry",
		"the last four quarterly vulnerability scan reports and the rescans after fixes"},
	{"12.5.1", "2.4", "the Azure resources around the cluster are not Kubernetes objects",
		"this bundle's inventory.json together with the subscription's Azure resource inventory"},
	{"12.10.1", "12.10", "incident response is an organisational process",
		"the incident response plan and the record of its last test"},
}
