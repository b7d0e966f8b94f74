#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
#
# test_lib.sh - self-test of tests/netns/lib.sh. Exit 0 = pass, 1 = fail, 77 = skipped (not root, no
# network namespaces, or FRR / BIRD / GoBGP / jq missing).
#
# 1. lab: a chain r1 - mid - r2 where mid routes between 10.0.1.0/24 and 10.0.2.0/24 (and the fd00:1::/64
#    and fd00:2::/64 halves), plus gb on a bridged segment 10.0.3.0/24 behind mid:
#
#        r1 (FRR, AS 65001)      mid (forwarding)      r2 (BIRD, AS 65002)
#        10.0.1.2 fd00:1::2 ---- .1 / ::1   .1 / ::1 ---- 10.0.2.2 fd00:2::2
#                                   | 10.0.3.1
#                                 [lan: br0]
#                                   | 10.0.3.2
#                                 gb (GoBGP, AS 65003)
#
#    FRR and BIRD run eBGP multihop (TTL 2) through mid, one IPv4 session and one IPv6 session, and
#    exchange one IPv4 and one IPv6 prefix each way; GoBGP peers with FRR (FRR is the active side, as
#    GoBGP waits 5-9 s before it connects) and they exchange one IPv4 prefix each way. Then crash and
#    restart tests of the helpers: BIRD SIGKILLed and restarted, FRR's bgpd SIGKILLed (crash buffer
#    directory removed) and restarted.
# 2. Teardown leaves nothing behind (namespaces, links, processes, FRR crash directories, temp dir)
#    after: the passing lab; a run failing under set -e after starting daemons; a run failing in a
#    nslab_wait timeout; a lab inside a ( ... ) subshell that fails; a run stopped by SIGTERM; a run
#    SIGKILLed (its watchdog cleans up).
#
# Each scenario runs as its own process (bash test_lib.sh --scenario NAME REPORT) so that it has its own
# $$, trap and watchdog; it writes what it created to REPORT, which the checks read afterwards.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

# Interface names used below; none may show up in the root namespace.
readonly LINK_NAMES=(r1 r2 mid gb lan a b c)

# ------------------------------------------------------------------------------------------------------
# Scenario helpers (run inside a scenario process)
# ------------------------------------------------------------------------------------------------------

# report_state REPORT : write what this lab created, for the checks made after its teardown. Written to
# a temporary name and renamed so a reader polling for it never sees half of it.
report_state() {
    {
        echo "prefix $NSLAB_PREFIX"
        echo "dir $NSLAB_DIR"
        nslab_procs | sed 's/^/proc /'
    } >"$1.tmp"
    mv "$1.tmp" "$1"
}

# The four namespaces and their links (see the picture above).
build_topology() {
    nslab_ns r1
    nslab_ns mid forward
    nslab_ns r2
    nslab_ns gb
    nslab_bridge lan
    nslab_link r1 mid 10.0.1.2/24,fd00:1::2/64 mid r1 10.0.1.1/24,fd00:1::1/64
    nslab_link r2 mid 10.0.2.2/24,fd00:2::2/64 mid r2 10.0.2.1/24,fd00:2::1/64
    nslab_bridge_link lan mid lan 10.0.3.1/24
    nslab_bridge_link lan gb lan 10.0.3.2/24
    # Specific routes rather than defaults: FRR does not resolve next hops over a default route.
    nslab_route r1 10.0.2.0/24 via 10.0.1.1
    nslab_route r1 10.0.3.0/24 via 10.0.1.1
    nslab_route r1 fd00:2::/64 via fd00:1::1
    nslab_route r2 10.0.1.0/24 via 10.0.2.1
    nslab_route r2 fd00:1::/64 via fd00:2::1
    nslab_route gb 10.0.1.0/24 via 10.0.3.1
}

