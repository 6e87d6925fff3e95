package configure

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"

	"github.com/blang/semver/v4"
	ssautil "github.com/fluxcd/pkg/ssa/utils"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/aksbaseline/kubectl-aksbaseline/manifests"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/fluxinstall"
)

// FluxFinding is a Flux install in the tree older than the supported
// window, or a Flux object at an API version current Flux removed.
type FluxFinding struct {
	File    string `json:"file"`
	Version string `json:"version"`
	Reason  string `json:"reason"`
}

func (f FluxFinding) String() string { return f.File + ": " + f.Reason }

// CheckFlux reports the scanned tree's Flux when it is older than window
// minors behind the embedded Flux (or its version cannot be told), and
// every gotk-sync.yaml object at an API version the embedded Flux no longer
// serves. A tree that does not install Flux has nothing to report.
func (t *Tree) CheckFlux(window int) ([]FluxFinding, error) {
	root, err := os.OpenRoot(t.root)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	var out []FluxFinding
	for _, folder := range []string{"flux-system", "."} {
		rel := path.Join(folder, componentsFile)
		if !isRegular(root, rel) {
			continue
		}
		objs, err := readObjects(root, rel)
		if err != nil {
			return nil, err
		}
		_, version, _ := describeInstall(objs)
		if reason := tooOld(version, window); reason != "" {
			out = append(out, FluxFinding{File: rel, Version: version, Reason: reason})
		}
		sync := path.Join(folder, syncFile)
		if isRegular(root, sync) {
			objs, err := readObjects(root, sync)
			if err != nil {
				return nil, err
			}
			for _, u := range objs {
				moved, _, _, err := fluxinstall.MoveManifest(u)
				if err != nil || moved != u {
					out = append(out, FluxFinding{File: sync, Version: u.GetAPIVersion(),
						Reason: fmt.Sprintf("%s %s/%s is at %s, which Flux %s no longer serves", u.GetKind(), u.GetNamespace(), u.GetName(), u.GetAPIVersion(), manifests.FluxVersion)})
				}
			}
		}
		break
	}
	return out, nil
}

// readObjects reads the Kubernetes objects of the file rel (slash-separated)
// under root; a file that does not parse is named in the error.
func readObjects(root *os.Root, rel string) ([]*unstructured.Unstructured, error) {
	b, err := root.ReadFile(filepath.FromSlash(rel))
	if err != nil {
		return nil, err
	}
	objs, err := ssautil.ReadObjects(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rel, err)
	}
	return objs, nil
}

// tooOld words why version is outside the window of the embedded Flux's
// minor and the window-1 before it; "" when inside.
func tooOld(version string, window int) string {
	cur := semver.MustParse(manifests.FluxVersion[1:])
	span := fmt.Sprintf("v%d.%d to v%d.%d", cur.Major, max(0, int(cur.Minor)-window+1), cur.Major, cur.Minor)
	if version == "" {
		return fmt.Sprintf("carries a Flux of unknown version (no version label, no tagged source-controller image); the supported window is %s", span)
	}
	v, err := semver.ParseTolerant(version)
	if err != nil {
		return fmt.Sprintf("carries Flux %q, not a version; the supported window is %s", version, span)
	}
	if v.Major == cur.Major && int(cur.Minor)-int(v.Minor) < window && v.LTE(cur) {
		return ""
	}
	if v.GT(cur) {
		return ""
	}
	return fmt.Sprintf("carries Flux %s, older than the supported window (%s): run 'configure --upgrade-flux'", version, span)
}
