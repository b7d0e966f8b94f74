#!/usr/bin/env bash
# Installs every Debian package kbgp needs to build and to run its tests.
# Safe to run again: apt-get skips what is already there.
set -euo pipefail

packages=(
	# toolchain
	gcc make cmake ninja-build pkg-config
	clang libclang-rt-14-dev # libFuzzer and the sanitizer runtimes
	# libraries (README "Libraries")
	libev-dev libmnl-dev libyaml-dev libjansson-dev libcurl4-openssl-dev
	# unit tests
	libcmocka-dev
	# tests with real peers in network namespaces (tests/netns, tests/interop)
	iproute2 procps util-linux jq frr bird2 gobgpd
	# the seed lab (lab/): nftables stands in for Cilium's load balancer
	nftables
	# the fake Kubernetes API server (tests/k8sapi) and deploy/ checks
	python3 python3-yaml openssl curl
)
# kubectl renders deploy/ with kustomize; any kubectl will do, so Debian's
# only comes when there is none (another package's would conflict).
command -v kubectl >/dev/null 2>&1 || packages+=(kubernetes-client)

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: run as root (apt-get install)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
