#!/usr/bin/env bash
# kbgpd router programs the kernel: what it selects reaches the router
# namespace's main table as routes of protocol bgp (186), metric 20, through
# nexthop objects, and nothing else in the kernel is touched. Checked in the
# kernel (ip -j route / ip -j nexthop in kbgpd's namespace), never in kbgpd's
# log: the log only tells when a check may start (sessions up, ECMP sets
# selected, graceful restart deferral over, a session ended by its hold time).
# In this order:
#   1. One path: one route with an nhid whose nexthop object (protocol bgp)
#      has the peer as gateway on the link towards it; IPv4 and IPv6.
#      frr1 sends 10.91.0.0/24 again with bird2's address as next hop (an
#      outbound route-map): the route moves to it, and back when the
#      route-map goes.
#   2. The same prefix from three ASes (multipath-relax, maximumPaths 4): one
#      route, its nhid a group of exactly three nexthop objects whose gateways
#      are the three peers.
#   3. A peer goes (BIRD stopped): the group shrinks to two and the route is
#      never missing in between (polled every 50 ms).
#   4. Graceful restart: kbgpd stopped with SIGTERM leaves its routes in place
#      unchanged, never missing while it is down and while it starts again;
#      once it has settled, no nexthop object of protocol bgp is left unused.
#   5. Link down under a peer of its own link: the kernel drops that peer's
#      only route and its group member; kbgpd does not put them back while the
#      link is down, until and after its session with the peer ends (hold
#      time); link up: the session and both come back.
#   6. Without graceful restart a SIGTERM takes kbgpd's routes and nexthop
#      objects out of the kernel within 2 s.
#   7. nexthopObjects false: the ECMP prefix is one RTA_MULTIPATH route with
#      three gateways and no nhid, single paths are plain routes, no nexthop
#      object of protocol bgp exists; a SIGTERM takes the routes away.
#   8. Routes and nexthops of other owners (a static route, a protocol 250
#      route for one of the BGP prefixes at metric 500, nexthop object 4242 of
#      protocol static), put there before kbgpd first starts, are unchanged
#      after every phase and at the end.
#
# Topology: namespace k runs kbgpd (AS 65000). eth0 on a LAN (10.0.0.1/24,
# fd00::1/64) with frr1 (FRR, AS 65001, .11), bird2 (BIRD, AS 65002, .12) and
# bird3 (BIRD, AS 65003, .13, no graceful restart so that its Cease drops its
# routes at once); eth1 on a veth of its own to frr4 (FRR, AS 65004,
# 10.0.4.2/24).
#   10.91.0.0/24, fd91::/48  frr1 only               (one path, IPv4 and IPv6)
#   10.99.0.0/24             frr1, bird2, bird3      (ECMP; bird3 is stopped)
#   10.98.0.0/24             frr1, bird2, frr4       (ECMP across eth0 and eth1)
#   10.94.0.0/24             frr4 only               (goes with eth1)
# IPv6 is checked for the one-path case only: FRR sends its global address
# fd00::11 as next hop (maybe with its link-local one), and the kernel
# gateway may be either; ECMP over IPv6 adds nothing the IPv4 cases do not.
set -euo pipefail
here=$(dirname "$0")
source "$here/../netns/lib.sh"
nslab_require frr bird jq
source "$here/common.sh"
NSLAB_TIMEOUT=150
nslab_init router_fib

nslab_bridge lan
nslab_ns k
nslab_bridge_link lan k eth0 10.0.0.1/24,fd00::1/64
for p in frr1:11 bird2:12 bird3:13; do
    nslab_ns "${p%:*}"
    nslab_bridge_link lan "${p%:*}" eth0 "10.0.0.${p#*:}/24,fd00::${p#*:}/64"
done
nslab_ns frr4
nslab_link k eth1 10.0.4.1/24 frr4 eth0 10.0.4.2/24
K=$(nslab_nsname k)
kip() { ip -n "$K" "$@"; }

# ------------------------------------------------------------------------------------------------------
# Reading the kernel
# ------------------------------------------------------------------------------------------------------

