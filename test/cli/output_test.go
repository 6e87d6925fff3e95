package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// TestStdoutWriteFailureExitsTwo: a command whose output cannot be
// written (stdout on /dev/full) did not do its job: exit 2 with a plain
// error, whatever it found, for every command and format.
func TestStdoutWriteFailureExitsTwo(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/full: %v", err)
	}
	defer full.Close()
	tree := func() string {
		dir := t.TempDir()
		plugintest.WriteFile(t, filepath.Join(dir, "flux-system", "kustomization.yaml"), "images:\n  - name: x\n    newName: REPLACE_ME_WITH_YOUR_ACRNAME.azurecr.io/x\n")
		return dir
	}
	kc := cluster.Kubeconfig
	for _, args := range [][]string{
		{"version", "--client"},
		{"version", "--client", "-o", "json"},
		{"version", "--kubeconfig", kc},
		{"verify", "--kubeconfig", kc},
		{"verify", "--kubeconfig", kc, "-o", "json"},
		{"verify", "--kubeconfig", kc, "-o", "junit"},
		{"verify", "--list"},
		{"configure", tree(), "--acr-name", "acraksexample1", "--dry-run"},
		{"configure", tree(), "--acr-name", "acraksexample1"},
		{"configure", "--check", tree()},
		{"configure", "--check", tree(), "-o", "json"},
		{"completion", "bash"},
	} {
		name := strings.Join(args, " ")
		cmd := plugintest.Command(t, plugintest.Cmd{Name: filepath.Join(pluginDir, "kubectl-aksbaseline"), Args: args})
		var stderr strings.Builder
		cmd.Stdout, cmd.Stderr = full, &stderr
		code := plugintest.ExitCode(t, cmd.Run())
		// The command's own error or main's watch on stdout: either way
		// one plain line saying what failed.
		errLine := strings.TrimSpace(stderr.String()[strings.LastIndex(stderr.String(), "error: ")+1:])
		if code != 2 || !strings.Contains(stderr.String(), "error: ") || !strings.Contains(errLine, "no space left on device") ||
			strings.Count(stderr.String(), "no space left") != 1 {
			t.Errorf("%s > /dev/full: exit %d, want 2 and the write error named once\nstderr:\n%s", name, code, stderr.String())
		}
	}
}

// TestNoCredentialFromTheServerURL: a server address carrying user info
// or a query (a token) is printed without them in errors and progress.
func TestNoCredentialFromTheServerURL(t *testing.T) {
	closed := closedPort(t)
	kc := plugintest.Kubeconfig(t, plugintest.KubeconfigCredentials.In("https://"+closed), "    token: x")
	for _, args := range [][]string{
		{"version", "--kubeconfig", kc},
		{"verify", "--kubeconfig", kc},
		{"verify", "--kubeconfig", kc, "-o", "json"},
		{"verify", "--server", plugintest.FlagCredentials.In("https://" + closed), "--kubeconfig", kc, "-o", "yaml"},
	} {
		r := runCmd(t, nil, filepath.Join(pluginDir, "kubectl-aksbaseline"), args...)
		if r.Code != 2 {
			t.Errorf("%v: exit %d, want 2 (unreachable)\n%s", args, r.Code, r)
		}
		for _, secret := range append(plugintest.KubeconfigCredentials.Secrets(), plugintest.FlagCredentials.Secrets()...) {
			if strings.Contains(r.Stdout+r.Stderr, secret) {
				t.Errorf("%v printed %q:\n%s", args, secret, r)
			}
		}
		if !strings.Contains(r.Stdout+r.Stderr, "https://"+closed) {
			t.Errorf("%v does not name the server:\n%s", args, r)
		}
	}
}
