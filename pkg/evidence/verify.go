package evidence

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/digest"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/attest"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// ErrNotBundle is returned by Check for a folder that holds neither
// SHA256SUMS nor an attestation.
var ErrNotBundle = errors.New("not an evidence bundle")

// Problem is one reason a bundle is not intact: a file and what is wrong.
type Problem struct {
	File   string
	Reason string
}

func (p Problem) String() string { return p.File + ": " + p.Reason }

// Folder is what a checked folder's attestation says: one cluster, or the
// index of a fleet bundle (Context and ClusterID empty).
type Folder struct {
	// Path is relative to the bundle, "" for its top.
	Path      string
	Signed    bool
	KeyID     string
	Context   string
	ClusterID string
	Server    string
	Verdict   string
	Result    string
	StartTime time.Time
	Files     int
}

// Checked is the outcome of Check: every folder's statement, and every
// problem found. The bundle is intact when Problems is empty.
type Checked struct {
	Folders  []Folder
	Problems []Problem
}

// Intact tells whether nothing was found wrong.
func (c *Checked) Intact() bool { return len(c.Problems) == 0 }

// Signed tells whether every folder carries an attestation.
func (c *Checked) Signed() bool {
	for _, f := range c.Folders {
		if !f.Signed {
			return false
		}
	}
	return len(c.Folders) > 0
}

// Check checks the bundle in dir offline: every attestation's signature
// with key (nil checks the hashes only, and any attestation found is a
// problem), that its subjects are exactly the files present with equal
// digests, that SHA256SUMS agrees, and that report.json (or index.json)
// says what the statement says. An error means dir could not be checked.
func Check(ctx context.Context, dir string, key *attest.Key) (*Checked, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("evidence folder %s: %w", dir, unwrapPath(err))
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s is a file: %w", dir, ErrNotBundle)
	}
	// A link to the bundle is read where it leads, as Write wrote through it.
	top, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, fmt.Errorf("evidence folder %s: %w", dir, unwrapPath(err))
	}
	c := &checker{ctx: ctx, key: key, out: &Checked{}}
	if c.files, err = c.walk(top); err != nil {
		return nil, err
	}
	if _, ok := c.files[Sums]; !ok {
		if _, ok := c.files[Attestation]; !ok {
			return nil, fmt.Errorf("%s holds neither %s nor %s: %w", dir, Sums, Attestation, ErrNotBundle)
		}
	}
	c.dir = top
	if _, fleet := c.files[IndexJSON]; !fleet {
		c.bundle("")
		return c.out, nil
	}
	dirs := c.index()
	for _, d := range dirs {
		c.bundle(d + "/")
	}
	return c.out, nil
}

type checker struct {
	ctx   context.Context
	key   *attest.Key
	dir   string
	files map[string]string // relative path → SHA-256; "" for a file that is not regular
	out   *Checked
}

func (c *checker) problem(file, format string, args ...any) {
	c.out.Problems = append(c.out.Problems, Problem{File: file, Reason: fmt.Sprintf(format, args...)})
}

// walk hashes every file under dir; an entry that is not a regular file or
// folder is recorded so that it counts as an added file.
func (c *checker) walk(dir string) (map[string]string, error) {
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("evidence folder %s: %w", dir, unwrapPath(err))
		}
		if d.IsDir() {
			return c.ctx.Err()
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !d.Type().IsRegular() {
			out[rel] = ""
			return nil
		}
		sum, err := digest.File(p)
		if err != nil {
			return fmt.Errorf("evidence file %s: %w", rel, unwrapPath(err))
		}
		out[rel] = sum
		return nil
	})
	return out, err
}

// under lists the files below prefix (a folder path ending in '/', or ""
// for the top), by path relative to it.
func (c *checker) under(prefix string) map[string]string {
	out := map[string]string{}
	for p, d := range c.files {
		if rel, ok := strings.CutPrefix(p, prefix); ok {
			out[rel] = d
		}
	}
	return out
}

