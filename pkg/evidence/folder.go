package evidence

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/sanitize"
)

// staging names the hidden folder inside DIR where a bundle is written
// before its files are moved into place. It lives inside DIR, never beside
// it, because DIR itself may be impossible to rename or replace: a mount
// point (the usual CI volume at /evidence), ".", the working folder, a
// symbolic link the user keeps.
const staging = ".aksbaseline-evidence-"

// target is the folder a bundle goes to, as Preflight found it.
type target struct {
	given string // as the user named it, for messages
	path  string // the folder it resolves to, symbolic links followed
	isNew bool   // path does not exist yet and will be created
	// previous are the top-level entries of a bundle an earlier run wrote
	// (replaced under --force), and stale the staging folders of an
	// interrupted run; both are ours to remove.
	previous []string
	stale    []string
}

// Preflight tells, before the cluster is read, whether dir can receive a
// bundle: dir is absent with a parent that accepts it, or a folder (or a
// link to one) that is empty, or with force holds a previous bundle and
// nothing else, and in either case accepts new files.
func Preflight(dir string, force bool) error {
	_, err := prepare(dir, force)
	return err
}

func prepare(dir string, force bool) (*target, error) {
	if dir == "" {
		return nil, errors.New("--evidence needs a folder")
	}
	t := &target{given: dir}
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if link, lerr := os.Readlink(dir); lerr == nil {
			return nil, fmt.Errorf("evidence folder %s is a symbolic link to %s, which does not exist: create that folder first", dir, sanitize.Text(link))
		}
		t.path, t.isNew = filepath.Clean(dir), true
		return t, probe(filepath.Dir(t.path), dir)
	case err != nil:
		return nil, fmt.Errorf("evidence folder %s cannot be written: %w", dir, unwrapPath(err))
	case !fi.IsDir():
		return nil, fmt.Errorf("evidence folder %s is a file", dir)
	}
	if t.path, err = filepath.EvalSymlinks(dir); err != nil {
		return nil, fmt.Errorf("evidence folder %s: %w", dir, unwrapPath(err))
	}
	entries, err := os.ReadDir(t.path)
	if err != nil {
		return nil, fmt.Errorf("evidence folder %s: %w", dir, unwrapPath(err))
	}
	var others []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), staging) {
			t.stale = append(t.stale, e.Name())
		} else {
			others = append(others, e.Name())
		}
	}
	if len(others) > 0 && !force {
		return nil, fmt.Errorf("evidence folder %s is not empty: choose a new folder, or pass --force to replace the bundle a previous run wrote there", dir)
	}
	if len(others) > 0 {
		if t.previous, err = previousBundle(t.path, dir, others, t.stale); err != nil {
			return nil, err
		}
	}
	if err := probe(t.path, dir); err != nil {
		return nil, err
	}
	// Removing a previous context's folder needs each of its folders writable.
	for _, name := range t.previous {
		err := filepath.WalkDir(filepath.Join(t.path, name), func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				err = probe(p, dir)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return t, nil
}

// probe tries a new folder in dir, as Write will make one.
func probe(dir, given string) error {
	p, err := os.MkdirTemp(dir, staging+"probe-")
	if err != nil {
		return fmt.Errorf("evidence folder %s cannot be written: %w", given, unwrapPath(err))
	}
	return os.Remove(p)
}

// previousBundle tells which of entries (the names in dir) an earlier run
// wrote: SHA256SUMS, the attestation, and what SHA256SUMS lists (or, after
// an interrupted run, what a staging folder's SHA256SUMS lists). A listing
// whose paths no bundle writes (someone's own SHA256SUMS) recognises
// nothing. Anything else is named in the error: --force never removes a
// file the tool did not write.
func previousBundle(dir, given string, entries, stale []string) ([]string, error) {
	listed := map[string]bool{}
	recognised := readListing(filepath.Join(dir, Sums), listed)
	for _, s := range stale {
		recognised = readListing(filepath.Join(dir, s, Sums), listed) || recognised
	}
	within := map[string]bool{} // every folder on the way to a listed file
	for p := range listed {
		for d := filepath.ToSlash(filepath.Dir(p)); d != "."; d = filepath.ToSlash(filepath.Dir(d)) {
			within[d] = true
		}
	}
	var foreign []string
	for _, name := range entries {
		err := filepath.WalkDir(filepath.Join(dir, name), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			rel = filepath.ToSlash(rel)
			switch {
			case d.IsDir() && strings.HasPrefix(d.Name(), staging):
				return fs.SkipDir // a probe an interrupted run left: ours
			case !recognised:
			case d.IsDir() && within[rel]:
				return nil
			case d.Type().IsRegular() && (rel == Sums || rel == Attestation || listed[rel]):
				return nil
			}
			if d.IsDir() {
				rel += "/"
				foreign = append(foreign, rel)
				return fs.SkipDir
			}
			foreign = append(foreign, rel)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("evidence folder %s: %w", given, unwrapPath(err))
		}
	}
	if len(foreign) == 0 {
		return entries, nil
	}
	if !recognised {
		return nil, fmt.Errorf("evidence folder %s holds files no bundle of this tool wrote (it has no %s of one): %s; --force replaces only a previous bundle: choose another folder, or move those away", given, Sums, listNames(foreign))
	}
	return nil, fmt.Errorf("evidence folder %s holds files its previous bundle's %s does not list: %s; --force replaces only that bundle: move those away, or choose another folder", given, Sums, listNames(foreign))
}

// listNames lists the first few of many paths for a message.
func listNames(paths []string) string {
	slices.Sort(paths)
	const most = 5
	quoted := make([]string, 0, most)
	for _, p := range paths[:min(most, len(paths))] {
		quoted = append(quoted, sanitize.Text(p))
	}
	if len(paths) > most {
		return strings.Join(quoted, ", ") + fmt.Sprintf(" and %d more", len(paths)-most)
	}
	return strings.Join(quoted, ", ")
}

// readListing adds to listed the paths of a bundle's SHA256SUMS at file and
// tells whether it is one: a regular file whose every line is a digest and
// a path a bundle writes.
func readListing(file string, listed map[string]bool) bool {
	fi, err := os.Lstat(file)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > 1<<20 {
		return false
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return false
	}
	var paths []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		_, p, ok := sumsLine(sc.Text())
		if !ok || !bundlePath(p) {
			return false
		}
		paths = append(paths, p)
	}
	if sc.Err() != nil || len(paths) == 0 {
		return false
	}
	for _, p := range paths {
		listed[p] = true
	}
	return true
}

