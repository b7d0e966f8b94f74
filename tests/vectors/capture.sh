#!/usr/bin/env bash
#
# capture.sh - record real BGP messages sent by FRR, BIRD 2 and GoBGP and save them as test vectors.
#
# Usage (as root):  bash tests/vectors/capture.sh OUTDIR
#                   KVCAP_PCAP_DIR=DIR bash tests/vectors/capture.sh OUTDIR   # also keep the .pcap files
#
# Two labs run one after the other. Each lab is a pair of network namespaces joined by one veth pair
# (addresses 10.0.x.0/24 and fd00:x::/64, nothing leaves the namespaces):
#
#   lab frr-bird:   FRR   AS 65001 10.0.1.1             <->  BIRD AS 65002 10.0.1.2
#                   one IPv4 session carrying IPv4 unicast and IPv6 unicast (MP_REACH over an IPv4 session)
#   lab gobgp-bird: GoBGP AS 65003 10.0.2.1, fd00:2::1  <->  BIRD AS 65004 10.0.2.2, fd00:2::2
#                   an IPv4 session for IPv4 unicast and an IPv6 session for IPv6 unicast
#
# All sessions use hold 9 / keepalive 3 and graceful restart. Each lab walks through a scripted scenario
# (session up, extra prefix announced then withdrawn, route refresh both ways, administrative shutdowns with
# an RFC 9003 message, resets) while tshark records TCP port 179. Afterwards a python helper follows every
# TCP stream (tshark -z follow,tcp,raw), splits each direction into BGP messages on the 16-byte marker and
# length header, decodes them enough to name and describe them, and writes each distinct message per sender
# to OUTDIR/<sender>-<kind>[-N].hex (see README.md for the format). Existing frr-*, bird-* and gobgp-*
# .hex files in OUTDIR are replaced.
#
# Every wait is bounded and a watchdog ends the run after MAX_RUNTIME seconds; the EXIT trap stops every
# process this script started (by PID), deletes its namespaces, FRR's /var/tmp/frr/<daemon>.<pid>/ crash
# buffer directories and the temporary work directory, whether the run succeeded or not.

set -euo pipefail

readonly MAX_RUNTIME=240               # seconds; the whole run normally takes about 60
readonly NS_PREFIX="kvcap-$$-"         # unique per run, so parallel runs and other labs are left alone
readonly FRR_BIN=/usr/lib/frr
readonly SCRIPT_NAME="tests/vectors/capture.sh"

WORK=""                                # temporary directory: configs, sockets, logs, pcaps
WATCHDOG_PID=""
declare -a STARTED=()                  # "pid name" of every background process, in start order
declare -a NAMESPACES=()

# ---------------------------------------------------------------------------------------------------------
# Generic helpers
# ---------------------------------------------------------------------------------------------------------

log() { printf '[%3ds] %s\n' "$SECONDS" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# A child that has exited stays a zombie until reaped, and `kill -0` still succeeds on zombies.
alive() {
    local state
    state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    [[ $state != Z* ]]
}

# wait_for TIMEOUT DESCRIPTION COMMAND... : poll COMMAND every 0.5 s until it succeeds, or fail the run.
wait_for() {
    local timeout=$1 what=$2
    shift 2
    local deadline=$((SECONDS + timeout))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || die "timed out after ${timeout}s waiting for: $what"
        sleep 0.5
    done
    log "ok: $what"
}

# not COMMAND... : succeed when COMMAND fails (wait_for wants a command, `!` is shell syntax).
not() { ! "$@"; }

# stop_pid PID NAME : SIGTERM (daemons then say goodbye to their peers), SIGKILL after 5 s, then reap.
stop_pid() {
    local pid=$1 name=$2 i
    if alive "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            alive "$pid" || break
            sleep 0.1
        done
        if alive "$pid"; then
            log "$name ($pid) ignored SIGTERM, sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    wait "$pid" 2>/dev/null || true
    # FRR hard-codes a crash buffer directory per process; it is only removed on a clean exit.
    case $name in
        frr-*) rm -rf "/var/tmp/frr/${name##*-}.$pid" ;;
    esac
}

