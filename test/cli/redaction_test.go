package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/sanitize"
	"github.com/aksbaseline/kubectl-aksbaseline/test/leaktest"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// TestEveryOutputIsRedactedAndEscaped runs verify against a real API
// server with a credentialed server address and a pod whose image carries
// terminal control sequences and a bidi override: stdout and stderr of
// every format, and every file of the evidence bundle (report.html among
// them), carry neither the credentials nor a raw control character, and
// still name the server and the image.
func TestEveryOutputIsRedactedAndEscaped(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cs, err := kubernetes.NewForConfig(cluster.Config)
	if err != nil {
		t.Fatal(err)
	}
	const ns = "redaction-hostile"
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) })
	// A placeholder registry, so images-placeholders names the image.
	image := "REPLACE_ME_WITH_YOUR_ACRNAME.azurecr.io/evil\x1b]0;pwned\x07\x1b[2J\u009b31m\u202egpj.exe:1"
	if _, err := cs.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "hostile"},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image}}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	kc, host := credentialedKubeconfig(t)
	credentials := plugintest.KubeconfigCredentials.Secrets()
	raw := []string{"\x1b", "\x07", "\u009b", "\u202e"}
	bundle := filepath.Join(t.TempDir(), "evidence")
	for _, format := range []string{"text", "json", "yaml", "junit", "html"} {
		args := []string{"verify", "--kubeconfig", kc, "--checks", "images-placeholders,access-private-endpoint", "-o", format}
		if format == "json" {
			args = append(args, "--evidence", bundle)
		}
		r := runCmd(t, []string{"NO_COLOR=1"}, filepath.Join(pluginDir, "kubectl-aksbaseline"), args...)
		if r.Code != 1 {
			t.Errorf("-o %s: exit code %d, want 1 (the placeholder image fails)\n%s", format, r.Code, r)
		}
		out := r.Stdout + r.Stderr
		for _, s := range append(credentials, raw...) {
			if i := strings.Index(out, s); i >= 0 {
				t.Errorf("-o %s wrote %q: …%q…", format, s, out[max(0, i-40):min(len(out), i+20)])
			}
		}
		if !strings.Contains(out, "gpj.exe") || (format != "junit" && !strings.Contains(out, host)) {
			t.Errorf("-o %s does not name the image and the server %s (nothing was tested)", format, host)
		}
		if sanitize.Unsafe(strings.ReplaceAll(out, "\t", "")) {
			t.Errorf("-o %s wrote a raw control or bidi character", format)
		}
	}
	if n := leaktest.Files(t, bundle, append(credentials, raw...)...); n < 5 {
		t.Errorf("the evidence bundle holds %d files: nothing was searched", n)
	}
}
