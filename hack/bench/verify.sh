#!/usr/bin/env bash
# Times 'kubectl aksbaseline verify' against 'kubectl get nodes -o name' on a
# local control plane (envtest) dressed as the reference cluster with 5,000
# nodes, its policy templates and add-ons. Bar: verify at most 1.5 times
# kubectl's median, peak RSS at most 150 MiB.
# usage: hack/bench/verify.sh   (make bench runs it after make testbin build)
#   NODES  node count (default 5000)
#   RUNS   timed runs of each command (default 7)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
[[ -x bin/kubectl-aksbaseline ]] || make --no-print-directory build >/dev/null
go run ./hack/bench/verify -binary bin/kubectl-aksbaseline -nodes "${NODES:-5000}" -runs "${RUNS:-7}"
