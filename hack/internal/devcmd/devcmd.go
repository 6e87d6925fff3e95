package devcmd

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Main runs a command's body; an error ends the process with a ✗ line on
// stderr and exit code 1, so make stops on it.
func Main(run func() error) {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "✗", err)
		os.Exit(1)
	}
}

// Binaries returns the plugin binary as an absolute path, so it still runs
// from another working directory, and kubectl from PATH. A benchmark
// compares the two; why says what kubectl is needed for.
func Binaries(plugin, why string) (pluginPath, kubectl string, err error) {
	if pluginPath, err = filepath.Abs(plugin); err != nil {
		return "", "", err
	}
	if kubectl, err = exec.LookPath("kubectl"); err != nil {
		return "", "", fmt.Errorf("kubectl not found on PATH: %s", why)
	}
	return pluginPath, kubectl, nil
}
