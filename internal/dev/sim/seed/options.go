package seed

// FieldManager owns everything Apply applies.
const FieldManager = "aksbaseline-simcluster"

// Options adjust Apply.
type Options struct {
	// SetStatus writes the status controllers and kubelets would write
	// (Nodes Ready, Deployments Available, DaemonSets fully ready): for
	// envtest, where nothing else does. Leave it off on kwok.
	SetStatus bool
	// Nodes overrides the node count of a pool (npsystem, npinscope01,
	// npooscope01), e.g. for the 5,000-node benchmark.
	Nodes map[string]int
	// KubeletVersion of the nodes; default the server's version.
	KubeletVersion string
	// SkipGitOps leaves out what the reference's Flux bootstrap delivers
	// (fixtures/gitops: the ingress-nginx controller, its Service, IngressClass
	// and SecretProviderClass), for tests whose bootstrap applies them.
	SkipGitOps bool
	// SkipTLSSecret leaves out the Secret the CSI driver would sync.
	SkipTLSSecret bool
	// GitURL and GitBranch are the extension era's FluxConfig source;
	// defaults DefaultGitURL and "main".
	GitURL, GitBranch string
	// Concurrency of node creation; default 32.
	Concurrency int
}
