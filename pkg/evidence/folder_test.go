package evidence

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/attest"
)

func write(t *testing.T, dir string, o Options, bundles ...Bundle) {
	t.Helper()
	if o.Tool.Version == "" {
		o.Tool = tool
	}
	if err := Write(context.Background(), dir, bundles, o); err != nil {
		t.Fatal(err)
	}
}

func intact(t *testing.T, dir string) *Checked {
	t.Helper()
	c := checkDir(t, dir, nil)
	if !c.Intact() {
		t.Fatalf("%s is not an intact bundle: %v", dir, c.Problems)
	}
	return c
}

func mkfile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// A folder the user made (a mount point, the working folder, a link) is
// written into, never renamed or replaced.
func TestWritesIntoTheFolderDIRResolvesTo(t *testing.T) {
	t.Run("a link to an empty folder stays a link", func(t *testing.T) {
		parent := t.TempDir()
		target := filepath.Join(parent, "volume")
		if err := os.Mkdir(target, 0o750); err != nil {
			t.Fatal(err)
		}
		link := filepath.Join(parent, "evidence")
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
		if err := Preflight(link, false); err != nil {
			t.Fatal(err)
		}
		write(t, link, Options{}, fixture(t, "aks-prod", "u"))
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Fatalf("the link was replaced: %v %v", fi.Mode(), err)
		}
		if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o750 {
			t.Errorf("the folder's mode changed to %v", fi.Mode().Perm())
		}
		sha256sumCheck(t, target)
		intact(t, link)
		if got := siblings(t, parent); strings.Join(got, " ") != "evidence volume" {
			t.Errorf("left beside the folder: %v", got)
		}
		write(t, link, Options{Force: true}, fixture(t, "aks-prod", "u"))
		intact(t, link)
	})
	t.Run("a link to nothing is refused naming where it leads", func(t *testing.T) {
		link := filepath.Join(t.TempDir(), "evidence")
		if err := os.Symlink("/no/such/volume", link); err != nil {
			t.Fatal(err)
		}
		if err := Preflight(link, true); err == nil || !strings.Contains(err.Error(), "/no/such/volume") {
			t.Errorf("want the target named: %v", err)
		}
	})
	t.Run("the working folder, as .", func(t *testing.T) {
		dir := t.TempDir()
		t.Chdir(dir)
		if err := Preflight(".", false); err != nil {
			t.Fatal(err)
		}
		write(t, ".", Options{}, fixture(t, "aks-prod", "u"))
		sha256sumCheck(t, dir)
		intact(t, dir)
		if got := siblings(t, dir); slices.ContainsFunc(got, func(n string) bool { return strings.HasPrefix(n, ".") }) {
			t.Errorf("left in the folder: %v", got)
		}
		write(t, ".", Options{Force: true}, fixture(t, "aks-prod", "u"), fixture(t, "aks-dr", "v"))
		intact(t, dir)
	})
	t.Run("the working folder, by its path", func(t *testing.T) {
		dir := t.TempDir()
		t.Chdir(dir)
		write(t, dir, Options{}, fixture(t, "aks-prod", "u"))
		intact(t, dir)
		if wd, err := os.Getwd(); err != nil || wd != dir {
			t.Errorf("the working folder is now %q: %v", wd, err)
		}
	})
}

