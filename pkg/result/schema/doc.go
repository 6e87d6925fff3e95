// Package schema publishes the JSON Schema of verify's report documents
// and validates a document against it.
package schema
