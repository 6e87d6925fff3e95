package plugintest

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"os"
	"testing"
)

// TarFile is one member of a tar archive: its header and its bytes.
type TarFile struct {
	Header *tar.Header
	Data   []byte
}

// ReadTarGz reads the tar.gz archive at path with the standard library
// alone, so a test of the release archives does not trust the code that
// wrote them. It returns the gzip header and the members in archive order.
func ReadTarGz(t testing.TB, path string) (gzip.Header, []TarFile) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var files []TarFile
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return gz.Header, files
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, TarFile{Header: h, Data: data})
	}
}
