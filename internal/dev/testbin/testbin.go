package testbin

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// Binaries every test run needs; the Flux controllers are checked by the
// tests that run them.
var Required = []string{"kube-apiserver", "etcd", "kube-controller-manager", "kube-scheduler", "kwok", "kwokctl"}

// RepoRoot returns the repository's top folder, found from the working
// directory (go test runs in the package folder).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.HasPrefix(string(b), "module github.com/aksbaseline/kubectl-aksbaseline\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("repository root not found above the working directory")
		}
		dir = parent
	}
}

var kubePin = regexp.MustCompile(`(?m)^require k8s\.io/kubernetes (v\S+)`)

var (
	once   sync.Once
	dir    string
	dirErr error
)

// Dir returns the folder holding the binaries: $TESTBIN when the Makefile set
// it, else the cache folder 'make testbin' fills for the pinned Kubernetes.
func Dir() (string, error) {
	once.Do(func() { dir, dirErr = resolve() })
	return dir, dirErr
}

func resolve() (string, error) {
	if d := os.Getenv("TESTBIN"); d != "" {
		return d, nil
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(filepath.Join(root, "hack", "tools", "kube", "go.mod"))
	if err != nil {
		return "", err
	}
	m := kubePin.FindSubmatch(b)
	if m == nil {
		return "", errors.New("hack/tools/kube/go.mod pins no k8s.io/kubernetes version")
	}
	version := string(m[1])
	if v := os.Getenv("KUBE_VERSION"); v != "" {
		version = "v" + strings.TrimPrefix(v, "v")
	}
	cache := os.Getenv("AKSBASELINE_CACHE")
	if cache == "" {
		base := os.Getenv("XDG_CACHE_HOME")
		if base == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", err
			}
			base = filepath.Join(home, ".cache")
		}
		cache = filepath.Join(base, "kubectl-aksbaseline")
	}
	return filepath.Join(cache, "sets", "kube-"+version), nil
}

// Path returns the path of one binary, or an error that says how to build it.
func Path(name string) (string, error) {
	d, err := Dir()
	if err != nil {
		return "", err
	}
	p := filepath.Join(d, name)
	if st, err := os.Stat(p); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
		return "", fmt.Errorf("test binary %s not found in %s: run 'make testbin' (it builds the control plane from Go modules; the first build takes minutes)", name, d)
	}
	return p, nil
}

// Check returns an error naming every missing binary of names.
func Check(names ...string) error {
	var missing []string
	for _, n := range names {
		if _, err := Path(n); err != nil {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	d, _ := Dir()
	return fmt.Errorf("test binaries missing from %s: %s: run 'make testbin' (it builds them from Go modules; the first build takes minutes)", d, strings.Join(missing, ", "))
}

// Kubectl returns the kubectl on PATH, or an error saying it is needed.
func Kubectl() (string, error) {
	p, err := exec.LookPath("kubectl")
	if err != nil {
		return "", errors.New("kubectl not found on PATH: the plugin-discovery tests run the real kubectl; install kubectl")
	}
	return p, nil
}
