package verify

import (
	"flag"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/testbin"
	"github.com/aksbaseline/kubectl-aksbaseline/test/golden"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var (
	serverURL = regexp.MustCompile(`https://127\.0\.0\.1:[0-9]+/?`)
	elapsed   = regexp.MustCompile(` in [0-9.]+m?s\n`)
	junitTime = regexp.MustCompile(`(time|timestamp)="[^"]*"`)
	jsonTime  = regexp.MustCompile(`"(startTime|duration|clusterID)": "[^"]*"`)
	// The control plane's version follows KUBE_VERSION (make testbin): only
	// that version is blanked, so PCI DSS requirement numbers (1.2.1) and
	// controller versions (v1.9.5) stay as they are.
	kubeVersion = controlPlaneVersion()
)

// controlPlaneVersion matches the version of the binaries the tests run
// (their set's folder is named kube-vMAJOR.MINOR.PATCH), in full or as
// MAJOR.MINOR, with or without the v.
func controlPlaneVersion() *regexp.Regexp {
	dir, err := testbin.Dir()
	if err != nil {
		return regexp.MustCompile(`$^`) // TestMain reports the missing binaries
	}
	v := strings.TrimPrefix(filepath.Base(dir), "kube-v")
	major, rest, _ := strings.Cut(v, ".")
	minor, patch, _ := strings.Cut(rest, ".")
	return regexp.MustCompile(`\bv?` + regexp.QuoteMeta(major+"."+minor) + `(\.` + regexp.QuoteMeta(patch) + `)?\b`)
}

// normalize blanks what changes from run to run or machine to machine: the
// control plane's port and version, times and durations, and the
// kube-system UID that names each control plane.
func normalize(b []byte) []byte {
	b = serverURL.ReplaceAll(b, []byte("https://127.0.0.1:PORT"))
	b = elapsed.ReplaceAll(b, []byte(" in ELAPSED\n"))
	b = junitTime.ReplaceAll(b, []byte(`$1="X"`))
	b = jsonTime.ReplaceAll(b, []byte(`"$1": "X"`))
	return kubeVersion.ReplaceAll(b, []byte("K8S_VERSION"))
}

func matchGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, name, normalize(got), *update, "go test ./test/verify -run TestErasOnEnvtest")
}
