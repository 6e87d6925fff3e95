package flux

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/proc"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/testbin"
)

// Controllers are the real Flux source-controller and kustomize-controller
// running as local processes against a cluster. They do the reconciling of
// GitRepository and Kustomization objects; any Deployments of the same names
// inside the cluster are kwok's fake pods and do nothing.
type Controllers struct {
	// Workdir holds the controllers' logs (source-controller.log,
	// kustomize-controller.log) and the source-controller's artifact storage.
	Workdir string
	// StorageAddr is where the source-controller serves artifacts
	// (127.0.0.1:port).
	StorageAddr string

	procs    []*fluxProc
	stopOnce sync.Once
	stopErr  error
}

type fluxProc struct {
	name   string
	cmd    *exec.Cmd
	health string
	done   chan struct{}
	err    error
}

// Binaries are the controllers Start runs, from 'make testbin'.
var Binaries = []string{"source-controller", "kustomize-controller"}

// Start starts both controllers against the cluster of kubeconfig,
// watching all namespaces with RUNTIME_NAMESPACE=flux-system, on free
// loopback ports, and waits until both report healthy. The Flux CRDs must be
// installed (seed.InstallFluxCRDs, or the bootstrap's own install):
// StartWhenServed waits for them.
func Start(ctx context.Context, kubeconfig, workdir string) (*Controllers, error) {
	if err := testbin.Check(Binaries...); err != nil {
		return nil, err
	}
	workdir, err := filepath.Abs(workdir)
	if err != nil {
		return nil, err
	}
	storage := filepath.Join(workdir, "source-controller-storage")
	if err := os.MkdirAll(storage, 0o755); err != nil {
		return nil, err
	}
	ports, err := freePorts(5)
	if err != nil {
		return nil, err
	}
	addr := func(i int) string { return "127.0.0.1:" + strconv.Itoa(ports[i]) }
	f := &Controllers{Workdir: workdir, StorageAddr: addr(0)}
	common := []string{"--enable-leader-election=false", "--watch-all-namespaces=true", "--log-level=info"}
	specs := []struct {
		name   string
		health string
		args   []string
	}{
		{"source-controller", addr(2), append([]string{
			"--storage-path=" + storage,
			"--storage-addr=" + addr(0),
			"--storage-adv-addr=" + addr(0),
			"--metrics-addr=" + addr(1),
			"--health-addr=" + addr(2),
		}, common...)},
		{"kustomize-controller", addr(4), append([]string{
			"--metrics-addr=" + addr(3),
			"--health-addr=" + addr(4),
		}, common...)},
	}
	for _, s := range specs {
		bin, _ := testbin.Path(s.name)
		logf, err := os.OpenFile(filepath.Join(workdir, s.name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			_ = f.Stop()
			return nil, err
		}
		cmd := exec.Command(bin, s.args...)
		cmd.Dir = workdir
		cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig, "RUNTIME_NAMESPACE=flux-system")
		cmd.Stdout, cmd.Stderr = logf, logf
		// Die with the test binary or demo process, and be signalled as a
		// group of our own rather than with the terminal's Ctrl-C.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			logf.Close()
			_ = f.Stop()
			return nil, fmt.Errorf("starting %s: %w", s.name, err)
		}
		logf.Close()
		p := &fluxProc{name: s.name, cmd: cmd, health: s.health, done: make(chan struct{})}
		go func() { p.err = cmd.Wait(); close(p.done) }()
		f.procs = append(f.procs, p)
	}
	for _, p := range f.procs {
		if err := p.waitHealthy(ctx, 2*time.Minute, workdir); err != nil {
			_ = f.Stop()
			return nil, err
		}
	}
	return f, nil
}

func (p *fluxProc) waitHealthy(ctx context.Context, timeout time.Duration, workdir string) error {
	deadline := time.Now().Add(timeout)
	hc := &http.Client{Timeout: 2 * time.Second}
	for {
		resp, err := hc.Get("http://" + p.health + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited (%v); log %s:\n%s", p.name, p.err, filepath.Join(workdir, p.name+".log"), proc.LogTail(filepath.Join(workdir, p.name+".log"), 10))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not healthy on %s after %s; log %s:\n%s", p.name, p.health, timeout, filepath.Join(workdir, p.name+".log"), proc.LogTail(filepath.Join(workdir, p.name+".log"), 10))
		}
	}
}

// Stop terminates both controllers (SIGKILL after 10 s) and waits until
// they have exited. Safe to call twice.
func (f *Controllers) Stop() error {
	f.stopOnce.Do(func() {
		var errs []error
		for _, p := range f.procs {
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
		}
		for _, p := range f.procs {
			select {
			case <-p.done:
			case <-time.After(10 * time.Second):
				_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
				select {
				case <-p.done:
				case <-time.After(10 * time.Second):
					errs = append(errs, fmt.Errorf("%s (pid %d) did not exit", p.name, p.cmd.Process.Pid))
				}
			}
		}
		f.stopErr = errors.Join(errs...)
	})
	return f.stopErr
}

// PIDs returns the controllers' process ids, for checks that nothing is
// left running.
func (f *Controllers) PIDs() []int {
	var out []int
	for _, p := range f.procs {
		out = append(out, p.cmd.Process.Pid)
	}
	return out
}

func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
