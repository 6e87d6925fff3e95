package plugintest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/testbin"
)

// Main is the body of a TestMain: it builds the plugin afresh
// (testbin.BuildPlugin), runs setup with the folder holding
// kubectl-aksbaseline and flux-aksbaseline, runs the tests and cleans up.
// setup may be nil; so may the cleanup it returns. It returns the exit code
// for os.Exit, 1 with the reason on stderr when the build or setup fails.
func Main(m *testing.M, setup func(pluginDir string) (cleanup func(), err error)) int {
	dir, removePlugin, err := testbin.BuildPlugin()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer removePlugin()
	if setup != nil {
		cleanup, err := setup(dir)
		if cleanup != nil {
			defer cleanup()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return m.Run()
}

// MainPlugin is Main for a suite that needs only the built
// kubectl-aksbaseline: it stores the binary's path in *binary.
func MainPlugin(m *testing.M, binary *string) int {
	return Main(m, func(dir string) (func(), error) {
		*binary = filepath.Join(dir, "kubectl-aksbaseline")
		return nil, nil
	})
}
