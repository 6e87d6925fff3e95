package install

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/hack/release"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// TestDistArchiveHoldsAStampedStaticBinaryAndTheLicense reads the archive
// 'make dist-archives' built with the standard library, not the release
// package, and runs the binary in it.
func TestDistArchiveHoldsAStampedStaticBinaryAndTheLicense(t *testing.T) {
	gz, files := plugintest.ReadTarGz(t, hostArchive())
	if gz.Name != "" || !gz.ModTime.IsZero() {
		t.Errorf("gzip header records name %q and time %v; a reproducible archive records neither", gz.Name, gz.ModTime)
	}
	license, err := os.ReadFile(filepath.Join(root, "LICENSE"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var binary []byte
	for _, f := range files {
		h, data := f.Header, f.Data
		names = append(names, h.Name)
		if h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" {
			t.Errorf("%s: owner %d:%d (%q:%q), want 0:0 without names", h.Name, h.Uid, h.Gid, h.Uname, h.Gname)
		}
		switch h.Name {
		case release.Binary:
			if h.Mode != 0o755 {
				t.Errorf("%s: mode %o, want 755", h.Name, h.Mode)
			}
			binary = data
		case "LICENSE":
			if h.Mode != 0o644 || !bytes.Equal(data, license) {
				t.Errorf("LICENSE: mode %o, same as the repository's: %v", h.Mode, bytes.Equal(data, license))
			}
		}
	}
	if strings.Join(names, " ") != release.Binary+" LICENSE" {
		t.Fatalf("archive holds %v, want [%s LICENSE]", names, release.Binary)
	}

	bin := filepath.Join(t.TempDir(), release.Binary)
	if err := os.WriteFile(bin, binary, 0o755); err != nil {
		t.Fatal(err)
	}
	info, err := exec.Command("go", "version", "-m", bin).CombinedOutput()
	if err != nil {
		t.Fatalf("go version -m: %v\n%s", err, info)
	}
	// go records no -ldflags under -trimpath; the version check below covers them.
	for _, want := range []string{"build\t-trimpath=true", "build\tCGO_ENABLED=0"} {
		if !strings.Contains(string(info), want) {
			t.Errorf("build info lacks %q:\n%s", want, info)
		}
	}
	r := runIn(t, nil, nil, bin, "version", "--client", "-o", "json")
	var rep struct {
		ClientVersion struct{ Version, Commit, BuildDate string }
	}
	if r.Code != 0 || json.Unmarshal([]byte(r.Stdout), &rep) != nil {
		t.Fatalf("version --client -o json: %s", r)
	}
	if rep.ClientVersion.Version != version || rep.ClientVersion.Commit == "unknown" || rep.ClientVersion.BuildDate == "unknown" {
		t.Errorf("stamped %+v, want version %s with commit and date", rep.ClientVersion, version)
	}
}

// TestDistIsReproducible compares two builds of the same version (TestMain
// makes both): the archive and its checksum line must not change by a byte.
func TestDistIsReproducible(t *testing.T) {
	again := againDir
	name := release.ArchiveName(version, host)
	a, err := os.ReadFile(hostArchive())
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(again, name))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatalf("%s differs between two builds of the same version (%d and %d bytes)", name, len(a), len(b))
	}
	sums, err := release.ReadChecksums(filepath.Join(again, release.ChecksumsName(version)))
	if err != nil {
		t.Fatal(err)
	}
	first, err := release.ReadChecksums(filepath.Join(distDir, release.ChecksumsName(version)))
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 1 || sums[name] == "" || sums[name] != first[name] {
		t.Fatalf("checksums %v, first build %s", sums, first[name])
	}
}