// --force replaces a previous bundle, whatever its shape, and nothing else.
func TestForceReplacesOnlyAPreviousBundle(t *testing.T) {
	t.Run("nothing but a bundle's files", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "evidence")
		write(t, dir, Options{}, fixture(t, "aks-prod", "u"))
		mkfile(t, filepath.Join(dir, "my-notes.txt"), "mine")
		mkfile(t, filepath.Join(dir, "notes", "day1.txt"), "mine")
		err := Preflight(dir, true)
		if err == nil || !strings.Contains(err.Error(), "my-notes.txt, notes/") {
			t.Fatalf("want my-notes.txt and notes/ named: %v", err)
		}
		if err := Write(context.Background(), dir, []Bundle{fixture(t, "aks-prod", "u")}, Options{Tool: tool, Force: true}); err == nil {
			t.Fatal("written over files no bundle wrote")
		}
		for _, f := range []string{"my-notes.txt", "notes/day1.txt", ReportJSON} {
			if !exists(filepath.Join(dir, f)) {
				t.Errorf("%s went", f)
			}
		}
	})
	t.Run("a file added inside a context's folder", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "evidence")
		write(t, dir, Options{}, fixture(t, "east", "a"), fixture(t, "west", "b"))
		mkfile(t, filepath.Join(dir, ContextsDir, "east", "notes.txt"), "mine")
		if err := Preflight(dir, true); err == nil || !strings.Contains(err.Error(), "contexts/east/notes.txt") {
			t.Errorf("want contexts/east/notes.txt named: %v", err)
		}
	})
	t.Run("someone else's SHA256SUMS", func(t *testing.T) {
		dir := t.TempDir()
		mkfile(t, filepath.Join(dir, "debian.iso"), "iso")
		mkfile(t, filepath.Join(dir, Sums), strings.Repeat("a", 64)+"  debian.iso\n")
		err := Preflight(dir, true)
		if err == nil || !strings.Contains(err.Error(), "no bundle of this tool wrote") || !strings.Contains(err.Error(), "SHA256SUMS, debian.iso") {
			t.Errorf("want a folder without a bundle refused, naming its files: %v", err)
		}
	})
	t.Run("a listing that points out of the folder", func(t *testing.T) {
		dir := t.TempDir()
		mkfile(t, filepath.Join(dir, Sums), strings.Repeat("a", 64)+"  ../report.json\n")
		if err := Preflight(dir, true); err == nil {
			t.Error("accepted")
		}
	})
	t.Run("every shape over every other", func(t *testing.T) {
		s, k := testKey(t)
		dir := filepath.Join(t.TempDir(), "evidence")
		noWaivers := fixture(t, "aks-prod", "u")
		noWaivers.Waivers = nil
		steps := []struct {
			name    string
			o       Options
			bundles []Bundle
			gone    []string
		}{
			{"single, signed", Options{Signer: s}, []Bundle{fixture(t, "aks-prod", "u")}, nil},
			{"single, unsigned, no waivers", Options{}, []Bundle{noWaivers}, []string{WaiversYAML, Attestation}},
			{"several, signed", Options{Signer: s}, []Bundle{fixture(t, "east", "a"), fixture(t, "west", "b"), fixture(t, "north", "c")}, []string{ReportJSON, ClusterJSON}},
			{"fewer", Options{Signer: s}, []Bundle{fixture(t, "east", "a"), fixture(t, "south", "d")}, []string{"contexts/west", "contexts/north"}},
			{"single again", Options{}, []Bundle{fixture(t, "aks-prod", "u")}, []string{ContextsDir, IndexHTML, IndexJSON, Attestation}},
		}
		for i, st := range steps {
			st.o.Force = i > 0
			write(t, dir, st.o, st.bundles...)
			c := checkDir(t, dir, k)
			if !c.Intact() || c.Signed() != (st.o.Signer != nil) || len(c.Folders) != len(st.bundles)+min(1, len(st.bundles)-1) {
				t.Fatalf("%s: %+v", st.name, c)
			}
			for _, f := range st.gone {
				if exists(filepath.Join(dir, f)) {
					t.Errorf("%s: the previous bundle's %s stayed", st.name, f)
				}
			}
			if got := siblings(t, dir); slices.ContainsFunc(got, func(n string) bool { return strings.HasPrefix(n, ".") }) {
				t.Errorf("%s: left in the folder: %v", st.name, got)
			}
		}
	})
	t.Run("a bundle in the layout of earlier versions", func(t *testing.T) {
		s, _ := testKey(t)
		// A context named report.json had a folder of that name, where the
		// new bundle puts a file.
		dir := oldFleet(t, s, fixture(t, "east", "a"), fixture(t, ReportJSON, "b"))
		if fi, err := os.Stat(filepath.Join(dir, ReportJSON)); err != nil || !fi.IsDir() {
			t.Fatalf("the old layout has no folder %s: %v", ReportJSON, err)
		}
		write(t, dir, Options{Force: true}, fixture(t, "aks-prod", "u"))
		intact(t, dir)
		if exists(filepath.Join(dir, "east")) {
			t.Error("the old context folder stayed")
		}
	})
}

// A run killed while moving files in leaves a folder that is no bundle
// (evidence verify says so) and that the next --force run replaces.
func TestInterruptedRunConverges(t *testing.T) {
	s, k := testKey(t)
	dir := filepath.Join(t.TempDir(), "evidence")
	write(t, dir, Options{Signer: s}, fixture(t, "aks-prod", "u"))
	// What Write had staged, moved half-way when the run was killed: the
	// old attestation gone, one new file in, a new folder in.
	stage := filepath.Join(dir, staging+"123")
	write(t, stage, Options{Signer: s}, fixture(t, "east", "a"), fixture(t, "west", "b"))
	for _, f := range []string{IndexJSON, ContextsDir} {
		if err := os.Rename(filepath.Join(stage, f), filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Remove(filepath.Join(dir, Attestation)); err != nil {
		t.Fatal(err)
	}
	if c := checkDir(t, dir, k); c.Intact() {
		t.Fatal("a half-moved bundle checks as intact")
	}
	if err := Preflight(dir, false); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("without --force: %v", err)
	}
	write(t, dir, Options{Force: true, Signer: s}, fixture(t, "aks-prod", "u"))
	if c := checkDir(t, dir, k); !c.Intact() || !c.Signed() {
		t.Errorf("after the next run: %+v", c)
	}
	if got := siblings(t, dir); len(got) != 9 {
		t.Errorf("left in the folder: %v", got)
	}

	// Killed while Preflight probed a context's folder.
	write(t, dir, Options{Force: true}, fixture(t, "east", "a"), fixture(t, "west", "b"))
	if err := os.Mkdir(filepath.Join(dir, ContextsDir, "east", staging+"probe-789"), 0o700); err != nil {
		t.Fatal(err)
	}
	write(t, dir, Options{Force: true}, fixture(t, "aks-prod", "u"))
	intact(t, dir)

	// Killed while staging: the folder holds only the staging folder, which
	// is no user's file and no reason to ask for --force.
	empty := t.TempDir()
	mkfile(t, filepath.Join(empty, staging+"456", ReportJSON), "{")
	write(t, empty, Options{}, fixture(t, "aks-prod", "u"))
	intact(t, empty)
}

// A failure after the cluster was read leaves the previous bundle whole.
func TestFailedRunKeepsThePreviousBundle(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "evidence")
	write(t, dir, Options{}, fixture(t, "aks-prod", "u"))
	if err := Write(context.Background(), dir, []Bundle{fixture(t, "aks-prod", "u"), {}}, Options{Tool: tool, Force: true}); err == nil {
		t.Fatal("a bundle without a report was written")
	}
	intact(t, dir)
	if got := siblings(t, dir); len(got) != 8 {
		t.Errorf("left in the folder: %v", got)
	}
}

