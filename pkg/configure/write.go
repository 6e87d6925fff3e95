package configure

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// rename is a seam for tests that need a write to fail half-way.
var rename = func(root *os.Root, from, to string) error { return root.Rename(from, to) }

// Apply writes the plan: every new file is first written in full to a
// temporary file beside its original (same folder, so the rename is atomic
// and the file never leaves dir), then the temporaries are renamed over the
// originals. A failure before the renames leaves every file untouched; a
// failed rename restores the files already renamed. Symlinks are never
// written through: rename replaces a path, not what a link points to, and
// the walk never produced a path through a link.
func (p *Plan) Apply(ctx context.Context) error {
	if p.refused != nil {
		return p.refused
	}
	if len(p.Changes) == 0 {
		return nil
	}
	root, err := os.OpenRoot(p.Tree.root)
	if err != nil {
		return err
	}
	defer root.Close()

	staged := make([]string, len(p.Changes))
	discard := func() {
		for i, tmp := range staged {
			if tmp != "" {
				_ = root.Remove(tmp)
				staged[i] = ""
			}
		}
	}
	for i, c := range p.Changes {
		if err := unchanged(root, c); err != nil {
			discard()
			return fmt.Errorf("nothing written: %w", err)
		}
		tmp, err := stage(root, filepath.FromSlash(c.Path), c.New, c)
		if err != nil {
			discard()
			if errors.Is(err, fs.ErrPermission) {
				return fmt.Errorf("nothing written: %s: %w (each changed file's folder must be writable: the new file is written beside it, then renamed)", c.Path, err)
			}
			return fmt.Errorf("nothing written: %s: %w", c.Path, err)
		}
		staged[i] = tmp
	}
	if err := ctx.Err(); err != nil {
		discard()
		return err
	}
	for i, c := range p.Changes {
		if err := rename(root, staged[i], filepath.FromSlash(c.Path)); err != nil {
			discard()
			return p.rollback(root, i, fmt.Errorf("writing %s: %w", c.Path, err))
		}
		staged[i] = ""
	}
	syncDirs(root, p.Changes)
	return nil
}

// rollback puts back the originals of the first n changes, already renamed
// into place, so a failure leaves the folder as it was.
func (p *Plan) rollback(root *os.Root, n int, cause error) error {
	var failed []error
	for _, c := range p.Changes[:n] {
		name := filepath.FromSlash(c.Path)
		tmp, err := stage(root, name, c.Old, c)
		if err == nil {
			if err = root.Rename(tmp, name); err != nil {
				_ = root.Remove(tmp)
			}
		}
		if err != nil {
			failed = append(failed, fmt.Errorf("%s: %w", c.Path, err))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%w; could NOT restore these files, check them by hand: %w", cause, errors.Join(failed...))
	}
	if n > 0 {
		return fmt.Errorf("%w; the %d file(s) already written were restored, nothing changed", cause, n)
	}
	return fmt.Errorf("%w; nothing written", cause)
}

// unchanged refuses to overwrite a file that was edited, or replaced by
// something other than a regular file, since it was read.
func unchanged(root *os.Root, c Change) error {
	name := filepath.FromSlash(c.Path)
	info, err := root.Lstat(name)
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s is no longer a regular file", c.Path)
	}
	cur, err := root.ReadFile(name)
	if err != nil {
		return err
	}
	if !bytes.Equal(cur, c.Old) {
		return fmt.Errorf("%s changed while configuring; run again", c.Path)
	}
	return nil
}

// stage writes data to a new hidden file beside name, with name's mode and
// owner, flushed to disk, and returns its path.
func stage(root *os.Root, name string, data []byte, c Change) (string, error) {
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return "", err
	}
	tmp := filepath.Join(filepath.Dir(name), "."+filepath.Base(name)+".aksbaseline-"+hex.EncodeToString(rnd[:])+".tmp")
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if err == nil {
		// fchmod, unlike the create mode, is not narrowed by the umask.
		err = f.Chmod(c.Mode)
	}
	if err == nil {
		restoreOwner(f, c.own)
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = root.Remove(tmp)
		return "", err
	}
	return tmp, nil
}

// syncDirs makes the renames durable; failing to is not worth an error, the
// files are already complete.
func syncDirs(root *os.Root, changes []Change) {
	seen := map[string]bool{}
	for _, c := range changes {
		d := filepath.Dir(filepath.FromSlash(c.Path))
		if seen[d] {
			continue
		}
		seen[d] = true
		if f, err := root.Open(d); err == nil {
			_ = f.Sync()
			_ = f.Close()
		}
	}
}
