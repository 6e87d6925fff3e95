package install

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/hack/release"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/testbin"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// version is what the suite releases; any semver works.
const version = "v1.2.3"

var (
	root      string // repository
	work      string // everything the suite writes
	distDir   string // archives: the host's real one, stubs for the rest
	againDir  string // the host's archive built a second time
	pluginDir string // generated manifests
	repoURL   string // from the Makefile
	host      release.Platform
	tools     string // kubectl and kubectl-krew, nothing else
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if err := setup(); err != nil {
		fmt.Fprintln(os.Stderr, "setup:", err)
		return 1
	}
	defer os.RemoveAll(work)
	return m.Run()
}

func setup() error {
	var err error
	if root, err = testbin.RepoRoot(); err != nil {
		return err
	}
	if work, err = os.MkdirTemp("", "aksbaseline-install-"); err != nil {
		return err
	}
	if repoURL, err = makefileRepoURL(); err != nil {
		return err
	}
	host = release.Platform{OS: runtime.GOOS, Arch: runtime.GOARCH}
	if _, err := release.ParsePlatforms(host.String()); err != nil {
		return fmt.Errorf("this machine's platform: %w", err)
	}
	distDir = filepath.Join(work, "dist")
	againDir = filepath.Join(work, "dist-again")
	pluginDir = filepath.Join(work, "plugins")

	// The real archive for this machine only: cross-compiling the other four
	// would cost minutes of CPU and prove nothing the stubs do not.
	// Twice, for TestDistIsReproducible: same sources, same bytes. A tree
	// edited between the two builds (an editor saving) proves nothing either
	// way, so then both are built again.
	for attempt := 1; ; attempt++ {
		before, err := sourceFingerprint()
		if err != nil {
			return err
		}
		for _, dir := range []string{distDir, againDir} {
			if out, err := runMake("dist-archives", "VERSION="+version, "DIST_DIR="+dir, "DIST_PLATFORMS="+host.String()); err != nil {
				return fmt.Errorf("make dist-archives: %v\n%s", err, out)
			}
		}
		after, err := sourceFingerprint()
		if err != nil {
			return err
		}
		if after == before {
			break
		}
		if attempt == 3 {
			return fmt.Errorf("the sources kept changing while the archives were built")
		}
	}
	if err := addStubArchives(); err != nil {
		return err
	}
	if out, err := runMake("plugin-manifests", "VERSION="+version, "DIST_DIR="+distDir, "PLUGIN_DIR="+pluginDir,
		"KREW_TEMPLATE="+filepath.Join(work, "krew-template.yaml")); err != nil {
		return fmt.Errorf("make plugin-manifests: %v\n%s", err, out)
	}

	tools = filepath.Join(work, "tools")
	if err := os.MkdirAll(tools, 0o755); err != nil {
		return err
	}
	kubectl, err := testbin.Kubectl()
	if err != nil {
		return err
	}
	krew, err := testbin.Path("kubectl-krew")
	if err != nil {
		return err
	}
	for name, target := range map[string]string{"kubectl": kubectl, "kubectl-krew": krew} {
		if err := os.Symlink(target, filepath.Join(tools, name)); err != nil {
			return err
		}
	}
	return nil
}

// addStubArchives completes the release with archives for the platforms not
// built here, laid out exactly as dist lays them out (release.Members), and
// rewrites the checksums file over all of them.
func addStubArchives() error {
	lic, err := os.ReadFile(filepath.Join(root, "LICENSE"))
	if err != nil {
		return err
	}
	var names []string
	for _, p := range release.Platforms {
		names = append(names, release.ArchiveName(version, p))
		if p == host {
			continue
		}
		stub := []byte("#!/bin/sh\necho 'stub " + release.Binary + " for " + p.String() + "'\n")
		if err := release.WriteArchive(filepath.Join(distDir, release.ArchiveName(version, p)), p, release.Members(p, stub, lic), time.Unix(0, 0)); err != nil {
			return err
		}
	}
	_, err = release.WriteChecksums(distDir, version, names)
	return err
}

// sourceFingerprint sums the name, size and modification time of every file
// a build reads.
func sourceFingerprint() (string, error) {
	h := sha256.New()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // an editor's temporary file, gone already
		}
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "bin", "dist", "testdata":
				return filepath.SkipDir
			}
			return nil
		}
		n := d.Name()
		if !strings.HasSuffix(n, ".go") && n != "go.mod" && n != "go.sum" && n != "LICENSE" && n != "Makefile" && !strings.HasSuffix(n, ".mk") {
			return nil
		}
		info, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d %d\n", p, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	return hex.EncodeToString(h.Sum(nil)), err
}

// runMake runs a target of the repository's Makefile without the settings of
// an enclosing make (make test), so only the variables given here apply.
func runMake(target string, vars ...string) ([]byte, error) {
	cmd := exec.Command("make", append([]string{"-s", "--no-print-directory", target}, vars...)...)
	cmd.Dir = root
	for _, kv := range os.Environ() {
		switch strings.SplitN(kv, "=", 2)[0] {
		case "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "VERSION", "REPO_URL", "DIST_DIR", "PLUGIN_DIR", "KREW_TEMPLATE", "DIST_PLATFORMS", "PREFIX", "BIN_DIR":
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	return cmd.CombinedOutput()
}

var repoURLLine = regexp.MustCompile(`(?m)^REPO_URL\s*\?=\s*(\S+)\s*$`)

// makefileRepoURL reads the one place the repository URL is kept.
func makefileRepoURL() (string, error) {
	b, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		return "", err
	}
	m := repoURLLine.FindSubmatch(b)
	if m == nil {
		return "", fmt.Errorf("no 'REPO_URL ?= …' line in the Makefile")
	}
	return string(m[1]), nil
}

// runIn runs a program with only the folders in path on PATH, an empty HOME
// and the extra variables given, so nothing of the machine's kubectl, krew or
// kubeconfig leaks in.
func runIn(t *testing.T, path []string, extra []string, name string, args ...string) plugintest.Result {
	t.Helper()
	env := append([]string{"PATH=" + strings.Join(path, string(os.PathListSeparator))}, extra...)
	return plugintest.Run(t, plugintest.Cmd{Name: name, Args: args, Env: env})
}

// systemPath is what the completion helper needs besides the tools: a shell
// and env.
var systemPath = []string{"/usr/bin", "/bin"}

func hostArchive() string {
	return filepath.Join(distDir, release.ArchiveName(version, host))
}
