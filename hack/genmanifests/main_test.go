package main

import (
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// TestCommittedManifestsAreCurrent fails when regenerating would change the
// committed manifests/flux: someone edited them by hand or bumped a version
// in manifests/versions.go without running 'make manifests'.
func TestCommittedManifestsAreCurrent(t *testing.T) {
	plugintest.Generated(t, "manifests/flux", Generate, "manifests")
}
