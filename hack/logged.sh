#!/usr/bin/env bash
# Runs a build step with Go's download and build chatter appended to a log
# file, so a first run's screen shows what is being built and how long it
# took rather than hundreds of 'go: downloading' lines. On failure it prints
# the log's last lines and where the whole log is.
#
# usage: hack/logged.sh [-q] LOG WHAT COMMAND [ARG...]
#   -q  print nothing unless the step fails
set -euo pipefail

quiet=false
if [[ $1 == -q ]]; then
	quiet=true
	shift
fi
log=$1 what=$2
shift 2
mkdir -p "$(dirname "$log")"
$quiet || printf '► %s\n' "$what" >&2
printf '\n=== %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$what" >>"$log"
start=$SECONDS
if ! "$@" >>"$log" 2>&1; then
	printf '✗ %s failed; the last lines of %s:\n' "$what" "$log" >&2
	tail -n 40 "$log" >&2
	exit 1
fi
$quiet || printf '✔ %s (%ss)\n' "$what" "$((SECONDS - start))" >&2
