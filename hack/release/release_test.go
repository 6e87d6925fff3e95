package release

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

func TestArchivesAreByteIdentical(t *testing.T) {
	mtime := time.Date(2026, 11, 25, 18, 41, 53, 0, time.UTC)
	for _, p := range []Platform{{"linux", "arm64"}, {"windows", "amd64"}} {
		t.Run(p.String(), func(t *testing.T) {
			dir := t.TempDir()
			files := Members(p, []byte("binary for "+p.String()), []byte("license text"))
			a, b := filepath.Join(dir, "a"+p.Ext()), filepath.Join(dir, "b"+p.Ext())
			if err := WriteArchive(a, p, files, mtime); err != nil {
				t.Fatal(err)
			}
			// Another time zone and sub-second noise must not change a byte.
			if err := WriteArchive(b, p, files, mtime.In(time.FixedZone("x", 5*3600)).Add(300*time.Millisecond)); err != nil {
				t.Fatal(err)
			}
			ab, _ := os.ReadFile(a)
			bb, _ := os.ReadFile(b)
			if !bytes.Equal(ab, bb) {
				t.Fatalf("two archives of the same input differ")
			}
			entries, err := ReadArchive(a)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 2 || entries[0].Name != p.BinaryName() || entries[0].Mode != 0o755 ||
				entries[1].Name != License || entries[1].Mode != 0o644 || string(entries[1].Data) != "license text" {
				t.Fatalf("entries = %+v", entries)
			}
		})
	}
}

func TestTarGzHeaderCarriesNothingOfTheBuildMachine(t *testing.T) {
	mtime := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "x.tar.gz")
	p := Platform{"linux", "amd64"}
	if err := WriteArchive(path, p, Members(p, []byte("b"), []byte("l")), mtime); err != nil {
		t.Fatal(err)
	}
	gz, files := plugintest.ReadTarGz(t, path)
	if gz.Name != "" || !gz.ModTime.IsZero() {
		t.Errorf("gzip header name %q, time %v: want neither", gz.Name, gz.ModTime)
	}
	for _, f := range files {
		h := f.Header
		if h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" || !h.ModTime.Equal(mtime) {
			t.Errorf("%s: uid %d gid %d uname %q gname %q mtime %v", h.Name, h.Uid, h.Gid, h.Uname, h.Gname, h.ModTime)
		}
	}
}

func TestChecksumsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"b.zip", "a.tar.gz"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path, err := WriteChecksums(dir, "v1.0.0", []string{"b.zip", "a.tar.gz"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	// Sorted by name, two spaces, as sha256sum prints them.
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], "  a.tar.gz") || !strings.HasSuffix(lines[1], "  b.zip") {
		t.Fatalf("checksums file:\n%s", b)
	}
	sums, err := ReadChecksums(path)
	if err != nil {
		t.Fatal(err)
	}
	for n, sum := range sums {
		got, _ := SHA256File(filepath.Join(dir, n))
		if got != sum {
			t.Errorf("%s: %s, file hashes to %s", n, sum, got)
		}
	}
}

func TestRenderKrewTemplateLikeTheBot(t *testing.T) {
	// The bot's own test data: addURIAndSha assumes a 4-space indent, indent
	// N moves both lines to N.
	tmpl := "    platforms:\n    - selector:\n        matchLabels:\n          os: darwin\n      {{addURIAndSha \"https://e.x/{{ .TagName }}/a_{{ .Version }}.tar.gz\" .TagName | indent 6 }}\n      bin: a\n"
	got, err := RenderKrewTemplate([]byte(tmpl), "v1.2.3", func(url string) (string, error) {
		if url != "https://e.x/v1.2.3/a_1.2.3.tar.gz" {
			t.Errorf("url %q", url)
		}
		return strings.Repeat("ab", 32), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "    platforms:\n    - selector:\n        matchLabels:\n          os: darwin\n      uri: https://e.x/v1.2.3/a_1.2.3.tar.gz\n      sha256: " + strings.Repeat("ab", 32) + "\n      bin: a\n"
	if string(got) != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestMergeFluxVersionsNewestFirst(t *testing.T) {
	prev := []FluxVersion{{Version: "0.2.0"}, {Version: "0.10.0-rc.1"}, {Version: "0.1.0"}, {Version: "0.3.0"}}
	got := MergeFluxVersions(FluxVersion{Version: "0.3.0", Platforms: []FluxPlatform{{OS: "linux"}}}, prev)
	var order []string
	for _, v := range got {
		order = append(order, v.Version)
	}
	if strings.Join(order, " ") != "0.10.0-rc.1 0.3.0 0.2.0 0.1.0" {
		t.Fatalf("order %v", order)
	}
	if len(got[1].Platforms) != 1 {
		t.Fatalf("the new 0.3.0 must replace the old one: %+v", got[1])
	}
}

func TestCheckVersion(t *testing.T) {
	for v, ok := range map[string]bool{"v0.1.0": true, "v1.2.3-rc.1": true, "0.1.0": false, "f2d989e": false, "v1.2": false, "v0.1.0-3-gabc-dirty": true} {
		if err := CheckVersion(v); (err == nil) != ok {
			t.Errorf("CheckVersion(%q) = %v", v, err)
		}
	}
}

func TestParsePlatforms(t *testing.T) {
	got, err := ParsePlatforms("linux/amd64, windows/amd64 linux/amd64")
	if err != nil || len(got) != 2 || got[1] != (Platform{"windows", "amd64"}) {
		t.Fatalf("%v %v", got, err)
	}
	if _, err := ParsePlatforms("windows/arm64"); err == nil {
		t.Fatal("windows/arm64 is not shipped")
	}
}
