package seed

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

type policy struct {
	Name               string         `json:"name"`
	Kind               string         `json:"kind"`
	EnforcementAction  string         `json:"enforcementAction"`
	ExcludedNamespaces []string       `json:"excludedNamespaces"`
	Namespaces         []string       `json:"namespaces"`
	Kinds              []any          `json:"kinds"`
	Parameters         map[string]any `json:"parameters"`
}

// policyObjects builds, per row of fixtures/policies.yaml, what Gatekeeper
// and the Azure Policy add-on would leave: the ConstraintTemplate, the
// constraint CRD Gatekeeper generates from it, and the constraint with the
// status of an audit that found no violation.
func policyObjects(d fixtureData) (crds, objs []*unstructured.Unstructured, err error) {
	b, err := fixtures.ReadFile("fixtures/policies.yaml")
	if err != nil {
		return nil, nil, err
	}
	if b, err = render("fixtures/policies.yaml", b, d); err != nil {
		return nil, nil, err
	}
	var ps []policy
	if err := yaml.Unmarshal(b, &ps); err != nil {
		return nil, nil, fmt.Errorf("fixtures/policies.yaml: %w", err)
	}
	preserve := map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}
	for _, p := range ps {
		ct := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "templates.gatekeeper.sh/v1",
			"kind":       "ConstraintTemplate",
			"metadata": map[string]any{
				"name":   p.Name,
				"labels": map[string]any{"managed-by": "azure-policy-addon"},
			},
			"spec": map[string]any{
				"crd": map[string]any{"spec": map[string]any{
					"names":      map[string]any{"kind": p.Kind},
					"validation": map[string]any{"openAPIV3Schema": preserve},
				}},
				"targets": []any{map[string]any{
					"target": "admission.k8s.gatekeeper.sh",
					// No Gatekeeper runs here: the policy body is never evaluated.
					"rego": "package " + p.Name + "\n\nviolation[{\"msg\": msg}] {\n  false\n  msg := \"simulated\"\n}\n",
				}},
			},
			"status": map[string]any{"created": true},
		}}
		objs = append(objs, ct)

		plural := strings.ToLower(p.Kind)
		version := func(name string, storage bool) map[string]any {
			return map[string]any{
				"name": name, "served": true, "storage": storage,
				"subresources": map[string]any{"status": map[string]any{}},
				"schema": map[string]any{"openAPIV3Schema": map[string]any{
					"type": "object",
					"properties": map[string]any{
						"spec": map[string]any{
							"type":                                 "object",
							"x-kubernetes-preserve-unknown-fields": true,
							"properties": map[string]any{
								"enforcementAction": map[string]any{"type": "string"},
								"match":             preserve,
								"parameters":        preserve,
							},
						},
						"status": preserve,
					},
				}},
			}
		}
		crds = append(crds, &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "apiextensions.k8s.io/v1",
			"kind":       "CustomResourceDefinition",
			"metadata": map[string]any{
				"name":   plural + ".constraints.gatekeeper.sh",
				"labels": map[string]any{"gatekeeper.sh/constraint": "yes"},
			},
			"spec": map[string]any{
				"group": "constraints.gatekeeper.sh",
				"scope": "Cluster",
				"names": map[string]any{
					"kind": p.Kind, "listKind": p.Kind + "List", "plural": plural, "singular": plural,
					"categories": []any{"constraint", "constraints"},
				},
				"versions": []any{version("v1beta1", true), version("v1alpha1", false)},
			},
		}})

		match := map[string]any{"kinds": p.Kinds}
		if len(p.ExcludedNamespaces) > 0 {
			match["excludedNamespaces"] = toAny(p.ExcludedNamespaces)
		}
		if len(p.Namespaces) > 0 {
			match["namespaces"] = toAny(p.Namespaces)
		}
		spec := map[string]any{"enforcementAction": p.EnforcementAction, "match": match}
		if p.Parameters != nil {
			spec["parameters"] = p.Parameters
		}
		sum := sha1.Sum([]byte(d.ClusterName + "/" + p.Name))
		objs = append(objs, &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "constraints.gatekeeper.sh/v1beta1",
			"kind":       p.Kind,
			"metadata": map[string]any{
				"name":   "azurepolicy-" + p.Name + "-" + hex.EncodeToString(sum[:])[:20],
				"labels": map[string]any{"managed-by": "azure-policy-addon"},
			},
			"spec": spec,
			// Gatekeeper's audit has run and found nothing, as on the
			// healthy reference; no controller here would write it.
			"status": map[string]any{"totalViolations": int64(0)},
		}})
	}
	return crds, objs, nil
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
