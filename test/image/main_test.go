package image

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/testbin"
)

// What the suite builds: any valid tag and URL work; COMMIT and
// BUILD_DATE stay the Makefile's (the checked-out commit and its time).
const (
	version = "v1.2.3"
	source  = "https://example.test/aksbaseline/kubectl-aksbaseline"
)

var (
	root      string
	work      string
	layoutDir string // the first build
	againDir  string // the second
	digests   [2]string
)

// TestMain builds the image twice, each into its own layout, before any
// test reads them.
func TestMain(m *testing.M) {
	code, err := buildTwice(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "setup:", err)
		code = 1
	}
	os.Exit(code)
}

func buildTwice(m *testing.M) (int, error) {
	var err error
	if root, err = testbin.RepoRoot(); err != nil {
		return 1, err
	}
	if work, err = os.MkdirTemp("", "aksbaseline-image-test-"); err != nil {
		return 1, err
	}
	defer os.RemoveAll(work)
	layoutDir, againDir = filepath.Join(work, "image"), filepath.Join(work, "image-again")
	for i, dir := range []string{layoutDir, againDir} {
		if digests[i], err = makeImage(dir); err != nil {
			return 1, err
		}
	}
	return m.Run(), nil
}

// makeImage runs 'make image' into dir and returns the digest it prints.
func makeImage(dir string) (string, error) {
	cmd := exec.Command("make", "-s", "--no-print-directory", "image", "VERSION="+version, "REPO_URL="+source, "IMAGE_DIR="+dir)
	cmd.Dir = root
	for _, kv := range os.Environ() {
		switch strings.SplitN(kv, "=", 2)[0] {
		case "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "VERSION", "REPO_URL", "COMMIT", "BUILD_DATE", "DIST_DIR", "IMAGE_DIR":
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("make image: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	return strings.TrimSpace(stdout.String()), nil
}

// git runs git in the repository and returns its trimmed output.
func git(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %v: %v", args, err)
	}
	return strings.TrimSpace(string(out))
}