# stop_named NAME : stop the started process registered under NAME (if still running).
stop_named() {
    local entry
    for entry in "${STARTED[@]}"; do
        if [[ ${entry#* } == "$1" ]]; then
            stop_pid "${entry%% *}" "$1"
        fi
    done
}

cleanup() {
    local rc=$? i ns
    trap - EXIT INT TERM
    [[ -n $WATCHDOG_PID ]] && { kill "$WATCHDOG_PID" 2>/dev/null || true; wait "$WATCHDOG_PID" 2>/dev/null || true; }
    for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do
        stop_pid "${STARTED[i]%% *}" "${STARTED[i]#* }"
    done
    for ns in "${NAMESPACES[@]}"; do
        ip netns del "$ns" 2>/dev/null || true
    done
    if ((rc != 0)) && [[ -n $WORK && -d $WORK ]]; then
        log "run failed; daemon logs follow"
        tail -n 25 "$WORK"/*/*.log "$WORK"/*.out >&2 2>/dev/null || true
    fi
    [[ -n $WORK ]] && rm -rf "$WORK"
    exit "$rc"
}

# ---------------------------------------------------------------------------------------------------------
# Namespaces and processes
# ---------------------------------------------------------------------------------------------------------

ns_name() { echo "${NS_PREFIX}$1"; }

ns_create() {
    local ns
    ns=$(ns_name "$1")
    ip netns add "$ns"
    NAMESPACES+=("$ns")
    ip -n "$ns" link set lo up
}

# veth_join NS_A MAC_A NS_B MAC_B : one veth pair, created directly inside both namespaces, interface
# kv0 on each side. Fixed MAC addresses give fixed IPv6 link-local addresses, which BIRD and FRR put
# into MP_REACH next hops, so regenerated vectors do not change for that reason alone.
veth_join() {
    ip link add kv0 netns "$(ns_name "$1")" address "$2" type veth \
        peer name kv0 netns "$(ns_name "$3")" address "$4"
}

# add_addresses NS ADDRESS... : put the addresses on kv0 of NS and bring it up.
# Duplicate address detection is off so that every IPv6 address, the link-local one included, is usable
# at once: BIRD leaves the link-local next hop out of its MP_REACH if it starts before DAD is done.
add_addresses() {
    local ns addr
    ns=$(ns_name "$1")
    shift
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.kv0.accept_dad=0
    for addr in "$@"; do
        ip -n "$ns" addr add "$addr" dev kv0
    done
    ip -n "$ns" link set kv0 up
}

# start_in NAME NS HOSTNAME COMMAND... : run COMMAND in the background inside namespace NS and in a UTS
# namespace of its own, so daemons that advertise their host name (FRR's FQDN capability) see HOSTNAME
# instead of this machine's name. ip netns exec, unshare and sh all exec, so $! is the daemon's PID.
start_in() {
    local name=$1 ns host=$3
    ns=$(ns_name "$2")
    shift 3
    # shellcheck disable=SC2016 # $0 and $@ belong to the inner sh
    ip netns exec "$ns" unshare --uts sh -c \
        'hostname "$0" && echo kbgp.test >/proc/sys/kernel/domainname && exec "$@"' "$host" "$@" \
        >>"$WORK/$name.out" 2>&1 &
    STARTED+=("$! $name")
    log "started $name (pid $!) in $ns"
}

# ---------------------------------------------------------------------------------------------------------
# Packet capture
# ---------------------------------------------------------------------------------------------------------

# capture_start NAME NS : record BGP on kv0 of NS into $WORK/NAME.pcap; returns once tshark is capturing.
capture_start() {
    local name=$1 ns=$2
    start_in "capture-$name" "$ns" capture \
        tshark -i kv0 -f 'tcp port 179' -a duration:$MAX_RUNTIME -w "$WORK/$name.pcap"
    wait_for 15 "tshark capturing in $ns" grep -q "Capturing on" "$WORK/capture-$name.out"
}

capture_stop() {
    sleep 1 # let the last segments arrive
    stop_named "capture-$1"
    [[ -s $WORK/$1.pcap ]] || die "capture $1 is empty"
    # Optionally keep the raw capture for inspection with wireshark/tshark.
    if [[ -n ${KVCAP_PCAP_DIR:-} ]]; then
        mkdir -p "$KVCAP_PCAP_DIR"
        cp "$WORK/$1.pcap" "$KVCAP_PCAP_DIR/"
    fi
}

# ---------------------------------------------------------------------------------------------------------
# Daemon control
# ---------------------------------------------------------------------------------------------------------

# FRR: zebra + bgpd with private paths (not -N, which writes under /var/run/frr and /etc/frr).
# The daemons drop to user frr, so their directory and config files must belong to frr.
frr_start() {
    local name=$1 ns=$2 dir="$WORK/$1" d
    chown -R frr:frr "$dir"
    for d in zebra bgpd; do
        start_in "frr-$name-$d" "$ns" "$name" "$FRR_BIN/$d" -f "$dir/$d.conf" -i "$dir/$d.pid" \
            -z "$dir/zserv.api" --vty_socket "$dir" -P 0 --log "file:$dir/$d.log"
        wait_for 15 "$d of $name listening on its vty socket" test -S "$dir/$d.vty"
    done
}

vtysh_in() {
    local dir="$WORK/$1"
    shift
    local args=() c
    for c in "$@"; do args+=(-c "$c"); done
    timeout 10 vtysh --vty_socket "$dir" "${args[@]}"
}

frr_established() { vtysh_in "$1" "show bgp neighbors $2 json" | grep -q '"bgpState":"Established"'; }
frr_has_route() { vtysh_in "$1" "show bgp $2 unicast $3 json" | grep -q '"paths"'; }

bird_start() {
    local name=$1 ns=$2
    start_in "bird-$name" "$ns" "$name" bird -f -c "$WORK/$name/bird.conf" -s "$WORK/$name/bird.ctl" \
        -P "$WORK/$name/bird.pid"
    wait_for 15 "BIRD $name control socket" test -S "$WORK/$name/bird.ctl"
}

birdc_in() {
    local name=$1
    shift
    timeout 10 birdc -s "$WORK/$name/bird.ctl" "$@"
}

bird_established() { birdc_in "$1" show protocols "$2" | grep -q Established; }
bird_has_route() { birdc_in "$1" show route "$2" | grep -q "^$2 "; }

gobgpd_start() {
    local name=$1 ns=$2
    start_in "gobgp-$name" "$ns" "$name" gobgpd -f "$WORK/$name/gobgpd.toml" -t toml -l info -p \
        --api-hosts 127.0.0.1:50051 --pprof-disable
    wait_for 15 "gobgpd $name API" gobgp_in "$name" global
}

# gobgp_in NAME ARGS... : the gobgp CLI, run inside the daemon's namespace where its API listens.
gobgp_in() {
    local name=$1
    shift
    timeout 10 ip netns exec "$(ns_name "$name")" gobgp -u 127.0.0.1 -p 50051 "$@"
}

gobgp_established() { gobgp_in "$1" neighbor "$2" | grep -qi 'BGP state = .*established'; }
gobgp_has_route() { gobgp_in "$1" global rib -a "$2" "$3" | grep -qF "$3"; }

# ---------------------------------------------------------------------------------------------------------
# Lab 1: FRR <-> BIRD
# ---------------------------------------------------------------------------------------------------------

write_frr_bird_configs() {
    mkdir -p "$WORK/frr-a" "$WORK/bird-a"
    cat >"$WORK/frr-a/zebra.conf" <<'EOF'
hostname frr-a
EOF
    # One IPv4 session with IPv6 unicast activated too, so IPv6 routes travel as MP_REACH over IPv4.
    # `no bgp network import-check` lets `network` originate prefixes that are not in the RIB.
    cat >"$WORK/frr-a/bgpd.conf" <<'EOF'
frr defaults traditional
hostname frr-a
!
route-map KV-ORIGIN permit 10
 set community 65000:99
 set large-community 65000:1:2
!
router bgp 65001
 bgp router-id 10.0.1.1
 no bgp ebgp-requires-policy
 no bgp network import-check
 bgp graceful-restart
 neighbor 10.0.1.2 remote-as 65002
 neighbor 10.0.1.2 timers 3 9
 neighbor 10.0.1.2 timers connect 2
 !
 address-family ipv4 unicast
  network 10.1.0.0/24 route-map KV-ORIGIN
 exit-address-family
 !
 address-family ipv6 unicast
  network fd00:a1::/48 route-map KV-ORIGIN
  neighbor 10.0.1.2 activate
 exit-address-family
!
EOF
    # BIRD: short connect/error delays so sessions come back within seconds after each shutdown.
    # The "extra" static protocols start disabled; enabling then disabling them announces then
    # withdraws a prefix. Over an IPv4 session BIRD needs an explicit IPv6 next hop.
    cat >"$WORK/bird-a/bird.conf" <<EOF
log "$WORK/bird-a/bird.log" all;
router id 10.0.1.2;
protocol device { }
protocol static static4 { ipv4; route 10.2.0.0/24 unreachable; }
protocol static static6 { ipv6; route fd00:a2::/48 unreachable; }
protocol static extra4 { disabled; ipv4; route 10.2.9.0/24 unreachable; }
protocol static extra6 { disabled; ipv6; route fd00:a2:9::/48 unreachable; }
filter kv_export {
    if source != RTS_STATIC then reject;
    bgp_community.add((65000,98));
    bgp_large_community.add((65000,2,3));
    accept;
}
protocol bgp frr {
    local 10.0.1.2 as 65002;
    neighbor 10.0.1.1 as 65001;
    hold time 9;
    keepalive time 3;
    connect delay time 1;
    connect retry time 2;
    error wait time 1, 2;
    graceful restart on;
    ipv4 { import all; export filter kv_export; };
    ipv6 { import all; export filter kv_export; next hop address fd00:1::2; };
}
EOF
}

lab_frr_bird() {
    log "=== lab frr-bird: FRR AS 65001 <-> BIRD AS 65002"
    write_frr_bird_configs
    ns_create frr-a
    ns_create bird-a
    veth_join frr-a 02:00:00:00:01:01 bird-a 02:00:00:00:01:02
    add_addresses frr-a 10.0.1.1/24 fd00:1::1/64
    add_addresses bird-a 10.0.1.2/24 fd00:1::2/64
    capture_start frr-bird bird-a

    bird_start bird-a bird-a
    frr_start frr-a frr-a
    wait_for 40 "FRR sees BIRD established" frr_established frr-a 10.0.1.2
    wait_for 10 "BIRD sees FRR established" bird_established bird-a frr
    wait_for 15 "BIRD has FRR's IPv4 route" bird_has_route bird-a 10.1.0.0/24
    wait_for 15 "BIRD has FRR's IPv6 route" bird_has_route bird-a fd00:a1::/48
    wait_for 15 "FRR has BIRD's IPv4 route" frr_has_route frr-a ipv4 10.2.0.0/24
    wait_for 15 "FRR has BIRD's IPv6 route" frr_has_route frr-a ipv6 fd00:a2::/48
    sleep 4 # a few KEEPALIVEs (every 3 s)

    log "announce and withdraw an extra prefix per family, FRR side"
    vtysh_in frr-a "configure terminal" "router bgp 65001" \
        "address-family ipv4 unicast" "network 10.1.9.0/24" "exit-address-family" \
        "address-family ipv6 unicast" "network fd00:a1:9::/48" "exit-address-family"
    wait_for 10 "BIRD has FRR's extra IPv4 route" bird_has_route bird-a 10.1.9.0/24
    wait_for 10 "BIRD has FRR's extra IPv6 route" bird_has_route bird-a fd00:a1:9::/48
    vtysh_in frr-a "configure terminal" "router bgp 65001" \
        "address-family ipv4 unicast" "no network 10.1.9.0/24" "exit-address-family" \
        "address-family ipv6 unicast" "no network fd00:a1:9::/48" "exit-address-family"
    wait_for 10 "BIRD lost FRR's extra IPv4 route" not bird_has_route bird-a 10.1.9.0/24
    wait_for 10 "BIRD lost FRR's extra IPv6 route" not bird_has_route bird-a fd00:a1:9::/48

    log "announce and withdraw an extra prefix per family, BIRD side"
    birdc_in bird-a enable extra4 >/dev/null
    birdc_in bird-a enable extra6 >/dev/null
    wait_for 10 "FRR has BIRD's extra IPv4 route" frr_has_route frr-a ipv4 10.2.9.0/24
    wait_for 10 "FRR has BIRD's extra IPv6 route" frr_has_route frr-a ipv6 fd00:a2:9::/48
    birdc_in bird-a disable extra4 >/dev/null
    birdc_in bird-a disable extra6 >/dev/null
    wait_for 10 "FRR lost BIRD's extra IPv4 route" not frr_has_route frr-a ipv4 10.2.9.0/24
    wait_for 10 "FRR lost BIRD's extra IPv6 route" not frr_has_route frr-a ipv6 fd00:a2:9::/48

    log "route refresh: FRR soft inbound clear, then BIRD reload in"
    vtysh_in frr-a "clear bgp * soft in" >/dev/null
    sleep 2
    birdc_in bird-a reload in frr >/dev/null
    sleep 2

    log "FRR administrative shutdown with a shutdown communication"
    vtysh_in frr-a "configure terminal" "router bgp 65001" \
        "neighbor 10.0.1.2 shutdown message kbgp test vector: FRR neighbor shutdown"
    wait_for 10 "BIRD saw the session go down" not bird_established bird-a frr
    vtysh_in frr-a "configure terminal" "router bgp 65001" "no neighbor 10.0.1.2 shutdown"
    wait_for 30 "session back up after FRR shutdown" frr_established frr-a 10.0.1.2

    log "BIRD administrative shutdown with a shutdown communication"
    sleep 1
    birdc_in bird-a disable frr '"kbgp test vector: BIRD protocol disabled"' >/dev/null
    wait_for 10 "FRR saw the session go down" not frr_established frr-a 10.0.1.2
    birdc_in bird-a enable frr >/dev/null
    wait_for 30 "session back up after BIRD shutdown" frr_established frr-a 10.0.1.2

    log "FRR hard reset of the session (clear bgp)"
    sleep 1
    vtysh_in frr-a "clear bgp 10.0.1.2" >/dev/null
    sleep 1
    wait_for 30 "session back up after clear bgp" frr_established frr-a 10.0.1.2
    sleep 2

    # With graceful restart configured FRR closes the connection without a NOTIFICATION.
    log "stop FRR, then BIRD"
    stop_named frr-frr-a-bgpd
    stop_named frr-frr-a-zebra
    stop_named bird-bird-a
    capture_stop frr-bird
}

# ---------------------------------------------------------------------------------------------------------
# Lab 2: GoBGP <-> BIRD
# ---------------------------------------------------------------------------------------------------------

write_gobgp_bird_configs() {
    mkdir -p "$WORK/gobgp-b" "$WORK/bird-b"
    # Graceful restart needs mp-graceful-restart per address family besides the neighbour setting.
    # Only the IPv4 neighbour sets the N bit (RFC 8538), so the two OPENs differ in that too.
    cat >"$WORK/gobgp-b/gobgpd.toml" <<'EOF'
[global.config]
  as = 65003
  router-id = "10.0.2.1"

[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.0.2.2"
    peer-as = 65004
  [neighbors.timers.config]
    hold-time = 9
    keepalive-interval = 3
    connect-retry = 2
  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 30
    notification-enabled = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true

[[neighbors]]
  [neighbors.config]
    neighbor-address = "fd00:2::2"
    peer-as = 65004
  [neighbors.timers.config]
    hold-time = 9
    keepalive-interval = 3
    connect-retry = 2
  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 30
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
EOF
    cat >"$WORK/bird-b/bird.conf" <<EOF
log "$WORK/bird-b/bird.log" all;
router id 10.0.2.2;
protocol device { }
protocol static static4 { ipv4; route 10.4.0.0/24 unreachable; }
protocol static static6 { ipv6; route fd00:b2::/48 unreachable; }
protocol static extra4 { disabled; ipv4; route 10.4.9.0/24 unreachable; }
protocol static extra6 { disabled; ipv6; route fd00:b2:9::/48 unreachable; }
template bgp kv_peer {
    hold time 9;
    keepalive time 3;
    connect delay time 1;
    connect retry time 2;
    error wait time 1, 2;
    graceful restart on;
}
protocol bgp gobgp4 from kv_peer {
    local 10.0.2.2 as 65004;
    neighbor 10.0.2.1 as 65003;
    ipv4 { import all; export where source = RTS_STATIC; };
}
protocol bgp gobgp6 from kv_peer {
    local fd00:2::2 as 65004;
    neighbor fd00:2::1 as 65003;
    ipv6 { import all; export where source = RTS_STATIC; };
}
EOF
}

lab_gobgp_bird() {
    log "=== lab gobgp-bird: GoBGP AS 65003 <-> BIRD AS 65004"
    write_gobgp_bird_configs
    ns_create gobgp-b
    ns_create bird-b
    veth_join gobgp-b 02:00:00:00:02:01 bird-b 02:00:00:00:02:02
    add_addresses gobgp-b 10.0.2.1/24 fd00:2::1/64
    add_addresses bird-b 10.0.2.2/24 fd00:2::2/64
    capture_start gobgp-bird bird-b

    # GoBGP waits 5-9 s before its first connect; BIRD (connect delay 1 s) usually connects first.
    gobgpd_start gobgp-b gobgp-b
    gobgp_in gobgp-b global rib add 10.3.0.0/24 community 65000:99 -a ipv4
    gobgp_in gobgp-b global rib add fd00:b1::/48 community 65000:99 large-community 65000:3:4 -a ipv6
    bird_start bird-b bird-b
    wait_for 40 "GoBGP IPv4 session established" gobgp_established gobgp-b 10.0.2.2
    wait_for 40 "GoBGP IPv6 session established" gobgp_established gobgp-b fd00:2::2
    wait_for 15 "BIRD has GoBGP's IPv4 route" bird_has_route bird-b 10.3.0.0/24
    wait_for 15 "BIRD has GoBGP's IPv6 route" bird_has_route bird-b fd00:b1::/48
    wait_for 15 "GoBGP has BIRD's IPv4 route" gobgp_has_route gobgp-b ipv4 10.4.0.0/24
    wait_for 15 "GoBGP has BIRD's IPv6 route" gobgp_has_route gobgp-b ipv6 fd00:b2::/48
    sleep 4 # a few KEEPALIVEs

    log "announce and withdraw an extra prefix per family, GoBGP side"
    gobgp_in gobgp-b global rib add 10.3.9.0/24 -a ipv4
    gobgp_in gobgp-b global rib add fd00:b1:9::/48 -a ipv6
    wait_for 10 "BIRD has GoBGP's extra IPv4 route" bird_has_route bird-b 10.3.9.0/24
    wait_for 10 "BIRD has GoBGP's extra IPv6 route" bird_has_route bird-b fd00:b1:9::/48
    gobgp_in gobgp-b global rib del 10.3.9.0/24 -a ipv4
    gobgp_in gobgp-b global rib del fd00:b1:9::/48 -a ipv6
    wait_for 10 "BIRD lost GoBGP's extra IPv4 route" not bird_has_route bird-b 10.3.9.0/24
    wait_for 10 "BIRD lost GoBGP's extra IPv6 route" not bird_has_route bird-b fd00:b1:9::/48

    log "announce and withdraw an extra prefix per family, BIRD side"
    birdc_in bird-b enable extra4 >/dev/null
    birdc_in bird-b enable extra6 >/dev/null
    wait_for 10 "GoBGP has BIRD's extra IPv4 route" gobgp_has_route gobgp-b ipv4 10.4.9.0/24
    wait_for 10 "GoBGP has BIRD's extra IPv6 route" gobgp_has_route gobgp-b ipv6 fd00:b2:9::/48
    birdc_in bird-b disable extra4 >/dev/null
    birdc_in bird-b disable extra6 >/dev/null
    wait_for 10 "GoBGP lost BIRD's extra IPv4 route" not gobgp_has_route gobgp-b ipv4 10.4.9.0/24
    wait_for 10 "GoBGP lost BIRD's extra IPv6 route" not gobgp_has_route gobgp-b ipv6 fd00:b2:9::/48

    # GoBGP keeps an Adj-RIB-In and its `softresetin` re-runs policy on it without sending a
    # ROUTE-REFRESH, so only BIRD requests one here (GoBGP answers with its routes again).
    log "route refresh: BIRD reload in"
    birdc_in bird-b reload in gobgp4 >/dev/null
    birdc_in bird-b reload in gobgp6 >/dev/null
    sleep 2

    # GoBGP 3.10 sends this Cease without the --reason text (only `reset` carries it). While disabled
    # it accepts BIRD's connections and closes them at once; after `enable` it connects itself after 5-9 s.
    log "GoBGP administrative shutdown (disable)"
    gobgp_in gobgp-b neighbor 10.0.2.2 disable --reason "kbgp test vector: GoBGP neighbor disabled"
    wait_for 10 "BIRD saw the IPv4 session go down" not bird_established bird-b gobgp4
    gobgp_in gobgp-b neighbor 10.0.2.2 enable
    wait_for 30 "IPv4 session back up" gobgp_established gobgp-b 10.0.2.2

    log "BIRD administrative shutdown with a shutdown communication"
    birdc_in bird-b disable gobgp6 '"kbgp test vector: BIRD protocol disabled"' >/dev/null
    wait_for 10 "GoBGP saw the IPv6 session go down" not gobgp_established gobgp-b fd00:2::2
    birdc_in bird-b enable gobgp6 >/dev/null
    wait_for 30 "IPv6 session back up after BIRD shutdown" gobgp_established gobgp-b fd00:2::2

    # Last, because after a reset GoBGP refuses connections for 30 s before it reconnects itself.
    log "GoBGP administrative reset with a shutdown communication"
    gobgp_in gobgp-b neighbor fd00:2::2 reset --reason "kbgp test vector: GoBGP neighbor reset"
    sleep 2

    log "stop GoBGP first (it sends Cease/Peer De-configured on the IPv4 session), then BIRD"
    stop_named gobgp-gobgp-b
    stop_named bird-bird-b
    capture_stop gobgp-bird
}

# ---------------------------------------------------------------------------------------------------------
# Extraction: the python helper follows each TCP stream, splits it into BGP messages and writes vectors.
# ---------------------------------------------------------------------------------------------------------

write_helper() {
    cat >"$WORK/bgpvec.py" <<'PYEOF'
"""Split BGP sessions recorded by tshark into messages; write and verify .hex test vectors."""
import argparse
import ipaddress
import os
import re
import subprocess
import sys

MARKER = b"\xff" * 16
HEADER_LEN = 19
TYPES = {1: "OPEN", 2: "UPDATE", 3: "NOTIFICATION", 4: "KEEPALIVE", 5: "ROUTE-REFRESH"}
AFIS = {1: "ipv4", 2: "ipv6", 25: "l2vpn"}
SAFIS = {1: "unicast", 2: "multicast", 4: "labeled-unicast", 70: "evpn", 128: "vpn"}


def u16(b, i):
    return int.from_bytes(b[i:i + 2], "big")


def u32(b, i):
    return int.from_bytes(b[i:i + 4], "big")


def family(afi, safi):
    return f"{AFIS.get(afi, f'afi{afi}')}/{SAFIS.get(safi, f'safi{safi}')}"


def family_slug(afi, safi):
    """ipv4 / ipv6 for unicast, which is all these labs carry; spelled out otherwise."""
    if safi == 1 and afi in (1, 2):
        return AFIS[afi]
    return family(afi, safi).replace("/", "-")


# ----------------------------------------------------------------------------------------------- streams

def tcp_streams(pcap):
    out = subprocess.run(["tshark", "-r", pcap, "-T", "fields", "-e", "tcp.stream"],
                         check=True, capture_output=True, text=True).stdout
    return sorted({int(x) for x in out.split()})


def follow_all(pcap, streams):
    """Both directions of every TCP stream: {stream: [((addr, port), bytes) of node 0, ... of node 1]}.

    One tshark run with a -z follow per stream (each run rereads the whole file). In every block tshark
    prints node 0's data unindented and node 1's data indented by a tab, in capture order, after TCP
    reassembly (retransmissions and out-of-order segments are already dealt with)."""
    cmd = ["tshark", "-r", pcap, "-q"]
    for s in streams:
        cmd += ["-z", f"follow,tcp,raw,{s}"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    result, nodes, data = {}, {}, {}
    for line in out.splitlines():
        m = re.match(r"Filter: tcp.stream eq (\d+)$", line)
        if m:
            nodes, data = {}, {0: bytearray(), 1: bytearray()}
            result[int(m.group(1))] = (nodes, data)
            continue
        m = re.match(r"Node ([01]): \[?([0-9a-fA-F.:]+?)\]?:(\d+)$", line)
        if m:
            nodes[int(m.group(1))] = (m.group(2), int(m.group(3)))
        elif len(nodes) == 2 and re.fullmatch(r"\t?[0-9a-f]+", line):
            data[1 if line.startswith("\t") else 0] += bytes.fromhex(line.strip())
    if sorted(result) != sorted(streams) or any(len(n) != 2 for n, _ in result.values()):
        raise SystemExit(f"{pcap}: cannot parse tshark follow output")
    return {s: [(n[0], bytes(d[0])), (n[1], bytes(d[1]))] for s, (n, d) in result.items()}


def split_messages(data, where):
    """Cut one direction's byte stream into whole BGP messages using the marker and length field."""
    msgs, off = [], 0
    while off < len(data):
        if len(data) - off < HEADER_LEN:
            print(f"warning: {where}: {len(data) - off} trailing bytes (capture ended mid-message)",
                  file=sys.stderr)
            break
        length = u16(data, off + 16)
        if data[off:off + 16] != MARKER or not HEADER_LEN <= length <= 65535:
            raise SystemExit(f"{where}: no BGP header at offset {off}; stream is not BGP-framed")
        if off + length > len(data):
            print(f"warning: {where}: last message truncated", file=sys.stderr)
            break
        msgs.append(data[off:off + length])
        off += length
    return msgs


# ----------------------------------------------------------------------------------------------- decoding
# Each describe_* returns (kind, summary, detail lines): kind names the file, summary is one line.

def prefixes(b, afi):
    """NLRI encoding (length in bits, then just enough octets) into prefix strings."""
    out, i, width = [], 0, 4 if afi == 1 else 16
    while i < len(b):
        plen = b[i]
        n = (plen + 7) // 8
        raw = b[i + 1:i + 1 + n] + bytes(width - n)
        out.append(str(ipaddress.ip_network((raw, plen))))
        i += 1 + n
    return out


def capability(code, v):
    if code == 1:
        return f"multiprotocol {family(u16(v, 0), v[3])} (code 1)"
    if code == 2:
        return "route refresh (code 2, RFC 2918)"
    if code == 5:
        ents = [f"{family(u16(v, i), u16(v, i + 2))} via {AFIS.get(u16(v, i + 4))} next hop"
                for i in range(0, len(v), 6)]
        return "extended next hop (code 5, RFC 8950): " + ", ".join(ents)
    if code == 6:
        return "extended message (code 6, RFC 8654)"
    if code == 9:
        roles = {0: "provider", 1: "rs", 2: "rs-client", 3: "customer", 4: "peer"}
        return f"BGP role (code 9, RFC 9234): {roles.get(v[0], v[0])}"
    if code == 64:
        flags, time = v[0] >> 4, u16(v, 0) & 0xfff
        fl = [n for bit, n in ((8, "R"), (4, "N")) if flags & bit] or ["none"]
        afs = [f"{family(u16(v, i), v[i + 2])} F={v[i + 3] >> 7}" for i in range(2, len(v), 4)]
        return (f"graceful restart (code 64, RFC 4724): flags {'+'.join(fl)}, restart time {time} s"
                + (", " + ", ".join(afs) if afs else ", no address families"))
    if code == 65:
        return f"4-octet AS number (code 65, RFC 6793): {u32(v, 0)}"
    if code == 69:
        modes = {1: "receive", 2: "send", 3: "send/receive"}
        ents = [f"{family(u16(v, i), v[i + 2])} {modes.get(v[i + 3], v[i + 3])}"
                for i in range(0, len(v), 4)]
        return "ADD-PATH (code 69, RFC 7911): " + ", ".join(ents)
    if code == 70:
        return "enhanced route refresh (code 70, RFC 7313)"
    if code == 71:
        ents = [f"{family(u16(v, i), v[i + 2])} stale time {int.from_bytes(v[i + 4:i + 7], 'big')} s"
                for i in range(0, len(v), 7)]
        return "long-lived graceful restart (code 71, RFC 9494): " + (", ".join(ents) or "empty")
    if code == 73:
        hl = v[0]
        host = v[1:1 + hl].decode(errors="replace")
        dom = v[2 + hl:2 + hl + v[1 + hl]].decode(errors="replace")
        return f"FQDN (code 73, draft-walton-bgp-hostname): host \"{host}\", domain \"{dom}\""
    if code == 128:
        return "route refresh, pre-standard Cisco code 128"
    return f"capability code {code}, {len(v)} bytes: {v.hex() or '(empty)'}"


def describe_open(m):
    version, my_as, hold = m[19], u16(m, 20), u16(m, 22)
    ident = ipaddress.IPv4Address(m[24:28])
    optlen, p, ext = m[28], 29, False
    if optlen == 255 and len(m) > 29 and m[29] == 255:    # RFC 9072 extended optional parameters
        optlen, p, ext = u16(m, 30), 32, True
    caps, fams, end = [], [], p + optlen
    while p < end:
        ptype = m[p]
        plen = u16(m, p + 1) if ext else m[p + 1]
        p += 3 if ext else 2
        val = m[p:p + plen]
        p += plen
        if ptype != 2:
            caps.append(f"optional parameter type {ptype}: {val.hex()}")
            continue
        i = 0
        while i < len(val):                              # one parameter may hold several capabilities
            code, clen = val[i], val[i + 1]
            caps.append(capability(code, val[i + 2:i + 2 + clen]))
            if code == 1:
                fams.append(family_slug(u16(val, i + 2), val[i + 5]))
            i += 2 + clen
    short = [re.sub(r" \(code \d+[^)]*\)", "", c).replace("multiprotocol ", "MP ") for c in caps]
    summary = f"OPEN AS {my_as} hold {hold} id {ident}; " + "; ".join(short)
    details = [f"OPEN version {version}, my AS {my_as}, hold time {hold}, BGP identifier {ident}",
               "capabilities, in the order sent:"] + [f"  {c}" for c in caps]
    # Further OPENs of a sender are named by the families they offer (no multiprotocol capability
    # means IPv4 unicast only), which tells the sessions apart.
    return "open-" + "-".join(fams or ["ipv4"]), summary, details


WELL_KNOWN_COMMUNITIES = {0xFFFFFF01: "NO_EXPORT", 0xFFFFFF02: "NO_ADVERTISE",
                          0xFFFFFF03: "NO_EXPORT_SUBCONFED", 0xFFFF029A: "BLACKHOLE",
                          0xFFFF0000: "GRACEFUL_SHUTDOWN", 0xFFFF0006: "LLGR_STALE"}


def attribute_flags(flags):
    names = [n for bit, n in ((0x80, "optional"), (0x40, "transitive"), (0x20, "partial"),
                              (0x10, "extended-length")) if flags & bit]
    return f"flags 0x{flags:02x} {','.join(names) or 'none'}"


def attribute(flags, code, v):
    """One path attribute as text; AS numbers are 4 octets (every session here negotiates them)."""
    if code == 1:
        return "ORIGIN " + {0: "IGP", 1: "EGP", 2: "INCOMPLETE"}.get(v[0], str(v[0]))
    if code == 2:
        segs, i = [], 0
        while i < len(v):
            stype, n = v[i], v[i + 1]
            asns = [str(u32(v, i + 2 + 4 * k)) for k in range(n)]
            segs.append(("{%s}" if stype == 1 else "%s") % " ".join(asns))
            i += 2 + 4 * n
        return "AS_PATH " + (" ".join(segs) or "(empty)")
    if code == 3:
        return f"NEXT_HOP {ipaddress.IPv4Address(v)}"
    if code == 4:
        return f"MULTI_EXIT_DISC {u32(v, 0)}"
    if code == 5:
        return f"LOCAL_PREF {u32(v, 0)}"
    if code == 6:
        return "ATOMIC_AGGREGATE"
    if code == 8:
        comms = [u32(v, i) for i in range(0, len(v), 4)]
        return "COMMUNITIES " + " ".join(WELL_KNOWN_COMMUNITIES.get(c, f"{c >> 16}:{c & 0xffff}")
                                         for c in comms)
    if code == 14:
        afi, safi, nhlen = u16(v, 0), v[2], v[3]
        nh = v[4:4 + nhlen]
        if afi == 2 and nhlen in (16, 32):
            hops = [str(ipaddress.IPv6Address(nh[k:k + 16])) for k in range(0, nhlen, 16)]
        elif nhlen == 4:
            hops = [str(ipaddress.IPv4Address(nh))]
        else:
            hops = [nh.hex()]
        nlri = prefixes(v[5 + nhlen:], afi)
        return (f"MP_REACH_NLRI {family(afi, safi)} next hop {' + '.join(hops)}"
                f" NLRI {' '.join(nlri) or '(none)'}")
    if code == 15:
        afi, safi = u16(v, 0), v[2]
        nlri = prefixes(v[3:], afi)
        return f"MP_UNREACH_NLRI {family(afi, safi)} withdrawn {' '.join(nlri) or '(none: End-of-RIB)'}"
    if code == 16:
        return "EXTENDED_COMMUNITIES " + " ".join(v[i:i + 8].hex() for i in range(0, len(v), 8))
    if code == 32:
        return "LARGE_COMMUNITY " + " ".join(f"{u32(v, i)}:{u32(v, i + 4)}:{u32(v, i + 8)}"
                                             for i in range(0, len(v), 12))
    return f"attribute type {code} flags 0x{flags:02x}: {v.hex()}"


def describe_update(m):
    wlen = u16(m, 19)
    withdrawn = prefixes(m[21:21 + wlen], 1)
    alen = u16(m, 21 + wlen)
    raw, nlri = m[23 + wlen:23 + wlen + alen], prefixes(m[23 + wlen + alen:], 1)
    attrs, i = [], 0
    while i < len(raw):
        flags, code = raw[i], raw[i + 1]
        if flags & 0x10:                                     # extended length
            alen_, hdr = u16(raw, i + 2), 4
        else:
            alen_, hdr = raw[i + 2], 3
        attrs.append((flags, code, raw[i + hdr:i + hdr + alen_]))
        i += hdr + alen_
    codes = [c for _, c, _ in attrs]
    texts = [attribute(f, c, v) for f, c, v in attrs]
    flagged = [f"{t}  [{attribute_flags(f)}]" for t, (f, _, _) in zip(texts, attrs)]

    if not withdrawn and not attrs and not nlri:
        return "eor-ipv4", "UPDATE End-of-RIB ipv4/unicast (empty UPDATE)", \
            ["UPDATE with no withdrawn routes, no attributes, no NLRI: End-of-RIB for ipv4/unicast"]
    if codes == [15] and not withdrawn and not nlri and len(attrs[0][2]) == 3:
        v = attrs[0][2]
        return f"eor-{family_slug(u16(v, 0), v[2])}", f"UPDATE End-of-RIB {family(u16(v, 0), v[2])}", \
            [f"UPDATE with only an empty MP_UNREACH_NLRI: End-of-RIB for {family(u16(v, 0), v[2])}"]

    kinds = []
    if nlri:
        kinds.append("update-ipv4")
    if withdrawn:
        kinds.append("withdraw-ipv4")
    for _, c, v in attrs:
        if c == 14:
            kinds.append(f"update-{family_slug(u16(v, 0), v[2])}-mpreach")
        if c == 15 and len(v) > 3:
            kinds.append(f"withdraw-{family_slug(u16(v, 0), v[2])}-mpunreach")
    wd = [f"withdrawn {' '.join(withdrawn)}"] if withdrawn else []
    nl = [f"NLRI {' '.join(nlri)}"] if nlri else []
    details = ["UPDATE"] + [f"  {t}" for t in wd + flagged + nl]
    return "-".join(kinds) or "update-other", "UPDATE " + "; ".join(wd + texts + nl), details


NOTIFICATION_CODES = {1: "Message Header Error", 2: "OPEN Message Error", 3: "UPDATE Message Error",
                      4: "Hold Timer Expired", 5: "Finite State Machine Error", 6: "Cease",
                      7: "ROUTE-REFRESH Message Error"}
CEASE_SUBCODES = {1: ("max-prefixes", "Maximum Number of Prefixes Reached"),
                  2: ("admin-shutdown", "Administrative Shutdown"),
                  3: ("peer-deconfigured", "Peer De-configured"),
                  4: ("admin-reset", "Administrative Reset"),
                  5: ("connection-rejected", "Connection Rejected"),
                  6: ("config-change", "Other Configuration Change"),
                  7: ("collision", "Connection Collision Resolution"),
                  8: ("out-of-resources", "Out of Resources"),
                  9: ("hard-reset", "Hard Reset"),
                  10: ("bfd-down", "BFD Down")}


def describe_notification(m):
    code, sub, data = m[19], m[20], m[21:]
    name = NOTIFICATION_CODES.get(code, f"code {code}")
    if code == 6 and sub in CEASE_SUBCODES:
        slug, subname = CEASE_SUBCODES[sub]
        slug = "cease-" + slug
    else:
        slug, subname = f"code{code}-subcode{sub}", f"subcode {sub}"
    text = f"NOTIFICATION {name} / {subname} ({code}/{sub})"
    details = [text]
    if code == 6 and sub in (2, 4) and data:                 # RFC 9003 shutdown communication
        comm = data[1:1 + data[0]].decode(errors="replace")
        text += f", shutdown communication \"{comm}\""
        details.append(f"  shutdown communication (RFC 9003), {data[0]} bytes: \"{comm}\"")
    elif code == 6 and sub == 9 and len(data) >= 2:          # RFC 8538: the cause is wrapped inside
        inner = NOTIFICATION_CODES.get(data[0], f"code {data[0]}")
        text += f", wrapping {inner} ({data[0]}/{data[1]})"
        details.append(f"  hard reset cause (RFC 8538): {inner} ({data[0]}/{data[1]}), data {data[2:].hex()}")
    elif data:
        details.append(f"  data: {data.hex()}")
    return "notification-" + slug, text, details


def describe_route_refresh(m):
    afi, subtype, safi = u16(m, 19), m[21], m[22]
    what = {0: ("route-refresh", "ROUTE-REFRESH request"),
            1: ("route-refresh-borr", "ROUTE-REFRESH Beginning-of-RIB-Refresh (RFC 7313)"),
            2: ("route-refresh-eorr", "ROUTE-REFRESH End-of-RIB-Refresh (RFC 7313)")}
    slug, text = what.get(subtype, (f"route-refresh-subtype{subtype}", f"ROUTE-REFRESH subtype {subtype}"))
    text += f" for {family(afi, safi)}"
    return f"{slug}-{family_slug(afi, safi)}", text, [text]


def describe(m):
    t = m[18]
    if t == 1:
        return describe_open(m)
    if t == 2:
        return describe_update(m)
    if t == 3:
        return describe_notification(m)
    if t == 4:
        return "keepalive", "KEEPALIVE", ["KEEPALIVE (header only)"]
    if t == 5:
        return describe_route_refresh(m)
    return f"type{t}", f"message type {t}", [f"unknown message type {t}"]


# ----------------------------------------------------------------------------------------------- output

def hex_lines(m):
    h = m.hex()
    return [h[i:i + 32] for i in range(0, len(h), 32)]


def write_vector(path, m, header, details):
    with open(path, "w") as f:
        for line in header:
            f.write(f"# {line}\n")
        f.write("# decoded:\n")
        for line in details:
            f.write(f"#   {line}\n")
        for line in hex_lines(m):
            f.write(line + "\n")


def extract(args):
    daemons = dict(kv.split("=", 1) for kv in args.daemon)      # label -> version string
    hosts = {}                                                  # address -> (label, AS)
    for spec in args.host:
        addr, label, asn = spec.split(",")
        hosts[str(ipaddress.ip_address(addr))] = (label, asn)

    seen = {}         # (sender, message bytes) -> file name: keep each distinct message once
    per_kind = {}     # (sender, kind) -> how many distinct messages already named
    written = []
    for spec in args.pcap:
        lab, pcap = spec.split("=", 1)
        followed = follow_all(pcap, tcp_streams(pcap))
        # IPv4 connections before IPv6 ones, then in capture order: in lab gobgp-bird either session
        # may come up first, and this keeps the numbering of the files the same from run to run.
        order = sorted(followed, key=lambda s: (ipaddress.ip_address(followed[s][0][0][0]).version, s))
        for stream in order:
            ends = followed[stream]
            for idx, ((addr, _port), data) in enumerate(ends):
                peer_addr = ends[1 - idx][0][0]
                addr, peer_addr = str(ipaddress.ip_address(addr)), str(ipaddress.ip_address(peer_addr))
                sender, sender_as = hosts[addr]
                receiver, receiver_as = hosts[peer_addr]
                where = f"{lab} stream {stream} {addr} -> {peer_addr}"
                for n, m in enumerate(split_messages(data, where), 1):
                    if (sender, m) in seen:
                        continue
                    kind, summary, details = describe(m)
                    if kind.startswith("open-") and (sender, "open") not in per_kind:
                        kind = "open"          # a sender's first OPEN is <sender>-open.hex
                    count = per_kind.get((sender, kind), 0) + 1
                    per_kind[(sender, kind)] = count
                    name = f"{sender}-{kind}" + (f"-{count}" if count > 1 else "") + ".hex"
                    seen[(sender, m)] = name
                    header = [
                        f"{TYPES.get(m[18], 'type %d' % m[18])} sent by {sender} to {receiver}",
                        f"sender:   {daemons[sender]}, AS {sender_as}, {addr}",
                        f"receiver: {daemons[receiver]}, AS {receiver_as}, {peer_addr}",
                        f"captured: {args.date} by {args.script} (lab {lab}, TCP stream {stream},"
                        f" message {n} of this direction)",
                        f"length:   {len(m)} bytes",
                    ]
                    write_vector(os.path.join(args.out, name), m, header, details)
                    written.append((name, summary))
    for name, summary in written:
        print(f"{name}: {summary}")


def verify(args):
    """Re-read every vector: hex only, 16 bytes a line, marker all ones, length field = byte count."""
    bad = 0
    files = sorted(f for f in os.listdir(args.out) if f.endswith(".hex"))
    for name in files:
        lines = [l.rstrip("\n") for l in open(os.path.join(args.out, name))]
        body = [l for l in lines if not l.startswith("#")]
        problems = []
        if not lines or not lines[0].startswith("#"):
            problems.append("no comment header")
        if any(not re.fullmatch(r"[0-9a-f]{2,32}", l) or len(l) % 2 for l in body):
            problems.append("a line is not lowercase hex of at most 16 bytes")
        if any(len(l) != 32 for l in body[:-1]):
            problems.append("a line other than the last is shorter than 16 bytes")
        m = bytes.fromhex("".join(body)) if not problems else b""
        if not problems:
            if len(m) < HEADER_LEN or m[:16] != MARKER:
                problems.append("marker is not 16 bytes of 0xff")
            elif u16(m, 16) != len(m):
                problems.append(f"length field {u16(m, 16)} != {len(m)} bytes")
            elif m[18] not in TYPES:
                problems.append(f"unknown type {m[18]}")
        if problems:
            bad += 1
            print(f"BAD {name}: {'; '.join(problems)}")
    print(f"verified {len(files) - bad} of {len(files)} vectors")
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    ex = sub.add_parser("extract")
    ex.add_argument("--out", required=True)
    ex.add_argument("--date", required=True)
    ex.add_argument("--script", required=True)
    ex.add_argument("--daemon", action="append", default=[], help="LABEL=version text")
    ex.add_argument("--host", action="append", default=[], help="ADDRESS,LABEL,AS")
    ex.add_argument("--pcap", action="append", default=[], help="LAB=FILE")
    ve = sub.add_parser("verify")
    ve.add_argument("--out", required=True)
    args = ap.parse_args()
    if args.cmd == "extract":
        extract(args)
        return 0
    return verify(args)


if __name__ == "__main__":
    sys.exit(main())
PYEOF
}

extract_vectors() {
    local outdir=$1 frr_version bird_version gobgp_version
    frr_version="FRR $($FRR_BIN/bgpd --version | head -n1)"
    bird_version=$(bird --version 2>&1 | head -n1)
    gobgp_version="GoBGP $(gobgpd --version | head -n1)"

    # Build and verify the new set aside, then replace the old one, so that a failed run leaves OUTDIR
    # as it was and vectors that this run did not produce do not linger.
    local staging="$WORK/vectors"
    mkdir -p "$staging"
    python3 "$WORK/bgpvec.py" extract --out "$staging" --date "$(date -u +%Y-%m-%d)" --script "$SCRIPT_NAME" \
        --daemon "frr=$frr_version" --daemon "bird=$bird_version" --daemon "gobgp=$gobgp_version" \
        --host 10.0.1.1,frr,65001 --host 10.0.1.2,bird,65002 \
        --host 10.0.2.1,gobgp,65003 --host fd00:2::1,gobgp,65003 \
        --host 10.0.2.2,bird,65004 --host fd00:2::2,bird,65004 \
        --pcap "frr-bird=$WORK/frr-bird.pcap" --pcap "gobgp-bird=$WORK/gobgp-bird.pcap"
    python3 "$WORK/bgpvec.py" verify --out "$staging"
    rm -f "$outdir"/frr-*.hex "$outdir"/bird-*.hex "$outdir"/gobgp-*.hex
    cp "$staging"/*.hex "$outdir"/
}

# ---------------------------------------------------------------------------------------------------------

main() {
    [[ $# -eq 1 ]] || { echo "usage: bash $SCRIPT_NAME OUTDIR" >&2; exit 2; }
    [[ $EUID -eq 0 ]] || die "must run as root (network namespaces, daemons on port 179)"
    local outdir=$1 tool
    for tool in ip unshare tshark python3 vtysh "$FRR_BIN/bgpd" "$FRR_BIN/zebra" bird birdc gobgpd gobgp; do
        command -v "$tool" >/dev/null || die "missing $tool"
    done
    mkdir -p "$outdir"
    outdir=$(cd "$outdir" && pwd)

    trap cleanup EXIT
    trap 'exit 130' INT TERM
    # Watchdog: whatever hangs, the run ends (and cleans up) after MAX_RUNTIME seconds.
    # Its sleep runs as a separate child so that stopping the watchdog stops the sleep as well.
    (
        trap 'kill "$nap" 2>/dev/null; exit 0' TERM
        sleep "$MAX_RUNTIME" &
        nap=$!
        wait "$nap" && log "watchdog: run exceeded ${MAX_RUNTIME}s" && kill -TERM $$
    ) &
    WATCHDOG_PID=$!

    WORK=$(mktemp -d /tmp/kvcap.XXXXXX)
    chmod 755 "$WORK" # FRR daemons run as user frr and must reach their directories below

    lab_frr_bird
    lab_gobgp_bird
    write_helper
    extract_vectors "$outdir"
    log "done: vectors in $outdir"
}

main "$@"
