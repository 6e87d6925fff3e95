package verifier

import (
	"bytes"
	"maps"
	"slices"

	"sigs.k8s.io/yaml"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/openreports"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
)

// Files returns the folder's files by name: the OpenReports CRDs as the
// module ships them, one file per concern, and the kustomization listing
// them. The read-only role is derived from every check under p.
func Files(o Options, p *profile.Profile) (map[string][]byte, error) {
	schedule, err := o.Schedule()
	if err != nil {
		return nil, err
	}
	files := openreports.CRDManifests()
	docs := map[string][]any{
		"namespace.yaml":      {namespace()},
		"serviceaccount.yaml": {serviceAccount()},
		"rbac.yaml":           rbac(ReadRules(check.All(), p)),
		"cronjob.yaml":        {cronJob(o, schedule)},
		"networkpolicy.yaml":  {networkPolicy(o)},
		"resourcequota.yaml":  {resourceQuota()},
		"limitrange.yaml":     {limitRange()},
	}
	for name, objs := range docs {
		var buf bytes.Buffer
		for i, obj := range objs {
			b, err := yaml.Marshal(obj)
			if err != nil {
				return nil, err
			}
			if i > 0 {
				buf.WriteString("---\n")
			}
			buf.Write(b)
		}
		files[name] = buf.Bytes()
	}
	resources := slices.Sorted(maps.Keys(files))
	k, err := yaml.Marshal(map[string]any{"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": resources})
	if err != nil {
		return nil, err
	}
	files["kustomization.yaml"] = append([]byte("# The in-cluster verifier of kubectl-aksbaseline ('configure --add-verifier'): verify runs\n# hourly and writes its results into the OpenReports ClusterReport 'aksbaseline'.\n"), k...)
	return files, nil
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