// folder checks one folder's attestation and SHA256SUMS and returns the
// predicate its signed statement holds (nil when unsigned or broken).
func (c *checker) folder(prefix string) (*predicate, *Folder) {
	files := c.under(prefix)
	f := &Folder{Path: strings.TrimSuffix(prefix, "/")}
	for n, d := range files {
		if n != Attestation && n != Sums {
			f.Files++
		}
		if d == "" {
			c.problem(prefix+n, "is not a regular file")
		}
	}
	c.sums(prefix, files)
	env, ok := files[Attestation]
	if !ok {
		return nil, f
	}
	f.Signed = true
	if c.key == nil {
		c.problem(prefix+Attestation, "the bundle is signed: check it with --key PUBLIC.pem")
		return nil, f
	}
	b, err := os.ReadFile(filepath.Join(c.dir, filepath.FromSlash(prefix+Attestation)))
	if err != nil || env == "" {
		c.problem(prefix+Attestation, "cannot be read")
		return nil, f
	}
	opened, err := c.key.Open(c.ctx, b)
	if errors.Is(err, attest.ErrSignature) {
		c.problem(prefix+Attestation, "not signed by key %s (the envelope names %s), or changed since it was signed", c.key.KeyID(), strings.Join(opened.KeyIDs, ", "))
		return nil, f
	}
	if err != nil {
		c.problem(prefix+Attestation, "%v", err)
		return nil, f
	}
	f.KeyID = c.key.KeyID()
	p, err := parsePredicate(opened.Statement)
	if err != nil {
		c.problem(prefix+Attestation, "%v", err)
		return nil, f
	}
	signed := map[string]bool{}
	for _, s := range opened.Statement.GetSubject() {
		name, want := s.GetName(), s.GetDigest()["sha256"]
		signed[name] = true
		got, present := files[name]
		switch {
		case name == Attestation || !filepath.IsLocal(filepath.FromSlash(name)):
			c.problem(prefix+Attestation, "names an impossible subject %q", name)
		case !present:
			c.problem(prefix+name, "missing: the attestation signed it")
		case got != want:
			c.problem(prefix+name, "changed since it was signed (SHA-256 %s, signed %s)", short(got), short(want))
		}
	}
	for _, n := range slices.Sorted(maps.Keys(files)) {
		if n != Attestation && !signed[n] {
			c.problem(prefix+n, "added: the attestation does not sign it")
		}
	}
	f.Verdict, f.Result, f.StartTime = p.Ext.Verdict, p.Result, p.Ext.StartTime
	if cl := p.Ext.Cluster; cl != nil {
		f.Context, f.ClusterID, f.Server = cl.Context, cl.KubeSystemUID, cl.Server
	}
	return p, f
}

// sums checks the folder's SHA256SUMS against the files present: it lists
// every file below the folder but itself and the folder's attestation.
func (c *checker) sums(prefix string, files map[string]string) {
	if _, ok := files[Sums]; !ok {
		c.problem(prefix+Sums, "missing")
		return
	}
	b, err := os.ReadFile(filepath.Join(c.dir, filepath.FromSlash(prefix+Sums)))
	if err != nil {
		c.problem(prefix+Sums, "cannot be read")
		return
	}
	listed := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for line := 1; sc.Scan(); line++ {
		sum, name, ok := sumsLine(sc.Text())
		if !ok {
			c.problem(prefix+Sums, "line %d is not 'SHA256  FILE'", line)
			continue
		}
		listed[name] = true
		got, present := files[name]
		switch {
		case name == Sums || name == Attestation:
			c.problem(prefix+Sums, "line %d lists %s", line, name)
		case !present:
			c.problem(prefix+name, "missing: %s lists it", Sums)
		case got != sum:
			c.problem(prefix+name, "does not match %s", Sums)
		}
	}
	for _, n := range slices.Sorted(maps.Keys(files)) {
		if n != Sums && n != Attestation && !listed[n] {
			c.problem(prefix+n, "not in %s", Sums)
		}
	}
}

// sumsLine splits a line of SHA256SUMS, as writeSums writes it and
// 'sha256sum -c' reads it: 64 hex digits, two spaces, the path.
func sumsLine(line string) (sum, name string, ok bool) {
	sum, name, ok = strings.Cut(line, "  ")
	return sum, name, ok && len(sum) == 64 && strings.Trim(sum, "0123456789abcdef") == ""
}

