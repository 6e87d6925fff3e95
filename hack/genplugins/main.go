// Command genplugins derives the plugin manifests from the release archives
// 'make dist' wrote, so no checksum is ever typed by hand. From the
// repository URL it writes .krew.yaml, the krew-release-bot template; it
// renders that template for the version with the archives' SHA-256 into
// krew/aksbaseline.yaml (what the bot proposes to krew-index on the tag); and
// it writes krew/flux-aksbaseline.yaml, the Flux CLI plugin manifest
// (cli.fluxcd.io/v1beta1), this version first and earlier ones kept.
//
//	go run ./hack/genplugins -repo-url https://github.com/o/r -version v0.1.0 -dist dist -out krew -krew-template .krew.yaml
package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/aksbaseline/kubectl-aksbaseline/hack/internal/devcmd"
	"github.com/aksbaseline/kubectl-aksbaseline/hack/release"
)

func main() { devcmd.Main(run) }

func run() error {
	var (
		repoURL  = flag.String("repo-url", "", "repository URL (https); releases are under <url>/releases/download/<version>/")
		version  = flag.String("version", "", "release version, vX.Y.Z")
		dist     = flag.String("dist", "dist", "folder holding the archives and the checksums file")
		out      = flag.String("out", "krew", "folder for the krew and Flux manifests")
		krewTmpl = flag.String("krew-template", ".krew.yaml", "where to write the krew-release-bot template")
		refresh  = flag.Bool("refresh", false, "take the version and archive hashes from the krew manifest already in -out instead of from -dist")
	)
	flag.Parse()
	if !strings.HasPrefix(*repoURL, "https://") || strings.ContainsAny(*repoURL, " \"'") {
		return fmt.Errorf("-repo-url must be an https URL, not %q", *repoURL)
	}
	url := strings.TrimSuffix(*repoURL, "/")

	var assets []release.Asset
	if *refresh {
		b, err := os.ReadFile(filepath.Join(*out, release.KrewName+".yaml"))
		if err != nil {
			return err
		}
		if *version, assets, err = release.AssetsFromKrew(b); err != nil {
			return fmt.Errorf("%s: %w", filepath.Join(*out, release.KrewName+".yaml"), err)
		}
	} else {
		if err := release.CheckVersion(*version); err != nil {
			return err
		}
		var err error
		if assets, err = readAssets(*dist, *version); err != nil {
			return err
		}
	}

	tmpl := release.KrewTemplate(url)
	if err := release.WriteFileAtomic(*krewTmpl, tmpl, 0o644); err != nil {
		return err
	}
	byURL := map[string]string{}
	for _, a := range assets {
		byURL[release.DownloadURL(url, *version, a.Name)] = a.SHA256
	}
	krew, err := release.RenderKrewTemplate(tmpl, *version, func(u string) (string, error) {
		if sum, ok := byURL[u]; ok {
			return sum, nil
		}
		return "", fmt.Errorf("the template asks for %s, which this release does not have", u)
	})
	if err != nil {
		return fmt.Errorf("rendering %s: %w", *krewTmpl, err)
	}
	krewPath := filepath.Join(*out, release.KrewName+".yaml")
	if err := release.WriteFileAtomic(krewPath, krew, 0o644); err != nil {
		return err
	}

	fluxPath := filepath.Join(*out, release.FluxBin+".yaml")
	var previous []release.FluxVersion
	switch b, err := os.ReadFile(fluxPath); {
	case err == nil:
		old, err := release.ParseFlux(b)
		if err != nil {
			return fmt.Errorf("%s: %w", fluxPath, err)
		}
		previous = old.Versions
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	flux := release.NewFluxPlugin(url, release.MergeFluxVersions(release.NewFluxVersion(url, *version, assets), previous))
	fb, err := release.MarshalFlux(flux)
	if err != nil {
		return err
	}
	if err := release.WriteFileAtomic(fluxPath, fb, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "✔ %s, %s and %s for %s\n", *krewTmpl, krewPath, fluxPath, *version)
	return nil
}

// readAssets checks every shipped platform's archive against the checksums
// file and finds the binary in it.
func readAssets(dist, version string) ([]release.Asset, error) {
	sums, err := release.ReadChecksums(filepath.Join(dist, release.ChecksumsName(version)))
	if err != nil {
		return nil, fmt.Errorf("%w (run 'make dist VERSION=%s' first)", err, version)
	}
	var assets []release.Asset
	for _, p := range release.Platforms {
		name := release.ArchiveName(version, p)
		want, ok := sums[name]
		if !ok {
			return nil, fmt.Errorf("%s lists no %s: a release needs every platform (%s)", release.ChecksumsName(version), name, p)
		}
		path := filepath.Join(dist, name)
		got, err := release.SHA256File(path)
		if err != nil {
			return nil, err
		}
		if got != want {
			return nil, fmt.Errorf("%s has SHA-256 %s, but the checksums file says %s: rebuild with 'make dist'", path, got, want)
		}
		entries, err := release.ReadArchive(path)
		if err != nil {
			return nil, err
		}
		bin, ok := release.FindEntry(entries, p.BinaryName())
		if !ok || len(bin.Data) == 0 {
			return nil, fmt.Errorf("%s holds no %s", path, p.BinaryName())
		}
		if _, ok := release.FindEntry(entries, release.License); !ok {
			return nil, fmt.Errorf("%s holds no %s (krew-index requires a license file)", path, release.License)
		}
		assets = append(assets, release.Asset{Platform: p, Name: name, SHA256: got, Binary: bin.Name})
	}
	return assets, nil
}
