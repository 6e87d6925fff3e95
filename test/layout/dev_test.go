package layout

import (
	"strings"
	"testing"
)

// devOnly are the trees only the demo, the tests and the benches may link:
// the simulated cluster, the control-plane binaries and a folder copier
// (internal/dev), and the builder of snapshots from objects (clustertest).
var devOnly = []string{module + "/internal/dev", module + "/pkg/cluster/clustertest"}

func isDevOnly(path string) bool {
	for _, p := range devOnly {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// shippedPackages lists the packages a user's binary is built from or
// could be: the plugin's main, the engines under pkg/, the embedded
// manifests and the internals outside internal/dev.
func shippedPackages(t *testing.T) []string {
	var out []string
	for path := range goList(t, "-f", "{{.ImportPath}}", "./cmd/...", "./pkg/...", "./manifests/...", "./internal/...") {
		if !isDevOnly(path) {
			out = append(out, path)
		}
	}
	return out
}

func TestShippedCodeLinksNoDevPackage(t *testing.T) {
	deps := goList(t, append([]string{"-deps", "-f", "{{.ImportPath}}"}, shippedPackages(t)...)...)
	for _, want := range []string{"/cmd/kubectl-aksbaseline", "/pkg/cluster", "/pkg/plugin", "/internal/output", "/internal/yamlpos"} {
		if _, ok := deps[module+want]; !ok {
			t.Fatalf("go list -deps did not list %s%s: the check looked at the wrong tree", module, want)
		}
	}
	for path := range deps {
		if isDevOnly(path) {
			t.Errorf("%s is linked into shipped code; it is for the demo, tests and benches only", path)
		}
	}
	// The same query over the demo and the check tests must find both
	// trees, or a prefix above names a folder that no longer exists.
	demo := goList(t, "-deps", "-test", "-f", "{{.ImportPath}}", "./hack/demo", "./pkg/check")
	for _, want := range []string{module + "/internal/dev/sim", module + "/pkg/cluster/clustertest"} {
		if _, ok := demo[want]; !ok {
			t.Fatalf("go list -deps -test ./hack/demo ./pkg/check did not list %s: the check looked for the wrong tree", want)
		}
	}
}

// Every package under internal/ is either development infrastructure (under
// internal/dev) or linked into the plugin: a new internal package has to
// say which side it is on.
func TestInternalIsShippedOrDev(t *testing.T) {
	plugin := goList(t, "-deps", "-f", "{{.ImportPath}}", "./cmd/kubectl-aksbaseline")
	internal := goList(t, "-f", "{{.ImportPath}}", "./internal/...")
	if _, ok := internal[module+"/internal/output"]; !ok {
		t.Fatalf("go list ./internal/... did not list %s/internal/output: the check looked at the wrong tree", module)
	}
	for path := range internal {
		if isDevOnly(path) {
			continue
		}
		if _, ok := plugin[path]; !ok {
			t.Errorf("%s is outside internal/dev but the plugin does not link it: move it under internal/dev or into the plugin", path)
		}
	}
}
