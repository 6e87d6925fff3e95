package flux_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/seed"
	"github.com/aksbaseline/kubectl-aksbaseline/manifests"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// manifests/versions.go states the Flux versions once; the controllers the
// demo and the end-to-end suite run (hack/tools/flux), the README and the
// extension era's fixture repeat them and must follow it.
func TestFluxVersionsFollowManifests(t *testing.T) {
	root := plugintest.RepoRoot(t)
	read := func(rel string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	run := map[string]bool{"source-controller": true, "kustomize-controller": true}

	t.Run("hack/tools/flux/go.mod", func(t *testing.T) {
		gomod := read("hack/tools/flux/go.mod")
		for _, c := range manifests.Components {
			if !run[c.Name] {
				continue
			}
			m := regexp.MustCompile(`(?m)^\s*(?:require\s+)?` + regexp.QuoteMeta(c.Module) + `\s+(v\S+)`).FindStringSubmatch(gomod)
			if m == nil {
				t.Errorf("hack/tools/flux/go.mod does not require %s (the demo and e2e run it)", c.Module)
			} else if m[1] != c.Version {
				t.Errorf("hack/tools/flux/go.mod builds %s %s, manifests/versions.go says %s", c.Name, m[1], c.Version)
			}
		}
	})

	t.Run("README", func(t *testing.T) {
		readme := strings.Join(strings.Fields(read("README.md")), " ")
		i := strings.Index(readme, "What it applies: the Flux install embedded in the binary (")
		if i < 0 {
			t.Fatal("README.md has no sentence 'What it applies: the Flux install embedded in the binary (...)'")
		}
		sentence := readme[i:]
		sentence = sentence[:strings.Index(sentence, ")")+1]
		want := []string{"Flux " + manifests.FluxVersion + ":"}
		if manifests.SourceControllerVersion == manifests.KustomizeControllerVersion {
			want = append(want, "source-controller and kustomize-controller "+manifests.KustomizeControllerVersion)
		} else {
			want = append(want, "source-controller "+manifests.SourceControllerVersion, "kustomize-controller "+manifests.KustomizeControllerVersion)
		}
		want = append(want, "helm-controller "+manifests.HelmControllerVersion, "notification-controller "+manifests.NotificationControllerVersion)
		for _, w := range want {
			if !strings.Contains(sentence, w) {
				t.Errorf("README's sentence %q lacks %q (manifests/versions.go)", sentence, w)
			}
		}
		if got, n := len(regexp.MustCompile(`\bv\d+\.\d+\.\d+`).FindAllString(sentence, -1)), len(want); got != n {
			t.Errorf("README's sentence %q names %d versions, want the %d of manifests/versions.go", sentence, got, n)
		}
	})

	t.Run("extension fixture", func(t *testing.T) {
		objs, err := seed.Objects(sim.EraExtension, seed.Options{})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, o := range objs {
			if o.GetKind() != "Deployment" || o.GetNamespace() != manifests.Namespace || !run[o.GetName()] {
				continue
			}
			c, _ := manifests.LookupComponent(o.GetName())
			containers, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
			for _, ct := range containers {
				image, _ := ct.(map[string]any)["image"].(string)
				if !strings.HasSuffix(image, "/"+c.Name+":"+c.Version) {
					t.Errorf("the extension era's %s runs %s, manifests/versions.go says %s", c.Name, image, c.Version)
				}
			}
			seen[c.Name] = true
		}
		for name := range run {
			if !seen[name] {
				t.Errorf("the extension era's fixture has no %s Deployment in %s", name, manifests.Namespace)
			}
		}
	})
}
