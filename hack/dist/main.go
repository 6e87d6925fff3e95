// Command dist cross-compiles kubectl-aksbaseline and writes the release
// archives and their checksums file. 'make dist' runs it with the Makefile's
// VERSION, LDFLAGS and BUILD_DATE (the commit's time), so building the same
// commit twice gives byte-identical archives.
//
//	go run ./hack/dist -version v0.1.0 -ldflags "…" -mtime 2026-01-02T03:04:05Z -out dist [-platforms "linux/amd64 windows/amd64"]
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/hack/internal/devcmd"
	"github.com/aksbaseline/kubectl-aksbaseline/hack/release"
)

const versionVar = "github.com/aksbaseline/kubectl-aksbaseline/pkg/version.Version="

func main() { devcmd.Main(run) }

func run() error {
	var (
		version   = flag.String("version", "", "release version, vX.Y.Z")
		ldflags   = flag.String("ldflags", "", "linker flags; must stamp the same version")
		mtime     = flag.String("mtime", "", "modification time of archive members, RFC 3339 (the commit's time)")
		out       = flag.String("out", "dist", "output folder")
		platforms = flag.String("platforms", "", "os/arch pairs to build (default: every shipped platform)")
		license   = flag.String("license", "LICENSE", "license file to put in every archive")
		pkg       = flag.String("pkg", "./cmd/kubectl-aksbaseline", "main package")
	)
	flag.Parse()
	if err := release.CheckVersion(*version); err != nil {
		return err
	}
	if !strings.Contains(*ldflags, versionVar+*version+" ") && !strings.HasSuffix(*ldflags, versionVar+*version) {
		return fmt.Errorf("-ldflags must stamp %s%s", versionVar, *version)
	}
	when, err := time.Parse(time.RFC3339, *mtime)
	if err != nil {
		return fmt.Errorf("-mtime: %w", err)
	}
	plats := release.Platforms
	if *platforms != "" {
		if plats, err = release.ParsePlatforms(*platforms); err != nil {
			return err
		}
	}
	lic, err := os.ReadFile(*license)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "aksbaseline-dist-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	for _, p := range plats {
		start := time.Now()
		fmt.Fprintf(os.Stderr, "► building %s %s\n", release.Binary, p)
		bin := filepath.Join(work, p.OS+"_"+p.Arch, p.BinaryName())
		if err := release.Build(*pkg, *ldflags, p, bin); err != nil {
			return err
		}
		data, err := os.ReadFile(bin)
		if err != nil {
			return err
		}
		name := release.ArchiveName(*version, p)
		if err := release.WriteArchive(filepath.Join(*out, name), p, release.Members(p, data, lic), when); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "✔ %s (%s)\n", filepath.Join(*out, name), time.Since(start).Round(time.Second))
	}
	// The checksums cover every archive of this version in the folder, so a
	// platform rebuilt on its own (-platforms) joins the others.
	all, err := release.ArchivesIn(*out, *version)
	if err != nil {
		return err
	}
	sums, err := release.WriteChecksums(*out, *version, all)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "✔ %s\n", sums)
	return nil
}
