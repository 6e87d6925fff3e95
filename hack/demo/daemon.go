package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"strconv"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
)

// fluxCRDs are the kinds the two local controllers watch: they exit when a
// kind is not served, so they start only once these are established (applied
// by bootstrap, or by the seeding in the extension era).
var fluxCRDs = []string{
	"gitrepositories.source.toolkit.fluxcd.io",
	"kustomizations.kustomize.toolkit.fluxcd.io",
}

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
	if err := waitForFluxCRDs(ctx, l.kubeconfig()); err != nil {
		if ctx.Err() != nil {
			log.Printf("stopping")
			return nil
		}
		return err
	}
	log.Printf("Flux CRDs established: starting source-controller and kustomize-controller")
	flux, err := startFlux(ctx, l)
	if err != nil {
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

func waitForFluxCRDs(ctx context.Context, kubeconfig string) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var client *apiextensionsclient.Clientset
	for {
		if client == nil {
			if _, err := os.Stat(kubeconfig); err == nil {
				if cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig); err == nil {
					client, _ = apiextensionsclient.NewForConfig(cfg)
				}
			}
		}
		if client != nil && established(ctx, client) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

func established(ctx context.Context, client *apiextensionsclient.Clientset) bool {
	for _, name := range fluxCRDs {
		crd, err := client.ApiextensionsV1().CustomResourceDefinitions().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false
		}
		ok := false
		for _, c := range crd.Status.Conditions {
			if c.Type == apiextensionsv1.Established && c.Status == apiextensionsv1.ConditionTrue {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
