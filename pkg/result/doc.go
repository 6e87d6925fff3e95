// Package result holds what verify finds: each check's result (status,
// objects, controls, waiver, drift mark) and the report document built from
// them, which checks write and renderers, drift and evidence read.
package result