# `no bgp default ipv4-unicast`: the IPv6 session carries only IPv6 and the IPv4 ones only IPv4.
# Short connect timers so FRR connects (to GoBGP too) within a second of starting.
FRR_R1_CONFIG='frr defaults traditional
router bgp 65001
 bgp router-id 10.0.1.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 no bgp default ipv4-unicast
 neighbor 10.0.2.2 remote-as 65002
 neighbor 10.0.2.2 ebgp-multihop 2
 neighbor 10.0.2.2 timers 3 9
 neighbor 10.0.2.2 timers connect 1
 neighbor fd00:2::2 remote-as 65002
 neighbor fd00:2::2 ebgp-multihop 2
 neighbor fd00:2::2 timers 3 9
 neighbor fd00:2::2 timers connect 1
 neighbor 10.0.3.2 remote-as 65003
 neighbor 10.0.3.2 ebgp-multihop 2
 neighbor 10.0.3.2 timers 3 9
 neighbor 10.0.3.2 timers connect 1
 address-family ipv4 unicast
  network 10.101.0.0/24
  neighbor 10.0.2.2 activate
  neighbor 10.0.3.2 activate
 exit-address-family
 address-family ipv6 unicast
  network fd00:101::/48
  neighbor fd00:2::2 activate
 exit-address-family'

# BIRD resolves a multihop next hop through its own tables, so the igp statics give it the routes to
# FRR's subnet (they are not exported: only orig4/orig6 are).  Graceful restart is off: BIRD offers it
# by default, and FRR, its helper, would then keep the crashed BIRD's paths stale and sweep them while
# the new session relearns them, racing FRR's batched clearing (once in CI the prefix did not come
# back within 10 s).  What the scenario checks is that the harness kills and restarts BIRD.
BIRD_R2_CONFIG='router id 10.0.2.2;
protocol device { }
protocol static orig4 { ipv4; route 10.102.0.0/24 unreachable; }
protocol static orig6 { ipv6; route fd00:102::/48 unreachable; }
protocol static igp4 { ipv4; route 10.0.1.0/24 via 10.0.2.1; }
protocol static igp6 { ipv6; route fd00:1::/64 via fd00:2::1; }
template bgp frr_peer {
    multihop 2;
    graceful restart off;
    hold time 9;
    keepalive time 3;
    connect delay time 1;
    connect retry time 2;
    error wait time 1, 2;
}
protocol bgp frr4 from frr_peer {
    local 10.0.2.2 as 65002;
    neighbor 10.0.1.2 as 65001;
    ipv4 { import all; export where proto = "orig4"; };
}
protocol bgp frr6 from frr_peer {
    local fd00:2::2 as 65002;
    neighbor fd00:1::2 as 65001;
    ipv6 { import all; export where proto = "orig6"; };
}'

GOBGP_GB_CONFIG='[global.config]
  as = 65003
  router-id = "10.0.3.2"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.0.1.2"
    peer-as = 65001
  [neighbors.timers.config]
    hold-time = 9
    keepalive-interval = 3
    connect-retry = 1
  [neighbors.ebgp-multihop.config]
    enabled = true
    multihop-ttl = 2'

start_daemons() {
    nslab_frr r1 frr "$FRR_R1_CONFIG"
    nslab_bird r2 bird "$BIRD_R2_CONFIG"
    nslab_gobgp gb gobgp "$GOBGP_GB_CONFIG"
    nslab_gobgp_cli gobgp global rib add 10.103.0.0/24 -a ipv4 >/dev/null
}

# ------------------------------------------------------------------------------------------------------
# Scenarios
# ------------------------------------------------------------------------------------------------------

