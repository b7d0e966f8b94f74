#!/usr/bin/env bash
# lab/topo-selftest.sh - self-check of lab/topo.sh: builds the seed lab's network (no BGP), checks that
# it behaves as the seed's does before BGP, exercises the helpers the BGP scenarios use, repairs a
# damaged lab, and tears it all down, leaving nothing behind. Run as root; about 8 s.
#
#   KBGP_BUILD_DIR=build sudo -E lab/topo-selftest.sh        (or KBGP_LAB_WHOAMI=/path/to/lab_whoami)
#
# Exit 0 pass, 1 fail, 77 skipped (not root). It refuses to run over a lab that is up (someone may be
# using it) unless KBGP_LAB_SELFTEST_FORCE=1, which tears that lab down first.
#
# Checks, in order:
#   1. lab_up builds the lab; a second lab_up changes nothing (same processes).
#   2. The router reaches every node; k8s-w0 reaches k8s-cp (172.31.1.10) through the router.
#   3. Each node's routing table holds only its own PodCIDR (seed result 1).
#   4. curl-pod reaches the webpod on its own node by pod IP and gets the whoami answer; each node
#      reaches its own webpod.
#   5. curl-pod cannot reach the webpods of k8s-w1 and k8s-w0 (no BGP, no routes: seed result 1).
#   6. With routes standing in for BGP (static routes on the router, lab_pod_route_add on the nodes)
#      curl-pod reaches all three webpods; lab_pod_route_del takes that away again.
#   7. LoadBalancer delivery (lab_lb_on) behind a static 3-way ECMP route on the router: with hash
#      policy 0 all requests land on one webpod, with 1 on all three; scaling a webpod down and up
#      again updates the DNAT backends.
#   8. Repair: a killed webpod, a deleted node namespace and a deleted router interface come back with
#      lab_up.
#   9. lab_down leaves no kbgp-lab-* namespace, no run directory and no lab process.
set -euo pipefail

if [[ -z ${_KBGP_LAB_SELFTEST_BOUNDED:-} ]]; then
    # The whole run is bounded: after 60 s SIGTERM (the EXIT trap tears down), SIGKILL 20 s later.
    export _KBGP_LAB_SELFTEST_BOUNDED=1
    exec timeout -k 20 60 "$0" "$@"
fi

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab/topo.sh
source "$here/topo.sh"

if [[ $EUID -ne 0 ]]; then
    echo "SKIP: the lab needs root" >&2
    exit 77
fi
lab_whoami_bin >/dev/null || exit 1

T0=$(_lab_now_ms)
say() {
    local ds=$((($(_lab_now_ms) - T0) / 100))
    printf '[selftest %3d.%ds] %s\n' $((ds / 10)) $((ds % 10)) "$*" >&2
}
fail() {
    printf '\nFAIL: %s\n' "$*" >&2
    lab_status >&2 || true
    exit 1
}

# check DESCRIPTION COMMAND... : COMMAND must succeed. refute: it must fail. COMMAND runs in a
# subshell: functions work, variables it sets are lost, files it writes stay.
check() {
    local what=$1 out
    shift
    out=$("$@" 2>&1) || fail "$what
  command: $*
  output: $out"
    say "ok: $what"
}
refute() {
    local what=$1 out
    shift
    if out=$("$@" 2>&1); then
        fail "$what
  command (should have failed): $*
  output: $out"
    fi
    say "ok: $what"
}

if [[ -n $(_lab_all_ns) || -e $KBGP_LAB_RUN ]]; then
    [[ ${KBGP_LAB_SELFTEST_FORCE:-0} == 1 ]] ||
        fail "a lab is up (kbgp-lab-* namespaces or $KBGP_LAB_RUN): lab/topo.sh down, or KBGP_LAB_SELFTEST_FORCE=1"
    lab_down
fi
trap 'lab_down' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
KBGP_LAB_QUIET=1

# ------------------------------------------------------------------------------------------------------
# Helpers for the checks
# ------------------------------------------------------------------------------------------------------

CURL_POD=$(lab_pod_ns k8s-cp curl-pod)

# proc_table : "NAME PID" of every lab process, to compare before and after a re-run.
proc_table() { (cd "$KBGP_LAB_RUN/proc" && for f in *; do echo "$f $(lab_proc_pid "$f")"; done); }

# whoami_is NS ADDR HOSTNAME LOCAL_IP REMOTE_IP : the answer from ADDR names HOSTNAME and shows the
# connection's two ends.
whoami_is() {
    local body
    body=$(lab_curl "$1" "$2") || return 1
    echo "$body"
    grep -qx "Hostname: $3" <<<"$body" && grep -qx "IP: $4" <<<"$body" &&
        grep -q "^RemoteAddr: $5:[0-9]*\$" <<<"$body" && grep -qx "GET / HTTP/1.1" <<<"$body"
}

