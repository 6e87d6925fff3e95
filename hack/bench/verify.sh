#!/usr/bin/env bash
# Times 'kubectl aksbaseline verify' on a local control plane (envtest)
# dressed as the reference cluster with 5,000 nodes, its policy templates and
# add-ons: first against 'kubectl get nodes -o name' (bar: at most 1.5 times
# kubectl's median), then, with 50,000 pods added, against
# 'kubectl get pods -A -o name' (bar: at most 0.25 times). Peak RSS at most
# 150 MiB in both. On the nodes case also verify --evidence (at most 1.25
# times verify), the bundle signed with --sign-key (at most 1.05 times
# --evidence) and 'evidence verify' of it (under 100 ms). One table at the end.
# usage: hack/bench/verify.sh   (make bench runs it after make testbin build)
#   NODES     node count (default 5000)
#   PODS      pods for the second case (default 50000; 0 skips it)
#   RUNS      timed runs of each command, nodes only (default 7)
#   POD_RUNS  timed runs of each command with the pods (default 5)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
[[ -x bin/kubectl-aksbaseline ]] || make --no-print-directory build >/dev/null
go run ./hack/bench/verify -binary bin/kubectl-aksbaseline -nodes "${NODES:-5000}" -pods "${PODS:-50000}" -runs "${RUNS:-7}" -pod-runs "${POD_RUNS:-5}"
