package controlplane

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/go-logr/logr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/testbin"
)

// Env is a running API server with its etcd.
type Env struct {
	// Config is an admin REST config (system:masters).
	Config *rest.Config
	// Kubeconfig is the path of a kubeconfig file for Config, for running
	// the built binary or kubectl against the server.
	Kubeconfig string
	// Server is the API server URL.
	Server string

	te       *envtest.Environment
	dir      string
	stopOnce sync.Once
	stopErr  error
	sigs     chan os.Signal
}

// Options adjust the control plane.
type Options struct {
	// CRDs and CRDDirectoryPaths are installed before Start returns.
	CRDs              []*apiextensionsv1.CustomResourceDefinition
	CRDDirectoryPaths []string
}

// Start runs kube-apiserver and etcd and waits until they serve. Missing
// binaries are an error naming 'make testbin'.
func Start(opts Options) (*Env, error) {
	if err := testbin.Check("kube-apiserver", "etcd"); err != nil {
		return nil, err
	}
	// envtest logs through controller-runtime; its complaint about an unset
	// logger (with a stack) would bury the test output.
	ctrllog.SetLogger(logr.Discard())
	bin, _ := testbin.Dir()
	te := &envtest.Environment{
		BinaryAssetsDirectory:    bin,
		CRDs:                     opts.CRDs,
		CRDDirectoryPaths:        opts.CRDDirectoryPaths,
		ErrorIfCRDPathMissing:    true,
		ControlPlaneStartTimeout: time.Minute,
		ControlPlaneStopTimeout:  30 * time.Second,
	}
	// Authorize with RBAC, as a real cluster does, so restricted users see 403s.
	te.ControlPlane.GetAPIServer().Configure().Set("authorization-mode", "RBAC")
	cfg, err := te.Start()
	if err != nil {
		_ = te.Stop()
		return nil, fmt.Errorf("starting envtest from %s: %w", bin, err)
	}
	e := &Env{Config: cfg, Server: cfg.Host, te: te}
	e.sigs = make(chan os.Signal, 1)
	signal.Notify(e.sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		if _, ok := <-e.sigs; ok {
			_ = e.Stop()
			os.Exit(130)
		}
	}()
	dir, err := os.MkdirTemp("", "aksbaseline-envtest-")
	if err != nil {
		_ = e.Stop()
		return nil, err
	}
	e.dir = dir
	e.Kubeconfig = filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(e.Kubeconfig, te.KubeConfig, 0o600); err != nil {
		_ = e.Stop()
		return nil, err
	}
	return e, nil
}

// User is a kubeconfig for a non-admin user, for RBAC tests.
type User struct {
	Name       string
	Config     *rest.Config
	Kubeconfig string
}

// AddUser creates credentials for name in groups; it has no permissions
// beyond what RBAC objects the test creates grant it.
func (e *Env) AddUser(name string, groups ...string) (*User, error) {
	au, err := e.te.AddUser(envtest.User{Name: name, Groups: groups}, nil)
	if err != nil {
		return nil, err
	}
	kc, err := au.KubeConfig()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(e.dir, "kubeconfig-"+name)
	if err := os.WriteFile(path, kc, 0o600); err != nil {
		return nil, err
	}
	return &User{Name: name, Config: au.Config(), Kubeconfig: path}, nil
}

// Stop stops the control plane and removes its files; safe to call twice.
func (e *Env) Stop() error {
	e.stopOnce.Do(func() {
		signal.Stop(e.sigs)
		close(e.sigs)
		e.stopErr = e.te.Stop()
		if e.dir != "" {
			_ = os.RemoveAll(e.dir)
		}
	})
	return e.stopErr
}
