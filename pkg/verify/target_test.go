package verify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/rest"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
)

const kubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: east
  cluster: {server: "https://east.privatelink.eastus2.azmk8s.io:443"}
- name: west
  cluster: {server: "https://10.1.0.4:443"}
users:
- name: u
  user: {token: x}
- name: entra
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: kubelogin-not-on-path}
contexts:
- name: east
  context: {cluster: east, user: entra}
- name: west
  context: {cluster: west, user: u}
current-context: west
`

func clusters(t *testing.T) Clusters {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(p, []byte(kubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	cf := genericclioptions.NewConfigFlags(true)
	cf.KubeConfig = &p
	as := "auditor"
	cf.Impersonate = &as
	cf.WrapConfigFn = func(c *rest.Config) *rest.Config { c.QPS = 42; return c }
	return Clusters{Flags: cf, Current: cf, RESTConfig: func(g genericclioptions.RESTClientGetter) (*rest.Config, error) { return g.ToRESTConfig() }}
}

func TestTargetsCurrentContext(t *testing.T) {
	ts, err := clusters(t).Targets()
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 1 || ts[0].Context != "west" {
		t.Fatalf("targets %+v, want the current context", ts)
	}
	cfg, err := ts[0].RESTConfig()
	if err != nil || cfg.Host != "https://10.1.0.4:443" {
		t.Fatalf("config %v, %v", cfg, err)
	}
	if a := ts[0].access(cfg.Host); a.Context != "west" || a.Server != cfg.Host || a.ExecCommand != "" {
		t.Errorf("access %+v", a)
	}
}

func TestTargetsNamedAndAllContexts(t *testing.T) {
	c := clusters(t)
	c.Contexts = []string{"east", "west"}
	ts, err := c.Targets()
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 2 || ts[0].Context != "east" || ts[1].Context != "west" {
		t.Fatalf("targets %+v", ts)
	}
	cfg, err := ts[0].RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	// What applies to every cluster is carried onto each context.
	if cfg.Host != "https://east.privatelink.eastus2.azmk8s.io:443" || cfg.Impersonate.UserName != "auditor" || cfg.QPS != 42 {
		t.Errorf("east: host %s, impersonating %q, QPS %v", cfg.Host, cfg.Impersonate.UserName, cfg.QPS)
	}
	if a := ts[0].access(""); a.Server != cfg.Host || a.ExecCommand != "kubelogin-not-on-path" || a.ExecFound {
		t.Errorf("east access %+v", a)
	}

	c = clusters(t)
	c.All = true
	if ts, err = c.Targets(); err != nil || len(ts) != 2 || ts[0].Context != "east" || ts[1].Context != "west" {
		t.Errorf("all contexts: %+v, %v", ts, err)
	}

	c = clusters(t)
	c.Contexts = []string{"east", "north"}
	_, err = c.Targets()
	if exitcode.Code(err) != exitcode.CouldNotCheck || !strings.Contains(err.Error(), `unknown context "north"`) {
		t.Errorf("unknown context: %v", err)
	}
}
