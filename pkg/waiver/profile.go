package waiver

import (
	"github.com/aksbaseline/kubectl-aksbaseline/internal/yamlpos"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
)

// FromProfile validates a profile's waivers: list, read from file, with the
// rules of a Waivers file; problems point at the profile's lines.
func FromProfile(file string, p *profile.Profile) ([]Waiver, error) {
	ws, problems := ParseList(file, &p.Waivers, nil)
	if len(problems) > 0 {
		return nil, &yamlpos.Error{What: "profile", File: file, Problems: problems}
	}
	return ws, nil
}