// No context name can stand for a bundle's own file or leave its folder.
func TestContextNamesCannotCollide(t *testing.T) {
	s, k := testKey(t)
	names := []string{IndexHTML, IndexJSON, Sums, Attestation, ".", "..", "../up", "a/b", ContextsDir, "East", "east", "-"}
	var bundles []Bundle
	for i, n := range names {
		bundles = append(bundles, fixture(t, n, string(rune('a'+i))))
	}
	dir := filepath.Join(t.TempDir(), "evidence")
	write(t, dir, Options{Signer: s}, bundles...)
	sha256sumCheck(t, dir)
	c := checkDir(t, dir, k)
	if !c.Intact() || !c.Signed() || len(c.Folders) != len(names)+1 {
		t.Fatalf("%+v", c)
	}
	seen := map[string]bool{}
	for i, f := range c.Folders[1:] {
		if f.Context != names[i] || !strings.HasPrefix(f.Path, ContextsDir+"/") || strings.Count(f.Path, "/") != 1 || seen[strings.ToLower(f.Path)] {
			t.Errorf("context %q in folder %q", names[i], f.Path)
		}
		seen[strings.ToLower(f.Path)] = true
	}
	if got := siblings(t, dir); strings.Join(got, " ") != strings.Join([]string{Sums, Attestation, ContextsDir, IndexHTML, IndexJSON}, " ") {
		t.Errorf("the bundle's top holds %v", got)
	}
	write(t, dir, Options{Signer: s, Force: true}, bundles...)
	if c := checkDir(t, dir, k); !c.Intact() {
		t.Errorf("written again: %v", c.Problems)
	}
}

// evidence verify still reads a fleet bundle of earlier versions, whose
// context folders stood at the top.
func TestOldFleetLayoutChecks(t *testing.T) {
	s, k := testKey(t)
	dir := oldFleet(t, s, fixture(t, "east", "a"), fixture(t, "west", "b"))
	sha256sumCheck(t, dir)
	c := checkDir(t, dir, k)
	if !c.Intact() || !c.Signed() || len(c.Folders) != 3 || c.Folders[2].Path != "west" || c.Folders[2].ClusterID != "b" {
		t.Fatalf("%+v", c)
	}
	os.WriteFile(filepath.Join(dir, "west", ReportJSON), []byte("{}"), 0o644)
	if c := checkDir(t, dir, k); c.Intact() || !names(c, "west/"+ReportJSON) {
		t.Errorf("a changed report: %v", c.Problems)
	}
}

// oldFleet makes a fleet bundle as versions before contexts/ wrote it:
// each context's folder at the top, named so in index.json and in the top
// attestation's tests.
func oldFleet(t *testing.T, s *attest.Signer, bundles ...Bundle) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "evidence")
	o := Options{Tool: tool, Signer: s}
	write(t, dir, o, bundles...)
	var idx struct {
		APIVersion string       `json:"apiVersion"`
		Kind       string       `json:"kind"`
		Tool       any          `json:"tool"`
		Items      []indexEntry `json:"items"`
	}
	b, err := os.ReadFile(filepath.Join(dir, IndexJSON))
	if err != nil || json.Unmarshal(b, &idx) != nil {
		t.Fatal(err)
	}
	for i := range idx.Items {
		name := strings.TrimPrefix(idx.Items[i].Dir, ContextsDir+"/")
		if err := os.Rename(filepath.Join(dir, filepath.FromSlash(idx.Items[i].Dir)), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
		idx.Items[i].Dir = name
	}
	for _, f := range []string{ContextsDir, Sums, Attestation, IndexHTML} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
	}
	j, _ := json.MarshalIndent(idx, "", "  ")
	mkfile(t, filepath.Join(dir, IndexJSON), string(j)+"\n")
	mkfile(t, filepath.Join(dir, IndexHTML), "<!DOCTYPE html>\n")
	digests, err := writeSums(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := attestIndex(context.Background(), dir, bundles, idx.Items, o, digests); err != nil {
		t.Fatal(err)
	}
	return dir
}
