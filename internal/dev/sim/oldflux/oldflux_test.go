package oldflux

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// TestFixtureIsCurrent fails when regenerating the fixture (make oldflux)
// would change it: someone edited it by hand, or changed the generator or
// its pinned modules without running it.
func TestFixtureIsCurrent(t *testing.T) {
	plugintest.Generated(t, "internal/dev/sim/oldflux/flux-system", func(ctx context.Context) (map[string][]byte, error) {
		out := t.TempDir()
		cmd := exec.CommandContext(ctx, "go", "run", ".", "-out", out)
		cmd.Dir = filepath.Join(plugintest.RepoRoot(t), "hack", "oldflux")
		if b, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("hack/oldflux: %v\n%s", err, b)
		}
		return plugintest.ReadFiles(t, out), nil
	}, "oldflux")
}

// The fixture is v0.8.1's shape: five CRDs served and stored at v1beta1
// alone, labelled app.kubernetes.io/instance only (so 'flux migrate',
// which selects part-of=flux, finds none of them).
func TestFixtureShape(t *testing.T) {
	crds, err := objects("gotk-crds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(crds) != 5 {
		t.Fatalf("%d CRDs, want v0.8.1's 5", len(crds))
	}
	for _, c := range crds {
		if l := c.GetLabels(); len(l) != 1 || l["app.kubernetes.io/instance"] != "flux-system" {
			t.Errorf("%s labels %v", c.GetName(), l)
		}
		vs, _, _ := unstructured.NestedSlice(c.Object, "spec", "versions")
		if len(vs) != 1 {
			t.Errorf("%s has %d versions", c.GetName(), len(vs))
			continue
		}
		v := vs[0].(map[string]any)
		if v["name"] != "v1beta1" || v["served"] != true || v["storage"] != true {
			t.Errorf("%s version %v %v %v", c.GetName(), v["name"], v["served"], v["storage"])
		}
	}
}
