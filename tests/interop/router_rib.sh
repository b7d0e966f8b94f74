#!/usr/bin/env bash
# kbgpd router as a transit between eBGP neighbours: the same prefix from
# FRR (AS 65001) and BIRD (AS 65002) with equal path length becomes a
# two-path ECMP set under as-path multipath-relax and maximumPaths 4, and
# downstream FRR (AS 65010) and BIRD (AS 65011) receive what kbgpd
# re-advertises with AS_PATH "65000 <origin AS>": FRR, on the feeds' LAN,
# with the feed's own (third-party) next hop, BIRD, on a link of its own,
# with kbgpd as next hop.
# Withdrawing one feed shrinks the set; kbgpd's own network reaches all.
# BIRD's group has an MRAI of 4 s: UPDATEs to it come at least that far apart.
set -euo pipefail
here=$(dirname "$0")
source "$here/../netns/lib.sh"
nslab_require frr bird jq
: "${KBGPCTL:=$(dirname "$KBGPD")/kbgpctl}"
source "$here/common.sh"
NSLAB_TIMEOUT=120
nslab_init router_rib

nslab_bridge lan
nslab_ns k
nslab_bridge_link lan k eth0 10.0.0.1/24
for p in feedfrr:11 feedbird:12 downfrr:21; do
    nslab_ns "${p%:*}"
    nslab_bridge_link lan "${p%:*}" eth0 "10.0.0.${p#*:}/24"
done
nslab_ns downbird
nslab_link k eth1 10.0.5.1/24 downbird eth0 10.0.5.2/24

write_config() { # [EXTRA GROUP LINES FOR PEERS] [POLICIES]
    cat >"$NSLAB_DIR/router.yaml" <<YAML
apiVersion: kbgp.io/v1alpha1
kind: BGPRouter
metadata: {name: transit}
spec:
  localASN: 65000
  routerID: 10.0.0.1
  ebgpRequiresPolicy: false
  bestPath: {asPathMultipathRelax: true}
  maximumPaths: 4
  networks: ["10.10.1.0/24", "10.10.2.0/24"]
  peerGroups:
  - name: PEERS
    remoteASN: external
    neighbors: ["10.0.0.11", "10.0.0.12", "10.0.0.21"]
    timers: {holdTimeSeconds: 9, keepAliveTimeSeconds: 3, connectRetryTimeSeconds: 2}
${1:-}
  - name: SLOW
    remoteASN: external
    neighbors: ["10.0.5.2"]
    timers: {holdTimeSeconds: 9, keepAliveTimeSeconds: 3, connectRetryTimeSeconds: 2,
             advertisementIntervalSeconds: 4}
${2:-}
YAML
}
write_config
# The import check (on by default, as in FRR) wants the networks in the
# kernel: 10.10.1.0/24 is, 10.10.2.0/24 comes later.
nslab_exec k ip route add blackhole 10.10.1.0/24
nslab_run_bg k kbgpd "$KBGPD" router -v --run-dir "$NSLAB_DIR" -c "$NSLAB_DIR/router.yaml"

frr() { # NS AS ID NETWORK...
    local networks="" n
    for n in "${@:4}"; do networks+="  network $n"$'\n'; done
    nslab_frr "$1" "$1" "router bgp $2
 bgp router-id $3
 no bgp ebgp-requires-policy
 no bgp network import-check
 timers bgp 3 9
 neighbor 10.0.0.1 remote-as 65000
 neighbor 10.0.0.1 timers connect 2
 address-family ipv4 unicast
$networks exit-address-family"
}
bird() { # NS AS ID STATIC_ROUTE [KBGPD_ADDRESS]
    nslab_bird "$1" "$1" "router id $3;
protocol device {}
protocol static s4 { ipv4; ${4:+route $4 blackhole;} }
protocol bgp kbgp {
  local $3 as $2;
  neighbor ${5:-10.0.0.1} as 65000;
  hold time 9; keepalive time 3; connect retry time 2; connect delay time 1;
  ipv4 { import all; export where source = RTS_STATIC; };
}"
}
frr feedfrr 65001 10.0.0.11 10.99.0.0/24 10.98.0.0/24
bird feedbird 65002 10.0.0.12 10.99.0.0/24
frr downfrr 65010 10.0.0.21
bird downbird 65011 10.0.5.2 10.95.0.0/24 10.0.5.1

