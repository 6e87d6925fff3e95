package plugintest

import (
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/dircopy"
)

// CopyTree copies the folder src to dst (dircopy.Copy), so a test can let
// the plugin change a fixture without touching the repository's copy.
func CopyTree(t testing.TB, src, dst string) {
	t.Helper()
	if err := dircopy.Copy(src, dst); err != nil {
		t.Fatal(err)
	}
}
