package verifier

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
)

// Written says what Write did with each file: "created", or "unchanged".
type Written struct {
	Path   string
	Action string
}

// Write puts files into dir/Folder. A file already there with the same
// content is left alone, so a second run changes nothing and a run killed
// half-way is finished by the next; a file there with other content (the
// user's edit, another version's) stops it before anything is written.
// Nothing outside dir/Folder is touched.
func Write(dir string, files map[string][]byte, dryRun bool) ([]Written, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", dir, err)
	}
	defer root.Close()
	var out []Written
	var differ []string
	for _, name := range sortedKeys(files) {
		p := path.Join(Folder, name)
		have, err := root.ReadFile(p)
		switch {
		case err == nil && bytes.Equal(have, files[name]):
			out = append(out, Written{p, "unchanged"})
		case err == nil:
			differ = append(differ, p)
		case errors.Is(err, fs.ErrNotExist):
			out = append(out, Written{p, "created"})
		default:
			return nil, err
		}
	}
	if len(differ) > 0 {
		return nil, fmt.Errorf("nothing written: %s already holds %v with other content (edited, or from another version): move the folder away to regenerate it", dir, differ)
	}
	if dryRun {
		return out, nil
	}
	if err := root.MkdirAll(Folder, 0o755); err != nil {
		return nil, err
	}
	for _, w := range out {
		if w.Action != "created" {
			continue
		}
		if err := writeAtomic(root, w.Path, files[path.Base(w.Path)]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// writeAtomic writes a temporary file beside name and renames it into
// place: a reader (git, Flux) never sees half a file.
func writeAtomic(root *os.Root, name string, data []byte) error {
	tmp := name + ".tmp-aksbaseline"
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = root.Rename(tmp, name)
	}
	if err != nil {
		_ = root.Remove(tmp)
	}
	return err
}