for peer in 10.0.0.11 10.0.0.12 10.0.0.21 10.0.5.2; do
    nslab_wait 20 "session with $peer" kbgpd_established kbgpd "$peer"
done
ecmp_two() { grep -F 'msg="10.99.0.0/24: best via' "$(nslab_log kbgpd)" | tail -n 1 | grep -qF '2 paths in the ECMP set'; }
nslab_wait 15 "10.99.0.0/24 has two paths in its ECMP set" ecmp_two

# Downstream FRR sees "65000 6500x"; on the feeds' LAN the next hop is the
# feed itself (RFC 4271 §5.1.3), for kbgpd's own network it is kbgpd.
frr_path_any() { # PREFIX ASPATH_REGEX NEXT_HOP_REGEX
    nslab_vtysh downfrr "show bgp ipv4 unicast $1 json" |
        jq -e --arg p "$2" --arg nh "${3:-^10\\.0\\.0\\.1[12]$}" \
            'any(.paths[]; (.aspath.string | test($p)) and (.nexthops[0].ip | test($nh)))' >/dev/null
}
nslab_wait 15 "FRR downstream: 10.99.0.0/24 via AS 65000 then a feed" frr_path_any 10.99.0.0/24 '^65000 6500[12]$'
nslab_wait 15 "FRR downstream: 10.98.0.0/24 via 65000 65001, next hop the feed" \
    frr_path_any 10.98.0.0/24 '^65000 65001$' '^10\.0\.0\.11$'
nslab_wait 15 "FRR downstream: kbgpd's own network" frr_path_any 10.10.1.0/24 '^65000$' '^10\.0\.0\.1$'

bird_route() { # PREFIX ASPATH_REGEX: via kbgpd (next hop self on BIRD's own link)
    nslab_birdc downbird show route "$1" all |
        awk -v re="$2" '/BGP.as_path:/ { sub(/.*BGP.as_path: /, ""); if ($0 ~ re) ok = 1 }
                        /BGP.next_hop: 10.0.5.1$/ { nh = 1 } END { exit !(ok && nh) }'
}
nslab_wait 15 "BIRD downstream: 10.99.0.0/24 via AS 65000 then a feed" bird_route 10.99.0.0/24 '^65000 6500[12]$'
nslab_wait 15 "BIRD downstream: 10.98.0.0/24 via 65000 65001" bird_route 10.98.0.0/24 '^65000 65001$'
nslab_wait 15 "BIRD downstream: kbgpd's own network" bird_route 10.10.1.0/24 '^65000$'

# Import check: 10.10.2.0/24 goes out once the kernel has it, and is
# withdrawn when the kernel loses it.
kbgpd_logged kbgpd 'msg="network 10.10.2.0/24: not in the kernel'"'"'s table: not announced (import check)"' ||
    nslab_fail "kbgpd did not say why 10.10.2.0/24 is not announced"
frr_path_any 10.10.2.0/24 '^65000$' '^10\.0\.0\.1$' && nslab_fail "10.10.2.0/24 announced without a kernel route"
nslab_exec k ip route add blackhole 10.10.2.0/24
nslab_wait 10 "FRR downstream gets 10.10.2.0/24 once the kernel has it" \
    frr_path_any 10.10.2.0/24 '^65000$' '^10\.0\.0\.1$'
nslab_exec k ip route del blackhole 10.10.2.0/24
nslab_wait 10 "FRR downstream loses 10.10.2.0/24 with the kernel route" \
    nslab_not frr_path_any 10.10.2.0/24 '^65000$' '^10\.0\.0\.1$'

# No route goes back where it came from: the feeds do not get their own
# prefixes from kbgpd (FRR would show 10.98.0.0/24 via 65000 otherwise).
sleep 1
if nslab_vtysh feedfrr "show bgp ipv4 unicast 10.98.0.0/24 json" |
    jq -e 'any(.paths[]; .aspath.string | test("65000"))' >/dev/null; then
    nslab_fail "kbgpd sent FRR's own route back to it"
