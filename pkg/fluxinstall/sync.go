package fluxinstall

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation"
)

// SyncOptions describe the Git repository Flux syncs from.
type SyncOptions struct {
	Name      string
	Namespace string
	URL       string
	Branch    string
	Path      string
	Interval  time.Duration
	SecretRef string
	// Origin names the flag the URL came from, for messages.
	Origin string
}

// ReferenceRepo is the name of the reference's repository in a user's fork.
const ReferenceRepo = "aks-baseline-regulated"

// GitHubURL is the reference's fork URL for a GitHub account.
func GitHubURL(account string) string {
	return "https://github.com/" + account + "/" + ReferenceRepo
}

// validate checks the options a sync needs.
func (o SyncOptions) validate() error {
	if errs := validation.IsDNS1123Subdomain(o.Name); len(errs) > 0 {
		return fmt.Errorf("invalid --name %q: %s", o.Name, strings.Join(errs, "; "))
	}
	u, err := url.Parse(o.URL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("invalid --url %q: want a Git URL such as https://github.com/ACCOUNT/%s or ssh://git@github.com/ACCOUNT/%s", o.URL, ReferenceRepo, ReferenceRepo)
	}
	switch u.Scheme {
	case "http", "https", "ssh":
	default:
		return fmt.Errorf("invalid --url %q: the scheme must be https, http or ssh", o.URL)
	}
	if o.Branch == "" {
		return fmt.Errorf("--branch must not be empty")
	}
	if o.Interval <= 0 {
		return fmt.Errorf("--interval must be positive")
	}
	if o.SecretRef != "" {
		if errs := validation.IsDNS1123Subdomain(o.SecretRef); len(errs) > 0 {
			return fmt.Errorf("invalid --secret-ref %q: %s", o.SecretRef, strings.Join(errs, "; "))
		}
	}
	return nil
}

// syncObjects returns the GitRepository and Kustomization that make Flux
// reconcile the repository, in the current Flux APIs (the reference's
// v1beta1 ones no longer exist).
func syncObjects(o SyncOptions) *Set {
	origin := o.Origin
	if origin == "" {
		origin = "--url"
	}
	repoSpec := map[string]any{"ref": map[string]any{"branch": o.Branch}, "url": o.URL}
	if o.SecretRef != "" {
		repoSpec["secretRef"] = map[string]any{"name": o.SecretRef}
	}
	repo := o.syncObject("source.toolkit.fluxcd.io/v1", "GitRepository", repoSpec)
	ks := o.syncObject("kustomize.toolkit.fluxcd.io/v1", "Kustomization", map[string]any{
		"path":      o.Path,
		"prune":     true,
		"sourceRef": map[string]any{"kind": "GitRepository", "name": o.Name},
	})
	return &Set{objects: []object{
		{Unstructured: repo, origin: origin},
		{Unstructured: ks, origin: "--path"},
	}}
}

// syncObject is one sync object named and placed by o, reconciled every
// o.Interval; spec holds what is particular to its kind.
func (o SyncOptions) syncObject(apiVersion, kind string, spec map[string]any) *unstructured.Unstructured {
	spec["interval"] = o.Interval.String()
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": apiVersion,
		"kind":       kind,
		"metadata":   map[string]any{"name": o.Name, "namespace": o.Namespace},
		"spec":       spec,
	}}
}
