package fluxinstall

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
)

// Why custom resources are validated client-side first.
//
// The sync objects (GitRepository, Kustomization) are custom resources whose
// CRDs come in the same set. On a fresh cluster the API server does not know
// their kinds until stage one has been applied, so a server-side dry-run of
// them before the first write is impossible ("no matches for kind"), and
// applying the CRDs just to dry-run them would be a write. They are therefore
// checked against the OpenAPI schema of the CRD in the set with the API
// server's own code (k8s.io/apiextensions-apiserver: pruning for unknown
// fields, as strict field validation does; defaulting; the OpenAPI schema
// validator; the CRD's CEL rules; object-meta rules) — the same checks the
// server runs for a custom resource, minus admission webhooks. Once the CRDs
// are established, stage two sends every object through a server-side
// dry-run again before writing it, so admission still has the last word.

// crdIndex finds the CRD of a kind among the set's objects.
type crdIndex map[schema.GroupKind]*apiextensionsv1.CustomResourceDefinition

func indexCRDs(objs []object) (crdIndex, error) {
	idx := crdIndex{}
	for _, o := range objs {
		if o.GetKind() != "CustomResourceDefinition" || o.GroupVersionKind().Group != apiextensionsv1.GroupName {
			continue
		}
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, crd); err != nil {
			return nil, fmt.Errorf("%s: %w", o.ref(), err)
		}
		idx[schema.GroupKind{Group: crd.Spec.Group, Kind: crd.Spec.Names.Kind}] = crd
	}
	return idx, nil
}

// validateCustomResource checks u against crd's schema for u's version.
func validateCustomResource(ctx context.Context, crd *apiextensionsv1.CustomResourceDefinition, u *unstructured.Unstructured) field.ErrorList {
	gv := u.GroupVersionKind()
	var version *apiextensionsv1.CustomResourceDefinitionVersion
	for i := range crd.Spec.Versions {
		if crd.Spec.Versions[i].Name == gv.Version {
			version = &crd.Spec.Versions[i]
		}
	}
	if version == nil || !version.Served {
		return field.ErrorList{field.NotSupported(field.NewPath("apiVersion"), u.GetAPIVersion(), servedVersions(crd))}
	}
	var errs field.ErrorList
	scope := crd.Spec.Scope == apiextensionsv1.NamespaceScoped
	errs = append(errs, validation.ValidateObjectMetaAccessor(u, scope, validation.NameIsDNSSubdomain, field.NewPath("metadata"))...)
	if version.Schema == nil || version.Schema.OpenAPIV3Schema == nil {
		return errs
	}
	cs, err := compiledSchema(crd, version)
	if err != nil {
		return append(errs, field.InternalError(nil, err))
	}
	obj := runtime.DeepCopyJSON(u.Object)
	for _, p := range structuralpruning.PruneWithOptions(obj, cs.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true}) {
		errs = append(errs, field.Invalid(field.NewPath(p), "", "unknown field"))
	}
	structuraldefaulting.Default(obj, cs.structural)
	errs = append(errs, apiservervalidation.ValidateCustomResource(nil, obj, cs.validator)...)
	if celErrs, _ := cs.cel.Validate(ctx, nil, cs.structural, obj, nil, celconfig.RuntimeCELCostBudget); len(celErrs) > 0 {
		errs = append(errs, celErrs...)
	}
	return errs
}

// schemaOf is one version's schema of a CRD, compiled once: the upgrade
// validates a thousand objects of a kind, and compiling the CEL rules for
// each would cost more than the API server's own validation.
type schemaOf struct {
	structural *structuralschema.Structural
	validator  apiservervalidation.SchemaValidator
	cel        *cel.Validator
}

type schemaKey struct {
	crd     *apiextensionsv1.CustomResourceDefinition
	version string
}

var compiledSchemas sync.Map // schemaKey → *schemaOf

// compiledSchema compiles version's schema of crd, or returns it compiled.
func compiledSchema(crd *apiextensionsv1.CustomResourceDefinition, version *apiextensionsv1.CustomResourceDefinitionVersion) (*schemaOf, error) {
	key := schemaKey{crd, version.Name}
	if cs, ok := compiledSchemas.Load(key); ok {
		return cs.(*schemaOf), nil
	}
	internal := &apiextensions.JSONSchemaProps{}
	if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(version.Schema.OpenAPIV3Schema, internal, nil); err != nil {
		return nil, err
	}
	structural, err := structuralschema.NewStructural(internal)
	if err != nil {
		return nil, fmt.Errorf("CRD %s has no structural schema: %w", crd.Name, err)
	}
	validator, _, err := apiservervalidation.NewSchemaValidator(internal)
	if err != nil {
		return nil, err
	}
	cs := &schemaOf{structural: structural, validator: validator, cel: cel.NewValidator(structural, true, celconfig.PerCallLimit)}
	compiledSchemas.Store(key, cs)
	return cs, nil
}

func servedVersions(crd *apiextensionsv1.CustomResourceDefinition) []string {
	var out []string
	for _, v := range crd.Spec.Versions {
		if v.Served {
			out = append(out, crd.Spec.Group+"/"+v.Name)
		}
	}
	return out
}

// formatFieldErrors renders errs on one line, as the API server does.
func formatFieldErrors(errs field.ErrorList) string {
	var parts []string
	for _, e := range errs {
		parts = append(parts, e.Error())
	}
	return strings.Join(parts, "; ")
}
