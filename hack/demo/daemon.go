package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"strconv"
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
