package result

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// SchemaID is the $id of the published schema.
const SchemaID = "https://aksbaseline.io/schemas/v1alpha1/verifyreport.schema.json"

// Schema returns the JSON Schema (draft 2020-12) of VerifyReport and
// VerifyReportList, derived from the Go types so the two cannot drift:
// pkg/result/schema holds the committed copy, which 'make schema' rewrites.
// Objects refuse unknown properties, so a field added to the types without
// regenerating fails the tests that validate every JSON output.
func Schema() ([]byte, error) {
	g := &schemaGen{defs: map[string]any{}}
	report := g.of(reflect.TypeOf(Report{}))
	list := g.of(reflect.TypeOf(List{}))
	constrain(g.defs["VerifyReport"], Kind)
	constrain(g.defs["VerifyReportList"], ListKind)
	doc := map[string]any{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         SchemaID,
		"title":       "kubectl-aksbaseline verify report (" + APIVersion + ")",
		"description": "The JSON output of 'kubectl aksbaseline verify -o json' for one cluster (VerifyReport) or several (VerifyReportList). Within " + APIVersion + " fields are added, never renamed or removed.",
		"oneOf":       []any{report, list},
		"$defs":       g.defs,
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// constrain pins apiVersion and kind of a document type.
func constrain(def any, kind string) {
	props := def.(map[string]any)["properties"].(map[string]any)
	props["apiVersion"] = map[string]any{"const": APIVersion}
	props["kind"] = map[string]any{"const": kind}
}

type schemaGen struct{ defs map[string]any }

// names gives the schema's names to the Go types that appear in it.
var schemaNames = map[reflect.Type]string{
	reflect.TypeOf(Report{}): "VerifyReport",
	reflect.TypeOf(List{}):   "VerifyReportList",
	reflect.TypeOf(Result{}): "Result",
	reflect.TypeOf(Counts{}): "Counts",
	reflect.TypeOf(Waiver{}): "Waiver",
	// A result's own findings; the schema's Finding is drift's (check, object, status).
	reflect.TypeOf(Finding{}):      "ResultFinding",
	reflect.TypeOf(Drift{}):        "Drift",
	reflect.TypeOf(DriftFinding{}): "Finding",
	reflect.TypeOf(RunWarning{}):   "Warning",
}

func (g *schemaGen) of(t reflect.Type) any {
	switch t {
	case reflect.TypeOf(time.Time{}):
		return map[string]any{"type": "string", "format": "date-time"}
	case reflect.TypeOf(Duration(0)):
		return map[string]any{"type": "string", "description": "a Go duration, such as 1.234s"}
	case reflect.TypeOf(Date{}):
		return map[string]any{"type": "string", "format": "date", "pattern": `^\d{4}-\d{2}-\d{2}$`}
	case reflect.TypeOf(Status("")):
		return enum(Statuses)
	case reflect.TypeOf(Severity("")):
		return enum(Severities)
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.of(t.Elem())
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Int, reflect.Int64:
		return map[string]any{"type": "integer", "minimum": 0}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.of(t.Elem())}
	case reflect.Struct:
		name, ok := schemaNames[t]
		if !ok {
			panic(fmt.Sprintf("schema: name the type %s in schemaNames", t))
		}
		if _, done := g.defs[name]; !done {
			g.defs[name] = nil // a placeholder ends recursion
			g.defs[name] = g.object(t)
		}
		return map[string]any{"$ref": "#/$defs/" + name}
	}
	panic(fmt.Sprintf("schema: no JSON Schema for %s", t))
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	required := []string{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		s := g.of(f.Type)
		if t == reflect.TypeOf(Result{}) && name == "drift" {
			s = map[string]any{"enum": Drifts}
		}
		props[name] = s
		if !strings.Contains(opts, "omitempty") {
			required = append(required, name)
		}
	}
	return map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
}

func enum[T ~string](vs []T) map[string]any {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return map[string]any{"type": "string", "enum": out}
}
