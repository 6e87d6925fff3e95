package plugin

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
)

// A file name or context planted in a bundle reaches the terminal as text,
// never as an escape sequence.
func TestEvidenceVerifyPrintsHostileNamesAsText(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{"SHA256SUMS": "", "\x1b]0;pwned\x07": "x", "evil\u202etxt.sj": "y"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out, errOut bytes.Buffer
	root := NewRootCommand(genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, "kubectl-aksbaseline")
	root.SetArgs([]string{"evidence", "verify", dir, "--allow-unsigned"})
	err := root.Execute()
	if exitcode.Code(err) != exitcode.Failed {
		t.Fatalf("want exit 1 for files SHA256SUMS does not list: %v\n%s", err, out.String())
	}
	if strings.ContainsAny(out.String(), "\x1b\x07\u202e") || !strings.Contains(out.String(), `\x1b]0;pwned\x07`) {
		t.Errorf("a control character reached the terminal:\n%q", out.String())
	}
}

func TestEvidenceVerifyNeedsAKey(t *testing.T) {
	var out, errOut bytes.Buffer
	root := NewRootCommand(genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, "kubectl-aksbaseline")
	root.SetArgs([]string{"evidence", "verify", t.TempDir()})
	if err := root.Execute(); exitcode.Code(err) != exitcode.CouldNotCheck || !strings.Contains(err.Error(), "--key") {
		t.Errorf("no --key: want exit 2 naming --key, got %v", err)
	}
}
