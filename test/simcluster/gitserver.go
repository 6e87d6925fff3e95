package simcluster

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fluxcd/pkg/gittestserver"
	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-billy/v5/util"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"
)

// RepoPath is where GitServer serves its repository, below its address.
const RepoPath = "contoso/aks-baseline-regulated"

// GitServer serves one folder as a Git repository over HTTP on loopback, in
// this process, for Flux's source-controller to pull.
type GitServer struct {
	// URL of the repository (http://127.0.0.1:PORT/contoso/aks-baseline-regulated).
	URL string
	// Branch holding the folder's content.
	Branch string

	srv      *gittestserver.GitServer
	mu       sync.Mutex
	stopOnce sync.Once
}

// StartGitServer commits the content of dir to branch of a new repository
// and serves it.
func StartGitServer(dir, branch string) (*GitServer, error) {
	if branch == "" {
		branch = "main"
	}
	srv, err := gittestserver.NewTempGitServer()
	if err != nil {
		return nil, err
	}
	g := &GitServer{Branch: branch, srv: srv}
	dir = filepath.Clean(dir)
	if err := srv.InitRepo(dir, branch, RepoPath); err != nil {
		g.Stop()
		return nil, fmt.Errorf("committing %s: %w", dir, err)
	}
	if err := srv.StartHTTP(); err != nil {
		g.Stop()
		return nil, err
	}
	g.URL = srv.HTTPAddress() + "/" + RepoPath
	return g, nil
}

// Publish commits the current content of dir (files added, changed and
// removed) on top of the branch, as an operator's push would, and returns
// the new commit's hash. Flux sees it at its next reconcile.
func (g *GitServer) Publish(dir, message string) (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	ref := plumbing.NewBranchReferenceName(g.Branch)
	repo, err := gogit.Clone(memory.NewStorage(), memfs.New(), &gogit.CloneOptions{
		URL:           "file://" + filepath.Join(g.srv.Root(), RepoPath),
		ReferenceName: ref,
		SingleBranch:  true,
	})
	if err != nil {
		return "", fmt.Errorf("cloning the served repository: %w", err)
	}
	w, err := repo.Worktree()
	if err != nil {
		return "", err
	}
	wfs := w.Filesystem
	// Empty the work tree, then copy dir in.
	entries, err := wfs.ReadDir("/")
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		if err := util.RemoveAll(wfs, "/"+e.Name()); err != nil {
			return "", err
		}
	}
	dir = filepath.Clean(dir)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			return wfs.MkdirAll(rel, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		f, err := wfs.Create(rel)
		if err != nil {
			return err
		}
		if _, err := f.Write(b); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})
	if err != nil {
		return "", err
	}
	if err := w.AddWithOptions(&gogit.AddOptions{All: true}); err != nil {
		return "", err
	}
	if message == "" {
		message = "Update cluster manifests"
	}
	h, err := w.Commit(message, &gogit.CommitOptions{
		AllowEmptyCommits: true,
		Author:            &object.Signature{Name: "aksbaseline e2e", Email: "e2e@example.com", When: time.Now()},
	})
	if err != nil {
		return "", err
	}
	if err := repo.Push(&gogit.PushOptions{}); err != nil && !errors.Is(err, gogit.NoErrAlreadyUpToDate) {
		return "", fmt.Errorf("pushing: %w", err)
	}
	return h.String(), nil
}

// Stop stops serving and removes the repository. Safe to call twice.
func (g *GitServer) Stop() {
	g.stopOnce.Do(func() {
		g.srv.StopHTTP()
		if root := g.srv.Root(); root != "" && strings.HasPrefix(root, os.TempDir()) {
			_ = os.RemoveAll(root)
		}
	})
}
