package release

import (
	"fmt"
	"regexp"
	"strings"
)

// Project names. The archives serve both plugin systems: krew links the
// binary as kubectl-aksbaseline, Flux extracts it and installs it as
// flux-aksbaseline.
const (
	// Binary is the executable's name inside every archive (".exe" on Windows).
	Binary = "kubectl-aksbaseline"
	// KrewName is metadata.name of the krew manifest and its file name.
	KrewName = "aksbaseline"
	// FluxName is the Flux plugin name ("flux aksbaseline").
	FluxName = "aksbaseline"
	// FluxBin is the name Flux installs the binary under.
	FluxBin = "flux-aksbaseline"
	// License is the license file every archive carries; krew-index requires one.
	License = "LICENSE"
	// CompletionShim is what kubectl (1.26+) runs to complete 'kubectl aksbaseline'.
	CompletionShim = "kubectl_complete-aksbaseline"
)

// Platform is one GOOS/GOARCH pair the project ships.
type Platform struct {
	OS   string
	Arch string
}

func (p Platform) String() string { return p.OS + "/" + p.Arch }

// Windows archives are zip files holding an .exe; the rest are tar.gz.
func (p Platform) windows() bool { return p.OS == "windows" }

// BinaryName is the executable's name in this platform's archive.
func (p Platform) BinaryName() string {
	if p.windows() {
		return Binary + ".exe"
	}
	return Binary
}

// Ext is the archive's file extension.
func (p Platform) Ext() string {
	if p.windows() {
		return ".zip"
	}
	return ".tar.gz"
}

// Platforms is every platform a release ships, in manifest order.
var Platforms = []Platform{
	{"darwin", "amd64"},
	{"darwin", "arm64"},
	{"linux", "amd64"},
	{"linux", "arm64"},
	{"windows", "amd64"},
}

// ParsePlatforms reads a space- or comma-separated list of os/arch pairs, each
// one the project ships.
func ParsePlatforms(s string) ([]Platform, error) {
	var out []Platform
	seen := map[Platform]bool{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' || r == '\n' }) {
		os, arch, ok := strings.Cut(f, "/")
		p := Platform{os, arch}
		if !ok || !shipped(p) {
			return nil, fmt.Errorf("platform %q is not one the project ships (%s)", f, platformList())
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no platforms given (choose from %s)", platformList())
	}
	return out, nil
}

func shipped(p Platform) bool {
	for _, q := range Platforms {
		if p == q {
			return true
		}
	}
	return false
}

func platformList() string {
	s := make([]string, len(Platforms))
	for i, p := range Platforms {
		s[i] = p.String()
	}
	return strings.Join(s, " ")
}

// semver is what both krew (leading v, semver) and Flux (the same without the
// v) accept as a version.
var semver = regexp.MustCompile(`^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$`)

// CheckVersion refuses a version neither plugin index would accept, such as
// the commit hash 'git describe' gives before the first tag.
func CheckVersion(v string) error {
	if !semver.MatchString(v) {
		return fmt.Errorf("version %q is not a release version: give VERSION=vX.Y.Z (krew needs the leading v and semver)", v)
	}
	return nil
}

// ArchiveName is the release asset holding the binary for p.
func ArchiveName(version string, p Platform) string {
	return fmt.Sprintf("%s_%s_%s_%s%s", Binary, version, p.OS, p.Arch, p.Ext())
}

// ChecksumsName is the release asset listing every archive's SHA-256.
func ChecksumsName(version string) string {
	return fmt.Sprintf("%s_%s_checksums.txt", Binary, version)
}

// DownloadURL is where a release asset lives under the repository's URL
// (GitHub's releases/download layout).
func DownloadURL(repoURL, version, asset string) string {
	return strings.TrimSuffix(repoURL, "/") + "/releases/download/" + version + "/" + asset
}
