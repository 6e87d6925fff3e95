package main

import (
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// TestCommittedCRDsAreCurrent fails when pkg/openreports/crds is not what
// the module go.mod pins holds: edited by hand, or the module bumped
// without 'make openreports-crds'.
func TestCommittedCRDsAreCurrent(t *testing.T) {
	plugintest.Generated(t, "pkg/openreports/crds", Generate, "openreports-crds")
}
