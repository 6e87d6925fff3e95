#!/usr/bin/env bash
# Times 'kubectl aksbaseline verify' on a local control plane (envtest, with
# the OpenReports CRDs) dressed as the reference cluster with 5,000 nodes,
# its policy templates and add-ons: first against 'kubectl get nodes -o name'
# (bar: at most 1.5 times kubectl's median), with verify --evidence (at most
# 1.25 times verify), the bundle signed with --sign-key (at most 1.05 times
# --evidence) and 'evidence verify' of it (at most 100 ms); then, with 50,000
# pods added, against 'kubectl get pods -A -o name' (bar: at most 0.25
# times) and against the floor, a bare paginated protobuf list of the same
# nodes and pods (at most 1.3 times, in at most 100 MiB), with
# --report-to-cluster (at most 1.2 times verify, within the in-cluster
# CronJob's memory limit); last, 'status' over 20 contexts of the same
# cluster (at most 1 s). Peak RSS at most 150 MiB on the nodes case. One
# table at the end, with the load average beside each row.
# usage: hack/bench/verify.sh   (make bench runs it after make testbin build)
#   NODES     node count (default 5000)
#   PODS      pods for the second case (default 50000; 0 skips it)
#   RUNS      timed runs of each command, nodes and status (default 7)
#   POD_RUNS  timed runs of each command with the pods (default 5)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
[[ -x bin/kubectl-aksbaseline ]] || make --no-print-directory build >/dev/null
go run ./hack/bench/verify -binary bin/kubectl-aksbaseline -nodes "${NODES:-5000}" -pods "${PODS:-50000}" -runs "${RUNS:-7}" -pod-runs "${POD_RUNS:-5}"
