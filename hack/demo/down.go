package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/kwok"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/proc"
)

// down stops the daemon (and with it the Flux controllers and the Git
// server), deletes the kwok cluster and removes the demo folder. It copes
// with a demo that stopped half-way: each part is removed if it is there.
func down(ctx context.Context, dir string, verbose bool) error {
	u := newUI()
	l := layout{dir: dir}
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if verbose {
			u.Okf("nothing to remove: no demo in %s", dir)
		}
		return nil
	}
	var errs []error
	for _, pid := range readPIDs(l.pidfile()) {
		if verbose {
			u.Actionf("stopping the demo daemon (pid %d): Flux controllers and Git server", pid)
		}
		if err := proc.Stop(pid, dir, 30*time.Second); err != nil {
			errs = append(errs, fmt.Errorf("demo daemon: %w", err))
		}
	}
	// Controllers a killed daemon could not stop (the pid file is ours; the
	// name guards against a recycled pid).
	for _, pid := range readPIDs(l.fluxPIDs()) {
		if err := proc.Stop(pid, "-controller", 10*time.Second); err != nil {
			errs = append(errs, fmt.Errorf("flux controller: %w", err))
		}
	}
	if st, err := os.Stat(l.kwokDir()); err == nil && st.IsDir() {
		if c, err := kwok.Open(l.kwokDir(), clusterName); err == nil {
			if verbose {
				u.Actionf("deleting the kwok cluster %s", clusterName)
			}
			if err := c.Delete(ctx); err != nil {
				errs = append(errs, err)
			}
		}
	}
	// Whatever still runs from the demo folder (a component kwokctl lost
	// track of) would keep ports open: name it rather than claim success.
	if left := processesUnder(dir); len(left) > 0 {
		errs = append(errs, fmt.Errorf("still running from %s: pids %v", dir, left))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w (the demo folder %s is kept)", err, dir)
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if verbose {
		u.Okf("demo removed: nothing of it is left running, %s is gone", dir)
	}
	return nil
}

// processesUnder lists live processes whose command line mentions dir.
func processesUnder(dir string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	// This process and its ancestors (make, the shell) name dir too.
	self := map[int]bool{}
	for pid := os.Getpid(); pid > 1 && !self[pid]; pid = parent(pid) {
		self[pid] = true
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || self[pid] {
			continue
		}
		if proc.Alive(pid, dir) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func parent(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 2 {
		return 0
	}
	p, _ := strconv.Atoi(f[1])
	return p
}
