package sim

// Values the simulated cluster uses where the reference has Azure-generated
// names and IDs. All are fake; the demo configures the fork with them and
// tests compare against them.
const (
	ACRName         = "acraksdemo0001"
	ClusterName     = "aks-demo0001"
	KeyVaultName    = "kv-aks-demo0001"
	SubscriptionID  = "3b4c5d6e-7f80-4a1b-8c2d-9e0f1a2b3c4d"
	TenantID        = "9f8e7d6c-5b4a-4392-8171-605f4e3d2c1b"
	IngressClientID = "6b0c5f5e-3d2a-4c1b-9e8f-7a6b5c4d3e2f"
	// FluxRegistry is where the fork's Flux controller images come from:
	// imported into the ACR's live/ path like every other image
	// ('bootstrap --registry').
	FluxRegistry = ACRName + ".azurecr.io/live/fluxcd"
	// GitHubAccount owns the fork that gotk-sync.yaml names.
	GitHubAccount = "contoso"
	// DefaultGitURL is the extension era's FluxConfig source when no Git
	// server is given (nothing answers there: serve the fork with
	// gitserver to make the Flux objects Ready).
	DefaultGitURL = "https://github.com/contoso/aks-baseline-regulated"
	// RepoName is the fork's repository on the local Git server.
	RepoName = "aks-baseline-regulated.git"
	// TLSSecretName is the Secret the CSI driver syncs for ingress-nginx.
	TLSSecretName = "ingress-tls-csi"
)
