package main

import (
	"archive/tar"
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/aksbaseline/kubectl-aksbaseline/hack/release"
)

// The image runs on the reference's Linux node pools only.
var platform = release.Platform{OS: "linux", Arch: "amd64"}

// What the image is, where its files go, and who runs it. 65532 is the
// "nonroot" user of distroless images, the UID the CronJob's
// securityContext names.
const (
	entrypoint = "/" + release.Binary
	uid        = 65532
	user       = "65532:65532"
	// Runtimes that set HOME from /etc/passwd give /tmp, the one folder
	// the CronJob makes writable (kubectl's discovery cache goes there).
	passwd = "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/tmp:/sbin/nologin\n"
	group  = "root:x:0:\nnonroot:x:65532:\n"
)

// labels are the OCI annotations the image carries, in its config (what
// 'docker inspect' and registries show) and on its manifest.
type labels struct {
	Version, Revision, Source string
	Created                   time.Time
}

func (l labels) annotations() map[string]string {
	return map[string]string{
		"org.opencontainers.image.title":       release.Binary,
		"org.opencontainers.image.description": "kubectl-aksbaseline: verifies an AKS regulated cluster against the baseline; in-cluster it runs 'verify --report-to-cluster'",
		"org.opencontainers.image.source":      l.Source,
		"org.opencontainers.image.url":         l.Source,
		"org.opencontainers.image.version":     l.Version,
		"org.opencontainers.image.revision":    l.Revision,
		"org.opencontainers.image.created":     l.Created.UTC().Format(time.RFC3339),
		"org.opencontainers.image.licenses":    "Apache-2.0",
	}
}

// entry is one file or folder of the layer.
type entry struct {
	name string
	mode int64
	dir  bool
	data []byte
}

// newImage assembles the image: no base image (nothing but the static
// binary, so no shell and no package to patch), one layer, the OCI media
// types. Everything that could vary between two builds of the same commit
// is fixed: file order, times (the commit's), owners (0:0, no names),
// modes, and the config's creation time and history.
func newImage(binary, license []byte, l labels) (v1.Image, error) {
	created := l.Created.UTC().Truncate(time.Second)
	layerTar, err := tarLayer([]entry{
		{name: release.Binary, mode: 0o755, data: binary},
		{name: "LICENSE", mode: 0o644, data: license},
		{name: "etc/", mode: 0o755, dir: true},
		{name: "etc/group", mode: 0o644, data: []byte(group)},
		{name: "etc/passwd", mode: 0o644, data: []byte(passwd)},
		{name: "tmp/", mode: 0o1777, dir: true},
	}, created)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	ann := l.annotations()
	cfg := &v1.ConfigFile{
		Architecture: platform.Arch,
		OS:           platform.OS,
		Created:      v1.Time{Time: created},
		Config: v1.Config{
			User:       user,
			Entrypoint: []string{entrypoint},
			WorkingDir: "/",
			Labels:     ann,
		},
		RootFS: v1.RootFS{Type: "layers"},
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		return nil, err
	}
	img, err = mutate.Append(img, mutate.Addendum{
		Layer:   layer,
		History: v1.History{Created: v1.Time{Time: created}, CreatedBy: "make image", Comment: release.Binary + " " + l.Version},
	})
	if err != nil {
		return nil, err
	}
	return mutate.Annotations(img, ann).(v1.Image), nil
}

// tarLayer writes entries sorted by name (a folder before its files),
// each stamped with mtime and owned by root: the binary and the account
// files are not the running user's to change.
func tarLayer(entries []entry, mtime time.Time) ([]byte, error) {
	entries = slices.Clone(entries)
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.name, b.name) })
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: e.name, Mode: e.mode, Size: int64(len(e.data)), ModTime: mtime, Format: tar.FormatPAX}
		if e.dir {
			hdr.Typeflag, hdr.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeLayout writes img as an OCI image layout at dir, tagged tag
// (org.opencontainers.image.ref.name, which crane, oras and skopeo
// read), and returns the manifest's digest. It writes beside dir and
// renames into place, so a killed run leaves the previous layout or none,
// never half of one.
func writeLayout(dir string, img v1.Image, tag string) (string, error) {
	digest, err := img.Digest()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+"-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	p, err := layout.Write(tmp, empty.Index)
	if err != nil {
		return "", err
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": tag})); err != nil {
		return "", err
	}
	// ggcr writes blobs 0600 and index.json 0755 (under the umask); a
	// layout others copy or serve reads the same to everyone.
	err = filepath.WalkDir(tmp, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.Chmod(path, 0o755)
		}
		return os.Chmod(path, 0o644)
	})
	if err != nil {
		return "", err
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return "", err
	}
	return digest.String(), nil
}
