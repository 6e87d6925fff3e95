#!/usr/bin/env bash
# Times 'kubectl aksbaseline bootstrap' upgrading the reference's Flux v0.8.1
# with 1,000 v1beta1 GitRepositories and Kustomizations in 50 namespaces,
# against a fresh bootstrap, on fresh local kwok clusters.
# usage: hack/bench/upgrade.sh   (make bench runs it after make testbin build)
#   RUNS   runs of each sequence (default 3)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
[[ -x bin/kubectl-aksbaseline ]] || make --no-print-directory build >/dev/null
go run ./hack/bench/bootstrap -upgrade -binary bin/kubectl-aksbaseline -runs "${RUNS:-3}"
