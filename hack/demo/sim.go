package main

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-logr/logr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/aksbaseline/kubectl-aksbaseline/test/kwokcluster"
	"github.com/aksbaseline/kubectl-aksbaseline/test/simcluster"
)

// gitServer serves the repositories under a folder over Git's smart HTTP
// protocol on loopback, through 'git http-backend', so the operator can push
// to it as to a fork and source-controller can clone from it.
type gitServer struct {
	srv *http.Server
	url string
}

func startGitServer(root string) (*gitServer, error) {
	gitBin, err := exec.LookPath("git")
	if err != nil {
		return nil, err
	}
	// A bare repository for the fork, accepting pushes.
	repo := filepath.Join(root, repoName)
	if out, err := exec.Command(gitBin, "init", "--quiet", "--bare", "--initial-branch", "main", repo).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("git init --bare: %v: %s", err, out)
	}
	if out, err := exec.Command(gitBin, "-C", repo, "config", "http.receivepack", "true").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("git config: %v: %s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	h := &cgi.Handler{
		Path: gitBin,
		Args: []string{"http-backend"},
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"},
	}
	g := &gitServer{srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}, url: "http://" + ln.Addr().String()}
	go func() { _ = g.srv.Serve(ln) }()
	return g, nil
}

func (g *gitServer) URL() string { return g.url }
func (g *gitServer) Stop()       { _ = g.srv.Close() }

// startFlux runs the real Flux controllers (simcluster.StartFlux) with their
// logs in the demo's logs folder, and records their pids so that 'down' can
// stop them should the daemon die without doing it.
func startFlux(ctx context.Context, l layout) (*simcluster.LocalFlux, error) {
	f, err := simcluster.StartFlux(ctx, l.kubeconfig(), l.logs())
	if err != nil {
		return nil, err
	}
	var pids []string
	for _, p := range f.PIDs() {
		pids = append(pids, strconv.Itoa(p))
	}
	log.Printf("source-controller and kustomize-controller running (pids %s), logs in %s", strings.Join(pids, ", "), l.logs())
	return f, os.WriteFile(l.fluxPIDs(), []byte(strings.Join(pids, "\n")+"\n"), 0o644)
}

// simcluster's controller-runtime client would otherwise warn, with a stack,
// that no logger was set.
func init() {
	ctrllog.SetLogger(logr.Discard())
}

// seedCluster dresses the cluster as the reference's AKS cluster of era,
// leaving out what the fork's cluster-manifests deliver through Flux, and
// waits until kwok reports every node and add-on ready.
func seedCluster(ctx context.Context, c *kwokcluster.Cluster, era, gitURL string) error {
	e, err := simcluster.ParseEra(era)
	if err != nil {
		return err
	}
	opts := simcluster.Options{SkipGitOps: true, GitURL: gitURL, GitBranch: "main"}
	if err := simcluster.Seed(ctx, c.Config, e, opts); err != nil {
		return err
	}
	return simcluster.WaitReady(ctx, c.Config, e, opts, 3*time.Minute)
}