# `ip -j` prints protocol 186 as "bgp" (from /etc/iproute2/rt_protos) and unnamed ones as a string of
# digits ("250"); a route through a nexthop object has "nhid" (and, for a group, also the kernel's
# expansion in "nexthops", for one nexthop its "gateway"/"dev"), an RTA_MULTIPATH route only
# "nexthops"; a group object has "group": [{"id": N, "weight": W if not 1}].
JQ_DEFS='def isbgp: (.protocol | tostring) as $p | $p == "bgp" or $p == "186";
def hop: "\(.gateway // "-")%\(.dev // "-")"
    + (if ((.flags // []) | index(["dead"])) then "!dead" else "" end);
def obj: if . == null then "?missing-object"
    else hop + (if isbgp then "" else "!proto=\(.protocol)" end) end;'

# fib_view PREFIX : kbgpd's route(s) for PREFIX in the main table, in one canonical line:
#   none                                       no route of protocol bgp
#   metric=20 nh[GW%DEV]                       nhid -> one nexthop object
#   metric=20 group[GW%DEV GW%DEV ...]         nhid -> a group, its members' objects (sorted)
#   metric=20 multipath[GW%DEV ...]            RTA_MULTIPATH, no nhid
#   metric=20 via[GW%DEV]                      plain route, no nhid
# A nexthop object of another protocol shows as !proto=X, a weight as ,wN, a dead nexthop as !dead;
# several routes of protocol bgp for PREFIX are joined with " ; ".
fib_view() {
    local fam=-4 routes nhs
    [[ $1 == *:* ]] && fam=-6
    routes=$(kip "$fam" -j route show "$1") || return 1
    nhs=$(kip -j nexthop show) || return 1
    jq -rn --arg p "$1" --argjson routes "$routes" --argjson nhs "$nhs" "$JQ_DEFS"'
        def nh($id): first($nhs[] | select(.id == $id)) // null;
        [ $routes[] | select(.dst == $p and isbgp) |
          "metric=\(.metric // 0) " +
          if .nhid != null then
            nh(.nhid) as $o
            | if $o == null then "nhid=\(.nhid)?missing-object"
              elif $o.group then
                "group" + (if ($o | isbgp) then "" else "!proto=\($o.protocol)" end)
                + "[" + ([$o.group[] | (nh(.id) | obj) + (if .weight then ",w\(.weight)" else "" end)]
                         | sort | join(" ")) + "]"
              else "nh[" + ($o | obj) + "]" end
          elif .nexthops then "multipath[" + ([.nexthops[] | hop] | sort | join(" ")) + "]"
          else "via[" + hop + "]" end
        ] | if length == 0 then "none" else join(" ; ") end'
}

# fib_dump PREFIX : what the kernel has, for failure messages.
fib_dump() {
    local fam=-4
    [[ ${1:-} == *:* ]] && fam=-6
    echo "--- ip $fam route show ${1:-} (router namespace):"
    kip "$fam" route show ${1:+"$1"} 2>&1
    echo "--- ip nexthop show:"
    kip nexthop show 2>&1
}

# group / multipath / nh / via GW%DEV... : the view fib_view prints for these next hops, metric 20.
_hops() { printf '%s\n' "$@" | LC_ALL=C sort | paste -sd' ' -; }
group() { echo "metric=20 group[$(_hops "$@")]"; }
multipath() { echo "metric=20 multipath[$(_hops "$@")]"; }
nh() { echo "metric=20 nh[$1]"; }
via() { echo "metric=20 via[$1]"; }

# fib_is PREFIX EXPECTED... : fib_view PREFIX is one of EXPECTED; if not, say what the kernel has.
fib_is() {
    local prefix=$1 view e
    shift
    view=$(fib_view "$prefix") || view="(ip failed)"
    for e in "$@"; do
        [[ $view == "$e" ]] && return 0
    done
    local want=$1
    shift
    for e in "$@"; do want+=" OR $e"; done
    printf 'expected for %s: %s\nthe kernel has:   %s\n' "$prefix" "$want" "$view"
    fib_dump "$prefix"
    return 1
}

# fib_must DESCRIPTION PREFIX EXPECTED... : fib_is, or fail now.
fib_must() {
    local what=$1 out
    shift
    out=$(fib_is "$@") || nslab_fail "$what
$out"
    nslab_say "ok: $what"
}

# fib_keep DESCRIPTION PREFIX EXPECTED... : fib_must without the progress message, for checks repeated
# in a loop.
fib_keep() {
    local what=$1 out
    shift
    out=$(fib_is "$@") || nslab_fail "$what
$out"
}

# fib_missing PREFIX... : print those of PREFIX that have no route of protocol bgp in the main table.
# No jq here: the 50 ms watch calls it, and two `ip` calls are all it costs.
fib_missing() {
    local r p
    r=$(kip -4 -j route show proto 186 && kip -6 -j route show proto 186) || { echo "(ip failed) $*"; return 0; }
    for p in "$@"; do
        [[ $r == *"\"dst\":\"$p\""* ]] || echo "$p"
    done
}

# bgp_objects : every route (any table) and nexthop object of protocol bgp, one per line; none: no output.
bgp_objects() {
    local r4 r6 n
    r4=$(kip -4 -j route show table all) && r6=$(kip -6 -j route show table all) &&
        n=$(kip -j nexthop show) || { echo "(ip failed)"; return 0; }
    jq -rn --argjson r "[$r4, $r6]" "$JQ_DEFS"'($r[0] + $r[1])[] | select(isbgp) | "route \(tojson)"'
    jq -rn --argjson n "$n" "$JQ_DEFS"'$n[] | select(isbgp) | "nexthop \(tojson)"'
}
no_bgp_objects() {
    local left
    left=$(bgp_objects)
    [[ -z $left ]] && return 0
    printf 'expected no route and no nexthop object of protocol bgp; the kernel has:\n%s\n' "$left"
    return 1
}
no_bgp_nexthops() {
    local left
    left=$(kip -j nexthop show | jq -r "$JQ_DEFS"'.[] | select(isbgp) | tojson')
    [[ -z $left ]] && return 0
    printf 'expected no nexthop object of protocol bgp; the kernel has:\n%s\n' "$left"
    return 1
}

# no_orphan_nexthops : every nexthop object of protocol bgp is used by a route or a group (nothing left
# over from a previous run or a former ECMP set).
no_orphan_nexthops() {
    local r4 r6 n orphans
    r4=$(kip -4 -j route show table all) && r6=$(kip -6 -j route show table all) && n=$(kip -j nexthop show) ||
        { echo "(ip failed)"; return 1; }
    orphans=$(jq -rn --argjson r "[$r4, $r6]" --argjson n "$n" "$JQ_DEFS"'
        ([($r[0] + $r[1])[] | .nhid // empty] + [$n[] | .group // [] | .[].id]) as $used
        | $n[] | select(isbgp and ((.id as $i | $used | index([$i])) | not)) | tojson')
    [[ -z $orphans ]] && return 0
    printf 'nexthop objects of protocol bgp that no route or group uses:\n%s\n' "$orphans"
    fib_dump
    return 1
}

# watch_start PREFIX... / watch_stop WHAT : in the background, every 50 ms, note each moment one of PREFIX
# has no route of protocol bgp; watch_stop fails if there was one.
WATCH_PID=""
watch_start() {
    rm -f "$NSLAB_DIR/watch.stop"
    : >"$NSLAB_DIR/watch.gaps"
    : >"$NSLAB_DIR/watch.polls"
    (
        set +e
        exec 2>/dev/null
        for ((i = 0; i < 1800; i++)); do # bounded: at most ~2 min
            [[ -d $NSLAB_DIR/.state && ! -e $NSLAB_DIR/watch.stop ]] || exit 0
            missing=$(fib_missing "$@")
            [[ -n $missing ]] && echo "$(_nslab_elapsed)s: no route of protocol bgp for ${missing//$'\n'/ }" >>"$NSLAB_DIR/watch.gaps"
            echo . >>"$NSLAB_DIR/watch.polls"
            sleep 0.05
        done
    ) &
    WATCH_PID=$!
}
watch_stop() {
    touch "$NSLAB_DIR/watch.stop"
    wait "$WATCH_PID" || true
    WATCH_PID=""
    local polls
    polls=$(wc -l <"$NSLAB_DIR/watch.polls")
    if [[ -s $NSLAB_DIR/watch.gaps ]]; then
        nslab_fail "$1: a route went missing from the kernel ($(wc -l <"$NSLAB_DIR/watch.gaps") of $polls polls):
$(head -n 20 "$NSLAB_DIR/watch.gaps")
$(fib_dump)"
    fi
    ((polls >= 5)) || nslab_fail "$1: the 50 ms watch only polled $polls times"
    nslab_say "ok: $1 (never missing in $polls polls)"
}

# Routes and a nexthop of other owners, put there before kbgpd ever runs; `others` prints them as the
# kernel has them, to compare at the end.
kip route add 10.77.0.0/24 via 10.0.0.11 dev eth0 proto static || nslab_fail "cannot add the static route"
kip route add 10.91.0.0/24 via 10.0.0.12 dev eth0 proto 250 metric 500 || nslab_fail "cannot add the proto 250 route"
kip nexthop add id 4242 via 10.0.0.13 dev eth0 proto static || nslab_fail "cannot add nexthop 4242"
others() {
    kip -j route show 10.77.0.0/24 | jq -S -c . || echo "ip route show 10.77.0.0/24 failed"
    kip -j route show 10.91.0.0/24 | jq -S -c '[.[] | select(.protocol == "250")]' ||
        echo "ip route show 10.91.0.0/24 failed"
    kip -j nexthop show id 4242 2>&1 | jq -S -c . 2>/dev/null || echo "nexthop 4242: $(kip nexthop show id 4242 2>&1)"
}
others_before=$(others)
others_same() { # WHEN
    local now
    now=$(others)
    [[ $now == "$others_before" ]] && return 0
    nslab_fail "$1: routes or nexthops of other owners changed
before kbgpd:
$others_before
now:
$now
$(fib_dump)"
}
[[ $others_before == *'"protocol":"static"'*'"protocol":"250"'*'"id":4242'* ]] ||
    nslab_fail "other owners' routes and nexthop not set up as meant: $others_before"

# ------------------------------------------------------------------------------------------------------
# kbgpd and its peers
# ------------------------------------------------------------------------------------------------------

# write_config GRACEFUL_RESTART(true|false) FIB : FIB is the manifest's fib map; `{install: true}`
# leaves table, metric, protocol and nexthopObjects at their defaults (main, 20, bgp, true).
write_config() {
    cat >"$NSLAB_DIR/router.yaml" <<YAML
apiVersion: kbgp.io/v1alpha1
kind: BGPRouter
metadata: {name: fib}
spec:
  localASN: 65000
  routerID: 10.0.0.1
  gracefulRestart: {enabled: $1, restartTimeSeconds: 30}
  ebgpRequiresPolicy: false
  bestPath: {asPathMultipathRelax: true}
  maximumPaths: 4
  fib: $2
  peerGroups:
  - name: FRR-LAN
    remoteASN: external
    neighbors: ["10.0.0.11"]
    timers: {holdTimeSeconds: 9, keepAliveTimeSeconds: 3, connectRetryTimeSeconds: 1}
    families: [{afi: ipv4, safi: unicast}, {afi: ipv6, safi: unicast}]
  - name: BIRD-LAN
    remoteASN: external
    neighbors: ["10.0.0.12", "10.0.0.13"]
    timers: {holdTimeSeconds: 9, keepAliveTimeSeconds: 3, connectRetryTimeSeconds: 1}
  - name: LINK
    remoteASN: external
    neighbors: ["10.0.4.2"]
    timers: {holdTimeSeconds: 9, keepAliveTimeSeconds: 3, connectRetryTimeSeconds: 1}
YAML
    "$KBGPD" router --check -c "$NSLAB_DIR/router.yaml" >/dev/null ||
        nslab_fail "kbgpd refuses the test's configuration: $("$KBGPD" router --check -c "$NSLAB_DIR/router.yaml" 2>&1)"
}
write_config true "{install: true}"
nslab_run_bg k kbgpd "$KBGPD" router -v --run-dir "$NSLAB_DIR" -c "$NSLAB_DIR/router.yaml"

frr() { # NS AS ADDRESS KBGPD_ADDRESS NETWORK...
    local v4="" v6="" n
    for n in "${@:5}"; do
        if [[ $n == *:* ]]; then v6+="  network $n"$'\n'; else v4+="  network $n"$'\n'; fi
    done
    nslab_frr "$1" "$1" "router bgp $2
 bgp router-id $3
 no bgp ebgp-requires-policy
 no bgp network import-check
 bgp graceful-restart
 timers bgp 3 9
 neighbor $4 remote-as 65000
 neighbor $4 timers connect 1
 address-family ipv4 unicast
$v4 exit-address-family
 address-family ipv6 unicast
  neighbor $4 activate
$v6 exit-address-family"
}
bird() { # NS AS ADDRESS GRACEFUL_RESTART(aware|off) STATIC_ROUTE...
    local routes="" r
    for r in "${@:5}"; do routes+="route $r blackhole; "; done
    nslab_bird "$1" "$1" "router id $3;
protocol device {}
protocol static s4 { ipv4; $routes}
protocol bgp kbgp {
  local $3 as $2;
  neighbor 10.0.0.1 as 65000;
  hold time 9; keepalive time 3; connect retry time 1; connect delay time 1;
  graceful restart $4;
  ipv4 { import all; export where source = RTS_STATIC; };
}"
}
frr frr1 65001 10.0.0.11 10.0.0.1 10.91.0.0/24 10.99.0.0/24 10.98.0.0/24 fd91::/48
bird bird2 65002 10.0.0.12 aware 10.99.0.0/24 10.98.0.0/24
bird bird3 65003 10.0.0.13 off 10.99.0.0/24
frr frr4 65004 10.0.4.2 10.0.4.1 10.98.0.0/24 10.94.0.0/24

peers=(10.0.0.11 10.0.0.12 10.0.0.13 10.0.4.2)

# kbgpd_up_since LINE PEER : kbgpd logged the session with PEER Established after line LINE of its log
# (its log goes on across restarts).
kbgpd_up_since() {
    tail -n "+$(($1 + 1))" "$(nslab_log kbgpd)" | grep -F "subsys=bgp peer=$2 " | grep -F 'msg="state changed' |
        tail -n 1 | grep -q ' state=Established'
}
log_lines() { wc -l <"$(nslab_log kbgpd)"; }
sessions_up() { # LINE PEER... : wait for each PEER's session after log line LINE
    local line=$1 peer
    shift
    for peer in "$@"; do
        nslab_wait 20 "session with $peer" kbgpd_up_since "$line" "$peer"
    done
}
# rib_paths LINE PREFIX N : kbgpd's latest selection for PREFIX after log line LINE has N paths.
rib_paths() {
    local text="$3 paths in the ECMP set"
    (($3 == 1)) && text="1 path in the ECMP set"
    tail -n "+$(($1 + 1))" "$(nslab_log kbgpd)" | grep -F "msg=\"$2: best via" | tail -n 1 | grep -qF "$text"
}
# kbgpd_down_since LINE PEER : kbgpd logged its session with PEER leaving Established after log line LINE.
kbgpd_down_since() {
    tail -n "+$(($1 + 1))" "$(nslab_log kbgpd)" | grep -F "subsys=bgp peer=$2 " |
        grep -qF 'msg="state changed from Established'
}
# kbgpd_settled LINE : after log line LINE (a restart), kbgpd selected again what the peers still there
# announce, and the route selection deferral of a graceful restart, if there is one, is over. From the
# log, as a precondition: kernel checks after it test what kbgpd does once it has converged.
kbgpd_settled() {
    local log
    log=$(tail -n "+$(($1 + 1))" "$(nslab_log kbgpd)")
    if grep -qF 'back from a graceful restart' <<<"$log"; then
        grep -qF 'route selection deferral over' <<<"$log" || return 1
    fi
    rib_paths "$1" 10.91.0.0/24 1 && rib_paths "$1" fd91::/48 1 && rib_paths "$1" 10.99.0.0/24 2 &&
        rib_paths "$1" 10.98.0.0/24 3 && rib_paths "$1" 10.94.0.0/24 1
}

sessions_up 0 "${peers[@]}"
# What kbgpd selected (its log): this much works without the FIB.
nslab_wait 15 "kbgpd: 10.99.0.0/24 has 3 paths in its ECMP set" rib_paths 0 10.99.0.0/24 3
nslab_wait 15 "kbgpd: 10.98.0.0/24 has 3 paths in its ECMP set" rib_paths 0 10.98.0.0/24 3
nslab_wait 15 "kbgpd: 10.91.0.0/24 selected" rib_paths 0 10.91.0.0/24 1
nslab_wait 15 "kbgpd: 10.94.0.0/24 selected" rib_paths 0 10.94.0.0/24 1
nslab_wait 15 "kbgpd: fd91::/48 selected" rib_paths 0 fd91::/48 1

# IPv6: FRR's next hop is fd00::11, perhaps with its link-local address; either may be the gateway.
frr1_ll=$(nslab_exec frr1 ip -6 -j addr show dev eth0 scope link | jq -r '.[0].addr_info[] | select(.scope == "link") | .local')
[[ -n $frr1_ll ]] || nslab_fail "frr1 has no link-local address"

# Everything the kernel should have while all four peers are there, nexthop objects on.
want_91=$(nh 10.0.0.11%eth0)
want_91v6=("$(nh fd00::11%eth0)" "$(nh "$frr1_ll%eth0")")
want_99_3=$(group 10.0.0.11%eth0 10.0.0.12%eth0 10.0.0.13%eth0)
want_99_2=$(group 10.0.0.11%eth0 10.0.0.12%eth0)
want_98=$(group 10.0.0.11%eth0 10.0.0.12%eth0 10.0.4.2%eth1)
want_98_down=$(group 10.0.0.11%eth0 10.0.0.12%eth0)
want_94=$(nh 10.0.4.2%eth1)

# ------------------------------------------------------------------------------------------------------
# 1. One path: nhid -> a nexthop object of protocol bgp, gateway the peer, dev the link to it
# ------------------------------------------------------------------------------------------------------
nslab_wait 10 "kernel: 10.91.0.0/24 proto bgp metric 20 nhid -> via 10.0.0.11 dev eth0" fib_is 10.91.0.0/24 "$want_91"
nslab_wait 10 "kernel: fd91::/48 proto bgp metric 20 nhid -> via fd00::11 dev eth0" fib_is fd91::/48 "${want_91v6[@]}"
nslab_wait 10 "kernel: 10.94.0.0/24 proto bgp metric 20 nhid -> via 10.0.4.2 dev eth1" fib_is 10.94.0.0/24 "$want_94"
others_same "with kbgpd running"

# The same path with a new next hop (RFC 4271 implicit withdraw): the kernel follows it.
frr1_next_hop() { # "set ip next-hop ADDRESS" | "" (the route-map goes)
    if [[ -n $1 ]]; then
        nslab_vtysh frr1 "configure terminal" "ip prefix-list P91 seq 5 permit 10.91.0.0/24" \
            "route-map NH91 permit 10" "match ip address prefix-list P91" "$1" "exit" \
            "route-map NH91 permit 20" "exit" "router bgp 65001" "address-family ipv4 unicast" \
            "neighbor 10.0.0.1 route-map NH91 out" >/dev/null
    else
        nslab_vtysh frr1 "configure terminal" "router bgp 65001" "address-family ipv4 unicast" \
            "no neighbor 10.0.0.1 route-map NH91 out" >/dev/null
    fi
    nslab_vtysh frr1 "clear bgp ipv4 unicast 10.0.0.1 soft out" >/dev/null
}
frr1_next_hop "set ip next-hop 10.0.0.12"
nslab_wait 10 "kernel: 10.91.0.0/24 moves to frr1's new next hop 10.0.0.12" fib_is 10.91.0.0/24 "$(nh 10.0.0.12%eth0)"
frr1_next_hop ""
nslab_wait 10 "kernel: 10.91.0.0/24 back via 10.0.0.11" fib_is 10.91.0.0/24 "$want_91"

# ------------------------------------------------------------------------------------------------------
# 2. Three ASes, one prefix: one route, nhid -> a group of exactly three nexthop objects
# ------------------------------------------------------------------------------------------------------
nslab_wait 10 "kernel: 10.99.0.0/24 nhid -> group of .11 .12 .13 on eth0" fib_is 10.99.0.0/24 "$want_99_3"
nslab_wait 10 "kernel: 10.98.0.0/24 nhid -> group of .11 .12 on eth0 and 10.0.4.2 on eth1" fib_is 10.98.0.0/24 "$want_98"

# ------------------------------------------------------------------------------------------------------
# 3. A peer goes: the group shrinks to two, the route is there all the time
# ------------------------------------------------------------------------------------------------------
watch_start 10.99.0.0/24
sleep 0.3
nslab_kill bird3 TERM
nslab_wait 10 "kernel: 10.99.0.0/24 group down to .11 and .12" fib_is 10.99.0.0/24 "$want_99_2"
sleep 0.5
watch_stop "10.99.0.0/24 while bird3 left the ECMP set"
fib_must "kernel: 10.99.0.0/24 still a group of .11 and .12" 10.99.0.0/24 "$want_99_2"

# ------------------------------------------------------------------------------------------------------
# 4. Graceful restart: SIGTERM leaves the routes untouched while kbgpd is down and while it starts again
# ------------------------------------------------------------------------------------------------------
all_prefixes=(10.91.0.0/24 fd91::/48 10.99.0.0/24 10.98.0.0/24 10.94.0.0/24)
views() { local p; for p in "${all_prefixes[@]}"; do echo "$p: $(fib_view "$p")"; done; }
views_before=$(views)
watch_start "${all_prefixes[@]}"
nslab_kill kbgpd TERM
for i in 1 2 3; do
    sleep 1
    now=$(views)
    [[ $now == "$views_before" ]] || nslab_fail "graceful restart: kbgpd's routes changed while it was down (${i} s)
before SIGTERM:
$views_before
now:
$now
$(fib_dump)"
done
nslab_say "ok: the kernel kept kbgpd's routes unchanged for 3 s while it was down"
line=$(log_lines)
nslab_restart kbgpd
sessions_up "$line" 10.0.0.11 10.0.0.12 10.0.4.2
nslab_wait 20 "kbgpd settled after its graceful restart (End-of-RIB from the peers, routes selected)" \
    kbgpd_settled "$line"
nslab_wait 10 "after the graceful restart: 10.91.0.0/24" fib_is 10.91.0.0/24 "$want_91"
nslab_wait 10 "after the graceful restart: fd91::/48" fib_is fd91::/48 "${want_91v6[@]}"
nslab_wait 10 "after the graceful restart: 10.99.0.0/24" fib_is 10.99.0.0/24 "$want_99_2"
nslab_wait 10 "after the graceful restart: 10.98.0.0/24" fib_is 10.98.0.0/24 "$want_98"
nslab_wait 10 "after the graceful restart: 10.94.0.0/24" fib_is 10.94.0.0/24 "$want_94"
nslab_wait 15 "after the graceful restart: no unused nexthop object of protocol bgp" no_orphan_nexthops
watch_stop "kbgpd's routes during its graceful restart"
others_same "after kbgpd's graceful restart"

# ------------------------------------------------------------------------------------------------------
# 5. Link down under frr4: the kernel drops its nexthops and kbgpd leaves it so; link up brings them back
# ------------------------------------------------------------------------------------------------------
# Down until kbgpd's hold timer (9 s) has ended its session with frr4 (seen in its log), and a second
# more: all that time neither the route nor the member may come back.
line=$(log_lines)
nslab_say "ip link set eth1 down in the router namespace"
kip link set dev eth1 down
nslab_wait 2 "link down: 10.94.0.0/24 gone from the kernel" fib_is 10.94.0.0/24 none
nslab_wait 2 "link down: 10.98.0.0/24 group without 10.0.4.2" fib_is 10.98.0.0/24 "$want_98_down"
deadline=$(($(_nslab_now_us) + 15000000))
checks=0
session_down=""
while :; do
    fib_keep "link down: 10.94.0.0/24 must stay out of the kernel" 10.94.0.0/24 none
    fib_keep "link down: 10.98.0.0/24 must stay a group without 10.0.4.2" 10.98.0.0/24 "$want_98_down"
    fib_keep "link down: 10.99.0.0/24 untouched" 10.99.0.0/24 "$want_99_2"
    checks=$((checks + 1))
    if [[ -z $session_down ]] && kbgpd_down_since "$line" 10.0.4.2; then
        session_down=$checks
        nslab_say "kbgpd's session with 10.0.4.2 ended (link down)"
    fi
    [[ -n $session_down ]] && ((checks >= session_down + 3)) && break
    (($(_nslab_now_us) < deadline)) ||
        nslab_fail "kbgpd's session with 10.0.4.2 did not end within 15 s of link down (hold time 9 s)"
    sleep 0.5
done
nslab_say "ok: link down: 10.94.0.0/24 stayed out and 10.98.0.0/24 without 10.0.4.2 ($checks checks)"
line=$(log_lines)
nslab_say "ip link set eth1 up in the router namespace"
kip link set dev eth1 up
sessions_up "$line" 10.0.4.2
nslab_wait 10 "link up: 10.94.0.0/24 back, nhid -> via 10.0.4.2 dev eth1" fib_is 10.94.0.0/24 "$want_94"
nslab_wait 10 "link up: 10.98.0.0/24 group with 10.0.4.2 again" fib_is 10.98.0.0/24 "$want_98"
others_same "after link down and up"

# ------------------------------------------------------------------------------------------------------
# 6. Without graceful restart a SIGTERM takes kbgpd's routes and nexthop objects out of the kernel
# ------------------------------------------------------------------------------------------------------
# Graceful restart is a setting a reload does not change in place: stop (still gracefully) and start
# kbgpd with it off.
write_config false "{install: true}"
nslab_kill kbgpd TERM
line=$(log_lines)
nslab_restart kbgpd
sessions_up "$line" 10.0.0.11 10.0.0.12 10.0.4.2
nslab_wait 20 "kbgpd settled after its restart without GR" kbgpd_settled "$line"
nslab_wait 10 "without GR: 10.98.0.0/24 as before" fib_is 10.98.0.0/24 "$want_98"
nslab_wait 10 "without GR: 10.99.0.0/24 as before" fib_is 10.99.0.0/24 "$want_99_2"
nslab_wait 10 "without GR: 10.91.0.0/24 as before" fib_is 10.91.0.0/24 "$want_91"
nslab_wait 10 "without GR: 10.94.0.0/24 as before" fib_is 10.94.0.0/24 "$want_94"
nslab_wait 10 "without GR: fd91::/48 as before" fib_is fd91::/48 "${want_91v6[@]}"
# await_since T0_US SECONDS DESCRIPTION COMMAND... : COMMAND holds within SECONDS of T0_US.
await_since() {
    local t0=$1 limit=$(($2 * 1000000)) what=$3 out
    shift 3
    until out=$("$@" 2>&1); do
        if (($(_nslab_now_us) - t0 > limit)); then
            nslab_fail "not within $(_nslab_secs "$limit")s: $what
$out"
        fi
        sleep 0.1
    done
    nslab_say "ok: $what ($(_nslab_secs $(($(_nslab_now_us) - t0)))s)"
}
t0=$(_nslab_now_us)
nslab_kill kbgpd TERM
await_since "$t0" 2 "SIGTERM without GR: kbgpd's routes and nexthop objects gone from the kernel" no_bgp_objects
others_same "after kbgpd stopped without graceful restart"

# ------------------------------------------------------------------------------------------------------
# 7. nexthopObjects false: ECMP as one RTA_MULTIPATH route, no nexthop objects
# ------------------------------------------------------------------------------------------------------
write_config false "{install: true, nexthopObjects: false}"
line=$(log_lines)
nslab_restart kbgpd
sessions_up "$line" 10.0.0.11 10.0.0.12 10.0.4.2
nslab_wait 10 "RTA_MULTIPATH: 10.98.0.0/24 one route, nexthops .11 .12 on eth0 and 10.0.4.2 on eth1, no nhid" \
    fib_is 10.98.0.0/24 "$(multipath 10.0.0.11%eth0 10.0.0.12%eth0 10.0.4.2%eth1)"
nslab_wait 10 "RTA_MULTIPATH: 10.99.0.0/24 nexthops .11 .12, no nhid" \
    fib_is 10.99.0.0/24 "$(multipath 10.0.0.11%eth0 10.0.0.12%eth0)"
nslab_wait 10 "no nexthop objects: 10.91.0.0/24 via 10.0.0.11 dev eth0, no nhid" fib_is 10.91.0.0/24 "$(via 10.0.0.11%eth0)"
nslab_wait 10 "no nexthop objects: 10.94.0.0/24 via 10.0.4.2 dev eth1, no nhid" fib_is 10.94.0.0/24 "$(via 10.0.4.2%eth1)"
nslab_wait 10 "no nexthop objects: fd91::/48 via fd00::11 dev eth0, no nhid" \
    fib_is fd91::/48 "$(via fd00::11%eth0)" "$(via "$frr1_ll%eth0")"
nslab_wait 5 "no nexthop object of protocol bgp with nexthopObjects false" no_bgp_nexthops
others_same "with nexthopObjects false"
t0=$(_nslab_now_us)
nslab_kill kbgpd TERM
await_since "$t0" 2 "SIGTERM without GR: kbgpd's RTA_MULTIPATH routes gone from the kernel" no_bgp_objects

# ------------------------------------------------------------------------------------------------------
# 8. Other owners: as they were before kbgpd first started
# ------------------------------------------------------------------------------------------------------
others_same "at the end"
nslab_say "other owners' objects unchanged: $(tr '\n' ' ' <<<"$others_before")"
nslab_say "PASS"
