package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/testbin"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
	"github.com/aksbaseline/kubectl-aksbaseline/test/testenv"
)

var (
	pluginDir string
	kubectl   string
	cluster   *testenv.Env
)

func TestMain(m *testing.M) {
	os.Exit(plugintest.Main(m, func(dir string) (func(), error) {
		pluginDir = dir
		var err error
		if kubectl, err = testbin.Kubectl(); err != nil {
			return nil, err
		}
		if cluster, err = testenv.Start(testenv.Options{}); err != nil {
			return nil, err
		}
		return func() { _ = cluster.Stop() }, nil
	}))
}

// runCmd runs name with the plugin folder first on PATH, as a user who
// installed the plugin would.
func runCmd(t *testing.T, env []string, name string, args ...string) plugintest.Result {
	t.Helper()
	path := "PATH=" + pluginDir + string(os.PathListSeparator) + os.Getenv("PATH")
	return plugintest.Run(t, plugintest.Cmd{Name: name, Args: args, Env: append([]string{path}, env...)})
}

func TestKubectlDiscoversPluginAndShowsClientAndServerVersions(t *testing.T) {
	r := runCmd(t, nil, kubectl, "aksbaseline", "version", "--kubeconfig", cluster.Kubeconfig)
	if r.Code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", r.Code, r.Stderr)
	}
	if !strings.Contains(r.Stdout, "Client Version: v0.0.0-test (commit testcommit") {
		t.Errorf("client version missing:\n%s", r.Stdout)
	}
	server := runCmd(t, nil, kubectl, "version", "--kubeconfig", cluster.Kubeconfig, "-o", "json")
	want := serverGitVersion(t, server.Stdout)
	if !strings.Contains(r.Stdout, "Server Version: "+want+"\n") {
		t.Errorf("server version %s missing:\n%s", want, r.Stdout)
	}
}

func serverGitVersion(t *testing.T, kubectlJSON string) string {
	t.Helper()
	i := strings.Index(kubectlJSON, `"serverVersion"`)
	if i < 0 {
		t.Fatalf("kubectl version printed no serverVersion:\n%s", kubectlJSON)
	}
	rest := kubectlJSON[i:]
	j := strings.Index(rest, `"gitVersion": "`)
	rest = rest[j+len(`"gitVersion": "`):]
	return rest[:strings.Index(rest, `"`)]
}

func TestVersionJSONForScripts(t *testing.T) {
	r := runCmd(t, nil, filepath.Join(pluginDir, "kubectl-aksbaseline"), "version", "-o", "json", "--kubeconfig", cluster.Kubeconfig)
	if r.Code != 0 {
		t.Fatalf("exit %d: %s", r.Code, r.Stderr)
	}
	for _, want := range []string{`"clientVersion"`, `"version": "v0.0.0-test"`, `"commit": "testcommit"`, `"serverVersion"`, `"gitVersion": "v1.`} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("missing %s in:\n%s", want, r.Stdout)
		}
	}
	client := runCmd(t, nil, filepath.Join(pluginDir, "kubectl-aksbaseline"), "version", "--client", "-o", "yaml")
	if client.Code != 0 || strings.Contains(client.Stdout, "serverVersion") || !strings.Contains(client.Stdout, "version: v0.0.0-test") {
		t.Errorf("--client -o yaml: exit %d\n%s%s", client.Code, client.Stdout, client.Stderr)
	}
}

func TestVersionFlag(t *testing.T) {
	for name, want := range map[string]string{"kubectl-aksbaseline": "kubectl aksbaseline v0.0.0-test\n", "flux-aksbaseline": "flux aksbaseline v0.0.0-test\n"} {
		r := runCmd(t, nil, filepath.Join(pluginDir, name), "--version")
		if r.Code != 0 || r.Stdout != want {
			t.Errorf("%s --version: exit %d, %q, want %q", name, r.Code, r.Stdout, want)
		}
	}
}

