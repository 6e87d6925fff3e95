package release

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/digest"
)

// File is one member of an archive, as written and as read back.
type File struct {
	Name string
	Mode fs.FileMode
	Data []byte
}

// Members returns what every archive holds: the binary for p and the license,
// in a fixed order.
func Members(p Platform, binary, license []byte) []File {
	return []File{
		{Name: p.BinaryName(), Mode: 0o755, Data: binary},
		{Name: License, Mode: 0o644, Data: license},
	}
}

// WriteArchive writes files to path as a tar.gz or, for Windows, a zip.
// Everything that could vary between two builds of the same commit is fixed:
// member order, modification time (mtime, the commit's time), owner (0:0, no
// names), permissions, and the gzip header (no file name, no time), so the
// same inputs give the same bytes and therefore the same checksum.
func WriteArchive(path string, p Platform, files []File, mtime time.Time) error {
	mtime = mtime.UTC().Truncate(time.Second)
	var buf bytes.Buffer
	var err error
	if p.windows() {
		err = writeZip(&buf, files, mtime)
	} else {
		err = writeTarGz(&buf, files, mtime)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", filepath.Base(path), err)
	}
	return WriteFileAtomic(path, buf.Bytes(), 0o644)
}

func writeTarGz(w io.Writer, files []File, mtime time.Time) error {
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	// The zero gzip.Header already means no name and MTIME 0; say so, since
	// it is what makes two runs byte-identical.
	gz.Header = gzip.Header{OS: 255}
	tw := tar.NewWriter(gz)
	for _, f := range files {
		hdr := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     f.Name,
			Mode:     int64(f.Mode.Perm()),
			Size:     int64(len(f.Data)),
			ModTime:  mtime,
			Format:   tar.FormatUSTAR,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(f.Data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func writeZip(w io.Writer, files []File, mtime time.Time) error {
	zw := zip.NewWriter(w)
	for _, f := range files {
		hdr := &zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: mtime}
		hdr.SetMode(f.Mode.Perm())
		fw, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.Data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// ReadArchive returns the regular files of a tar.gz or zip archive, in
// archive order. It tells the formats apart by content, as krew does.
func ReadArchive(path string) ([]File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	switch {
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return readZip(b)
	case bytes.HasPrefix(b, []byte{0x1f, 0x8b}):
		return readTarGz(b)
	}
	return nil, fmt.Errorf("%s is neither a zip nor a gzip archive", filepath.Base(path))
}

func readTarGz(b []byte) ([]File, error) {
	gz, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(gz)
	var out []File
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		out = append(out, File{Name: hdr.Name, Mode: fs.FileMode(hdr.Mode).Perm(), Data: data})
	}
}

func readZip(b []byte) ([]File, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	var out []File
	for _, f := range zr.File {
		if !f.Mode().IsRegular() {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, File{Name: f.Name, Mode: f.Mode().Perm(), Data: data})
	}
	return out, nil
}

// FindEntry returns the member called name.
func FindEntry(entries []File, name string) (File, bool) {
	for _, e := range entries {
		if e.Name == name {
			return e, true
		}
	}
	return File{}, false
}

// SHA256File returns the lowercase hex SHA-256 of a file, the form both krew
// (^[a-f0-9]{64}$) and Flux (sha256:<hex>) require.
func SHA256File(path string) (string, error) { return digest.File(path) }

// WriteFileAtomic replaces path with data, never leaving a half-written file
// where a release step or a reader could pick it up.
func WriteFileAtomic(path string, data []byte, mode fs.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ArchivesIn lists the archives of version in dir, by name.
func ArchivesIn(dir, version string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		for _, p := range Platforms {
			if e.Name() == ArchiveName(version, p) && e.Type().IsRegular() {
				names = append(names, e.Name())
			}
		}
	}
	return names, nil
}
