package plugin

import (
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/rest"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/kubeerr"
)

// RESTConfig returns the REST config the kubeconfig flags select, with access
// errors already explained. Commands use it instead of Factory.ToRESTConfig so
// that a machine without any kubeconfig gets a plain message rather than a
// refused connection to client-go's localhost:8080 fallback.
func (e *Env) RESTConfig() (*rest.Config, error) {
	return restConfigFor(e.Factory, e.ConfigFlags.APIServer)
}

// restConfigFor does the same for any getter (verify builds one per context);
// server is the --server flag, which can stand in for a kubeconfig.
func restConfigFor(g genericclioptions.RESTClientGetter, server *string) (*rest.Config, error) {
	raw, err := g.ToRawKubeConfigLoader().RawConfig()
	if err != nil {
		return nil, kubeerr.Explain(err, "")
	}
	if len(raw.Clusters) == 0 && (server == nil || *server == "") {
		return nil, kubeerr.Explain(kubeerr.ErrNoKubeconfig, "")
	}
	cfg, err := g.ToRESTConfig()
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