scenario_lab() {
    local report=$1 pid
    nslab_init lab
    build_topology
    start_daemons
    report_state "$report"

    nslab_wait 5 "bgpd listening in r1" nslab_listening r1 179
    nslab_wait 5 "BIRD listening in r2" nslab_listening r2 179
    nslab_not nslab_listening mid 179 || nslab_fail "nslab_listening: port 179 open in mid"
    nslab_wait 15 "FRR: IPv4 session with BIRD" nslab_frr_established frr 10.0.2.2
    nslab_wait 15 "FRR: IPv6 session with BIRD" nslab_frr_established frr fd00:2::2
    nslab_wait 5 "BIRD: frr4 established" nslab_bird_established bird frr4
    nslab_wait 5 "BIRD: frr6 established" nslab_bird_established bird frr6
    nslab_wait 15 "FRR: session with GoBGP" nslab_frr_established frr 10.0.3.2
    nslab_wait 5 "GoBGP: session with FRR" nslab_gobgp_established gobgp 10.0.1.2

    nslab_wait 10 "FRR has BIRD's IPv4 prefix" nslab_frr_has_prefix frr 10.102.0.0/24 10.0.2.2
    nslab_wait 10 "FRR has BIRD's IPv6 prefix" nslab_frr_has_prefix frr fd00:102::/48 fd00:2::2
    nslab_wait 10 "BIRD has FRR's IPv4 prefix" nslab_bird_has_prefix bird 10.101.0.0/24 frr4
    nslab_wait 10 "BIRD has FRR's IPv6 prefix" nslab_bird_has_prefix bird fd00:101::/48 frr6
    nslab_wait 10 "FRR has GoBGP's IPv4 prefix" nslab_frr_has_prefix frr 10.103.0.0/24 10.0.3.2
    nslab_wait 10 "GoBGP has FRR's IPv4 prefix" nslab_gobgp_has_prefix gobgp 10.101.0.0/24 10.0.1.2
    nslab_wait 10 "GoBGP RIB has FRR's IPv4 prefix" nslab_gobgp_has_prefix gobgp 10.101.0.0/24
    # Negative checks: the helpers must not report what is not there.
    nslab_not nslab_frr_has_prefix frr 10.199.0.0/24 || nslab_fail "FRR reports a prefix nobody sent"
    nslab_not nslab_frr_has_prefix frr 10.102.0.0/24 10.0.3.2 || nslab_fail "FRR: prefix from the wrong peer"
    nslab_not nslab_bird_has_prefix bird 10.199.0.0/24 || nslab_fail "BIRD reports a prefix nobody sent"
    nslab_not nslab_gobgp_has_prefix gobgp 10.199.0.0/24 || nslab_fail "GoBGP reports a prefix nobody sent"
    nslab_not nslab_frr_established frr 10.9.9.9 || nslab_fail "FRR: unknown neighbour Established"
    nslab_not nslab_bird_established bird nosuch || nslab_fail "BIRD: unknown protocol Established"

    # Session changes are in the logs (FRR's comes from `debug bgp neighbor-events`).
    grep -q 'OpenConfirm->Established' "$(nslab_log frr)" || nslab_fail "FRR log lacks neighbour events"
    grep -q 'frr4: State changed to up' "$(nslab_log bird)" || nslab_fail "BIRD log lacks state changes"
    grep -q 'Peer Up' "$(nslab_log gobgp)" || nslab_fail "GoBGP log lacks Peer Up"

    # Crash of BIRD: FRR sees the TCP connection close; BIRD comes back with the same command.
    nslab_kill bird KILL
    nslab_wait 10 "FRR: IPv4 session with BIRD down" nslab_not nslab_frr_established frr 10.0.2.2
    nslab_restart bird
    nslab_wait 15 "FRR: IPv4 session with restarted BIRD" nslab_frr_established frr 10.0.2.2
    nslab_wait 10 "FRR has BIRD's IPv4 prefix again" nslab_frr_has_prefix frr 10.102.0.0/24 10.0.2.2

    # Crash of FRR's bgpd: its crash buffer directory must go with it; zebra keeps running.
    pid=$(nslab_pid frr)
    nslab_wait 5 "FRR bgpd crash buffer dir exists" test -d "/var/tmp/frr/bgpd.$pid"
    nslab_kill frr KILL
    [[ ! -e /var/tmp/frr/bgpd.$pid ]] || nslab_fail "nslab_kill left /var/tmp/frr/bgpd.$pid behind"
    nslab_alive frr.zebra || nslab_fail "zebra died with bgpd"
    nslab_wait 10 "BIRD: frr4 down after bgpd crash" nslab_not nslab_bird_established bird frr4
    nslab_restart frr
    nslab_wait 15 "BIRD: frr4 back after bgpd restart" nslab_bird_established bird frr4
    nslab_wait 15 "BIRD: frr6 back after bgpd restart" nslab_bird_established bird frr6
    nslab_wait 15 "GoBGP: session back after bgpd restart" nslab_gobgp_established gobgp 10.0.1.2

    report_state "$report" # again: the restarted processes have new PIDs
}