// bundle checks one cluster's folder and that its report.json says what
// its statement says.
func (c *checker) bundle(prefix string) {
	p, f := c.folder(prefix)
	c.out.Folders = append(c.out.Folders, *f)
	var rep result.Report
	if err := c.readJSON(prefix+ReportJSON, &rep); err != nil {
		c.problem(prefix+ReportJSON, "%v", err)
		return
	}
	last := &c.out.Folders[len(c.out.Folders)-1]
	if last.ClusterID == "" && !last.Signed {
		last.Context, last.ClusterID, last.Server, last.StartTime = rep.Context, rep.ClusterID, rep.Server, rep.StartTime
	}
	if p == nil {
		return
	}
	if p.Ext.Cluster == nil || p.Ext.Cluster.KubeSystemUID != rep.ClusterID {
		c.problem(prefix+ReportJSON, "cluster ID %q is not the attested one", rep.ClusterID)
	}
	if p.Ext.Cluster != nil && p.Ext.Cluster.Context != rep.Context {
		c.problem(prefix+ReportJSON, "context %q is not the attested one", rep.Context)
	}
	want := predicate{}
	testLists(&want, "", rep.Results)
	if r := resultOf(p.Ext.Verdict, rep.Summary); r != p.Result {
		c.problem(prefix+ReportJSON, "its counts make the result %s with verdict %q, the attestation says %s", r, p.Ext.Verdict, p.Result)
	}
	if !slices.Equal(want.PassedTests, p.PassedTests) || !slices.Equal(want.WarnedTests, p.WarnedTests) || !slices.Equal(want.FailedTests, p.FailedTests) {
		c.problem(prefix+ReportJSON, "its results differ from the attested passed, warned and failed checks")
	}
}

// index checks a fleet bundle's top folder and returns the cluster folders
// index.json lists.
func (c *checker) index() []string {
	p, f := c.folder("")
	c.out.Folders = append(c.out.Folders, *f)
	var idx struct {
		Items []indexEntry `json:"items"`
	}
	if err := c.readJSON(IndexJSON, &idx); err != nil {
		c.problem(IndexJSON, "%v", err)
		return nil
	}
	var dirs []string
	for _, e := range idx.Items {
		if !contextDir(e.Dir) {
			c.problem(IndexJSON, "names an impossible folder %q", e.Dir)
			continue
		}
		dirs = append(dirs, e.Dir)
	}
	if p != nil {
		if len(p.Ext.Clusters) != len(idx.Items) {
			c.problem(IndexJSON, "lists %d clusters, the attestation %d", len(idx.Items), len(p.Ext.Clusters))
		}
		for i := range min(len(p.Ext.Clusters), len(idx.Items)) {
			a, b := p.Ext.Clusters[i], idx.Items[i]
			if a.Dir != b.Dir || a.Context != b.Context || a.ClusterID != b.ClusterID || a.Verdict != b.Verdict {
				c.problem(IndexJSON, "cluster %q is not the attested one", b.Dir)
			}
		}
	}
	return dirs
}

// contextDir tells whether a fleet's index may name dir: a folder under
// contexts/, or, as earlier versions wrote, at the top. A name with any
// other "/", "\\", "." or ".." would point elsewhere.
func contextDir(dir string) bool {
	name := strings.TrimPrefix(dir, ContextsDir+"/")
	return filepath.IsLocal(name) && !strings.ContainsAny(name, `/\`) && name != "." && name != ".."
}

func (c *checker) readJSON(rel string, v any) error {
	if d, ok := c.files[rel]; !ok || d == "" {
		return errors.New("missing")
	}
	b, err := os.ReadFile(filepath.Join(c.dir, filepath.FromSlash(rel)))
	if err != nil {
		return errors.New("cannot be read")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("is not valid JSON: %v", err)
	}
	return nil
}

func short(digest string) string {
	if len(digest) > 12 {
		return digest[:12] + "…"
	}
	return digest
}