fi

# Route refresh both ways (RFC 7313 enhanced: BoRR, routes, EoRR): the
# routes stay where they are.
nslab_vtysh downfrr "clear bgp 10.0.0.1 soft in" >/dev/null
nslab_vtysh feedfrr "clear bgp 10.0.0.1 soft out" >/dev/null
sleep 2
frr_path_any 10.98.0.0/24 '^65000 65001$' || nslab_fail "route lost after a route refresh"
bird_route 10.98.0.0/24 '^65000 65001$' || nslab_fail "BIRD lost a route after a route refresh"

# MRAI (RFC 4271 §9.2.1.1): two routes announced a second apart reach
# downstream FRR about a second apart, BIRD (advertisementIntervalSeconds 4)
# at least MRAI apart.
announce() {
    nslab_vtysh feedfrr "configure terminal" "router bgp 65001" "address-family ipv4 unicast" \
        "network $1" >/dev/null
}
arrival() { # CHECK PREFIX ASPATH: seconds since the epoch, when CHECK first holds
    local i
    for ((i = 0; i < 200; i++)); do
        if "$1" "$2" "$3"; then date +%s.%N; return 0; fi
        sleep 0.05
    done
    nslab_fail "$2 never arrived ($1)"
}
announce 10.97.0.0/24
bird1=$(arrival bird_route 10.97.0.0/24 '^65000 65001$')
announce 10.96.0.0/24
frr2=$(arrival frr_path_any 10.96.0.0/24 '^65000 65001$')
bird2=$(arrival bird_route 10.96.0.0/24 '^65000 65001$')
gap=$(awk -v a="$bird1" -v b="$bird2" 'BEGIN { printf "%.2f", b - a }')
nslab_say "BIRD (MRAI 4 s) got the second route $gap s after the first"
awk -v g="$gap" 'BEGIN { exit !(g >= 3.5) }' || nslab_fail "MRAI not kept: $gap s between UPDATEs to BIRD"
awk -v f="$frr2" -v b="$bird2" 'BEGIN { exit !(f < b - 1) }' ||
    nslab_fail "FRR (no MRAI) did not get the route well before BIRD"

# A reload adds policies to PEERS, no session restarts: the import policy
# drops 10.97.0.0/24 from the feeds (kbgpd asks them for their routes again,
# so BIRD in SLOW loses it too) and tags 10.96.0.0/24 with a community (the
# path stays the same, only its attributes change, and that must go out),
# the export policy hides 10.98.0.0/24 from downstream FRR only.
write_config "    importPolicies: [DROP-97]
    exportPolicies: [HIDE-98]" "  policies:
  - name: DROP-97
    statements:
    - {name: drop, match: {prefixes: [{prefix: 10.97.0.0/24}]}, action: reject}
    - {name: tag, match: {prefixes: [{prefix: 10.96.0.0/24}]}, set: {addCommunities: ["65000:96"]}, action: accept}
    - {name: rest, action: accept}
  - name: HIDE-98
    statements:
    - {name: hide, match: {prefixes: [{prefix: 10.98.0.0/24}]}, action: reject}
    - {name: rest, action: accept}"
nslab_kill kbgpd HUP
nslab_wait 5 "reload applied" kbgpd_logged kbgpd "reloaded $NSLAB_DIR/router.yaml"
nslab_wait 5 "kbgpd asks FRR for its routes again" kbgpd_logged kbgpd \
    'peer=10.0.0.11 msg="asked the peer for its routes again"'
gone() { ! "$@"; }
nslab_wait 15 "BIRD loses 10.97.0.0/24 (refused on import now)" gone bird_route 10.97.0.0/24 '^65000 65001$'
nslab_wait 15 "FRR downstream loses 10.98.0.0/24 (hidden on export now)" \
    gone frr_path_any 10.98.0.0/24 '^65000 65001$' '^10\.0\.0\.11$'