func TestHelpSpeaksTheInvokingCLIsName(t *testing.T) {
	cases := map[string]struct{ own, other string }{
		"flux-aksbaseline":    {"flux aksbaseline", "kubectl aksbaseline"},
		"kubectl-aksbaseline": {"kubectl aksbaseline", "flux aksbaseline"},
	}
	for bin, c := range cases {
		for _, args := range [][]string{{"--help"}, {"version", "--help"}} {
			r := runCmd(t, nil, filepath.Join(pluginDir, bin), args...)
			if r.Code != 0 {
				t.Fatalf("%s %v: exit %d", bin, args, r.Code)
			}
			if !strings.Contains(r.Stdout, c.own) || strings.Contains(r.Stdout, c.other) {
				t.Errorf("%s %v must say %q and never %q:\n%s", bin, args, c.own, c.other, r.Stdout)
			}
		}
	}
	r := runCmd(t, nil, filepath.Join(pluginDir, "flux-aksbaseline"), "version", "--help")
	if !strings.Contains(r.Stdout, "flux aksbaseline version --client") {
		t.Errorf("examples do not use the flux name:\n%s", r.Stdout)
	}
	r = runCmd(t, nil, filepath.Join(pluginDir, "flux-aksbaseline"), "nosuchcommand")
	if r.Code != 2 || !strings.Contains(r.Stderr, `unknown command "nosuchcommand" for "flux aksbaseline"`) {
		t.Errorf("unknown command: exit %d, stderr %q", r.Code, r.Stderr)
	}
}

func TestBadFlagIsCouldNotCheck(t *testing.T) {
	r := runCmd(t, nil, filepath.Join(pluginDir, "kubectl-aksbaseline"), "version", "--no-such-flag")
	if r.Code != 2 || !strings.Contains(r.Stderr, "unknown flag: --no-such-flag") {
		t.Errorf("exit %d, stderr %q", r.Code, r.Stderr)
	}
	r = runCmd(t, nil, filepath.Join(pluginDir, "kubectl-aksbaseline"), "version", "-o", "xml", "--client")
	if r.Code != 2 || !strings.Contains(r.Stderr, "--output must be json or yaml") {
		t.Errorf("exit %d, stderr %q", r.Code, r.Stderr)
	}
}

func TestAccessErrorsArePlainAndExitTwo(t *testing.T) {
	closed := closedPort(t)
	silent := silentServer(t)
	cases := []struct {
		name string
		env  []string
		args []string
		want []string
	}{
		{
			name: "kubeconfig file missing",
			args: []string{"version", "--kubeconfig", "/nonexistent/kubeconfig"},
			want: []string{"error: kubeconfig not readable: /nonexistent/kubeconfig does not exist", "--kubeconfig"},
		},
		{
			name: "no kubeconfig at all",
			args: []string{"version"},
			want: []string{"error: no kubeconfig found", "az aks get-credentials"},
		},
		{
			name: "unknown context",
			args: []string{"version", "--kubeconfig", cluster.Kubeconfig, "--context", "aks-prod"},
			want: []string{"error: unknown context: aks-prod", "kubectl config get-contexts"},
		},
		{
			name: "API server refusing connections",
			args: []string{"version", "--kubeconfig", plugintest.Kubeconfig(t, "https://"+closed, "    token: x")},
			want: []string{"error: cannot reach the Kubernetes API server at https://" + closed + ": connection refused", "jump box"},
		},
		{
			name: "API server silent past --request-timeout",
			args: []string{"version", "--request-timeout", "1s", "--kubeconfig", plugintest.Kubeconfig(t, "https://"+silent, "    token: x")},
			want: []string{"error: cannot reach the Kubernetes API server at https://" + silent + ": no answer before the timeout"},
		},
		{
			name: "expired credential",
			args: []string{"version", "--kubeconfig", plugintest.Kubeconfig(t, cluster.Server, "    token: expired-token")},
			want: []string{"rejected the credentials (401 Unauthorized)", "az aks get-credentials"},
		},
		{
			name: "exec credential plugin missing",
			args: []string{"version", "--kubeconfig", plugintest.Kubeconfig(t, cluster.Server, `    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args: [get-token, --login, azurecli]
      interactiveMode: Never`)},
			want: []string{`the kubeconfig's user runs the credential plugin "kubelogin", which is not on PATH`, "az aks install-cli"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			r := runCmd(t, c.env, filepath.Join(pluginDir, "kubectl-aksbaseline"), c.args...)
			if r.Code != 2 {
				t.Errorf("exit code %d, want 2; stderr:\n%s", r.Code, r.Stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(r.Stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.Stderr)
				}
			}
			if lines := strings.Count(strings.TrimRight(r.Stderr, "\n"), "\n") + 1; lines > 2 {
				t.Errorf("stderr has %d lines, want at most 2:\n%s", lines, r.Stderr)
			}
			if strings.Contains(r.Stderr, "goroutine ") || strings.Contains(r.Stderr, "panic") {
				t.Errorf("stack trace on stderr:\n%s", r.Stderr)
			}
			// The client version is still printed for the user, the server's never is.
			if strings.Contains(r.Stdout, "Server Version") {
				t.Errorf("stdout claims a server version:\n%s", r.Stdout)
			}
			_ = start
		})
	}
}
