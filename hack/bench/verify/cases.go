package main

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	"sigs.k8s.io/yaml"

	"github.com/aksbaseline/kubectl-aksbaseline/hack/internal/devcmd"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/verifier"
)

// The bars, from the issues that set them.
const (
	// With nodes only, verify keeps within 1.5× of 'kubectl get
	// nodes'; with 50,000 pods, where every pod is read, within 0.25× of
	// 'kubectl get pods -A'. Peak RSS at most 150 MiB.
	maxNodesRatio = 1.5
	maxPodsRatio  = 0.25
	maxRSSMiB     = 150
	// Issue 12: --evidence adds at most 25% to verify.
	maxEvidenceRatio = 1.25
	// Issue 19: signing adds at most 5% to --evidence, and 'evidence
	// verify' of the 5,000-node bundle takes at most 100 ms.
	maxSignedRatio = 1.05
	maxCheckTime   = 100 * time.Millisecond
	// Issue 18: verify at most 1.3× the floor (judging costs at most 30%
	// over reading) in at most 100 MiB; --report-to-cluster at most 1.2×
	// verify, within the CronJob's memory limit (cronJobMemoryMiB);
	// status over 20 contexts within a second.
	maxFloorRatio  = 1.3
	maxFloorRSSMiB = 100
	maxReportRatio = 1.2
	maxStatusTime  = time.Second
)

// nodesCases are the case with nodes only, which also writes the evidence
// bundle and signs it in dir, and the case that checks that bundle.
func nodesCases(name, kubectl, bin, dir string) (*benchCase, *benchCase, error) {
	signKey, publicKey, err := devcmd.SigningKey(filepath.Join(dir, "keys"))
	if err != nil {
		return nil, nil, err
	}
	base := &row{label: "kubectl get nodes -o name", argv: []string{kubectl, "get", "nodes", "-o", "name"}}
	verify := &row{label: "kubectl aksbaseline verify", argv: []string{bin, "verify"}, maxCode: 1}
	evidence := &row{label: "verify --evidence DIR", argv: []string{bin, "verify", "--evidence", filepath.Join(dir, "bundle"), "--force"}, maxCode: 1}
	signed := &row{label: "verify --evidence DIR --sign-key KEY", maxCode: 1,
		argv: []string{bin, "verify", "--evidence", filepath.Join(dir, "signed"), "--force", "--sign-key", signKey}}
	nodes := &benchCase{name: name, rows: []*row{base, verify, evidence, signed}, bars: []bar{
		{of: verify, to: base, maxRatio: maxNodesRatio, why: "verify at scale"},
		{of: verify, maxRSSMiB: maxRSSMiB, why: "verify at scale"},
		{of: evidence, to: verify, maxRatio: maxEvidenceRatio, why: "issue 12"},
		{of: signed, to: evidence, maxRatio: maxSignedRatio, why: "issue 19"},
	}}
	check := &row{label: "evidence verify DIR --key PUB", argv: []string{bin, "evidence", "verify", filepath.Join(dir, "signed"), "--key", publicKey}}
	checked := &benchCase{name: name, rows: []*row{check}, bars: []bar{{of: check, maxTime: maxCheckTime, why: "issue 19"}}}
	return nodes, checked, nil
}

// podsCase times verify with the pods against kubectl, against the floor
// (the floor program), and with --report-to-cluster.
func podsCase(name, kubectl, bin, floorBin string) (*benchCase, error) {
	limit, err := cronJobMemoryMiB()
	if err != nil {
		return nil, err
	}
	base := &row{label: "kubectl get pods -A -o name", argv: []string{kubectl, "get", "pods", "-A", "-o", "name"}}
	verify := &row{label: "kubectl aksbaseline verify", argv: []string{bin, "verify"}, maxCode: 1}
	report := &row{label: "verify --report-to-cluster", argv: []string{bin, "verify", "--report-to-cluster"}, maxCode: 1}
	floor := &row{label: "floor: protobuf list nodes, pods", argv: []string{floorBin, strconv.Itoa(cluster.DefaultPageSize)}}
	return &benchCase{name: name, rows: []*row{base, verify, report, floor}, bars: []bar{
		{of: verify, to: base, maxRatio: maxPodsRatio, why: "verify at scale"},
		{of: verify, to: floor, maxRatio: maxFloorRatio, why: "issue 18: judging costs at most 30% over reading"},
		{of: verify, maxRSSMiB: maxFloorRSSMiB, why: "issue 18"},
		{of: report, to: verify, maxRatio: maxReportRatio, why: "issue 18"},
		{of: report, maxRSSMiB: limit, why: "the CronJob's memory limit (pkg/verifier)"},
	}}, nil
}

// fleetCase times status over n contexts of the same cluster, written
// into dir from the kubeconfig at from.
func fleetCase(bin, from, dir string, n int) (*benchCase, error) {
	kubeconfig, err := fleetKubeconfig(from, dir, n)
	if err != nil {
		return nil, err
	}
	status := &row{label: fmt.Sprintf("status --all-contexts (%d)", n), argv: []string{bin, "status", "--all-contexts", "--kubeconfig", kubeconfig}, maxCode: 1}
	return &benchCase{name: fmt.Sprintf("%d contexts", n), rows: []*row{status}, bars: []bar{{of: status, maxTime: maxStatusTime, why: "issue 18: the fleet from the jump box"}}}, nil
}

// cronJobMemoryMiB is the in-cluster verifier's memory limit, read from
// the CronJob configure --add-verifier writes, in MiB.
func cronJobMemoryMiB() (float64, error) {
	p, _, err := profile.Load("")
	if err != nil {
		return 0, err
	}
	files, err := verifier.Files(verifier.Options{Every: time.Hour, Tag: "bench", APIServerCIDR: verifier.DefaultAPIServerCIDR}, p)
	if err != nil {
		return 0, err
	}
	var cj batchv1.CronJob
	if err := yaml.Unmarshal(files["cronjob.yaml"], &cj); err != nil {
		return 0, fmt.Errorf("the verifier's cronjob.yaml: %w", err)
	}
	cs := cj.Spec.JobTemplate.Spec.Template.Spec.Containers
	if len(cs) != 1 || cs[0].Resources.Limits.Memory().IsZero() {
		return 0, fmt.Errorf("the verifier's CronJob has no single container with a memory limit")
	}
	return float64(cs[0].Resources.Limits.Memory().Value()) / (1 << 20), nil
}

func cpus() int { return runtime.NumCPU() }
