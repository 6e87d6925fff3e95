package gitserver

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// What the demo and the suites rely on: a commit published from a folder is
// what a clone over HTTP sees, a second publish replaces the tree (removals
// included), and the real git client can push to the repository.
func TestPublishCloneAndPush(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not on PATH")
	}
	s, err := Start(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	url, err := s.Init("fork.git", "main")
	if err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	if err := os.Mkdir(filepath.Join(src, "a"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(src, "a", "one.yaml"), "one\n")
	write(t, filepath.Join(src, "two.yaml"), "two\n")
	first, err := s.Publish("fork.git", "main", src, "first")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(src, "two.yaml")); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(src, "a", "one.yaml"), "changed\n")
	second, err := s.Publish("fork.git", "main", src, "second")
	if err != nil {
		t.Fatal(err)
	}

	clone := filepath.Join(t.TempDir(), "clone")
	git(t, "", "clone", "--quiet", "--branch", "main", url, clone)
	if got := git(t, clone, "rev-parse", "HEAD"); got != second {
		t.Errorf("clone at %s, want the second commit %s", got, second)
	}
	if got := git(t, clone, "rev-parse", "HEAD~1"); got != first {
		t.Errorf("parent %s, want the first commit %s", got, first)
	}
	if b, _ := os.ReadFile(filepath.Join(clone, "a", "one.yaml")); string(b) != "changed\n" {
		t.Errorf("a/one.yaml = %q, want the published change", b)
	}
	if _, err := os.Stat(filepath.Join(clone, "two.yaml")); !os.IsNotExist(err) {
		t.Errorf("two.yaml survived its removal: %v", err)
	}

	write(t, filepath.Join(clone, "three.yaml"), "three\n")
	git(t, clone, "add", "three.yaml")
	git(t, clone, "commit", "--quiet", "-m", "pushed")
	git(t, clone, "push", "--quiet", "origin", "main")
	pushed := git(t, clone, "rev-parse", "HEAD")
	if got := git(t, "", "--git-dir", filepath.Join(s.root, "fork.git"), "rev-parse", "main"); got != pushed {
		t.Errorf("served main at %s after the push, want %s", got, pushed)
	}
}

func write(t *testing.T, p, content string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}