// bundlePath tells whether a bundle writes files at p: a cluster's file at
// the top, or a cluster's file (its SHA256SUMS and attestation included) in
// a context's folder, under contexts/ or, as earlier versions wrote, at the
// top.
func bundlePath(p string) bool {
	parts := strings.Split(p, "/")
	last := parts[len(parts)-1]
	switch len(parts) {
	case 1:
		return slices.Contains(topFiles, last)
	case 2:
		return safeFolder(parts[0]) && slices.Contains(folderFiles, last)
	case 3:
		return parts[0] == ContextsDir && safeFolder(parts[1]) && slices.Contains(folderFiles, last)
	}
	return false
}

// topFiles may stand at a bundle's top; folderFiles in a context's folder.
var (
	clusterFiles = []string{ReportJSON, ReportHTML, ProfileYAML, WaiversYAML, InventoryJSON, ClusterJSON, ToolJSON}
	topFiles     = append(slices.Clone(clusterFiles), IndexHTML, IndexJSON)
	folderFiles  = append(slices.Clone(clusterFiles), Sums, Attestation)
)

// safeFolder tells whether name is a context folder's name as folderName
// makes them.
func safeFolder(name string) bool {
	return name != "" && name == strings.Trim(name, "._") && !unsafeName.MatchString(name)
}

// install moves the bundle staged in tmp into t's folder. Each file moves
// by rename, so a file is old or new, never half; SHA256SUMS moves after
// the files it lists and the attestation last, and the previous
// attestation goes first: at every point between, the folder fails
// 'evidence verify' and 'sha256sum -c' rather than pass as a mix, and a
// run of --force recognises all of it (its staging folder included).
func (t *target) install(tmp string) error {
	moved, err := os.ReadDir(tmp)
	if err != nil {
		return err
	}
	fresh := map[string]bool{}
	for _, e := range moved {
		fresh[e.Name()] = true
	}
	if err := removeEntry(t.path, Attestation); err != nil {
		return err
	}
	for _, name := range t.previous {
		if name != Sums && !fresh[name] {
			if err := removeEntry(t.path, name); err != nil {
				return err
			}
		}
	}
	for _, e := range moved {
		if e.Name() == Sums || e.Name() == Attestation {
			continue
		}
		// Neither a folder nor a file can be renamed over a full folder.
		if fi, err := os.Lstat(filepath.Join(t.path, e.Name())); err == nil && (fi.IsDir() || e.IsDir()) {
			if err := removeEntry(t.path, e.Name()); err != nil {
				return err
			}
		}
		if err := os.Rename(filepath.Join(tmp, e.Name()), filepath.Join(t.path, e.Name())); err != nil {
			return err
		}
	}
	for _, name := range []string{Sums, Attestation} {
		if fresh[name] {
			if err := os.Rename(filepath.Join(tmp, name), filepath.Join(t.path, name)); err != nil {
				return err
			}
		}
	}
	for _, s := range t.stale {
		if err := removeEntry(t.path, s); err != nil {
			return err
		}
	}
	return os.Remove(tmp)
}

func removeEntry(dir, name string) error {
	err := os.RemoveAll(filepath.Join(dir, name))
	if err != nil {
		return fmt.Errorf("removing the previous %s: %w", name, unwrapPath(err))
	}
	return nil
}
