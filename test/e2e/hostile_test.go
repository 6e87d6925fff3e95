package e2e

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"sigs.k8s.io/yaml"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/proc"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
	"github.com/aksbaseline/kubectl-aksbaseline/test/leaktest"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// TestHostileCluster runs verify, on one real control plane, against what
// an attacker or a careless operator can put in front of it (issue 16 §3):
// a Secret whose bytes must never be printed, a kubeconfig whose server
// address carries credentials, and objects whose images and messages carry
// terminal control sequences. Every output is searched.
func TestHostileCluster(t *testing.T) {
	s := newSim(t, sim.EraPodIdentity)
	t.Run("secret-never-printed", func(t *testing.T) { secretNeverPrinted(t, s) })
	t.Run("url-credentials", func(t *testing.T) { urlCredentials(t, s) })
	t.Run("control-characters", func(t *testing.T) { controlCharacters(t, s) })
}

// secretNeverPrinted plants a sentinel in the TLS Secret the checks read,
// in its data and in the last-applied annotation 'kubectl apply' would
// write (which a metadata read would carry), and runs verify at -v=9, where
// client-go logs every response body: neither the sentinel nor its base64
// form may appear in stdout, stderr or the evidence bundle.
func secretNeverPrinted(t *testing.T, s *simCluster) {
	sentinel := "aksb-sentinel-" + randomHex(t)
	b64 := base64.StdEncoding.EncodeToString([]byte(sentinel))
	applied, _ := json.Marshal(map[string]any{"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
		"metadata": map[string]any{"name": sim.TLSSecretName, "namespace": "ingress-nginx"}, "data": map[string]string{"sentinel": b64}})
	patch, _ := json.Marshal(map[string]any{
		"metadata": map[string]any{"annotations": map[string]string{"kubectl.kubernetes.io/last-applied-configuration": string(applied)}},
		"data":     map[string]string{"sentinel": b64},
	})
	s.patch(t, gvrSecrets, "ingress-nginx", sim.TLSSecretName, string(patch))

	bundle := filepath.Join(t.TempDir(), "evidence")
	for _, args := range [][]string{
		{"verify", "--kubeconfig", s.c.Kubeconfig, "-v=9"},
		{"verify", "--kubeconfig", s.c.Kubeconfig, "-v=9", "-o", "json", "--evidence", bundle},
	} {
		r := tool(t, "", args...)
		if r.Code != 1 {
			// Flux is not bootstrapped on this cluster: its checks fail.
			t.Errorf("%v: exit code %d, want 1\n%s", args, r.Code, proc.Tail(r.Stderr, 5))
		}
		// The request and its response body are logged: had the Secret's
		// data crossed the wire, it would be on stderr.
		if !strings.Contains(r.Stderr, "/namespaces/ingress-nginx/secrets") || !strings.Contains(r.Stderr, "Response Body") {
			t.Errorf("%v logged no Secret read and response body (nothing was tested):\n%s", args, proc.Tail(r.Stderr, 5))
		}
		for _, secret := range []string{sentinel, b64} {
			if strings.Contains(r.Stdout+r.Stderr, secret) {
				t.Errorf("%v printed the Secret's data (%s)", args, secret)
			}
		}
		if args[len(args)-1] == bundle {
			var rep result.Report
			if err := json.Unmarshal([]byte(r.Stdout), &rep); err != nil {
				t.Fatalf("%v: %v", args, err)
			}
			if got := plugintest.ByID(&rep)["secrets-tls-secret"]; got.Status != result.Pass {
				t.Errorf("secrets-tls-secret is %s with the Secret present: %s", got.Status, got.Message)
			}
		}
	}
	if n := leaktest.Files(t, bundle, sentinel, b64); n < 4 {
		t.Errorf("the evidence bundle holds %d files: nothing was searched", n)
	}
}

// urlCredentials runs every output of verify with a kubeconfig whose server
// address carries user info and a token in its query, and with --server
// carrying others. client-go keeps the user info in its base URL (Go's HTTP
// client sends it as a Basic header, which the API server ignores beside
// the client certificate that authenticates) and drops the query; verify
// reaches the cluster either way, and no output may carry either part.
func urlCredentials(t *testing.T, s *simCluster) {
	host := strings.TrimSuffix(s.c.Config.Host, "/")
	kc := s.kubeconfigVariant(t, func(c *clientcmdConfig) { c.server = plugintest.KubeconfigCredentials.In(host) })
	secrets := append(plugintest.KubeconfigCredentials.Secrets(), plugintest.FlagCredentials.Secrets()...)
	bundle := filepath.Join(t.TempDir(), "evidence")
	for _, args := range [][]string{
		{},
		{"--by-control"},
		{"-o", "json"},
		{"-o", "yaml"},
		{"-o", "junit"},
		{"-o", "html"},
		{"--evidence", bundle},
		{"-v=6"},
		{"-v=9", "-o", "json"},
		{"--server", plugintest.FlagCredentials.In(host), "-o", "json"},
	} {
		args = append([]string{"verify", "--kubeconfig", kc}, args...)
		r := tool(t, "", args...)
		if r.Code != 1 {
			t.Errorf("%v: exit code %d, want 1 (the cluster was reached; Flux is not bootstrapped)\n%s", args[3:], r.Code, proc.Tail(r.Stderr, 5))
		}
		for _, secret := range secrets {
			if strings.Contains(r.Stdout+r.Stderr, secret) {
				t.Errorf("%v printed %q", args[3:], secret)
			}
		}
		if !strings.Contains(r.Stdout+r.Stderr, host) && args[len(args)-1] != "junit" {
			t.Errorf("%v does not name the server %s", args[3:], host)
		}
	}
	if n := leaktest.Files(t, bundle, secrets...); n < 4 {
		t.Errorf("the evidence bundle holds %d files: nothing was searched", n)
	}
	b, err := os.ReadFile(filepath.Join(bundle, "report.html"))
	if err != nil || !strings.Contains(string(b), host) {
		t.Errorf("report.html does not name the server %s without its credentials (%v)", host, err)
	}
}

