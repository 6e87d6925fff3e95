package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
func (l layout) evidence() string   { return filepath.Join(l.dir, "evidence") }
func (l layout) signing() string    { return filepath.Join(l.dir, "signing") }

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
