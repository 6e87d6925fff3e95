package seed

import (
	"bufio"
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"text/template"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
)

//go:embed fixtures
var fixtures embed.FS

type fixtureData struct {
	Era                                        sim.Era
	ACRName, ClusterName, Region, KeyVaultName string
	SubscriptionID, TenantID, IngressClientID  string
	GitURL, GitBranch                          string
}

func dataFor(era sim.Era, opts Options) fixtureData {
	d := fixtureData{Era: era, ACRName: sim.ACRName, ClusterName: sim.ClusterName, KeyVaultName: sim.KeyVaultName,
		SubscriptionID: sim.SubscriptionID, TenantID: sim.TenantID, IngressClientID: sim.IngressClientID,
		GitURL: opts.GitURL, GitBranch: opts.GitBranch, Region: era.Region()}
	if d.GitURL == "" {
		d.GitURL = sim.DefaultGitURL
	}
	if d.GitBranch == "" {
		d.GitBranch = "main"
	}
	return d
}

// Objects returns everything Apply applies except Nodes and the TLS Secret,
// CRDs first, rendered for era.
func Objects(era sim.Era, opts Options) ([]*unstructured.Unstructured, error) {
	if _, err := sim.ParseEra(string(era)); err != nil {
		return nil, err
	}
	d := dataFor(era, opts)
	var crds, objs []*unstructured.Unstructured
	add := func(dst *[]*unstructured.Unstructured, file string, templated bool) error {
		b, err := fixtures.ReadFile(file)
		if err != nil {
			return err
		}
		if templated {
			if b, err = render(file, b, d); err != nil {
				return err
			}
		}
		us, err := decode(b)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		*dst = append(*dst, us...)
		return nil
	}
	crdFiles := []string{
		"fixtures/crds/upstream/templates.gatekeeper.sh_constrainttemplates.yaml",
		"fixtures/crds/upstream/secrets-store.csi.x-k8s.io_secretproviderclasses.yaml",
		"fixtures/crds/upstream/secrets-store.csi.x-k8s.io_secretproviderclasspodstatuses.yaml",
	}
	if era.PodIdentityCRDs() {
		crdFiles = append(crdFiles, "fixtures/crds/upstream/aadpodidentity.k8s.io.yaml")
	}
	if era.FluxFromExtension() {
		flux, _ := fs.Glob(fixtures, "fixtures/crds/upstream/flux/*.yaml")
		crdFiles = append(crdFiles, flux...)
		crdFiles = append(crdFiles, "fixtures/crds/own/fluxconfigs.clusterconfig.azure.com.yaml")
	}
	for _, f := range crdFiles {
		if err := add(&crds, f, false); err != nil {
			return nil, err
		}
	}
	pcrds, pobjs, err := policyObjects(d)
	if err != nil {
		return nil, err
	}
	crds = append(crds, pcrds...)
	dirs := []string{"fixtures/platform"}
	if !opts.SkipGitOps {
		dirs = append(dirs, "fixtures/gitops")
	}
	for _, dir := range dirs {
		files, _ := fs.Glob(fixtures, dir+"/*.yaml")
		for _, f := range files {
			if err := add(&objs, f, true); err != nil {
				return nil, err
			}
		}
	}
	objs = append(objs, pobjs...)
	// Namespaces before what lives in them.
	sort.SliceStable(objs, func(i, j int) bool {
		return objs[i].GetKind() == "Namespace" && objs[j].GetKind() != "Namespace"
	})
	return append(crds, objs...), nil
}

// FluxCRDs returns the CRDs of the Flux controllers that hack/tools/flux
// builds (copied by gencrds.sh), for tests that run them without the
// bootstrap command's embedded install.
func FluxCRDs() ([]*unstructured.Unstructured, error) {
	files, _ := fs.Glob(fixtures, "fixtures/crds/upstream/flux/*.yaml")
	var out []*unstructured.Unstructured
	for _, f := range files {
		b, err := fixtures.ReadFile(f)
		if err != nil {
			return nil, err
		}
		us, err := decode(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out = append(out, us...)
	}
	return out, nil
}

func render(name string, b []byte, d fixtureData) ([]byte, error) {
	t, err := template.New(name).Option("missingkey=error").Funcs(template.FuncMap{
		"list": func(s ...string) []string { return s },
	}).Parse(string(b))
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func decode(b []byte) ([]*unstructured.Unstructured, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(b)))
	var out []*unstructured.Unstructured
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		j, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(j)) == 0 || string(bytes.TrimSpace(j)) == "null" {
			continue
		}
		// Unstructured's own decoder keeps integers as int64.
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(j); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
}
