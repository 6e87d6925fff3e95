package layout

import (
	"strings"
	"testing"
)

// devPrefix holds what only the demo, the tests and the benches use (the
// simulated cluster, the control-plane binaries, a folder copier): none of it
// may reach the plugin a user installs, nor the packages it is built from.
const devPrefix = module + "/internal/dev/"

// shipped lists the package patterns a user's binary is built from: the
// plugin's main, the engines under pkg/ and the internals outside
// internal/dev.
var shipped = []string{"./cmd/...", "./pkg/...", "./manifests/...", "./internal/output/...", "./internal/yamlpos/..."}

func TestShippedCodeLinksNoDevPackage(t *testing.T) {
	deps := goList(t, append([]string{"-deps", "-f", "{{.ImportPath}}"}, shipped...)...)
	for _, want := range []string{"/cmd/kubectl-aksbaseline", "/pkg/cluster", "/pkg/plugin", "/internal/output", "/internal/yamlpos"} {
		if _, ok := deps[module+want]; !ok {
			t.Fatalf("go list -deps did not list %s%s: the check looked at the wrong tree", module, want)
		}
	}
	for path := range deps {
		if strings.HasPrefix(path, devPrefix) {
			t.Errorf("%s is linked into shipped code; internal/dev is for the demo, tests and benches only", path)
		}
	}
	// The same query over the demo must find the simulated cluster, or the
	// prefix above names a folder that no longer exists.
	demo := goList(t, "-deps", "-f", "{{.ImportPath}}", "./hack/demo")
	if _, ok := demo[devPrefix+"sim"]; !ok {
		t.Fatalf("go list -deps ./hack/demo did not list %ssim: the check looked for the wrong prefix", devPrefix)
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
		if strings.HasPrefix(path, devPrefix) {
			continue
		}
		if _, ok := plugin[path]; !ok {
			t.Errorf("%s is outside internal/dev but the plugin does not link it: move it under internal/dev or into the plugin", path)
		}
	}
}
