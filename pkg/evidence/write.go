package evidence

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/digest"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/sanitize"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/attest"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/report"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/version"
)

// The files of a bundle.
const (
	ReportJSON    = "report.json"
	ReportHTML    = "report.html"
	ProfileYAML   = "profile.yaml"
	WaiversYAML   = "waivers.yaml"
	InventoryJSON = "inventory.json"
	ClusterJSON   = "cluster.json"
	ToolJSON      = "tool.json"
	Sums          = "SHA256SUMS"
	IndexHTML     = "index.html"
	IndexJSON     = "index.json"
)

// ContextsDir holds the clusters' folders of a several-context bundle,
// apart from the bundle's own files, so that no context name (index.html,
// SHA256SUMS, ...) can stand for one of them.
const ContextsDir = "contexts"

// Options adjust Write.
type Options struct {
	// Force replaces a previous bundle in DIR (and nothing else).
	Force bool
	// Tool is the build recorded in tool.json; zero means this one.
	Tool version.Info
	// Signer, when set, signs each folder into its attestation.dsse.json.
	Signer *attest.Signer
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Write writes the bundle of one cluster into dir, or with several, one
// folder per context under contexts/ and an index. dir is created when
// absent; a link to a folder is kept and written through. Everything is
// written into a staging folder inside dir first and moved into place when
// complete (see install), so a failed run leaves dir as it was, and an
// interrupted one leaves no mix that passes as a bundle.
func Write(ctx context.Context, dir string, bundles []Bundle, o Options) (err error) {
	if len(bundles) == 0 {
		return errors.New("no report to write")
	}
	t, err := prepare(dir, o.Force)
	if err != nil {
		return err
	}
	if o.Tool.Version == "" {
		o.Tool = version.Get()
	}
	if t.isNew {
		if err := os.Mkdir(t.path, 0o755); err != nil {
			return fmt.Errorf("evidence folder %s: %w", dir, unwrapPath(err))
		}
	}
	tmp, err := os.MkdirTemp(t.path, staging)
	if err != nil {
		return fmt.Errorf("evidence folder %s: %w", dir, unwrapPath(err))
	}
	installing := false
	defer func() {
		if err != nil && !installing {
			os.RemoveAll(tmp)
			if t.isNew {
				os.Remove(t.path)
			}
		}
	}()
	if len(bundles) == 1 {
		err = writeOne(ctx, tmp, bundles[0], o)
	} else {
		err = writeMany(ctx, tmp, bundles, o)
	}
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// From here a failure keeps the staging folder: it lists the new files
	// already moved, which the next --force then recognises.
	installing = true
	if ierr := t.install(tmp); ierr != nil {
		return fmt.Errorf("evidence folder %s: %w (run again with --force to replace what was written)", dir, ierr)
	}
	return nil
}

func writeOne(ctx context.Context, dir string, b Bundle, o Options) error {
	files, err := render(b, o)
	if err != nil {
		return err
	}
	if err := writeFiles(ctx, dir, files); err != nil {
		return err
	}
	digests, err := writeSums(dir)
	if err != nil {
		return err
	}
	return attestOne(ctx, dir, b, o, digests)
}

func render(b Bundle, o Options) (map[string][]byte, error) {
	if b.Report == nil {
		return nil, errors.New("a bundle needs its report")
	}
	files := map[string][]byte{}
	var buf bytes.Buffer
	if err := report.Write(&buf, []*result.Report{b.Report}, report.Options{Format: "json"}); err != nil {
		return nil, err
	}
	files[ReportJSON] = bytes.Clone(buf.Bytes())
	buf.Reset()
	if err := report.WriteHTML(&buf, []*result.Report{b.Report}, report.HTMLOptions{Tool: o.Tool, Verdicts: []string{b.Verdict}}); err != nil {
		return nil, err
	}
	files[ReportHTML] = bytes.Clone(buf.Bytes())
	files[ProfileYAML] = b.Profile
	if b.Waivers != nil {
		files[WaiversYAML] = b.Waivers
	}
	cl := b.Cluster
	cl.Server = sanitize.URL(cl.Server) // whoever filled it, no credential in the URL
	docs := map[string]any{
		InventoryJSON: inventoryDoc{APIVersion: APIVersion, Kind: "Inventory", Items: sortedInventory(b.Inventory)},
		ClusterJSON: struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Cluster
		}{APIVersion, "Cluster", cl},
		ToolJSON: o.Tool,
	}
	for name, v := range docs {
		j, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return nil, err
		}
		files[name] = append(j, '\n')
	}
	return files, nil
}