// hostileText rewrites a terminal's title (OSC ... BEL), clears the screen
// (CSI 2J), starts a C1 CSI and reverses what follows (U+202E).
const hostileText = "evil\x1b]0;pwned\x07\x1b[2J\u009b31m\u202egpj.exe"

// controlCharacters runs a pod whose image carries hostileText where
// images must come from the ACR, and gives Gatekeeper's
// audit a violation naming it: the text view, its progress lines, -v=8's
// logged bodies, junit and the HTML page show escapes, never the raw
// characters; -o json and -o yaml keep the image's value, in escapes.
func controlCharacters(t *testing.T, s *simCluster) {
	image := "docker.io/library/" + hostileText + ":1"
	// Flux is not bootstrapped here, so the reference's namespaces are not
	// synced: a namespace of our own, which the image rules cover.
	const ns = "e2e-hostile"
	if _, err := s.cs.CoreV1().Namespaces().Create(ctxFor(t, time.Minute), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// Not waited for (kwok did not mark a pod with this image Running in
	// two minutes): verify reads pods in any phase.
	created, err := s.cs.CoreV1().Pods(ns).Create(ctxFor(t, time.Minute), &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "hostile", Namespace: ns},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pod := created.Name
	name := s.allowedImagesConstraint(t)
	violations, _ := json.Marshal(map[string]any{"status": map[string]any{"auditTimestamp": "2026-11-26T09:00:00Z", "totalViolations": 1,
		"violations": []any{map[string]any{"kind": "Pod", "namespace": ns, "name": pod, "enforcementAction": "deny",
			"message": "Container image " + image + " for container app has not been allowed."}}}})
	s.patchStatus(t, gvrAllowedImages, "", name, string(violations))
	t.Cleanup(func() {
		s.patchStatus(t, gvrAllowedImages, "", name, `{"status":{"auditTimestamp":null,"totalViolations":0,"violations":null}}`)
		s.delete(t, gvrPods, ns, pod)
	})

	raw := []string{"\x1b", "\x07", "\u009b", "\u202e"}
	bundle := filepath.Join(t.TempDir(), "evidence")
	for _, args := range [][]string{
		{},
		{"--by-control"},
		{"-v=8", "--checks", "images-allowed-registry"},
		{"-o", "junit"},
		{"-o", "html"},
		{"-o", "json", "--evidence", bundle},
		{"-o", "yaml"},
	} {
		args = append([]string{"verify", "--kubeconfig", s.c.Kubeconfig}, args...)
		r := tool(t, "", args...)
		if r.Code != 1 {
			t.Errorf("%v: exit code %d, want 1\n%s", args[3:], r.Code, proc.Tail(r.Stderr, 5))
		}
		for _, c := range raw {
			if i := strings.Index(r.Stdout+r.Stderr, c); i >= 0 {
				out := r.Stdout + r.Stderr
				t.Errorf("%v wrote %q raw: …%q…", args[3:], c, out[max(0, i-60):min(len(out), i+20)])
			}
		}
		if !strings.Contains(r.Stdout+r.Stderr, "gpj.exe") {
			t.Errorf("%v never names the hostile image (nothing was tested)", args[3:])
		}
		var rep result.Report
		switch args[len(args)-1] {
		case "yaml":
			if err := yaml.Unmarshal([]byte(r.Stdout), &rep); err != nil {
				t.Fatalf("-o yaml: %v", err)
			}
		case bundle:
			if err := json.Unmarshal([]byte(r.Stdout), &rep); err != nil {
				t.Fatalf("-o json: %v", err)
			}
		default:
			continue
		}
		got := plugintest.ByID(&rep)["images-allowed-registry"]
		if got.Status != result.Fail || !strings.Contains(got.Message, image) {
			t.Errorf("%v: images-allowed-registry is %s and does not carry the image as the cluster holds it: %q", args[3:], got.Status, got.Message)
		}
	}
	if n := leaktest.Files(t, bundle, raw...); n < 4 {
		t.Errorf("the evidence bundle holds %d files: nothing was searched", n)
	}
}

func randomHex(t *testing.T) string {
	t.Helper()
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
