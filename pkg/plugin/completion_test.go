package plugin

import (
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
)

func runCompletionRoot(t *testing.T, argv0 string, args ...string) (string, error) {
	t.Helper()
	streams, _, out, _ := genericiooptions.NewTestIOStreams()
	root := NewRootCommand(streams, argv0)
	root.SetArgs(args)
	err := root.Execute()
	if root.Use != "aksbaseline" {
		t.Errorf("root.Use left as %q", root.Use)
	}
	return out.String(), err
}

func TestCompletionKubectlPluginPrintsTheShim(t *testing.T) {
	out, err := runCompletionRoot(t, "/x/kubectl-aksbaseline", "completion", "kubectl-plugin")
	if err != nil {
		t.Fatal(err)
	}
	if out != KubectlCompletionShim() || !strings.HasPrefix(out, "#!/usr/bin/env sh\n") ||
		!strings.Contains(out, "\nexec kubectl-aksbaseline __complete \"$@\"\n") {
		t.Fatalf("shim:\n%s", out)
	}
}

func TestCompletionScriptsNameTheProgram(t *testing.T) {
	for argv0, want := range map[string]string{
		"/usr/local/bin/kubectl-aksbaseline":       "__start_kubectl-aksbaseline kubectl-aksbaseline",
		"/home/u/.fluxcd/plugins/flux-aksbaseline": "__start_flux-aksbaseline flux-aksbaseline",
	} {
		out, err := runCompletionRoot(t, argv0, "completion", "bash")
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("%s completion bash: %v; lacks %q", argv0, err, want)
		}
	}
}

func TestCompletionRefusesAnUnknownShell(t *testing.T) {
	for _, args := range [][]string{{"completion", "tcsh"}, {"completion"}, {"completion", "bash", "zsh"}} {
		_, err := runCompletionRoot(t, "kubectl-aksbaseline", args...)
		if exitcode.Code(err) != exitcode.CouldNotCheck || !strings.Contains(err.Error(), "kubectl-plugin") {
			t.Errorf("%v: %v (exit %d), want a usage error listing the targets", args, err, exitcode.Code(err))
		}
	}
}

func TestCompleteNeedsNoCluster(t *testing.T) {
	t.Setenv("KUBECONFIG", "/nonexistent/kubeconfig")
	out, err := runCompletionRoot(t, "kubectl-aksbaseline", "__complete", "--context", "x", "ve")
	if err != nil || !strings.Contains(out, "version\t") || !strings.Contains(out, "verify\t") || !strings.HasSuffix(strings.TrimSpace(out), ":4") {
		t.Fatalf("__complete ve: %v\n%s", err, out)
	}
}