func writeFiles(ctx context.Context, dir string, files map[string][]byte) error {
	for name, data := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// writeSums hashes every regular file under dir into SHA256SUMS, in the format
// 'sha256sum -c' reads: "HEX  PATH", paths relative to dir with '/'. It
// returns the digests of every file under dir, SHA256SUMS included: what the
// attestation signs, so no file is hashed twice.
func writeSums(dir string) (map[string]string, error) {
	digests, err := digestsUnder(dir, Sums)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	for _, rel := range slices.Sorted(maps.Keys(digests)) {
		b.WriteString(digests[rel] + "  " + rel + "\n")
	}
	file := filepath.Join(dir, Sums)
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		return nil, err
	}
	if digests[Sums], err = digest.File(file); err != nil {
		return nil, err
	}
	return digests, nil
}

// indexEntry is one cluster in index.json.
type indexEntry struct {
	Context   string        `json:"context"`
	Dir       string        `json:"dir"`
	ClusterID string        `json:"clusterID,omitempty"`
	Verdict   string        `json:"verdict"`
	Summary   result.Counts `json:"summary"`
}

func writeMany(ctx context.Context, dir string, bundles []Bundle, o Options) error {
	var entries []indexEntry
	used := map[string]bool{}
	for _, b := range bundles {
		if b.Report == nil {
			return errors.New("a bundle needs its report")
		}
		sub := ContextsDir + "/" + folderName(b.Report.Context, used)
		subDir := filepath.Join(dir, filepath.FromSlash(sub))
		if err := os.MkdirAll(subDir, 0o755); err != nil {
			return err
		}
		if err := writeOne(ctx, subDir, b, o); err != nil {
			return err
		}
		entries = append(entries, indexEntry{Context: b.Report.Context, Dir: sub, ClusterID: b.Report.ClusterID, Verdict: verdictOf(b), Summary: b.Report.Summary})
	}
	j, err := json.MarshalIndent(struct {
		APIVersion string       `json:"apiVersion"`
		Kind       string       `json:"kind"`
		Tool       version.Info `json:"tool"`
		Items      []indexEntry `json:"items"`
	}{APIVersion, "EvidenceIndex", o.Tool, entries}, "", "  ")
	if err != nil {
		return err
	}
	var page bytes.Buffer
	if err := indexPage.Execute(&page, struct {
		Tool  version.Info
		Items []indexEntry
	}{o.Tool, entries}); err != nil {
		return err
	}
	if err := writeFiles(ctx, dir, map[string][]byte{IndexJSON: append(j, '\n'), IndexHTML: page.Bytes()}); err != nil {
		return err
	}
	digests, err := writeSums(dir)
	if err != nil {
		return err
	}
	return attestIndex(ctx, dir, bundles, entries, o, digests)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// folderName turns a context name into a folder name that is safe on every
// file system and unique within the bundle, also where case does not
// count (the bundle may be copied to one): no "/", no leading dot, never
// "." or "..".
func folderName(context string, used map[string]bool) string {
	base := strings.Trim(unsafeName.ReplaceAllString(context, "_"), "._")
	if base == "" {
		base = "context"
	}
	name := base
	for i := 2; used[strings.ToLower(name)]; i++ {
		name = fmt.Sprintf("%s-%d", base, i)
	}
	used[strings.ToLower(name)] = true
	return name
}
