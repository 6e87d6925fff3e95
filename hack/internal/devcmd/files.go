package devcmd

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
)

// WriteFiles writes a generator's files by name into out, in name order so
// the ✔ lines read the same on every run.
func WriteFiles(out string, files map[string][]byte) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if err := os.WriteFile(filepath.Join(out, name), files[name], 0o644); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "✔ %s\n", filepath.Join(out, name))
	}
	return nil
}
