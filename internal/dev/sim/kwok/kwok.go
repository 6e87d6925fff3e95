package kwok

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/proc"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/testbin"
)

// Binaries a kwok cluster runs, all from 'make testbin'.
var Binaries = []string{"kwokctl", "kwok", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd"}

// Options adjust a cluster. The zero value is a good default for tests.
type Options struct {
	// Name of the cluster; default "aksbaseline-<8 hex>".
	Name string
	// Workdir holds the cluster's state (it becomes KWOK_WORKDIR). Default: a
	// new temporary folder, removed by Delete. A folder given here is kept.
	Workdir string
	// Wait bounds the wait for the cluster to become ready; default 2m.
	Wait time.Duration
	// DisableQPSLimits lifts the client rate limits of the components, for
	// clusters with thousands of nodes (the benchmarks).
	DisableQPSLimits bool
	// ExtraArgs are appended to 'kwokctl create cluster'.
	ExtraArgs []string
	// Log receives kwokctl's own output; it is always kept in
	// <Workdir>/kwokctl.log as well.
	Log io.Writer
}

// Cluster is a running kwok cluster.
type Cluster struct {
	// Name is the kwokctl cluster name.
	Name string
	// Workdir is KWOK_WORKDIR; the components' logs are in
	// <Workdir>/clusters/<Name>/logs.
	Workdir string
	// Kubeconfig is the path of an admin kubeconfig file.
	Kubeconfig string
	// Config is an admin REST config for the cluster.
	Config *rest.Config
	// KubeVersion is the server's version, e.g. "v1.37.2".
	KubeVersion string

	kwokctl     string
	ownsWorkdir bool
	log         io.Writer

	mu        sync.Mutex
	deleted   bool
	deleteErr error
	// While the API server is stopped its port is free; this holds the
	// machine-wide create lock so no other cluster takes it meanwhile.
	outageUnlock func()
}

// Component is one process of the cluster.
type Component struct {
	Name  string
	PID   int
	Ports []int
}

// Create starts a cluster and waits until it serves and the default service
// account exists (pods can be created). On error nothing is left running.
func Create(ctx context.Context, opts Options) (*Cluster, error) {
	if err := testbin.Check(Binaries...); err != nil {
		return nil, err
	}
	path := func(n string) string { p, _ := testbin.Path(n); return p }
	version, err := serverVersion(ctx, path("kube-apiserver"))
	if err != nil {
		return nil, err
	}
	c := &Cluster{Name: opts.Name, Workdir: opts.Workdir, KubeVersion: version, kwokctl: path("kwokctl")}
	if c.Name == "" {
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		c.Name = "aksbaseline-" + hex.EncodeToString(b)
	}
	if c.Workdir == "" {
		d, err := os.MkdirTemp("", "aksbaseline-kwok-")
		if err != nil {
			return nil, err
		}
		c.Workdir, c.ownsWorkdir = d, true
	} else if err := os.MkdirAll(c.Workdir, 0o755); err != nil {
		return nil, err
	}
	if c.Workdir, err = filepath.Abs(c.Workdir); err != nil {
		return nil, err
	}
	c.log = opts.Log
	c.Kubeconfig = filepath.Join(c.Workdir, "kubeconfig")

	// Bind every component to loopback only: nothing here needs to be
	// reachable from elsewhere.
	cfgFile := filepath.Join(c.Workdir, "kwokctl-options.yaml")
	if err := os.WriteFile(cfgFile, []byte("apiVersion: config.kwok.x-k8s.io/v1alpha1\nkind: KwokctlConfiguration\noptions:\n  bindAddress: 127.0.0.1\n"), 0o644); err != nil {
		c.cleanupDir()
		return nil, err
	}
	waitFor := opts.Wait
	if waitFor == 0 {
		waitFor = 2 * time.Minute
	}
	args := []string{"create", "cluster", "--name", c.Name, "--runtime", "binary",
		"--config", cfgFile,
		"--kube-apiserver-binary", path("kube-apiserver"),
		"--kube-controller-manager-binary", path("kube-controller-manager"),
		"--kube-scheduler-binary", path("kube-scheduler"),
		"--etcd-binary", path("etcd"),
		"--kwok-controller-binary", path("kwok"),
		"--kubeconfig", c.Kubeconfig,
		"--wait", waitFor.String(),
	}
	// One instance each: without leader election they keep running through
	// an API server outage (StopAPIServer) instead of exiting when they
	// cannot renew their lease.
	args = append(args,
		"--extra-args", "kube-controller-manager=leader-elect=false",
		"--extra-args", "kube-scheduler=leader-elect=false")
	if opts.DisableQPSLimits {
		args = append(args, "--disable-qps-limits")
	}
	args = append(args, opts.ExtraArgs...)

	// kwokctl picks its ports by probing downwards from 32767, so two
	// clusters created at the same moment (test packages run in parallel)
	// would pick the same ones. Hold a machine-wide lock until this one's
	// components are listening.
	unlock, err := lockCreate(ctx)
	if err != nil {
		c.cleanupDir()
		return nil, err
	}
	err = c.run(ctx, args...)
	unlock()
	if err != nil {
		_ = c.Delete(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("kwokctl create cluster %s: %w (log: %s)", c.Name, err, filepath.Join(c.Workdir, "kwokctl.log"))
	}
	if c.Config, err = clientcmd.BuildConfigFromFlags("", c.Kubeconfig); err != nil {
		_ = c.Delete(context.WithoutCancel(ctx))
		return nil, err
	}
	c.Config.QPS, c.Config.Burst = 200, 400
	if err := c.waitUsable(ctx, waitFor); err != nil {
		_ = c.Delete(context.WithoutCancel(ctx))
		return nil, err
	}
	return c, nil
}

// DeleteOnSignal deletes the cluster when the process gets SIGINT or
// SIGTERM (then exits with 130), so an interrupted run leaves nothing
// behind. One handler serves every cluster of the process, so all of them
// are deleted before it exits. The returned func stops watching.
func (c *Cluster) DeleteOnSignal() (stop func()) {
	sigMu.Lock()
	defer sigMu.Unlock()
	if sigClusters == nil {
		sigClusters = map[*Cluster]bool{}
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
		go func() {
			<-sigs
			sigMu.Lock()
			var wg sync.WaitGroup
			for cl := range sigClusters {
				wg.Add(1)
				go func() { defer wg.Done(); _ = cl.Delete(context.Background()) }()
			}
			wg.Wait()
			os.Exit(130)
		}()
	}
	sigClusters[c] = true
	return func() {
		sigMu.Lock()
		defer sigMu.Unlock()
		delete(sigClusters, c)
	}
}

var (
	sigMu       sync.Mutex
	sigClusters map[*Cluster]bool
)

// Open returns the cluster a previous Create left in workdir (for example the
// demo's 'make demo-down'). Deleting it keeps workdir.
func Open(workdir, name string) (*Cluster, error) {
	kwokctl, err := testbin.Path("kwokctl")
	if err != nil {
		return nil, err
	}
	workdir, err = filepath.Abs(workdir)
	if err != nil {
		return nil, err
	}
	c := &Cluster{Name: name, Workdir: workdir, kwokctl: kwokctl, Kubeconfig: filepath.Join(workdir, "kubeconfig")}
	if _, err := os.Stat(c.clusterDir()); err != nil {
		return nil, fmt.Errorf("no kwok cluster %s in %s: %w", name, workdir, err)
	}
	if c.Config, err = clientcmd.BuildConfigFromFlags("", c.Kubeconfig); err != nil {
		return nil, err
	}
	return c, nil
}

// Delete stops every component (killing any that outlives 'kwokctl delete
// cluster') and removes the working folder Create made. Safe to call twice.
func (c *Cluster) Delete(ctx context.Context) error {
	c.releaseOutageLock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.deleted {
		return c.deleteErr
	}
	c.deleted = true
	comps, _ := c.Components()
	var errs []error
	if _, err := os.Stat(c.clusterDir()); err == nil {
		if err := c.run(ctx, "delete", "cluster", "--name", c.Name); err != nil {
			errs = append(errs, fmt.Errorf("kwokctl delete cluster %s: %w", c.Name, err))
		}
	}
	// kwokctl's binary runtime daemonizes the components; make sure each
	// one has really gone, whatever kwokctl managed.
	for _, comp := range comps {
		if err := proc.Stop(comp.PID, c.clusterDir(), 10*time.Second); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", comp.Name, err))
		}
	}
	var ports []int
	for _, comp := range comps {
		ports = append(ports, comp.Ports...)
	}
	if err := waitPortClosed(ctx, ports); err != nil {
		errs = append(errs, fmt.Errorf("ports %v still open after the components exited: %w", ports, err))
	}
	if c.ownsWorkdir {
		if err := os.RemoveAll(c.Workdir); err != nil {
			errs = append(errs, err)
		}
	}
	c.deleteErr = errors.Join(errs...)
	return c.deleteErr
}

// Components lists the cluster's processes (from kwokctl's pid files) and
// the ports each was configured to listen on.
func (c *Cluster) Components() ([]Component, error) {
	cfg, err := c.componentConfig()
	if err != nil {
		return nil, err
	}
	var out []Component
	for _, cc := range cfg {
		comp := Component{Name: cc.Name}
		for _, p := range cc.Ports {
			comp.Ports = append(comp.Ports, p.Port)
		}
		if b, err := os.ReadFile(filepath.Join(c.clusterDir(), "pids", cc.Name+".pid")); err == nil {
			comp.PID, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		}
		out = append(out, comp)
	}
	return out, nil
}

func (c *Cluster) clusterDir() string { return filepath.Join(c.Workdir, "clusters", c.Name) }

func (c *Cluster) run(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, c.kwokctl, args...)
	cmd.Dir = c.Workdir
	cmd.Env = append(os.Environ(), "KWOK_WORKDIR="+c.Workdir)
	if c.KubeVersion != "" {
		cmd.Env = append(cmd.Env, "KWOK_KUBE_VERSION="+c.KubeVersion)
	}
	var buf bytes.Buffer
	w := io.Writer(&buf)
	if logf, err := os.OpenFile(filepath.Join(c.Workdir, "kwokctl.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err == nil {
		defer logf.Close()
		w = io.MultiWriter(w, logf)
	}
	if c.log != nil {
		w = io.MultiWriter(w, c.log)
	}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%w: %s", err, proc.Tail(buf.String(), 5))
	}
	return nil
}

