#!/usr/bin/env bash
# Times a fresh 'kubectl aksbaseline bootstrap' and a no-op re-run against the
# reference's manual kubectl sequence, on fresh local kwok clusters.
# usage: hack/bench/bootstrap.sh   (make bench runs it after make testbin build)
#   RUNS   runs of each sequence (default 3)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
[[ -x bin/kubectl-aksbaseline ]] || make --no-print-directory build >/dev/null
go run ./hack/bench/bootstrap -binary bin/kubectl-aksbaseline -runs "${RUNS:-3}"