bird_route 10.98.0.0/24 '^65000 65001$' || nslab_fail "BIRD (no export policy) lost 10.98.0.0/24"
bird_community() { # PREFIX COMMUNITY_REGEX
    nslab_birdc downbird show route "$1" all | grep -q "BGP.community:.*$2"
}
nslab_wait 15 "BIRD: 10.96.0.0/24 tagged (65000,96) on import" bird_community 10.96.0.0/24 '(65000,96)'
if bird_community 10.98.0.0/24 '(65000,96)'; then
    nslab_fail "the import policy's tag reached 10.98.0.0/24, which it does not match"
fi
frr_path_any 10.96.0.0/24 '^65000 65001$' || nslab_fail "FRR downstream lost 10.96.0.0/24"
for peer in 10.0.0.11 10.0.0.21 10.0.5.2; do
    kbgpd_established kbgpd "$peer" || nslab_fail "the policy reload disturbed the session with $peer"
done
if grep -qF "configuration changed" "$(nslab_log kbgpd)"; then
    nslab_fail "a policy change restarted a session"
fi

# kbgpctl's JSON views agree with what the FRR peers say: what kbgpd
# advertised to each FRR is what that FRR accepted from it; what kbgpd
# counts as received from the feed is what its RIB holds from it; the ECMP
# route has both feeds and is in the kernel.
ctl() { "$KBGPCTL" -s "$NSLAB_DIR/transit.sock" -o json "$@"; }
peer_field() { # ADDRESS JQ-PATH
    ctl bgp peers | jq -er --arg a "$1" ".instances[0].peers[] | select(.address == \$a) | $2"
}
# `show ip bgp summary` on both sides: kbgpd's row for each FRR and that
# FRR's row for kbgpd agree on the state and on what kbgpd sent (FRR's
# PfxRcd).  The other way they need not: both count as received what
# import accepted, and a sender's PfxSnt includes what loop detection or
# policy refuses.
summary_field() { # ADDRESS JQ-PATH
    ctl show ip bgp summary |
        jq -er --arg a "$1" ".instances[0].peers[] | select(.address == \$a) | $2"
}
for frr in feedfrr:10.0.0.11 downfrr:10.0.0.21; do
    theirs=$(nslab_vtysh "${frr%:*}" "show ip bgp summary json" | jq -c '.ipv4Unicast.peers["10.0.0.1"]')
    [[ $(summary_field "${frr#*:}" .state) == established &&
        $(jq -r .state <<<"$theirs") == Established ]] ||
        nslab_fail "show ip bgp summary: kbgpd and ${frr%:*} disagree on the state ($theirs)"
    # kbgpd sends an eBGP peer its own routes back, as FRR does (PfxSnt
    # counts them); the peer drops those as loops, so its PfxRcd counts
    # what kbgpd sent without the peer's AS in the path.
    sent=$(summary_field "${frr#*:}" '.families[0].advertised')
    asn=$(summary_field "${frr#*:}" .remote_asn)
    loops=$(ctl call routes table=adj-rib-out neighbor="${frr#*:}" |
        jq --arg asn "$asn" '[.instances[0].routes[].paths[0].as_path | split(" ") | select(index($asn))] | length')
    [[ $((sent - loops)) == "$(jq -r .pfxRcd <<<"$theirs")" ]] ||
        nslab_fail "kbgpd says $sent sent to ${frr%:*} ($loops with its AS), which says it received $(jq -r .pfxRcd <<<"$theirs")"
done
held=$(ctl call routes neighbor=10.0.0.11 | jq '[.instances[0].routes[].paths[]] | length')
got=$(peer_field 10.0.0.11 '.families[0].received')
[[ $got == "$held" ]] || nslab_fail "kbgpctl: $got received from the feed, but $held paths in the RIB"
ctl call routes prefix=10.99.0.0/24 |
    jq -e '.instances[0].routes[0].paths | (map(select(.multipath)) | length) == 2 and .[0].best' >/dev/null ||
    nslab_fail "kbgpctl: 10.99.0.0/24 should show two multipath paths, the first best"
ctl call fib prefix=10.99.0.0/24 |
    jq -e '.routes[0].state == "installed" and (.routes[0].nexthops | length) == 2' >/dev/null ||
    nslab_fail "kbgpctl: 10.99.0.0/24 should be installed with two next hops"
