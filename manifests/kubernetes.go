package manifests

import (
	"fmt"
	"strings"

	"github.com/blang/semver/v4"
)

// SupportsKubernetes reports whether a server of gitVersion (as /version
// reports it, e.g. "v1.34.4" or "v1.33.2+aks.1") satisfies KubernetesMinimum.
// The constraint is parsed as the range it is, so a later change to its form
// (an upper bound, a pre-release floor) is honoured rather than mangled.
func SupportsKubernetes(gitVersion string) (bool, error) {
	want, err := semver.ParseRange(KubernetesMinimum)
	if err != nil {
		return false, fmt.Errorf("manifests.KubernetesMinimum %q: %w", KubernetesMinimum, err)
	}
	have, err := parseServerVersion(gitVersion)
	if err != nil {
		return false, err
	}
	return want(have), nil
}

// parseServerVersion reads a /version gitVersion. Build metadata (AKS and
// distributions append it) says nothing about the APIs served, so it is
// dropped; a pre-release such as 1.35.0-rc.1 stays and sorts before 1.35.0.
func parseServerVersion(gitVersion string) (semver.Version, error) {
	s := strings.TrimPrefix(strings.TrimSpace(gitVersion), "v")
	s, _, _ = strings.Cut(s, "+")
	v, err := semver.Parse(s)
	if err != nil {
		return semver.Version{}, fmt.Errorf("cannot parse the server version %q", gitVersion)
	}
	return v, nil
}
