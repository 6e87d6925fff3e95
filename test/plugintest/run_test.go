package plugintest

import (
	"os"
	"strings"
	"testing"
)

func TestRunGivesACleanEnvironmentAndTheExitCode(t *testing.T) {
	t.Setenv("KUBECONFIG", "/machine/kubeconfig")
	r := Run(t, Cmd{Name: "/bin/sh", Args: []string{"-c", `echo "$PATH|$KUBECONFIG|$EXTRA"; ls -A "$HOME"; echo oops >&2; exit 3`}, Env: []string{"EXTRA=x"}})
	if want := os.Getenv("PATH") + "||x\n"; r.Code != 3 || r.Stdout != want || r.Stderr != "oops\n" {
		t.Errorf("got\n%s\nwant exit code 3, stdout %q (empty HOME, no KUBECONFIG), stderr oops", r, want)
	}
}

func TestEnvReplacesPathAndHome(t *testing.T) {
	home := t.TempDir()
	cmd := Command(t, Cmd{Name: "/bin/sh", Env: []string{"PATH=/nowhere", "HOME=" + home}})
	if got := strings.Join(cmd.Env, " "); got != "PATH=/nowhere HOME="+home {
		t.Errorf("environment %q, want only the given PATH and HOME", got)
	}
}
