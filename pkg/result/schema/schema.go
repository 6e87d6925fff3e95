package schema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// JSON is the committed schema of VerifyReport and VerifyReportList,
// generated from the Go types by result.Schema ('make schema').
//
//go:embed verifyreport.schema.json
var JSON []byte

// File is the schema's path in the repository, for tests and docs.
const File = "pkg/result/schema/verifyreport.schema.json"

// The schemas Validate and ValidateAs use: the whole file ("") or one of
// its document types.
var compiled = sync.OnceValues(func() (map[string]*jsonschema.Schema, error) { return compile(false) })

// open is the same schema with every object open to fields it does not
// name, for reading documents a newer version may have written.
var open = sync.OnceValues(func() (map[string]*jsonschema.Schema, error) { return compile(true) })

func compile(openObjects bool) (map[string]*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(JSON))
	if err != nil {
		return nil, err
	}
	if openObjects {
		allowAdditional(doc)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("verifyreport.schema.json", doc); err != nil {
		return nil, err
	}
	out := map[string]*jsonschema.Schema{}
	for _, k := range []string{"", "VerifyReport", "VerifyReportList"} {
		loc := "verifyreport.schema.json"
		if k != "" {
			loc += "#/$defs/" + k
		}
		if out[k], err = c.Compile(loc); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// allowAdditional drops every "additionalProperties": false of a schema.
func allowAdditional(v any) {
	switch x := v.(type) {
	case map[string]any:
		if b, ok := x["additionalProperties"].(bool); ok && !b {
			delete(x, "additionalProperties")
		}
		for _, e := range x {
			allowAdditional(e)
		}
	case []any:
		for _, e := range x {
			allowAdditional(e)
		}
	}
}

// Validate checks one JSON document against the schema.
func Validate(doc []byte) error { return ValidateAs(doc, "") }

// ValidateAs checks a document against one document type (VerifyReport or
// VerifyReportList), so errors name that type's fields only. A
// *jsonschema.ValidationError says where each problem is.
func ValidateAs(doc []byte, kind string) error { return validate(compiled, doc, kind) }

// ValidateKnown is ValidateAs for a document this version reads but may
// not have written: fields the schema does not name are allowed (a newer
// version's additions within v1alpha1); apiVersion, kind and every field
// it does name must still be right.
func ValidateKnown(doc []byte, kind string) error { return validate(open, doc, kind) }

func validate(schemas func() (map[string]*jsonschema.Schema, error), doc []byte, kind string) error {
	all, err := schemas()
	if err != nil {
		return fmt.Errorf("compiling the report schema: %w", err)
	}
	s, ok := all[kind]
	if !ok {
		return fmt.Errorf("no schema for kind %q", kind)
	}
	// Valid catches trailing data, which the decoder below would ignore.
	if !json.Valid(doc) {
		return fmt.Errorf("not a JSON document")
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return s.Validate(v)
}
