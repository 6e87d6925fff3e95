package configure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/placeholder"
)

// Skipped is a path the walk deliberately left alone, with the reason.
type Skipped struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
	// Escapes is true for a symlink that leads out of the folder: that is a
	// refusal the user must hear about, not a mere note.
	Escapes bool `json:"escapes"`
}

// file is a YAML file that holds at least one token. Files without tokens are
// not kept, so memory grows with the placeholders, not with the tree.
type file struct {
	rel  string // slash-separated, relative to the folder
	mode fs.FileMode
	own  owner
	data []byte
}

// Tree is what a walk of the folder found.
type Tree struct {
	// Dir is the folder as the user named it; root is where it really is.
	Dir  string
	root string
	// YAMLFiles counts the YAML files read.
	YAMLFiles int
	// Findings lists every token occurrence, files in lexical order.
	Findings []placeholder.Finding
	Skipped  []Skipped
	files    []file
}

// Remaining returns the findings of tokens the user is expected to replace:
// YOUR_ACR is rewritten by kustomize images: and legitimately stays.
func (t *Tree) Remaining() []placeholder.Finding {
	out := []placeholder.Finding{}
	for _, f := range t.Findings {
		if tok, ok := placeholder.Lookup(f.Token); ok && tok.Substituted {
			out = append(out, f)
		}
	}
	return out
}

func isYAML(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

// Scan walks dir and reports every placeholder in its YAML files. It reads
// through an os.Root, so no path it opens can resolve outside dir even if the
// tree changes under it; symlinks are never followed, and those leading out
// of dir are reported.
func Scan(ctx context.Context, dir string) (*Tree, error) {
	info, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: no such folder (name your fork's cluster-manifests folder)", dir)
	}
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a folder (name your fork's cluster-manifests folder)", dir)
	}
	top, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, err
	}
	if top, err = filepath.Abs(top); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(top)
	if err != nil {
		return nil, err
	}
	defer root.Close()

	t := &Tree{Dir: dir, root: top}
	err = fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", filepath.Join(dir, filepath.FromSlash(p)), err)
		}
		switch {
		case d.IsDir():
			if p != "." && d.Name() == ".git" {
				return fs.SkipDir
			}
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			t.symlink(p, d.Name())
			return nil
		case !d.Type().IsRegular() || !isYAML(d.Name()):
			return nil
		}
		return t.read(root, p)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// symlink records why a link is not followed. Links within the folder are
// harmless (their target is walked at its own path) and only noted for YAML
// names; links out of it are always reported.
func (t *Tree) symlink(p, name string) {
	abs := filepath.Join(t.root, filepath.FromSlash(p))
	target, _ := os.Readlink(abs)
	resolved, err := filepath.EvalSymlinks(abs)
	if err != nil {
		if isYAML(name) {
			t.Skipped = append(t.Skipped, Skipped{Path: p, Reason: fmt.Sprintf("symlink to %s does not resolve: not followed", target)})
		}
		return
	}
	rel, err := filepath.Rel(t.root, resolved)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		t.Skipped = append(t.Skipped, Skipped{Path: p, Escapes: true,
			Reason: fmt.Sprintf("symlink to %s leads out of %s: not followed, nothing read or written there", target, t.Dir)})
		return
	}
	if isYAML(name) {
		t.Skipped = append(t.Skipped, Skipped{Path: p,
			Reason: fmt.Sprintf("symlink to %s: not followed (the target inside %s is handled at its own path)", filepath.ToSlash(rel), t.Dir)})
	}
}

func (t *Tree) read(root *os.Root, p string) error {
	name := filepath.FromSlash(p)
	f, err := root.Open(name)
	if err != nil {
		return fmt.Errorf("reading %s: %w", filepath.Join(t.Dir, name), err)
	}
	defer f.Close()
	// Stat the open file, not the path: the file read is the file described.
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return nil
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return fmt.Errorf("reading %s: %w", filepath.Join(t.Dir, name), err)
	}
	t.YAMLFiles++
	if !mentionsAnyToken(data) {
		return nil
	}
	found := placeholder.Scan(p, data)
	if len(found) == 0 {
		return nil
	}
	t.Findings = append(t.Findings, found...)
	t.files = append(t.files, file{rel: p, mode: info.Mode(), own: ownerOf(info), data: data})
	return nil
}

// mentionsAnyToken is the cheap test that lets the line-by-line scan skip the
// many files of a large tree that hold no placeholder at all.
func mentionsAnyToken(data []byte) bool {
	for _, t := range placeholder.Tokens {
		if bytes.Contains(data, []byte(t.Name)) {
			return true
		}
	}
	return false
}
