package cli

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/proc"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// TestClientGoLogsCarryNoCredential: at -v=6 to -v=9 client-go logs each
// request's URL (and at 9 a curl command); with user info and a query in the
// kubeconfig's server address, neither may reach stderr. The request still
// reaches the API server (client-go drops the query from its base URL; Go's
// HTTP client turns user info into a Basic header only when no other
// Authorization is set, and the API server authenticates the client
// certificate first).
func TestClientGoLogsCarryNoCredential(t *testing.T) {
	kc, host := credentialedKubeconfig(t)
	for v := 6; v <= 9; v++ {
		r := runCmd(t, nil, filepath.Join(pluginDir, "kubectl-aksbaseline"), "version", "--kubeconfig", kc, fmt.Sprintf("-v=%d", v))
		if r.Code != 0 {
			t.Fatalf("version -v=%d with user info in the server address: %s", v, r)
		}
		if !strings.Contains(r.Stderr, host+"/version") {
			t.Errorf("version -v=%d logged no request to %s/version (nothing was tested):\n%s", v, host, r.Stderr)
		}
		for _, secret := range plugintest.KubeconfigCredentials.Secrets() {
			if strings.Contains(r.Stdout+r.Stderr, secret) {
				t.Errorf("version -v=%d printed %q:\n%s", v, secret, proc.Tail(r.Stderr, 3))
			}
		}
	}
}

// credentialedKubeconfig writes the test cluster's kubeconfig with user
// info and a token query in its server address, and returns it with the
// address as it should be printed.
func credentialedKubeconfig(t *testing.T) (path, host string) {
	t.Helper()
	path = plugintest.EditKubeconfig(t, cluster.Kubeconfig, func(cfg *clientcmdapi.Config) {
		for _, c := range cfg.Clusters {
			host = c.Server
			c.Server = plugintest.KubeconfigCredentials.In(c.Server)
		}
	})
	return path, host
}
