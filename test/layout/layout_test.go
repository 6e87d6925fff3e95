package layout

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

const module = "github.com/aksbaseline/kubectl-aksbaseline"

// Every package outside test/ is linked into a binary (the plugin, the demo,
// the generators, the benchmarks): none may import testing, whose flags and
// helpers belong to test binaries only, and none may pull in test/, which
// holds only test suites and their test-only helpers.
func TestNoShippedPackageImportsTestingOrTest(t *testing.T) {
	pkgs := goList(t, "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}", "./cmd/...", "./hack/...", "./internal/...", "./pkg/...", "./manifests/...")
	if len(pkgs) == 0 {
		t.Fatal("go list found no packages")
	}
	for path, imports := range pkgs {
		for _, imp := range imports {
			if imp == "testing" {
				t.Errorf("%s imports testing; move what needs it into a _test.go file or a test-only helper under test/", path)
			}
		}
	}
	deps := goList(t, "-deps", "-f", "{{.ImportPath}}", "./cmd/...", "./hack/...", "./internal/...", "./pkg/...", "./manifests/...")
	for path := range deps {
		if strings.HasPrefix(path, module+"/test/") {
			t.Errorf("%s is linked into a binary; test/ is for test suites only", path)
		}
	}
	if _, ok := deps[module+"/hack/demo"]; !ok {
		t.Errorf("go list -deps did not list %s/hack/demo: the check looked at the wrong tree", module)
	}
}

// goList runs go list in the repository and returns, per line, the first
// field and the rest.
func goList(t *testing.T, args ...string) map[string][]string {
	t.Helper()
	root := plugintest.RepoRoot(t)
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	m := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 0 {
			m[f[0]] = f[1:]
		}
	}
	return m
}
