#!/usr/bin/env bash
# Copies the upstream CRDs the simulated cluster serves into
# fixtures/crds/upstream, from the Go modules (and versions) named below, so
# the seeded API matches what the real add-ons install. Run by
# 'make simcluster-crds'; the output is committed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../../.." && pwd)
out=$here/fixtures/crds/upstream

GATEKEEPER=github.com/open-policy-agent/gatekeeper/v3@v3.23.1
SECRETS_STORE=sigs.k8s.io/secrets-store-csi-driver@v1.4.0
POD_IDENTITY=github.com/Azure/aad-pod-identity@v1.8.17

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'module gencrds\n\ngo 1.26.0\n' > "$tmp/go.mod"
moddir() { (cd "$tmp" && go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'); }
# The Flux controllers come from the tools module that builds them, so the
# CRDs always match the binaries the tests run.
fluxdir() { (cd "$root/hack/tools/flux" && go mod download -json "$1@$(go list -m -f '{{.Version}}' "$1")" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'); }

rm -rf "$out"
mkdir -p "$out"

# copy SOURCE-MODULE FILE DEST [first-doc-only]
copy() {
	local mod=$1 file=$2 dest=$3 first=${4:-}
	{
		printf '# Copied from %s %s by internal/dev/sim/seed/gencrds.sh; do not edit.\n' "$mod" "${file#"$dir"/}"
		if [[ -n $first ]]; then
			awk 'NR > 1 && /^---$/ {exit} {print}' "$file"
		else
			cat "$file"
		fi
	} > "$out/$dest"
}

dir=$(moddir "$GATEKEEPER")
copy "$GATEKEEPER" "$dir/config/crd/bases/constrainttemplate-customresourcedefinition.yaml" templates.gatekeeper.sh_constrainttemplates.yaml first

dir=$(moddir "$SECRETS_STORE")
for f in secretproviderclasses secretproviderclasspodstatuses; do
	copy "$SECRETS_STORE" "$dir/config/crd/bases/secrets-store.csi.x-k8s.io_$f.yaml" "secrets-store.csi.x-k8s.io_$f.yaml"
done

dir=$(moddir "$POD_IDENTITY")
copy "$POD_IDENTITY" "$dir/config/crd/aadpodidentity.k8s.io.yaml" aadpodidentity.k8s.io.yaml

mkdir -p "$out/flux"
for m in github.com/fluxcd/source-controller github.com/fluxcd/kustomize-controller; do
	dir=$(fluxdir "$m")
	v=$(cd "$root/hack/tools/flux" && go list -m -f '{{.Version}}' "$m")
	for f in "$dir"/config/crd/bases/*.yaml; do
		copy "$m@$v" "$f" "flux/$(basename "$f")"
	done
done
echo "✔ CRDs copied to ${out#"$root"/}" >&2
