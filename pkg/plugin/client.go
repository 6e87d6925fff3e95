package plugin

import (
	"k8s.io/client-go/rest"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/kubeerr"
)

// RESTConfig returns the REST config the kubeconfig flags select, with access
// errors already explained. Commands use it instead of Factory.ToRESTConfig so
// that a machine without any kubeconfig gets a plain message rather than a
// refused connection to client-go's localhost:8080 fallback.
func (e *Env) RESTConfig() (*rest.Config, error) {
	loader := e.ConfigFlags.ToRawKubeConfigLoader()
	raw, err := loader.RawConfig()
	if err != nil {
		return nil, kubeerr.Explain(err, "")
	}
	if len(raw.Clusters) == 0 && (e.ConfigFlags.APIServer == nil || *e.ConfigFlags.APIServer == "") {
		return nil, kubeerr.Explain(kubeerr.ErrNoKubeconfig, "")
	}
	cfg, err := e.Factory.ToRESTConfig()
	if err != nil {
		return nil, kubeerr.Explain(err, "")
	}
	return cfg, nil
}

// Namespace returns the effective namespace: -n when given, else the
// current context's namespace, else "default", as kubectl resolves it.
func (e *Env) Namespace() (string, error) {
	ns, _, err := e.ConfigFlags.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return "", kubeerr.Explain(err, "")
	}
	return ns, nil
}
