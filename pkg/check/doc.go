// Package check holds verify's checks: the result model, the catalogue of
// checks with stable IDs, and the runner that applies them, as pure
// functions of a cluster snapshot and a profile.
package check
