package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clusterName is fixed so that 'make demo-down' and a reader's kubectl find it.
const clusterName = "aksbaseline-demo"

// defaultDir follows the cache rule of hack/testbin.sh, so the demo's state
// sits beside the binaries it runs.
func defaultDir() string {
	if d := os.Getenv("AKSBASELINE_CACHE"); d != "" {
		return filepath.Join(d, "demo")
	}
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return filepath.Join(os.TempDir(), "kubectl-aksbaseline-demo")
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "kubectl-aksbaseline", "demo")
}

// layout names every path under the demo folder.
type layout struct{ dir string }

func (l layout) kwokDir() string    { return filepath.Join(l.dir, "kwok") }
func (l layout) kubeconfig() string { return filepath.Join(l.dir, "kwok", "kubeconfig") }
func (l layout) logs() string       { return filepath.Join(l.dir, "logs") }
func (l layout) gitRoot() string    { return filepath.Join(l.dir, "git") }
func (l layout) work() string       { return filepath.Join(l.dir, "work", "aks-baseline-regulated") }
func (l layout) pidfile() string    { return filepath.Join(l.dir, "daemon.pid") }
func (l layout) stateFile() string  { return filepath.Join(l.dir, "state.json") }
func (l layout) fluxPIDs() string   { return filepath.Join(l.dir, "flux.pids") }

// state is what 'up' leaves for 'down' and for the daemon.
type state struct {
	Era     string    `json:"era"`
	Cluster string    `json:"cluster"`
	GitURL  string    `json:"gitURL,omitempty"`
	Started time.Time `json:"started"`
}

func (l layout) writeState(s state) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(l.stateFile(), append(b, '\n'), 0o644)
}

func (l layout) readState() (state, error) {
	var s state
	b, err := os.ReadFile(l.stateFile())
	if err != nil {
		return s, err
	}
	return s, json.Unmarshal(b, &s)
}

// readPIDs reads a file of pids, one a line.
func readPIDs(path string) []int {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var pids []int
	for _, f := range strings.Fields(string(b)) {
		if p, err := strconv.Atoi(f); err == nil && p > 0 {
			pids = append(pids, p)
		}
	}
	return pids
}

// alive reports whether pid runs (not a zombie) and its command line
// mentions marker, which guards against a recycled pid.
func alive(pid int, marker string) bool {
	if pid <= 0 {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	if i := bytes.LastIndexByte(stat, ')'); i > 0 && len(stat) > i+2 && stat[i+2] == 'Z' {
		return false
	}
	if marker == "" {
		return true
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return false
	}
	return bytes.Contains(cmdline, []byte(marker))
}

// stopPID sends SIGTERM, then SIGKILL after grace, and waits until pid is gone.
func stopPID(pid int, marker string, grace time.Duration) error {
	if !alive(pid, marker) {
		return nil
	}
	_ = syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) {
		if !alive(pid, marker) {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	for range 100 {
		if !alive(pid, marker) {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("process %d did not exit", pid)
}
