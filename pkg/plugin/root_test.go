package plugin

import (
	"os"
	"path/filepath"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

func TestDisplayName(t *testing.T) {
	cases := map[string]string{
		"/usr/local/bin/kubectl-aksbaseline":       "kubectl aksbaseline",
		`C:\krew\bin\kubectl-aksbaseline.exe`:      "kubectl aksbaseline",
		"/home/u/.fluxcd/plugins/flux-aksbaseline": "flux aksbaseline",
		"flux-aksbaseline.exe":                     "flux aksbaseline",
		"kubectl-aks_baseline":                     "kubectl aks-baseline",
		"/tmp/go-build123/exe/main":                "kubectl aksbaseline",
	}
	for argv0, want := range cases {
		if got := DisplayName(filepath.ToSlash(argv0)); got != want {
			t.Errorf("DisplayName(%q) = %q, want %q", argv0, got, want)
		}
	}
}

func TestNamespaceComesFromTheKubeconfigContext(t *testing.T) {
	kc := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(kc, []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://10.0.0.1"}}]
users: [{name: u, user: {token: t}}]
contexts:
- {name: a, context: {cluster: c, user: u, namespace: ingress-nginx}}
- {name: b, context: {cluster: c, user: u}}
current-context: a
`), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--kubeconfig", kc}, "ingress-nginx"},
		{[]string{"--kubeconfig", kc, "--context", "b"}, "default"},
		{[]string{"--kubeconfig", kc, "-n", "flux-system"}, "flux-system"},
	}
	for _, c := range cases {
		streams, _, _, _ := genericiooptions.NewTestIOStreams()
		root, env := newRoot(streams, "kubectl-aksbaseline")
		if err := root.ParseFlags(c.args); err != nil {
			t.Fatal(err)
		}
		got, err := env.Namespace()
		if err != nil || got != c.want {
			t.Errorf("%v: Namespace() = %q, %v; want %q", c.args, got, err, c.want)
		}
	}
}
