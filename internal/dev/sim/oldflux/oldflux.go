package oldflux

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"time"

	ssautil "github.com/fluxcd/pkg/ssa/utils"
	"github.com/go-logr/logr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/crd"
)

// Version is the Flux release the fixture stands for.
const Version = "v0.8.1"

//go:embed flux-system/*.yaml
var files embed.FS

// Files lists the fixture folder's files, kustomization.yaml among them.
func Files() []string {
	entries, _ := files.ReadDir("flux-system")
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// WriteFolder writes the reference's flux-system folder at v0.8.1 into dir
// (created if missing), as a fork of the reference holds it.
func WriteFolder(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, name := range Files() {
		b, err := files.ReadFile(path.Join("flux-system", name))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// objects reads one file of the fixture.
func objects(name string) ([]*unstructured.Unstructured, error) {
	b, err := files.ReadFile(path.Join("flux-system", name))
	if err != nil {
		return nil, err
	}
	return ssautil.ReadObjects(bytes.NewReader(b))
}

// CRDNames are the five CRDs v0.8.1 installed.
func CRDNames() ([]string, error) {
	crds, err := objects("gotk-crds.yaml")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range crds {
		out = append(out, c.GetName())
	}
	return out, nil
}

// Options say what Install puts on the cluster beside the controllers.
type Options struct {
	// URL is the flux-system GitRepository's; "" leaves the reference's
	// placeholder URL.
	URL string
	// Teams adds, in each of this many namespaces team-NN, a v1beta1
	// GitRepository and a Kustomization reconciling it.
	Teams int
	// PerTeam is how many GitRepository+Kustomization pairs each team
	// namespace holds (default 1).
	PerTeam int
	// TeamURL gives a team namespace's repository URL; nil names one on
	// GitHub that nothing fetches.
	TeamURL func(ns string) string
	// SelfManaged labels the Flux CRDs and controllers as v0.8.1's
	// kustomize-controller did once the flux-system Kustomization had
	// applied its own folder: Flux manages itself from Git.
	SelfManaged bool
}

// Install creates Flux v0.8.1 on the cluster cfg points at, as the
// reference's walkthrough did ('kubectl apply -f gotk-crds.yaml', then the
// folder), plus o's objects; everything is created, so the cluster must
// have no Flux yet. It returns the number of Flux objects created.
func Install(ctx context.Context, cfg *rest.Config, o Options) (int, error) {
	// The client logs through controller-runtime; its complaint about an
	// unset logger (with a stack) would bury the bench's and tests' output.
	ctrllog.SetLogger(logr.Discard())
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		return 0, err
	}
	crds, err := objects("gotk-crds.yaml")
	if err != nil {
		return 0, err
	}
	var names []string
	for _, u := range crds {
		names = append(names, u.GetName())
		selfManaged(u, o.SelfManaged)
		if err := create(ctx, c, u); err != nil {
			return 0, err
		}
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := crd.WaitEstablished(wctx, c, 100*time.Millisecond, names...); err != nil {
		return 0, err
	}
	// The folder's LimitRange and ResourceQuota are left to Flux once it
	// runs: the quota's admission refuses the controllers' Deployments
	// until the quota controller has counted (envtest runs none).
	var rest []*unstructured.Unstructured
	for _, f := range []string{"namespace.yaml", "gotk-components.yaml"} {
		objs, err := objects(f)
		if err != nil {
			return 0, err
		}
		rest = append(rest, objs...)
	}
	sync, err := objects("gotk-sync.yaml")
	if err != nil {
		return 0, err
	}
	for _, u := range rest {
		if u.GetKind() == "Deployment" {
			selfManaged(u, o.SelfManaged)
		}
		if err := create(ctx, c, u); err != nil {
			return 0, err
		}
	}
	n := 0
	for _, u := range sync {
		if o.URL != "" && u.GetKind() == "GitRepository" {
			_ = unstructured.SetNestedField(u.Object, o.URL, "spec", "url")
		}
		if err := create(ctx, c, u); err != nil {
			return n, err
		}
		n++
	}
	per := max(o.PerTeam, 1)
	for t := range o.Teams {
		ns := fmt.Sprintf("team-%02d", t+1)
		nsObj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}}}
		if err := create(ctx, c, nsObj); err != nil {
			return n, err
		}
		url := "https://github.com/contoso/" + ns
		if o.TeamURL != nil {
			url = o.TeamURL(ns)
		}
		for i := range per {
			for _, u := range TeamObjects(ns, fmt.Sprintf("app-%03d", i+1), url) {
				if err := create(ctx, c, u); err != nil {
					return n, err
				}
				n++
			}
		}
	}
	return n, nil
}

// TeamObjects are one team's sync pair at v1beta1, as teams wrote them in
// 2021: a GitRepository and a Kustomization with the fields v1 dropped
// (validation, and a strategic-merge patch in the old field).
func TeamObjects(ns, name, url string) []*unstructured.Unstructured {
	repo := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "source.toolkit.fluxcd.io/v1beta1", "kind": "GitRepository",
		"metadata": map[string]any{"name": name, "namespace": ns},
		"spec": map[string]any{
			"interval": "5m", "url": url, "timeout": "60s",
			"ref": map[string]any{"branch": "main"}, "gitImplementation": "go-git",
		},
	}}
	ks := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1beta1", "kind": "Kustomization",
		"metadata": map[string]any{"name": name, "namespace": ns},
		"spec": map[string]any{
			"interval": "10m", "path": "./deploy", "prune": true, "validation": "client", "targetNamespace": ns,
			"sourceRef": map[string]any{"kind": "GitRepository", "name": name},
			"patchesStrategicMerge": []any{map[string]any{
				"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": "web"},
				"spec": map[string]any{"replicas": int64(2)},
			}},
		},
	}}
	return []*unstructured.Unstructured{repo, ks}
}

// selfManaged labels u as applied by the flux-system Kustomization.
func selfManaged(u *unstructured.Unstructured, on bool) {
	if !on {
		return
	}
	l := u.GetLabels()
	if l == nil {
		l = map[string]string{}
	}
	l["kustomize.toolkit.fluxcd.io/name"] = "flux-system"
	l["kustomize.toolkit.fluxcd.io/namespace"] = "flux-system"
	u.SetLabels(l)
}

// fieldManager is the one 'kubectl apply' records, which the walkthrough ran.
const fieldManager = "kubectl-client-side-apply"

func create(ctx context.Context, c client.Client, u *unstructured.Unstructured) error {
	if err := c.Create(ctx, u, client.FieldOwner(fieldManager)); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("%s: %w", ssautil.FmtUnstructured(u), err)
	}
	return nil
}
