package check

import (
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
)

// CaseSnapshot lends the broken-variant fixtures to the external tests
// (waivers applied over every case), which cannot live in this package:
// pkg/waiver imports it.
func CaseSnapshot(t *testing.T, path string) (*cluster.Snapshot, *profile.Profile) {
	_, s, p := loadCase(t, path)
	return s, p
}