# only_own_podcidr NODE : every 172.20.x route of NODE lies in its own PodCIDR.
only_own_podcidr() {
    local own="${LAB_NODE_PODNET[$1]}." dst
    for dst in $(lab_exec "$1" ip -4 route show | awk '$1 ~ /^172\.20\./ { print $1 }'); do
        [[ $dst == "$own"* ]] || { echo "foreign pod route $dst"; return 1; }
    done
    lab_exec "$1" ip -4 route show
}

# via_router NS ADDR GW : the kernel of NS sends ADDR to gateway GW.
via_router() {
    local r
    r=$(lab_exec "$1" ip -4 route get "$2") && echo "$r" && [[ $r == *" via $3 "* ]]
}

# spread NS ADDR COUNT MIN_HOSTS MAX_HOSTS : COUNT requests all answered, by MIN..MAX distinct webpods.
spread() {
    local out hosts
    out=$(lab_curl_count "$1" "$2" "$3") || return 1
    echo "$out"
    [[ $out != *"(failed)"* ]] || return 1
    hosts=$(wc -l <<<"$out")
    ((hosts >= $4 && hosts <= $5))
}

has_link() { lab_exec "$1" ip link show dev "$2"; }
router_loops() {
    local a
    a=$(lab_exec router ip -4 -o addr show) && echo "$a" &&
        grep -q 'loop1 .*10\.10\.1\.200/24' <<<"$a" && grep -q 'loop2 .*10\.10\.2\.200/24' <<<"$a"
}
w0_pod_route() { lab_exec k8s-w0 ip route show 172.20.0.0/16 | grep .; }

# lb_keeps_client_addr : a request from the router to the LB IP arrives with the router's address.
lb_keeps_client_addr() {
    local body
    body=$(lab_curl router "$KBGP_LAB_LB_IP") && echo "$body" &&
        grep -Eq '^RemoteAddr: 172\.3[01]\.1\.200:[0-9]+$' <<<"$body"
}
lb_rules() { lab_exec "$1" nft list table ip kbgp_lab_lb; }
lb_rule_has() { lb_rules "$1" | grep -F -- "$2"; }

# Static routes on the router standing in for what BGP will install.
router_pod_routes() {
    local verb=$1
    lab_exec router ip route "$verb" 172.20.0.0/24 via 172.31.1.10 &&
        lab_exec router ip route "$verb" 172.20.1.0/24 via 172.31.1.11 &&
        lab_exec router ip route "$verb" 172.20.2.0/24 via 172.30.1.10
}

# ------------------------------------------------------------------------------------------------------
# 1. Build, and build again
# ------------------------------------------------------------------------------------------------------

check "lab_up builds the lab" lab_up
before=$(proc_table)
check "a second lab_up succeeds" lab_up
check "... and restarts nothing" test "$before" == "$(proc_table)"

# ------------------------------------------------------------------------------------------------------
# 2-5. The seed before BGP
# ------------------------------------------------------------------------------------------------------

for node in "${LAB_NODES[@]}"; do
    check "router reaches $node (${LAB_NODE_IP[$node]})" lab_ping router "${LAB_NODE_IP[$node]}"
done
check "router has loop1 10.10.1.200/24 and loop2 10.10.2.200/24" router_loops
check "k8s-w0 routes 172.31.1.10 via the router" via_router k8s-w0 172.31.1.10 172.30.1.200
check "k8s-w0 reaches 172.31.1.10 through the router" lab_ping k8s-w0 172.31.1.10
check "k8s-cp routes 172.30.1.10 via the router" via_router k8s-cp 172.30.1.10 172.31.1.200
refute "k8s-w0 has no route 172.20.0.0/16 (no --w0-pod-route)" w0_pod_route
for node in "${LAB_NODES[@]}"; do
    check "$node's routing table holds only its own PodCIDR" only_own_podcidr "$node"
done

check "curl-pod reaches its local webpod with the whoami answer" \
    whoami_is "$CURL_POD" 172.20.0.10 webpod-k8s-cp 172.20.0.10 172.20.0.100
check "k8s-w1 reaches its own webpod" whoami_is k8s-w1 172.20.1.10 webpod-k8s-w1 172.20.1.10 '.*'
check "k8s-w0 reaches its own webpod" whoami_is k8s-w0 172.20.2.10 webpod-k8s-w0 172.20.2.10 '.*'
KBGP_LAB_CURL_TIMEOUT_MS=1000
refute "curl-pod cannot reach k8s-w1's webpod (no routes yet)" lab_curl "$CURL_POD" 172.20.1.10
refute "curl-pod cannot reach k8s-w0's webpod (no routes yet)" lab_curl "$CURL_POD" 172.20.2.10
refute "k8s-w0's webpod cannot reach k8s-cp's webpod" lab_curl k8s-w0-webpod 172.20.0.10

# ------------------------------------------------------------------------------------------------------
# 6. Routes standing in for BGP
# ------------------------------------------------------------------------------------------------------

check "router: static routes to the PodCIDRs (stand-in for BGP)" router_pod_routes replace
refute "still no pod-to-pod with routes on the router only (seed result 7)" \
    lab_curl "$CURL_POD" 172.20.1.10
