package install

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// completions are the candidates of a cobra __complete answer, without
// descriptions and the trailing :<directive> line.
func completions(stdout string) []string {
	var out []string
	for _, line := range strings.Split(stdout, "\n") {
		if line == "" || strings.HasPrefix(line, ":") {
			continue
		}
		out = append(out, strings.SplitN(line, "\t", 2)[0])
	}
	return out
}

// TestKubectlCompletesThePluginThroughTheInstalledHelper runs 'make install'
// into a temporary PREFIX and lets the real kubectl complete
// 'kubectl aksbaseline ve' through the helper installed there, with no
// kubeconfig and no cluster.
func TestKubectlCompletesThePluginThroughTheInstalledHelper(t *testing.T) {
	prefix, binDir := t.TempDir(), t.TempDir()
	if out, err := runMake("install", "PREFIX="+prefix, "BIN_DIR="+binDir, "VERSION="+version); err != nil {
		t.Fatalf("make install: %v\n%s", err, out)
	}
	shim := filepath.Join(prefix, "kubectl_complete-aksbaseline")
	info, err := os.Stat(shim)
	if err != nil || info.Mode()&0o111 == 0 {
		t.Fatalf("make install did not install an executable %s: %v", shim, err)
	}
	printed := runIn(t, nil, nil, filepath.Join(prefix, "kubectl-aksbaseline"), "completion", "kubectl-plugin")
	installed, _ := os.ReadFile(shim)
	if printed.Code != 0 || printed.Stdout != string(installed) || !strings.HasPrefix(printed.Stdout, "#!") {
		t.Fatalf("installed helper differs from 'completion kubectl-plugin': %s\ninstalled:\n%s", printed, installed)
	}

	pathList := append([]string{prefix, tools}, systemPath...)
	env := []string{"KUBECONFIG=" + filepath.Join(t.TempDir(), "none")}
	for _, words := range [][]string{
		{"ve"},
		{"--context", "x", "-n", "y", "ve"},
	} {
		r := runIn(t, pathList, env, "kubectl", append([]string{"__complete", "aksbaseline"}, words...)...)
		got := completions(r.Stdout)
		if r.Code != 0 || !slices.Contains(got, "verify") || !slices.Contains(got, "version") {
			t.Errorf("kubectl __complete aksbaseline %s offers %v, want verify and version: %s", strings.Join(words, " "), got, r)
		}
		for _, c := range got {
			if !strings.HasPrefix(c, "ve") {
				t.Errorf("completion %q does not start with ve", c)
			}
		}
	}
	r := runIn(t, pathList, env, "kubectl", "__complete", "aksbaseline", "completion", "")
	if got := completions(r.Stdout); !slices.Equal(got, []string{"bash", "zsh", "fish", "powershell", "kubectl-plugin"}) {
		t.Errorf("kubectl __complete aksbaseline completion '' offers %v: %s", got, r)
	}
}

// TestCompletionScriptsNameTheExecutable: a shell completes what the user
// types, kubectl-aksbaseline or flux-aksbaseline, not the cobra root name.
func TestCompletionScriptsNameTheExecutable(t *testing.T) {
	_, exe := installAsFlux(t)
	kubectlExe := filepath.Join(t.TempDir(), "kubectl-aksbaseline")
	if err := os.Link(exe, kubectlExe); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ exe, shell, want string }{
		{kubectlExe, "bash", "complete -o default -F __start_kubectl-aksbaseline kubectl-aksbaseline"},
		{kubectlExe, "zsh", "#compdef kubectl-aksbaseline"},
		{kubectlExe, "fish", "complete -c kubectl-aksbaseline"},
		{kubectlExe, "powershell", "Register-ArgumentCompleter -CommandName 'kubectl-aksbaseline'"},
		{exe, "bash", "__start_flux-aksbaseline flux-aksbaseline"},
	} {
		r := runIn(t, nil, nil, tc.exe, "completion", tc.shell)
		if r.Code != 0 || !strings.Contains(r.Stdout, tc.want) {
			t.Errorf("%s completion %s lacks %q: exit %d, stderr %s", filepath.Base(tc.exe), tc.shell, tc.want, r.Code, r.Stderr)
		}
	}
	if r := runIn(t, nil, nil, kubectlExe, "completion", "tcsh"); r.Code != 2 || !strings.Contains(r.Stderr, "kubectl-plugin") {
		t.Errorf("completion tcsh: want exit 2 listing the targets: %s", r)
	}
}
