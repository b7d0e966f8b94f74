#!/usr/bin/env bash
# The seed lab end to end (issues 8, 9): lab/lab.sh up + check, with kbgpd as the router and then with
# FRR and the seed's frr.conf, the Kubernetes objects in a manifests directory; then FRR again with the
# objects in an API server (tests/k8sapi/fake_apiserver.py on k8s-cp), as in the seed's cluster. Each
# check asserts every result of the seed (see lab/README.md, section BGP) and prints what a seed user
# looks at. The lab is taken down at the end, whatever happened.
#
#   KBGPD=build/kbgpd KBGPCTL=build/kbgpctl KBGP_LAB_WHOAMI=build/lab_whoami tests/interop/lab_seed.sh
#
# Exit 0 pass, 1 fail, 77 skipped (not root, or FRR not installed). The lab has fixed names
# (kbgp-lab-* namespaces, /run/kbgp-lab): a lab already up is someone's, so the test refuses to run over
# it unless KBGP_LAB_SELFTEST_FORCE=1 (which takes it down first).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lab="$here/../../lab/lab.sh"

if [[ $EUID -ne 0 ]]; then
    echo "SKIP: the lab needs root" >&2
    exit 77
fi
for d in zebra bgpd; do
    [[ -x ${KBGP_LAB_FRR_BIN:-/usr/lib/frr}/$d ]] || { echo "SKIP: FRR is not installed" >&2; exit 77; }
done
for c in vtysh jq python3 openssl curl; do
    command -v "$c" >/dev/null || { echo "SKIP: $c is missing" >&2; exit 77; }
done

# The binaries: KBGPD and KBGPCTL from the environment (ctest sets them), lab_whoami beside kbgpd.
if [[ -n ${KBGPD:-} ]]; then
    export KBGPD
    : "${KBGPCTL:=$(dirname "$KBGPD")/kbgpctl}"
    export KBGPCTL
    if [[ -z ${KBGP_LAB_WHOAMI:-} && -x $(dirname "$KBGPD")/lab_whoami ]]; then
        export KBGP_LAB_WHOAMI
        KBGP_LAB_WHOAMI=$(dirname "$KBGPD")/lab_whoami
    fi
fi

if [[ -n $(ip netns list 2>/dev/null | awk '$1 ~ /^kbgp-lab-/') || -e ${KBGP_LAB_RUN:-/run/kbgp-lab} ]]; then
    if [[ ${KBGP_LAB_SELFTEST_FORCE:-0} != 1 ]]; then
        echo "FAIL: a lab is up (kbgp-lab-* namespaces): lab/lab.sh down, or KBGP_LAB_SELFTEST_FORCE=1" >&2
        exit 1
    fi
    "$lab" down
fi
trap '"$lab" down' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

failed=()
for variant in "kbgpd manifests" "frr manifests" "frr api"; do
    read -r router source <<<"$variant"
    args=(--router "$router" --source "$source")
    echo "==================== lab/lab.sh up ${args[*]} && lab/lab.sh check ${args[*]}"
    if ! "$lab" up "${args[@]}" >/dev/null; then
        failed+=("up ${args[*]}")
        "$lab" down
        continue
    fi
    "$lab" check "${args[@]}" || failed+=("check ${args[*]}")
done
if ((${#failed[@]})); then
    printf 'FAIL: %s\n' "${failed[@]}"
    exit 1
fi
echo "PASS: the seed lab, kbgpd and FRR as the router, the objects from a manifests directory and the API"