check "lab_pod_route_add all" lab_pod_route_add all
check "curl-pod reaches k8s-w1's webpod" whoami_is "$CURL_POD" 172.20.1.10 webpod-k8s-w1 172.20.1.10 172.20.0.100
check "curl-pod reaches k8s-w0's webpod" whoami_is "$CURL_POD" 172.20.2.10 webpod-k8s-w0 172.20.2.10 172.20.0.100
check "lab_pod_route_del k8s-cp" lab_pod_route_del k8s-cp
refute "curl-pod cannot reach k8s-w1's webpod again" lab_curl "$CURL_POD" 172.20.1.10
check "lab_pod_route_del all" lab_pod_route_del all

# ------------------------------------------------------------------------------------------------------
# 7. LoadBalancer IP delivery and the router's ECMP hash
# ------------------------------------------------------------------------------------------------------

check "router: static 3-way ECMP route to 172.16.1.1 (stand-in for BGP)" \
    lab_exec router ip route replace 172.16.1.1/32 \
    nexthop via 172.31.1.10 nexthop via 172.31.1.11 nexthop via 172.30.1.10
check "lab_lb_on all" lab_lb_on all
check "hash policy 0 (L3)" lab_hash_policy 0
check "L3 hash: 20 requests from the router all land on one webpod" spread router 172.16.1.1 20 1 1
check "hash policy 1 (L4)" lab_hash_policy 1
check "L4 hash: 60 requests from the router spread over three webpods" spread router 172.16.1.1 60 3 3
check "client address kept (local policy)" lb_keeps_client_addr
check "scale down: lab_webpod_stop k8s-w0" lab_webpod_stop k8s-w0
check "lab_webpods lists the two left" test "$(lab_webpods | paste -sd' ')" == "172.20.0.10 172.20.1.10"
check "k8s-w0 (local policy, no webpod) drops LB traffic" lb_rule_has k8s-w0 "tcp dport 80 drop"
check "cluster policy on k8s-w0: lab_lb_on k8s-w0 cluster" lab_lb_on k8s-w0 cluster
check "... its DNAT map holds both" lb_rule_has k8s-w0 "map { 0 : 172.20.0.10, 1 : 172.20.1.10 }"
check "... and masquerades" lb_rule_has k8s-w0 "masquerade"
check "lab_lb_on k8s-w0 local" lab_lb_on k8s-w0 local
check "scale up: lab_webpod_start k8s-w0" lab_webpod_start k8s-w0
check "k8s-w0's DNAT follows" lb_rule_has k8s-w0 "dnat to 172.20.2.10"
check "a second webpod on k8s-cp" lab_webpod_start k8s-cp 2
check "k8s-cp's DNAT holds both of its webpods" lb_rule_has k8s-cp "map { 0 : 172.20.0.10, 1 : 172.20.0.11 }"
check "lab_webpod_stop k8s-cp 2" lab_webpod_stop k8s-cp 2
check "lab_lb_off all" lab_lb_off all
refute "... no nftables table left on k8s-cp" lb_rules k8s-cp

# ------------------------------------------------------------------------------------------------------
# 8. Repair
# ------------------------------------------------------------------------------------------------------

kill -KILL "$(lab_proc_pid k8s-w0-webpod)"
ip netns del "$(lab_ns k8s-w1)"
ip -n "$(lab_ns router)" link del dev loop2
ip -n "$(lab_ns switch)" link set dev b-router nomaster
say "damaged: k8s-w0's webpod killed, k8s-w1 deleted, router's loop2 deleted, b-router off its bridge"
check "lab_up repairs the lab" lab_up
check "router reaches k8s-w1 again" lab_ping router 172.31.1.11
check "router reaches k8s-w0 again" lab_ping router 172.30.1.10
check "router's loop2 is back" has_link router loop2
check "k8s-w1 reaches its webpod again" whoami_is k8s-w1 172.20.1.10 webpod-k8s-w1 172.20.1.10 '.*'
check "k8s-w0's webpod runs again" whoami_is k8s-w0 172.20.2.10 webpod-k8s-w0 172.20.2.10 '.*'
check "lab_up --w0-pod-route adds the seed's route on k8s-w0" lab_up --w0-pod-route
check "... 172.20.0.0/16 via 172.30.1.200" via_router k8s-w0 172.20.0.10 172.30.1.200

# ------------------------------------------------------------------------------------------------------
# 9. Teardown
# ------------------------------------------------------------------------------------------------------

pids=$(cat "$KBGP_LAB_RUN"/proc/* | awk '{ print $1 ":" $2 }')
trap - EXIT
check "lab_down" lab_down
check "no kbgp-lab-* namespace left" test -z "$(_lab_all_ns)"
check "no run directory left" test ! -e "$KBGP_LAB_RUN"
for p in $pids; do
    refute "lab process ${p%:*} is gone" _lab_alive "${p%:*}" "${p#*:}"
done
check "a second lab_down is harmless" lab_down
say "PASS ($((($(_lab_now_ms) - T0) / 1000)) s)"
