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
// generated from the Go types by report.Schema ('make schema').
//
//go:embed verifyreport.schema.json
var JSON []byte

// File is the schema's path in the repository, for tests and docs.
const File = "pkg/report/schema/verifyreport.schema.json"

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(JSON))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("verifyreport.schema.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("verifyreport.schema.json")
})

// Validate checks one JSON document against the schema.
func Validate(doc []byte) error {
	s, err := compiled()
	if err != nil {
		return fmt.Errorf("compiling the report schema: %w", err)
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