ctl call routes table=adj-rib-out neighbor=10.0.5.2 |
    jq -e '[.instances[0].routes[].prefix] | index("10.98.0.0/24") != null' >/dev/null ||
    nslab_fail "kbgpctl: BIRD's Adj-RIB-Out should hold 10.98.0.0/24"
# A peer alone in its group never gets its own routes back (as FRR's
# single-member update group); a member of a larger group does.
adj_out_has() { # NEIGHBOR PREFIX
    ctl call routes table=adj-rib-out neighbor="$1" |
        jq -e --arg p "$2" '[.instances[0].routes[].prefix] | index($p) != null' >/dev/null
}
nslab_wait 15 "BIRD downstream's 10.95.0.0/24 reaches FRR downstream" adj_out_has 10.0.0.21 10.95.0.0/24
! adj_out_has 10.0.5.2 10.95.0.0/24 || nslab_fail "kbgpd sent BIRD downstream its own 10.95.0.0/24 back"
adj_out_has 10.0.0.11 10.96.0.0/24 || nslab_fail "kbgpd did not send the FRR feed (group PEERS) its 10.96.0.0/24 back"
nslab_say "kbgpctl agrees with FRR and with its own RIB"

# Every view parses as JSON with -o json, and its text form has its header.
views=("bgp peers" "bgp routes" "bgp routes advertised ipv4 unicast" "bgp route-policies"
       "show ip bgp summary" "show ip bgp" "show ip bgp 10.99.0.0/24" "show ip route bgp"
       "show running-config")
for view in "${views[@]}"; do
    # shellcheck disable=SC2086
    ctl $view | jq -e 'type == "object"' >/dev/null || nslab_fail "kbgpctl -o json $view is not a JSON object"
done
text() { "$KBGPCTL" -s "$NSLAB_DIR/transit.sock" "$@"; }
text bgp peers | grep -q '^Local AS   Peer AS   Peer Address' || nslab_fail "bgp peers: no Cilium header"
text show ip bgp summary | grep -q '^10.0.0.11 .* 65001 ' || nslab_fail "show ip bgp summary: no 10.0.0.11 row"
text show ip bgp 10.99.0.0/24 | grep -q 'multipath, best' || nslab_fail "show ip bgp PREFIX: no best multipath path"
text show ip route bgp | grep -q '^B>\* 10.99.0.0/24' || nslab_fail "show ip route bgp: 10.99.0.0/24 not installed"
text show running-config | grep -q '^kind: BGPRouter' || nslab_fail "show running-config: not a manifest"

# Prometheus metrics on the router's loopback, with Cilium's names and labels.
metrics=$(nslab_exec k bash -c 'exec 3<>/dev/tcp/127.0.0.1/9179
printf "GET /metrics HTTP/1.0\r\n\r\n" >&3; cat <&3')
grep -q '^HTTP/1.0 200 OK' <<<"$metrics" || nslab_fail "GET /metrics: $(head -1 <<<"$metrics")"
grep -qx 'kbgp_bgp_control_plane_session_state{vrouter="65000",neighbor="10.0.0.11:179",neighbor_asn="65001"} 1' <<<"$metrics" ||
    nslab_fail "no established session_state for 10.0.0.11 in /metrics"
adv=$(peer_field 10.0.0.21 '.families[0].advertised')
grep -qx "kbgp_bgp_control_plane_advertised_routes{vrouter=\"65000\",neighbor=\"10.0.0.21:179\",afi=\"ipv4\",safi=\"unicast\"} $adv" <<<"$metrics" ||
    nslab_fail "advertised_routes for 10.0.0.21 in /metrics is not $adv"
grep -q '^kbgp_fib_routes{state="installed"} [1-9]' <<<"$metrics" || nslab_fail "no installed routes in /metrics"

# One feed goes: the set shrinks to one path, downstream keeps the route.
nslab_kill feedbird
one_path() { grep -F 'msg="10.99.0.0/24: best via' "$(nslab_log kbgpd)" | tail -n 1 | grep -qF '1 path in the ECMP set'; }
nslab_wait 15 "ECMP set down to one path" one_path
nslab_wait 15 "downstream still has 10.99.0.0/24 via 65001" frr_path_any 10.99.0.0/24 '^65000 65001$'
nslab_say "PASS"