# Fails under set -e right after starting the daemons: the EXIT trap must still clean up.
scenario_fail_errexit() {
    NSLAB_TAIL_LINES=3 # a deliberate failure: keep the log excerpts short
    nslab_init failerr
    build_topology
    start_daemons
    report_state "$1"
    false
    echo "not reached" >&2
}

# Fails in a bounded wait: nslab_wait -> nslab_fail -> exit 1 -> trap.
scenario_fail_wait() {
    NSLAB_TAIL_LINES=3
    nslab_init failwait
    build_topology
    start_daemons
    report_state "$1"
    nslab_wait 1 "something that never happens" false
}

# Stays up until stopped from outside (SIGTERM or SIGKILL by the parent); its own bounded wait and
# watchdog end it anyway if the parent never does.
scenario_hang() {
    NSLAB_TIMEOUT=40
    NSLAB_TAIL_LINES=3
    nslab_init hang
    build_topology
    start_daemons
    report_state "$1"
    nslab_wait 30 "the parent to stop this run" false
}

# ------------------------------------------------------------------------------------------------------
# Checks (run in the parent)
# ------------------------------------------------------------------------------------------------------

FAILURES=0
fail() {
    echo "FAIL: $*" >&2
    FAILURES=$((FAILURES + 1))
}

# check_clean REPORT LABEL : nothing that the run described in REPORT created is left.
check_clean() {
    local report=$1 label=$2 prefix dir left=() word name pid start kind
    [[ -s $report ]] || { fail "$label: the run wrote no report"; return; }
    prefix=$(awk '$1 == "prefix" { print $2 }' "$report")
    dir=$(awk '$1 == "dir" { print $2 }' "$report")
    [[ -n $prefix && -n $dir ]] || { fail "$label: incomplete report"; return; }
    # Teardown must have had something to clean: all three daemon kinds were running at report time.
    if ! grep -q '^proc .* frr:bgpd ' "$report" || ! grep -q '^proc .* bird ' "$report" ||
        ! grep -q '^proc .* gobgp ' "$report"; then
        fail "$label: the run had not started its daemons"
    fi

    while read -r word; do left+=("namespace $word"); done < <(ip netns list | awk -v p="$prefix" 'index($1, p) == 1 { print $1 }')
    while read -r word; do left+=("process $word"); done < <(pgrep -f "$dir" || true)
    [[ -e $dir ]] && left+=("directory $dir")
    while read -r word name pid start kind _; do
        [[ $word == proc ]] || continue
        _nslab_alive "$pid" "$start" && left+=("process $name ($pid)")
        [[ $kind == frr:* && -e /var/tmp/frr/${kind#frr:}.$pid ]] && left+=("/var/tmp/frr/${kind#frr:}.$pid")
    done <"$report"
    for name in "${LINK_NAMES[@]}"; do
        ip link show dev "$name" >/dev/null 2>&1 && left+=("link $name in the root namespace")
    done
    if ((${#left[@]})); then
        fail "$label: left behind: ${left[*]}"
    else
        echo "ok: $label: nothing left behind" >&2
    fi
}

# run_scenario NAME EXPECTED_RC : run a scenario process to its end and check its exit status.
run_scenario() {
    local name=$1 expect=$2 rc=0
    echo "=== scenario $name" >&2
    [[ $expect == 0 ]] || echo "(this run fails on purpose: its FAIL message and log excerpts are expected)" >&2
    bash "$0" --scenario "$name" "$WORK/$name.report" || rc=$?
    if [[ $expect == nonzero ]]; then
        ((rc != 0)) || fail "$name: exit status 0, expected a failure"
    else
        ((rc == expect)) || fail "$name: exit status $rc, expected $expect"
    fi
    check_clean "$WORK/$name.report" "$name"
}

# wait_gone PID TIMEOUT : wait (bounded) until PID has exited, then reap it.
wait_gone() {
    local pid=$1 i
    for ((i = 0; i < $2 * 10; i++)); do
        _nslab_alive "$pid" || break
        sleep 0.1
    done
    _nslab_alive "$pid" && return 1
    return 0
}

# run_stopped NAME SIGNAL : start the hang scenario, stop it with SIGNAL once its daemons are up, check.
run_stopped() {
    local label="hang stopped by SIG$2" report="$WORK/$1.report" pid rc=0 i dir
    echo "=== scenario $label" >&2
    bash "$0" --scenario hang "$report" &
    pid=$!
    CHILD=$pid
    for ((i = 0; i < 200; i++)); do
        [[ -s $report ]] && break
        sleep 0.1
    done
    [[ -s $report ]] || fail "$label: no report after 20 s"
    [[ $2 == KILL ]] && echo "(bash reports the SIGKILLed run as 'Killed': expected)" >&2
    kill -s "$2" "$pid"
    wait_gone "$pid" 15 || fail "$label: still running 15 s after SIG$2"
    wait "$pid" || rc=$?
    CHILD=""
    if [[ $2 == TERM ]]; then
        ((rc == 143)) || fail "$label: exit status $rc, expected 143"
    else
        # Nobody ran the trap: the watchdog notices within 0.5 s and tears down (about 0.5 s).
        dir=$(awk '$1 == "dir" { print $2 }' "$report")
        for ((i = 0; i < 100; i++)); do
            [[ -e $dir ]] || break
            sleep 0.1
        done
    fi
    check_clean "$report" "$label"
}

# A lab created inside a ( ... ) subshell of this shell: its own prefix (BASHPID) and trap; fails.
run_subshell() {
    local report="$WORK/subshell.report" rc=0
    echo "=== scenario failing ( ... ) subshell" >&2
    (
        NSLAB_TAIL_LINES=3
        nslab_init sub
        nslab_ns a
        nslab_ns b
        nslab_ns c
        nslab_link a b 10.0.9.1/24,fd00:9::1/64 b a 10.0.9.2/24,fd00:9::2/64
        nslab_link a c 10.0.8.1/24 c a 10.0.8.2/24
        nslab_frr a frr "$FRR_R1_CONFIG"
        nslab_bird b bird "$BIRD_R2_CONFIG"
        nslab_gobgp c gobgp "$GOBGP_GB_CONFIG"
        report_state "$report"
        false
    ) &
    wait $! || rc=$?
    ((rc != 0)) || fail "subshell: exit status 0, expected a failure"
    check_clean "$report" "subshell"
}

main() {
    nslab_require frr bird gobgp jq
    local t0=$SECONDS
    WORK=$(mktemp -d /tmp/nslab-selftest.XXXXXX)
    CHILD=""
    # The checks themselves are no lab: just remove the reports, and stop a scenario still running.
    trap '[[ -n $CHILD ]] && kill -TERM "$CHILD" 2>/dev/null; rm -rf "$WORK"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    run_scenario lab 0
    run_scenario fail_errexit nonzero
    run_scenario fail_wait 1
    run_subshell
    run_stopped hang_term TERM
    run_stopped hang_kill KILL

    if ((FAILURES)); then
        echo "test_lib.sh: $FAILURES check(s) failed in $((SECONDS - t0)) s" >&2
        exit 1
    fi
    echo "test_lib.sh: all checks passed in $((SECONDS - t0)) s" >&2
}

if [[ ${1:-} == --scenario ]]; then
    "scenario_$2" "$3"
    exit 0
fi
main "$@"
