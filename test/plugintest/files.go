package plugintest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/testbin"
)

// RepoRoot is testbin.RepoRoot for a test: the repository's top folder.
func RepoRoot(t testing.TB) string {
	t.Helper()
	root, err := testbin.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// WriteFile writes content to path, making its folder first, and returns
// path.
func WriteFile(t testing.TB, path, content string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Kubeconfig writes a kubeconfig whose one context reaches server (its
// certificate unchecked) as the user whose YAML fields, indented by four
// spaces, are user; it returns the file's path.
func Kubeconfig(t testing.TB, server, user string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kubeconfig")
	kc := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: %s
    insecure-skip-tls-verify: true
contexts:
- name: c
  context: {cluster: c, user: u}
current-context: c
users:
- name: u
  user:
%s
`, server, user)
	if err := os.WriteFile(p, []byte(kc), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
