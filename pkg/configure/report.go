package configure

import "github.com/aksbaseline/kubectl-aksbaseline/pkg/placeholder"

// CheckReport is the document 'configure --check -o json|yaml' prints: the
// placeholders left under Dir, each with what fills it, and what the walk
// passed over.
type CheckReport struct {
	Dir          string       `json:"dir"`
	YAMLFiles    int          `json:"yamlFiles"`
	Remaining    int          `json:"remaining"`
	Placeholders []CheckEntry `json:"placeholders"`
	Skipped      []Skipped    `json:"skipped"`
	// Flux lists a Flux install older than the supported window, and sync
	// objects at removed API versions.
	Flux []FluxFinding `json:"flux"`
}

// CheckEntry is one remaining placeholder with the flag and the
// environment variable that fill it.
type CheckEntry struct {
	placeholder.Finding
	Flag   string `json:"flag"`
	EnvVar string `json:"env"`
}

// CheckReport reports the placeholders that remain in the tree scanned from
// dir; lists are empty rather than null, for scripts. Flux is the caller's
// to fill.
func (t *Tree) CheckReport(dir string) CheckReport {
	rep := CheckReport{Dir: dir, YAMLFiles: t.YAMLFiles, Placeholders: []CheckEntry{}, Skipped: t.Skipped}
	if rep.Skipped == nil {
		rep.Skipped = []Skipped{}
	}
	for _, f := range t.Remaining() {
		tok, _ := placeholder.Lookup(f.Token)
		rep.Placeholders = append(rep.Placeholders, CheckEntry{Finding: f, Flag: "--" + tok.Flag, EnvVar: tok.EnvVar})
	}
	rep.Remaining = len(rep.Placeholders)
	return rep
}

// Escaping lists the symlinks that lead out of Dir. What they lead to was
// not read, yet kustomize and Flux would meet it: a tree that holds one is
// not clean, whatever else the check found.
func (r CheckReport) Escaping() []Skipped {
	var out []Skipped
	for _, s := range r.Skipped {
		if s.Escapes {
			out = append(out, s)
		}
	}
	return out
}

// Files counts the files that hold a remaining placeholder.
func (r CheckReport) Files() int {
	files := map[string]bool{}
	for _, p := range r.Placeholders {
		files[p.File] = true
	}
	return len(files)
}
