package fluxinstall

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// moveObject returns live as it is written back at version to of target:
// the apiVersion changed (Flux's CRDs convert with strategy None), the
// fields the target replaced rewritten into their successors, the fields
// it dropped removed and named, status left to the server (a write of the
// main resource keeps it), and the managed fields moved to the new version
// so that later server-side applies do not trip over a version the CRD no
// longer serves.
func moveObject(live *unstructured.Unstructured, target *apiextensionsv1.CustomResourceDefinition, to string) (*movedObject, error) {
	m := &movedObject{live: live}
	u := live.DeepCopy()
	u.SetAPIVersion(target.Spec.Group + "/" + to)
	delete(u.Object, "status")
	if u.GetKind() == "Kustomization" {
		conv, err := convertKustomizationPatches(u)
		if err != nil {
			return nil, err
		}
		m.converted = conv
	}
	structural, err := targetSchema(target, to)
	if err != nil {
		return nil, err
	}
	pruned := structuralpruning.PruneWithOptions(u.Object, structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})
	sort.Strings(pruned)
	m.dropped = pruned
	if err := moveManagedFields(u, target.Spec.Group+"/"+to, pruned); err != nil {
		return nil, err
	}
	m.moved = u
	return m, nil
}

// targetSchema is the structural schema of version to of target.
func targetSchema(target *apiextensionsv1.CustomResourceDefinition, to string) (*structuralschema.Structural, error) {
	for i := range target.Spec.Versions {
		v := &target.Spec.Versions[i]
		if v.Name != to || v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
			continue
		}
		cs, err := compiledSchema(target, v)
		if err != nil {
			return nil, err
		}
		return cs.structural, nil
	}
	return nil, fmt.Errorf("CustomResourceDefinition %s has no schema for %s", target.Name, to)
}

// convertKustomizationPatches rewrites the v1beta1 patch fields, which v1
// removed, into spec.patches, which it kept: dropping them would change
// what the Kustomization applies. A strategic-merge patch becomes a patch
// whose target kustomize derives from the patch itself; a JSON 6902 patch
// keeps its target.
func convertKustomizationPatches(u *unstructured.Unstructured) ([]string, error) {
	spec, ok := u.Object["spec"].(map[string]any)
	if !ok {
		return nil, nil
	}
	var patches []any
	if p, ok := spec["patches"].([]any); ok {
		patches = p
	}
	var notes []string
	if sm, ok := spec["patchesStrategicMerge"].([]any); ok {
		for _, p := range sm {
			b, err := yaml.Marshal(p)
			if err != nil {
				return nil, err
			}
			patches = append(patches, map[string]any{"patch": string(b)})
		}
		delete(spec, "patchesStrategicMerge")
		notes = append(notes, "spec.patchesStrategicMerge → spec.patches")
	}
	if jp, ok := spec["patchesJson6902"].([]any); ok {
		for _, p := range jp {
			pm, _ := p.(map[string]any)
			ops, err := json.Marshal(pm["patch"])
			if err != nil {
				return nil, err
			}
			entry := map[string]any{"patch": string(ops)}
			if t, ok := pm["target"]; ok {
				entry["target"] = t
			}
			patches = append(patches, entry)
		}
		delete(spec, "patchesJson6902")
		notes = append(notes, "spec.patchesJson6902 → spec.patches")
	}
	if len(notes) > 0 {
		spec["patches"] = patches
	}
	return notes, nil
}

// moveManagedFields sets every managed-fields entry to apiVersion and
// removes the dropped fields from what they record.
func moveManagedFields(u *unstructured.Unstructured, apiVersion string, dropped []string) error {
	mfs := u.GetManagedFields()
	if len(mfs) == 0 {
		return nil
	}
	for i := range mfs {
		mfs[i].APIVersion = apiVersion
		if mfs[i].FieldsV1 == nil || len(dropped) == 0 {
			continue
		}
		var tree map[string]any
		if err := json.Unmarshal(mfs[i].FieldsV1.Raw, &tree); err != nil {
			return err
		}
		for _, d := range dropped {
			removeFieldPath(tree, d)
		}
		for _, f := range []string{"patchesStrategicMerge", "patchesJson6902"} {
			removeFieldPath(tree, "spec."+f)
		}
		raw, err := json.Marshal(tree)
		if err != nil {
			return err
		}
		mfs[i].FieldsV1 = &metav1.FieldsV1{Raw: raw}
	}
	u.SetManagedFields(mfs)
	return nil
}

// removeFieldPath removes "spec.a.b" from a fieldsV1 tree; a path through
// a list ("spec.a[0].b") removes the list's whole entry.
func removeFieldPath(tree map[string]any, path string) {
	if i := strings.Index(path, "["); i >= 0 {
		path = path[:i]
	}
	parts := strings.Split(path, ".")
	node := tree
	for i, p := range parts {
		key := "f:" + p
		if i == len(parts)-1 {
			delete(node, key)
			return
		}
		next, ok := node[key].(map[string]any)
		if !ok {
			return
		}
		node = next
	}
}
