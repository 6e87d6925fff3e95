package release

import (
	"fmt"
	"os"
	"os/exec"
)

// Build compiles the main package pkg for p into out as every shipped
// binary is built: static (no cgo), -trimpath so no path of this machine
// is recorded, and ldflags stamping the version, commit and commit time.
// Go's output goes to stderr.
func Build(pkg, ldflags string, p Platform, out string) error {
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", ldflags, "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+p.OS, "GOARCH="+p.Arch)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build for %s: %w", p, err)
	}
	return nil
}
