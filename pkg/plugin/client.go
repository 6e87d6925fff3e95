package plugin

import (
	"os"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/rest"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/kubeerr"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/verify"
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
	if len(raw.Clusters) == 0 && (server == nil || *server == "") && !inClusterPossible() {
		return nil, kubeerr.Explain(kubeerr.ErrNoKubeconfig, "")
	}
	cfg, err := g.ToRESTConfig()
	if err != nil {
		return nil, kubeerr.Explain(err, "")
	}
	return cfg, nil
}

// validateClusters checks the flags that pick the clusters: --contexts,
// --all-contexts and --context each pick them their own way, so only one
// may be given.
func (e *Env) validateClusters(contexts []string, all bool) error {
	if all && len(contexts) > 0 {
		return exitcode.Usage("--contexts and --all-contexts are mutually exclusive")
	}
	if (all || len(contexts) > 0) && e.ConfigFlags.Context != nil && *e.ConfigFlags.Context != "" {
		return exitcode.Usage("--context cannot be combined with --contexts or --all-contexts")
	}
	return nil
}

// clusters resolves the clusters a fleet command reads: the current
// context, the named ones, or all of the kubeconfig's.
func (e *Env) clusters(contexts []string, all bool) ([]verify.Target, error) {
	cf := e.ConfigFlags
	return verify.Clusters{
		Flags:   cf,
		Current: e.Factory,
		RESTConfig: func(g genericclioptions.RESTClientGetter) (*rest.Config, error) {
			return restConfigFor(g, cf.APIServer)
		},
		Contexts: contexts,
		All:      all,
	}.Targets()
}

// inClusterPossible says whether client-go will fall back to the pod's
// service account when no kubeconfig is given (its standard order:
// --kubeconfig, $KUBECONFIG, ~/.kube/config, then in-cluster), by the same
// test client-go makes. The in-cluster verifier runs this way.
var inClusterPossible = func() bool {
	fi, err := os.Stat(verify.ServiceAccountTokenFile)
	return os.Getenv("KUBERNETES_SERVICE_HOST") != "" && os.Getenv("KUBERNETES_SERVICE_PORT") != "" && err == nil && !fi.IsDir()
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
