package manifests

// The Flux distribution this build installs. The generator (make manifests)
// assembles the embedded YAML from the Go modules of exactly these versions.
const (
	FluxVersion                = "v2.9.5"
	SourceControllerVersion    = "v1.9.5"
	KustomizeControllerVersion = "v1.9.5"
	// KubernetesMinimum is the server version Flux 2.8 and 2.9 require, as
	// 'flux check' states it.
	KubernetesMinimum = ">=1.33.0-0"
)
