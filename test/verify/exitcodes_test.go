package verify

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/seed"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// sharedCluster is the name of the shared kubeconfig's cluster entry.
func sharedCluster(c *clientcmdapi.Config) (cluster, user string) {
	ctx := c.Contexts[c.CurrentContext]
	return ctx.Cluster, ctx.AuthInfo
}

func TestExitCodeUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"verify", "--profile", "pci"},
		{"verify", "--bogus"},
		{"verify", "-o", "xml"},
		{"verify", "--checks", "nodes-redy"},
		{"verify", "--fail-on", "error"},
		{"verify", "--contexts", "nope", "--kubeconfig", shared.Kubeconfig},
	} {
		r := runVerify(t, args...)
		if r.Code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", args, r.Code, r.Stderr)
		}
		if !strings.HasPrefix(r.Stderr, "error: ") {
			t.Errorf("%v: stderr %q", args, r.Stderr)
		}
	}
}

func TestExitCodeNoAPIAccess(t *testing.T) {
	kc := plugintest.EditKubeconfig(t, shared.Kubeconfig, func(c *clientcmdapi.Config) {
		cl, _ := sharedCluster(c)
		c.Clusters[cl].Server = "https://127.0.0.1:1"
	})
	r := runVerify(t, "verify", "--kubeconfig", kc)
	if r.Code != 2 || !strings.Contains(r.Stderr, "cannot reach the Kubernetes API server at https://127.0.0.1:1") {
		t.Errorf("exit %d, stderr:\n%s", r.Code, r.Stderr)
	}
}

