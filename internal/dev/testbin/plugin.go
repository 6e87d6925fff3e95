package testbin

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// BuildPlugin builds the plugin from the working tree into a new temporary
// folder as kubectl-aksbaseline, with flux-aksbaseline beside it (the Flux
// plugin name), and returns the folder and a function that removes it. Tests
// always build afresh so they never run a stale binary.
func BuildPlugin() (dir string, cleanup func(), err error) {
	root, err := RepoRoot()
	if err != nil {
		return "", nil, err
	}
	dir, err = os.MkdirTemp("", "aksbaseline-plugin-")
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { _ = os.RemoveAll(dir) }
	bin := filepath.Join(dir, "kubectl-aksbaseline")
	cmd := exec.Command("go", "build", "-o", bin,
		"-ldflags", "-X github.com/aksbaseline/kubectl-aksbaseline/pkg/version.Version=v0.0.0-test -X github.com/aksbaseline/kubectl-aksbaseline/pkg/version.Commit=testcommit",
		"./cmd/kubectl-aksbaseline")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("building the plugin: %v\n%s", err, out)
	}
	if err := os.Symlink("kubectl-aksbaseline", filepath.Join(dir, "flux-aksbaseline")); err != nil {
		cleanup()
		return "", nil, err
	}
	return dir, cleanup, nil
}
