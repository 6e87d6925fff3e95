#!/usr/bin/env bash
# Builds the binaries that tests, the demo and the benchmarks run (a real
# Kubernetes control plane, etcd, kwok, krew) from the pinned Go modules under
# hack/tools, into a per-user cache keyed by component and version, and links
# them into one folder per Kubernetes version. Nothing is downloaded but Go
# modules; a binary already in the cache is not rebuilt.
#
# Go's download and build output goes to $cache/build.log (hack/logged.sh);
# the screen shows one ► line per component built and its ✔ with the time.
#
# usage: hack/testbin.sh [--print-dir | --print-log | --only NAME,... [--plan]]
#   --only   build just these binaries (make demo: the ones its driver runs)
#   --plan   print the binaries that would be built or linked, build nothing
#   KUBE_VERSION   Kubernetes version to build (default: the one hack/tools/kube pins)
#   AKSBASELINE_CACHE  cache root (default: ${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-aksbaseline)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools=$root/hack/tools
cache=${AKSBASELINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-aksbaseline}
log=$cache/build.log

only="" plan=false
if [[ ${1:-} == --only ]]; then
	only=",${2:?--only needs a comma-separated list of binaries},"
	shift 2
	if [[ ${1:-} == --plan ]]; then
		plan=true
		shift
	fi
fi

if [[ ${1:-} == --print-log ]]; then
	echo "$log"
	exit 0
fi

modversion() { # module-dir module-path
	mkdir -p "$cache"
	(cd "$tools/$1" && go list -m -f '{{.Version}}' "$2" 2>>"$log") || {
		printf '✗ reading the version of %s from hack/tools/%s/go.mod failed; the last lines of %s:\n' "$2" "$1" "$log" >&2
		tail -n 20 "$log" >&2
		exit 1
	}
}

pinned_kube=$(modversion kube k8s.io/kubernetes)
kube=v${KUBE_VERSION:-${pinned_kube#v}}
kube=${kube/#vv/v}
set_dir=$cache/sets/kube-$kube

if [[ ${1:-} == --print-dir ]]; then
	echo "$set_dir"
	exit 0
fi

say() { printf '► %s\n' "$*" >&2; }
logged=$root/hack/logged.sh
done_() { printf '✔ %s\n' "$*" >&2; }

# build NAME VERSION MODULE_DIR PACKAGE [LDFLAGS]
build() {
	local name=$1 version=$2 dir=$3 pkg=$4 ldflags=${5:-}
	if [[ -n $only && $only != *",$name,"* ]]; then
		return
	fi
	if $plan; then
		echo "$name"
		return
	fi
	local out=$cache/bin/$name/$version/$name
	if [[ -x $out ]]; then
		ln -sfn "$out" "$set_dir/$name"
		return
	fi
	mkdir -p "$(dirname "$out")"
	(cd "$dir" && CGO_ENABLED=0 "$logged" "$log" "building $name $version" \
		go build -mod=mod -trimpath -ldflags "-s -w $ldflags" -o "$out.tmp" "$pkg")
	mv "$out.tmp" "$out"
	ln -sfn "$out" "$set_dir/$name"
}

# A non-default Kubernetes version gets a tools module generated from that
# version's own replace block, outside the repository.
kube_module_dir() {
	if [[ $kube == "$pinned_kube" ]]; then
		echo "$tools/kube"
		return
	fi
	local dir=$cache/modules/kube-$kube
	if [[ ! -f $dir/go.sum ]]; then
		say "generating a tools module for Kubernetes $kube (Go's output in $log)"
		mkdir -p "$dir"
		cp "$tools/kube/tools.go" "$dir/"
		local gomod
		gomod=$(cd "$dir" && printf 'module tools\n\ngo 1.26.0\n' > go.mod && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$kube" 2>>"$log" | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')
		local minor=${kube#v1.}
		{
			printf 'module tools\n\ngo 1.26.0\n\nrequire k8s.io/kubernetes %s\n\nreplace (\n' "$kube"
			sed -n '/^replace (/,/^)/p' "$gomod" | awk -v v="v0.$minor" '/=>/ {print "\t" $1 " => " $1 " " v}'
			printf ')\n'
		} > "$dir/go.mod"
		(cd "$dir" && "$logged" "$log" "resolving the modules of Kubernetes $kube" go mod tidy)
	fi
	echo "$dir"
}

mkdir -p "$set_dir"
$plan || say "test binaries for Kubernetes $kube in $set_dir (built once per version, from Go modules; Go's output goes to $log)"
kdir=$(kube_module_dir)
minor=${kube#v1.}
minor=${minor%%.*}
kldflags="-X k8s.io/component-base/version.gitVersion=$kube -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
build kube-apiserver "$kube" "$kdir" k8s.io/kubernetes/cmd/kube-apiserver "$kldflags"
build kube-controller-manager "$kube" "$kdir" k8s.io/kubernetes/cmd/kube-controller-manager "$kldflags"
build kube-scheduler "$kube" "$kdir" k8s.io/kubernetes/cmd/kube-scheduler "$kldflags"

etcd=$(modversion etcd go.etcd.io/etcd/server/v3)
build etcd "$etcd" "$tools/etcd" go.etcd.io/etcd/server/v3

kwok=$(modversion kwok sigs.k8s.io/kwok)
kwldflags="-X sigs.k8s.io/kwok/pkg/consts.Version=${kwok#v} -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=${kube#v}"
build kwok "$kwok-k$kube" "$tools/kwok" sigs.k8s.io/kwok/cmd/kwok "$kwldflags"
build kwokctl "$kwok-k$kube" "$tools/kwok" sigs.k8s.io/kwok/cmd/kwokctl "$kwldflags"

krew=$(modversion krew sigs.k8s.io/krew)
krldflags="-X sigs.k8s.io/krew/internal/version.gitTag=$krew"
build kubectl-krew "$krew" "$tools/krew" sigs.k8s.io/krew/cmd/krew "$krldflags"
build validate-krew-manifest "$krew" "$tools/krew" sigs.k8s.io/krew/cmd/validate-krew-manifest "$krldflags"

if [[ -f $tools/flux/go.mod ]]; then
	sc=$(modversion flux github.com/fluxcd/source-controller)
	kc=$(modversion flux github.com/fluxcd/kustomize-controller)
	build source-controller "$sc" "$tools/flux" github.com/fluxcd/source-controller
	build kustomize-controller "$kc" "$tools/flux" github.com/fluxcd/kustomize-controller
fi

if [[ -n $only ]]; then
	# A name no build above knows would otherwise be skipped in silence.
	IFS=, read -ra names <<<"${only:1:-1}"
	for n in "${names[@]}"; do
		if ! $plan && [[ ! -x $set_dir/$n ]]; then
			printf '✗ --only %s: no such test binary (see hack/testbin.sh)\n' "$n" >&2
			exit 1
		fi
	done
	$plan || done_ "test binaries ready in $set_dir: ${only:1:-1}"
	exit 0
fi
done_ "test binaries ready in $set_dir"