func TestMissingCredentialPlugin(t *testing.T) {
	kc := plugintest.EditKubeconfig(t, shared.Kubeconfig, func(c *clientcmdapi.Config) {
		_, u := sharedCluster(c)
		c.AuthInfos[u] = &clientcmdapi.AuthInfo{Exec: &clientcmdapi.ExecConfig{Command: "kubelogin", Args: []string{"get-token"}, APIVersion: "client.authentication.k8s.io/v1beta1", InteractiveMode: clientcmdapi.NeverExecInteractiveMode}}
	})
	r := runVerify(t, "verify", "access", "--kubeconfig", kc)
	if r.Code != 1 || !strings.Contains(r.Stdout, `runs the credential plugin "kubelogin", which is not on PATH`) {
		t.Errorf("verify access: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	r = runVerify(t, "verify", "--kubeconfig", kc)
	if r.Code != 2 || !strings.Contains(r.Stderr, "kubelogin") {
		t.Errorf("verify: exit %d, stderr:\n%s", r.Code, r.Stderr)
	}
}

func TestPublicEndpointFailsUnderRegulated(t *testing.T) {
	kc := plugintest.EditKubeconfig(t, shared.Kubeconfig, func(c *clientcmdapi.Config) {
		cl, _ := sharedCluster(c)
		c.Clusters[cl].Server = "https://aks-xkgp5rywefmci-4b7d3a1e.hcp.centralus.azmk8s.io:443"
	})
	r := runVerify(t, "verify", "access", "--kubeconfig", kc)
	if r.Code != 1 || !strings.Contains(r.Stdout, "is a public AKS endpoint; profile regulated requires a private API server") {
		t.Errorf("exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	r = runVerify(t, "verify", "access", "--kubeconfig", kc, "--profile", "baseline")
	if r.Code != 0 || !strings.Contains(r.Stdout, "⚠ access-private-endpoint") {
		t.Errorf("baseline profile: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	r = runVerify(t, "verify", "access", "--kubeconfig", shared.Kubeconfig)
	// Loopback proves nothing (a tunnel to a public server looks the same):
	// skip, with the reason, never pass.
	if r.Code != 0 || !strings.Contains(r.Stdout, "◎ access-private-endpoint 127.0.0.1 is a loopback address: a local cluster, or a tunnel") {
		t.Errorf("loopback: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
}

// A user who may only list nodes: the other checks report error naming what
// was forbidden, none passes, the run does not crash.
func TestRestrictedUser(t *testing.T) {
	sharedCRDs(t)
	grantNodes(t, shared, "verify-nodes-only")
	u, err := shared.AddUser("verify-nodes-only")
	if err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, r plugintest.Result, rep *result.Report) {
		t.Helper()
		if r.Code != 1 {
			t.Errorf("exit %d, want 1 (some checks could read, others could not)\n%s", r.Code, r.Stderr)
		}
		res := plugintest.ByID(rep)
		for id, msg := range map[string]string{
			"policies-templates":   "forbidden: list constrainttemplates.templates.gatekeeper.sh",
			"policies-gatekeeper":  "forbidden: list deployments.apps",
			"secrets-tls-secret":   "forbidden: get secrets",
			"flux-crds":            "forbidden: list customresourcedefinitions.apiextensions.k8s.io",
			"images-placeholders":  "forbidden: list pods",
			"identities-nmi":       "forbidden: list daemonsets.apps",
			"policies-constraints": "forbidden: list constrainttemplates.templates.gatekeeper.sh",
		} {
			if res[id].Status != "error" || !strings.Contains(res[id].Message, msg) {
				t.Errorf("%s: %s %q, want error naming %q", id, res[id].Status, res[id].Message, msg)
			}
		}
		if res["nodes-ready"].Status == "error" {
			t.Errorf("nodes are readable: %s", res["nodes-ready"].Message)
		}
	}
	t.Run("own credentials", func(t *testing.T) {
		r, rep := verifyJSON(t, u.Kubeconfig)
		check(t, r, rep)
	})
	t.Run("impersonation", func(t *testing.T) {
		r, rep := verifyJSON(t, shared.Kubeconfig, "--as", "verify-nodes-only")
		check(t, r, rep)
	})
	t.Run("no permission at all", func(t *testing.T) {
		r, rep := verifyJSON(t, shared.Kubeconfig, "--as", "verify-nobody")
		if r.Code != 2 {
			t.Errorf("exit %d, want 2 (every check that reads the cluster errored)", r.Code)
		}
		for _, res := range rep.Results {
			if res.Category != "access" && res.ID != "flux-kubernetes-version" && res.Status != "error" {
				t.Errorf("%s: %s", res.ID, res.Status)
			}
		}
	})
}

var crdsOnce sync.Once

// sharedCRDs installs the Gatekeeper, AAD Pod Identity and Secrets Store CRDs
// in the shared control plane, so that reading them is a matter of RBAC.
func sharedCRDs(t *testing.T) {
	crdsOnce.Do(func() {
		objs, err := seed.Objects(sim.EraPodIdentity, seed.Options{})
		if err != nil {
			t.Fatal(err)
		}
		c := newClient(t, shared.Config)
		for _, o := range objs {
			if o.GetKind() != "CustomResourceDefinition" || strings.HasSuffix(o.GetName(), ".toolkit.fluxcd.io") {
				continue
			}
			if err := c.Create(context.Background(), o); err != nil && !apierrors.IsAlreadyExists(err) {
				t.Fatal(err)
			}
		}
		if err := seed.InstallFluxCRDs(context.Background(), shared.Config); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSeveralContexts(t *testing.T) {
	kc := plugintest.EditKubeconfig(t, shared.Kubeconfig, func(c *clientcmdapi.Config) {
		cl, u := sharedCluster(c)
		c.Clusters["down"] = &clientcmdapi.Cluster{Server: "https://127.0.0.1:1", InsecureSkipTLSVerify: true}
		c.Contexts["down"] = &clientcmdapi.Context{Cluster: "down", AuthInfo: u}
		c.Contexts["up"] = &clientcmdapi.Context{Cluster: cl, AuthInfo: u}
	})
	r := runVerify(t, "verify", "nodes", "--kubeconfig", kc, "--contexts", "up,down")
	if r.Code != 2 {
		t.Errorf("exit %d, want the worst (2)\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	if strings.Count(r.Stdout, " passed, ") != 1 || !strings.Contains(r.Stdout, "on 2 clusters") {
		t.Errorf("want one summary for both clusters:\n%s", r.Stdout)
	}
	if !strings.Contains(r.Stdout, "Cluster up (") || !strings.Contains(r.Stdout, "Cluster down (") {
		t.Errorf("both clusters reported:\n%s", r.Stdout)
	}
	r = runVerify(t, "verify", "access", "--kubeconfig", kc, "--all-contexts", "-o", "json")
	var list result.List
	if err := json.Unmarshal([]byte(r.Stdout), &list); err != nil {
		t.Fatal(err)
	}
	if list.Kind != "VerifyReportList" || len(list.Items) != 3 {
		t.Errorf("all contexts: %s with %d items", list.Kind, len(list.Items))
	}
}

// --wait re-checks until the TLS Secret appears, showing it as pending.
func TestWaitShowsPendingThenPasses(t *testing.T) {
	cs := kubernetes.NewForConfigOrDie(shared.Config)
	ctx := context.Background()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "ingress-nginx"}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	cmd := plugintest.Command(t, plugintest.Cmd{Name: plugin, Args: []string{"verify", "--kubeconfig", shared.Kubeconfig, "--checks", "secrets-tls-secret", "--wait", "2m"}})
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout strings.Builder
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	var seen []string
	for sc.Scan() {
		seen = append(seen, sc.Text())
		if strings.Contains(sc.Text(), "◎ secrets-tls-secret (Secret ingress-nginx/ingress-tls-csi not found") {
			break
		}
	}
	sec := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "ingress-tls-csi", Namespace: "ingress-nginx"}, Type: corev1.SecretTypeTLS,
		Data: map[string][]byte{"tls.crt": nil, "tls.key": nil}}
	if _, err := cs.CoreV1().Secrets("ingress-nginx").Create(ctx, sec, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	for sc.Scan() {
		seen = append(seen, sc.Text())
	}
	err = cmd.Wait()
	if err != nil {
		t.Errorf("verify --wait: %v\nstderr:\n%s\nstdout:\n%s", err, strings.Join(seen, "\n"), stdout.String())
	}
	if !strings.Contains(strings.Join(seen, "\n"), "◎ waiting for 1 check") {
		t.Errorf("no pending line on stderr:\n%s", strings.Join(seen, "\n"))
	}
	if !strings.Contains(stdout.String(), "✔ secrets-tls-secret") {
		t.Errorf("final report:\n%s", stdout.String())
	}
	_ = cs.CoreV1().Secrets("ingress-nginx").Delete(ctx, "ingress-tls-csi", metav1.DeleteOptions{})
}

func TestListAndPrintProfile(t *testing.T) {
	r := runVerify(t, "verify", "--list")
	if r.Code != 0 {
		t.Fatalf("exit %d: %s", r.Code, r.Stderr)
	}
	for _, c := range check.All() {
		if !strings.Contains(r.Stdout, c.ID) {
			t.Errorf("--list lacks %s", c.ID)
		}
	}
	r = runVerify(t, "verify", "--print-profile", "--profile", "baseline")
	if r.Code != 0 || !strings.Contains(r.Stdout, "name: npuser01") {
		t.Errorf("exit %d\n%s", r.Code, r.Stdout)
	}
	// The printed profile is a valid starting point for --profile FILE.
	p := filepath.Join(t.TempDir(), "mine.yaml")
	if err := os.WriteFile(p, []byte(r.Stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	r = runVerify(t, "verify", "--print-profile", "--profile", p)
	if r.Code != 0 {
		t.Errorf("reloading the printed profile: exit %d %s", r.Code, r.Stderr)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("apiVersion: aksbaseline.io/v1alpha1\nkind: VerifyProfile\nname: x\nnodes:\n  poolLable: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = runVerify(t, "verify", "--profile", bad)
	if r.Code != 2 || !strings.Contains(r.Stderr, bad+`:5: unknown field "poolLable"`) {
		t.Errorf("bad profile: exit %d, stderr %s", r.Code, r.Stderr)
	}
}

// The README's table of checks is generated from 'verify --list'.
func TestReadmeTableMatchesCatalogue(t *testing.T) {
	r := runVerify(t, "verify", "--list", "-o", "markdown")
	if r.Code != 0 {
		t.Fatal(r.Stderr)
	}
	if got := plugintest.READMESection(t, "verify-checks"); got != r.Stdout {
		t.Errorf("README's table of checks differs from 'verify --list -o markdown': run 'make verify-docs'\n--- README\n%s\n--- catalogue\n%s", got, r.Stdout)
	}
	// The usage line lists the categories, each a 'verify <category>' command.
	if want := "# one category: " + strings.Join(check.Categories, "|") + "\n"; !strings.Contains(plugintest.README(t), want) {
		t.Errorf("README's verify usage does not list the categories as %q", want)
	}
}