func (c *Cluster) waitUsable(ctx context.Context, timeout time.Duration) error {
	if err := c.waitReady(ctx, timeout); err != nil {
		return err
	}
	cs, err := kubernetes.NewForConfig(c.Config)
	if err != nil {
		return err
	}
	err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		_, err := cs.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil, nil
	})
	if err != nil {
		return fmt.Errorf("kwok cluster %s: default service account never appeared: %w", c.Name, err)
	}
	return nil
}

func (c *Cluster) waitReady(ctx context.Context, timeout time.Duration) error {
	cs, err := kubernetes.NewForConfig(c.Config)
	if err != nil {
		return err
	}
	var last error
	err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		_, last = cs.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		return last == nil, nil
	})
	if err != nil {
		return fmt.Errorf("kwok cluster %s: API server not ready: %w (last: %v)", c.Name, err, last)
	}
	return nil
}

func (c *Cluster) cleanupDir() {
	if c.ownsWorkdir {
		_ = os.RemoveAll(c.Workdir)
	}
}

func serverVersion(ctx context.Context, apiserver string) (string, error) {
	out, err := exec.CommandContext(ctx, apiserver, "--version").Output()
	if err != nil {
		return "", fmt.Errorf("%s --version: %w", apiserver, err)
	}
	// "Kubernetes v1.37.2"
	f := strings.Fields(string(out))
	if len(f) < 2 || !strings.HasPrefix(f[1], "v1.") {
		return "", fmt.Errorf("%s --version printed %q: rebuild it with 'make testbin' (it stamps the version)", apiserver, strings.TrimSpace(string(out)))
	}
	return f[1], nil
}

func lockCreate(ctx context.Context) (func(), error) {
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "kubectl-aksbaseline-kwokctl-create.lock"), os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, err
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); _ = f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			_ = f.Close()
			return nil, err
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
