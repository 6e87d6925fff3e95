package layout

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// maxTrackedSize is the house limit on one tracked file: build outputs (a
// 95 MB bench binary once landed at the root) do not belong in a clone, and
// generated manifests and fixtures stay well below it.
const maxTrackedSize = 1 << 20

func TestNoTrackedFileOverOneMiB(t *testing.T) {
	root := plugintest.RepoRoot(t)
	cmd := exec.Command("git", "ls-files", "-z")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	files := bytes.Split(bytes.TrimRight(out, "\x00"), []byte{0})
	if len(files) < 100 {
		t.Fatalf("git ls-files listed %d files: the check looked at the wrong tree", len(files))
	}
	for _, f := range files {
		fi, err := os.Lstat(filepath.Join(root, string(f)))
		if os.IsNotExist(err) {
			continue // deleted in the work tree, not yet committed
		}
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > maxTrackedSize {
			t.Errorf("%s is tracked and has %d bytes (limit %d): build outputs are ignored, not committed", f, fi.Size(), maxTrackedSize)
		}
	}
}
