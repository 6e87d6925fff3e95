package main

import (
	"bufio"
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/proc"
)

// runDaemon is the background process: it serves the fork's Git repository
// on loopback, runs the Flux controllers against the cluster once Flux's
// CRDs are there, and stops both on SIGTERM ('make demo-down').
func runDaemon(ctx context.Context, dir string) error {
	l := layout{dir: dir}
	log.SetFlags(log.LstdFlags | log.LUTC)
	if err := os.WriteFile(l.pidfile(), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return err
	}
	defer os.Remove(l.pidfile())

	// fd 3 is the ready pipe of 'up'.
	ready := os.NewFile(3, "ready")
	git, err := startGitServer(l.gitRoot())
	if err != nil {
		if ready != nil {
			ready.Close()
		}
		return fmt.Errorf("starting the Git server: %w", err)
	}
	defer git.Stop()
	log.Printf("Git server serving %s at %s", l.gitRoot(), git.URL())
	if ready != nil {
		fmt.Fprintf(ready, "ready %s\n", git.URL())
		ready.Close()
	}

	log.Printf("waiting for the kubeconfig %s and Flux's CRDs before starting the controllers", l.kubeconfig())
	flux, err := startFlux(ctx, l)
	if err != nil {
		if ctx.Err() != nil {
			log.Printf("stopping")
			return nil
		}
		return fmt.Errorf("starting the Flux controllers: %w", err)
	}
	<-ctx.Done()
	log.Printf("stopping the Flux controllers and the Git server")
	if err := flux.Stop(); err != nil {
		log.Printf("%v", err)
	}
	_ = os.Remove(l.fluxPIDs())
	return nil
}

// startDaemon starts the background process and waits until it reports its
// Git server's address on the ready pipe. It runs in its own session so it
// outlives 'make demo' and a Ctrl-C there.
func startDaemon(ctx context.Context, l layout, dir string) (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	logf, err := os.OpenFile(filepath.Join(l.logs(), "daemon.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return "", err
	}
	defer logf.Close()
	r, w, err := os.Pipe()
	if err != nil {
		return "", err
	}
	defer r.Close()
	cmd := exec.Command(self, "daemon", "--dir", dir)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		return "", fmt.Errorf("starting the demo daemon: %w", err)
	}
	w.Close()
	// The daemon is not our child to wait for: it outlives us. Reap it if it
	// dies while we still run.
	go func() { _ = cmd.Wait() }()

	type result struct {
		line string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		line, err := bufio.NewReader(r).ReadString('\n')
		ch <- result{strings.TrimSpace(line), err}
	}()
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case res := <-ch:
		if res.err != nil || !strings.HasPrefix(res.line, "ready ") {
			return "", fmt.Errorf("the demo daemon did not start: %s", proc.LogTail(filepath.Join(l.logs(), "daemon.log"), 10))
		}
		return strings.TrimPrefix(res.line, "ready "), nil
	case <-time.After(2 * time.Minute):
		return "", fmt.Errorf("the demo daemon did not report ready within 2m: %s", proc.LogTail(filepath.Join(l.logs(), "daemon.log"), 10))
	}
}
