package gitserver

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Server serves the bare repositories below one folder.
type Server struct {
	root string
	git  string
	url  string
	srv  *http.Server
	// mu serialises Publish: two commits on one branch must not race.
	mu       sync.Mutex
	stopOnce sync.Once
}

// Start serves the repositories below root (which must exist) on a free
// loopback port. It needs git on PATH.
func Start(root string) (*Server, error) {
	gitBin, err := exec.LookPath("git")
	if err != nil {
		return nil, errors.New("git not found on PATH: the simulated fork is served by 'git http-backend'; install git")
	}
	root, err = filepath.Abs(root)
	if err != nil {
		return nil, err
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
	s := &Server{root: root, git: gitBin, url: "http://" + ln.Addr().String(),
		srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// URL is the server's address; a repository is served at URL()/name.
func (s *Server) URL() string { return s.url }

// Init creates the empty bare repository name, accepting pushes over HTTP,
// with branch as its default branch, and returns its URL.
func (s *Server) Init(name, branch string) (string, error) {
	repo := filepath.Join(s.root, name)
	if _, err := s.run(nil, "init", "--quiet", "--bare", "--initial-branch", branch, repo); err != nil {
		return "", err
	}
	if _, err := s.run(nil, "-C", repo, "config", "http.receivepack", "true"); err != nil {
		return "", err
	}
	return s.url + "/" + name, nil
}

// Publish commits the content of dir (files added, changed and removed) on
// top of branch of the repository name, as an operator's push would, and
// returns the new commit's hash. Flux sees it at its next reconcile.
func (s *Server) Publish(name, branch, dir, message string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo := filepath.Join(s.root, name)
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	// A throwaway index makes the commit's tree exactly dir, without a
	// working copy of the repository.
	tmp, err := os.MkdirTemp("", "aksbaseline-git-index-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	env := []string{"GIT_DIR=" + repo, "GIT_WORK_TREE=" + dir, "GIT_INDEX_FILE=" + filepath.Join(tmp, "index"),
		"GIT_AUTHOR_NAME=aksbaseline simulation", "GIT_AUTHOR_EMAIL=sim@example.com",
		"GIT_COMMITTER_NAME=aksbaseline simulation", "GIT_COMMITTER_EMAIL=sim@example.com"}
	if _, err := s.run(env, "add", "--all"); err != nil {
		return "", err
	}
	tree, err := s.run(env, "write-tree")
	if err != nil {
		return "", err
	}
	if message == "" {
		message = "Update cluster manifests"
	}
	args := []string{"commit-tree", tree, "-m", message}
	ref := "refs/heads/" + branch
	parent, err := s.run(env, "rev-parse", "--verify", "--quiet", ref)
	if err == nil {
		args = append(args, "-p", parent)
	}
	commit, err := s.run(env, args...)
	if err != nil {
		return "", err
	}
	if _, err := s.run(env, "update-ref", ref, commit); err != nil {
		return "", err
	}
	return commit, nil
}

// Stop stops serving; the repositories stay where they are. Safe to call
// twice.
func (s *Server) Stop() {
	s.stopOnce.Do(func() { _ = s.srv.Close() })
}

func (s *Server) run(env []string, args ...string) (string, error) {
	cmd := exec.Command(s.git, args...)
	// Neither the user's nor the system's git configuration changes what
	// the simulation commits.
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_TERMINAL_PROMPT=0")
	cmd.Env = append(cmd.Env, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return strings.TrimSpace(out.String()), nil
}
