package kwok

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/yaml"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/proc"
)

// An outage: kube-apiserver stopped and started again by hand, on the
// arguments kwokctl gave it (its configuration, kwok.yaml), while the other
// components keep running.

// StopAPIServer stops kube-apiserver (and only it), as an outage in the
// middle of an operation would; the other components keep running (they run
// without leader election, so they wait instead of exiting). StartAPIServer
// brings it back on the same port. Until then no other cluster can be
// created on this machine (the port must stay free for the restart), so do
// not Create in between.
func (c *Cluster) StopAPIServer(ctx context.Context) error {
	comp, err := c.component("kube-apiserver")
	if err != nil {
		return err
	}
	b, err := os.ReadFile(filepath.Join(c.clusterDir(), "pids", "kube-apiserver.pid"))
	if err != nil {
		return fmt.Errorf("kube-apiserver is not running: %w", err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	c.mu.Lock()
	if c.outageUnlock == nil {
		unlock, err := lockCreate(ctx)
		if err != nil {
			c.mu.Unlock()
			return err
		}
		c.outageUnlock = unlock
	}
	c.mu.Unlock()
	if err := proc.Stop(pid, c.clusterDir(), 5*time.Second); err != nil {
		return err
	}
	_ = os.Remove(filepath.Join(c.clusterDir(), "pids", "kube-apiserver.pid"))
	// Report stopped only once the port is closed, so callers see refused
	// connections from here on.
	var ports []int
	for _, p := range comp.Ports {
		ports = append(ports, p.Port)
	}
	return waitPortClosed(ctx, ports)
}

// StartAPIServer starts kube-apiserver again with the arguments kwokctl gave
// it and waits until it is ready.
func (c *Cluster) StartAPIServer(ctx context.Context) error {
	comp, err := c.component("kube-apiserver")
	if err != nil {
		return err
	}
	logf, err := os.OpenFile(filepath.Join(c.clusterDir(), "logs", "kube-apiserver.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(comp.Binary, comp.Args...)
	cmd.Dir = comp.WorkDir
	cmd.Stdout, cmd.Stderr = logf, logf
	// Its own session, as kwokctl starts it, so a Ctrl-C on the test does
	// not reach it before Delete does.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting kube-apiserver: %w", err)
	}
	go func() { _ = cmd.Wait() }() // reap it when it is stopped again
	if err := os.WriteFile(filepath.Join(c.clusterDir(), "pids", "kube-apiserver.pid"), []byte(strconv.Itoa(cmd.Process.Pid)), 0o644); err != nil {
		return err
	}
	err = c.waitReady(ctx, 2*time.Minute)
	c.releaseOutageLock()
	return err
}

func (c *Cluster) releaseOutageLock() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.outageUnlock != nil {
		c.outageUnlock()
		c.outageUnlock = nil
	}
}

type componentSpec struct {
	Name    string   `json:"name"`
	Binary  string   `json:"binary"`
	Args    []string `json:"args"`
	WorkDir string   `json:"workDir"`
	Ports   []struct {
		Port int `json:"port"`
	} `json:"ports"`
}

func (c *Cluster) componentConfig() ([]componentSpec, error) {
	b, err := os.ReadFile(filepath.Join(c.clusterDir(), "kwok.yaml"))
	if err != nil {
		return nil, err
	}
	for _, doc := range strings.Split(string(b), "\n---\n") {
		var d struct {
			Kind       string          `json:"kind"`
			Components []componentSpec `json:"components"`
		}
		if err := yaml.Unmarshal([]byte(doc), &d); err != nil {
			continue
		}
		if d.Kind == "KwokctlConfiguration" {
			return d.Components, nil
		}
	}
	return nil, fmt.Errorf("no KwokctlConfiguration in %s", filepath.Join(c.clusterDir(), "kwok.yaml"))
}

func (c *Cluster) component(name string) (componentSpec, error) {
	cfg, err := c.componentConfig()
	if err != nil {
		return componentSpec{}, err
	}
	for _, cc := range cfg {
		if cc.Name == name {
			return cc, nil
		}
	}
	return componentSpec{}, fmt.Errorf("kwok cluster %s has no %s", c.Name, name)
}

func waitPortClosed(ctx context.Context, ports []int) error {
	return wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 15*time.Second, true, func(context.Context) (bool, error) {
		for _, p := range ports {
			if PortOpen(p) {
				return false, nil
			}
		}
		return true, nil
	})
}

// PortOpen reports whether something accepts TCP connections on
// 127.0.0.1:port.
func PortOpen(port int) bool {
	conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
	if err != nil {
		return false
	}
	_ = conn.Close()
	return true
}
