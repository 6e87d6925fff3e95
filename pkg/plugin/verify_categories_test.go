package plugin

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"

	"github.com/aksbaseline/kubectl-aksbaseline/test/testenv"
)

func envFor(kubeconfig string) *Env {
	cf := genericclioptions.NewConfigFlags(true)
	cf.KubeConfig = &kubeconfig
	var out, errb bytes.Buffer
	return &Env{Streams: genericiooptions.IOStreams{Out: &out, ErrOut: &errb}, ConfigFlags: cf, Factory: cmdutil.NewFactory(cf), Name: "kubectl aksbaseline"}
}

// The contract bootstrap relies on: passed, a text report on w, and an
// error only when the cluster could not be checked.
func TestRunVerifyCategories(t *testing.T) {
	te := testenv.StartT(t, testenv.Options{})
	env := envFor(te.Kubeconfig)
	ctx := context.Background()

	var w bytes.Buffer
	passed, err := runVerifyCategories(ctx, env, []string{"access"}, &w)
	if err != nil || !passed {
		t.Errorf("access on a loopback server: passed=%v err=%v\n%s", passed, err, w.String())
	}
	// Loopback is skipped and a certificate sign-in warns: passed, not green.
	if !strings.Contains(w.String(), "◎ access-private-endpoint") || !strings.Contains(w.String(), "0 passed, 0 failed, 1 warning, 1 skipped") {
		t.Errorf("report:\n%s", w.String())
	}

	w.Reset()
	passed, err = runVerifyCategories(ctx, env, []string{"flux"}, &w)
	if err != nil || passed {
		t.Errorf("flux on a cluster without Flux: passed=%v err=%v", passed, err)
	}
	if !strings.Contains(w.String(), "✗ flux-sync-ready Flux is not installed") {
		t.Errorf("report:\n%s", w.String())
	}
	if env.Streams.Out.(*bytes.Buffer).Len() != 0 {
		t.Error("the report went to the command's stdout, not to w")
	}

	if _, err := runVerifyCategories(ctx, env, []string{"netwrk"}, &w); err == nil {
		t.Error("unknown category accepted")
	}
	nobody, err := te.AddUser("verify-nobody")
	if err != nil {
		t.Fatal(err)
	}
	w.Reset()
	passed, err = runVerifyCategories(ctx, envFor(nobody.Kubeconfig), []string{"nodes"}, &w)
	if passed || err == nil || !strings.Contains(err.Error(), "every one errored") {
		t.Errorf("a user who may read nothing: passed=%v err=%v", passed, err)
	}
	if !strings.Contains(w.String(), "✗ nodes-ready forbidden: list nodes") {
		t.Errorf("report:\n%s", w.String())
	}
	down := envFor(writeKubeconfig(t, "https://127.0.0.1:1"))
	if passed, err := runVerifyCategories(ctx, down, []string{"flux"}, &w); err == nil || passed {
		t.Errorf("unreachable server: passed=%v err=%v", passed, err)
	}
}

func writeKubeconfig(t *testing.T, server string) string {
	t.Helper()
	p := t.TempDir() + "/kubeconfig"
	kc := "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: " + server + ", insecure-skip-tls-verify: true}\nusers:\n- name: u\n  user: {token: x}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n"
	if err := writeFile(p, kc); err != nil {
		t.Fatal(err)
	}
	return p
}

func writeFile(p, s string) error { return os.WriteFile(p, []byte(s), 0o600) }
