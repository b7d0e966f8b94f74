#!/usr/bin/env bash
# The seed lab demo, README's main command: installs what kbgp needs, builds
# it, brings the lab up with `kbgpd router` in the router's place (kbgpd in
# every role), and prints what a user of the seed looks at: `kbgpctl bgp
# peers` and `bgp routes` across the nodes, the router's `show ip bgp
# summary` and `show ip bgp`, and the router's kernel routes.  The lab stays
# up for you to explore (lab/README.md); `lab/lab.sh down` removes it.
#
#   scripts/lab-demo.sh [frr]     with FRR as the router instead (the seed's frr.conf)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
router=${1:-kbgpd}
build=$top/build

[[ $(id -u) -eq 0 ]] || { echo "lab-demo: run as root (network namespaces)" >&2; exit 1; }
"$top/scripts/install-deps.sh"
cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKBGP_TESTS=OFF >/dev/null
ninja -C "$build" kbgpd kbgpctl lab_whoami >/dev/null
export KBGPD=$build/kbgpd KBGPCTL=$build/kbgpctl KBGP_LAB_WHOAMI=$build/lab_whoami
"$top/lab/lab.sh" up --router "$router"
