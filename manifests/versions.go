package manifests

// The Flux distribution this build installs. The generator (make manifests)
// assembles the embedded YAML from the Go modules of exactly these versions.
const (
	FluxVersion                = "v2.9.5"
	SourceControllerVersion    = "v1.9.5"
	KustomizeControllerVersion = "v1.9.5"
	HelmControllerVersion      = "v1.6.4"
	// NotificationControllerVersion is one patch behind what flux2 v2.9.5's
	// manifests name (v1.9.4): the Go module proxy does not serve v1.9.4, and
	// the generator reads the controllers' config/ folders from their modules.
	NotificationControllerVersion = "v1.9.3"
	// KubernetesMinimum is the server version Flux 2.8 and 2.9 require, as
	// 'flux check' states it.
	KubernetesMinimum = ">=1.33.0-0"

	// Namespace is where the embedded install puts the controllers.
	Namespace = "flux-system"
)

// Component is one Flux controller the embedded install can carry.
type Component struct {
	Name    string
	Module  string
	Version string
	// Default components are installed without --components: the two the
	// AKS baseline reference runs.
	Default bool
}

// Components lists the controllers in install order. The generator builds
// one YAML file per component, named after it.
var Components = []Component{
	{Name: "source-controller", Module: "github.com/fluxcd/source-controller", Version: SourceControllerVersion, Default: true},
	{Name: "kustomize-controller", Module: "github.com/fluxcd/kustomize-controller", Version: KustomizeControllerVersion, Default: true},
	{Name: "helm-controller", Module: "github.com/fluxcd/helm-controller", Version: HelmControllerVersion},
	{Name: "notification-controller", Module: "github.com/fluxcd/notification-controller", Version: NotificationControllerVersion},
}

// FluxModule is the module whose manifests/ kustomizations the generator
// builds the install from.
const FluxModule = "github.com/fluxcd/flux2/v2"

// DefaultComponents returns the names of the default components.
func DefaultComponents() []string {
	var out []string
	for _, c := range Components {
		if c.Default {
			out = append(out, c.Name)
		}
	}
	return out
}

// ComponentNames returns every component's name, in install order.
func ComponentNames() []string {
	var out []string
	for _, c := range Components {
		out = append(out, c.Name)
	}
	return out
}

// LookupComponent returns the component called name.
func LookupComponent(name string) (Component, bool) {
	for _, c := range Components {
		if c.Name == name {
			return c, true
		}
	}
	return Component{}, false
}
