#!/usr/bin/env bash
# kbgpd router's transport and neighbour options against FRR: TCP-MD5 with
# the right and a wrong key, eBGP multihop and GTSM through a router, dynamic
# neighbours from a listen range (and refusal of anyone else), and a SIGHUP
# reload that adds a neighbour while refusing an invalid file.
set -euo pipefail
here=$(dirname "$0")
source "$here/../netns/lib.sh"
nslab_require frr jq
source "$here/common.sh"
NSLAB_TIMEOUT=200
nslab_init router_transport

# nslab_vtysh_match NAME COMMAND JQ : FRR's JSON answer to COMMAND satisfies JQ.
nslab_vtysh_match() { nslab_vtysh "$1" "$2" | jq -e "$3" >/dev/null; }

#   md5ok (10.0.0.11), md5bad (10.0.0.12), dyn (10.0.0.70), stranger (10.0.0.200)
#   all on one LAN with kbgpd (10.0.0.1); far (10.0.9.2) behind mid (10.0.0.254 / 10.0.9.1)
nslab_bridge lan
nslab_ns k
nslab_bridge_link lan k eth0 10.0.0.1/24
for p in md5ok:11 md5bad:12 dyn:70 stranger:200 late:13 greedy:14; do
    nslab_ns "${p%:*}"
    nslab_bridge_link lan "${p%:*}" eth0 "10.0.0.${p#*:}/24"
done
nslab_ns mid forward
nslab_bridge_link lan mid eth0 10.0.0.254/24
nslab_ns far
nslab_link mid eth1 10.0.9.1/24 far eth0 10.0.9.2/24
nslab_ns hop
nslab_link mid eth2 10.0.8.1/24 hop eth0 10.0.8.2/24
nslab_route k 10.0.9.0/24 via 10.0.0.254
nslab_route k 10.0.8.0/24 via 10.0.0.254
nslab_route far 10.0.0.0/24 via 10.0.9.1
nslab_route hop 10.0.0.0/24 via 10.0.8.1

write_config() { # GTSM_HOPS MULTIHOP EXTRA_GROUP
    cat >"$NSLAB_DIR/router.yaml" <<YAML
apiVersion: kbgp.io/v1alpha1
kind: BGPRouter
metadata: {name: transport}
spec:
  localASN: 65000
  routerID: 10.0.0.1
  ebgpRequiresPolicy: false
  networks: ["10.10.1.0/24"]
  networkImportCheck: false
  peerGroups:
  - name: MD5OK
    remoteASN: 65011
    neighbors: ["10.0.0.11"]
    authPassword: "s3cret-key"
    timers: {holdTimeSeconds: 9, connectRetryTimeSeconds: 2}
  - name: MD5BAD
    remoteASN: 65012
    neighbors: ["10.0.0.12"]
    authPassword: "not-the-key"
    timers: {holdTimeSeconds: 9, connectRetryTimeSeconds: 2}
  - name: FAR
    remoteASN: 65020
    neighbors: ["10.0.9.2"]
    ttlSecurityHops: $1
    timers: {holdTimeSeconds: 9, connectRetryTimeSeconds: 2}
  - name: HOP
    remoteASN: 65030
    neighbors: ["10.0.8.2"]
    ebgpMultihop: $2
    timers: {holdTimeSeconds: 9, connectRetryTimeSeconds: 2}
  - name: DYNAMIC
    remoteASN: external
    listenRanges: ["10.0.0.64/26"]
    timers: {holdTimeSeconds: 9}
  - name: GREEDY
    remoteASN: 65014
    neighbors: ["10.0.0.14"]
    maxPrefixes: {limit: 2, restartSeconds: 2}
    timers: {holdTimeSeconds: 9, connectRetryTimeSeconds: 2}
$3
YAML
}
write_config 1 1 ""
nslab_run_bg k kbgpd "$KBGPD" router -v --run-dir "$NSLAB_DIR" -c "$NSLAB_DIR/router.yaml"

frr_peer() { # NS AS ID KBGPD_ADDRESS EXTRA_NEIGHBOR_LINES [NETWORK...]
    local networks="" n
    for n in "${@:6}"; do networks+="  network $n"$'\n'; done
    nslab_frr "$1" "$1" "router bgp $2
 bgp router-id $3
 no bgp ebgp-requires-policy
 no bgp network import-check
 timers bgp 3 9
 neighbor $4 remote-as 65000
 neighbor $4 timers connect 2
$5
 address-family ipv4 unicast
$networks exit-address-family"
}
frr_peer md5ok 65011 10.0.0.11 10.0.0.1 " neighbor 10.0.0.1 password s3cret-key"
frr_peer md5bad 65012 10.0.0.12 10.0.0.1 " neighbor 10.0.0.1 password s3cret-key"
frr_peer dyn 65070 10.0.0.70 10.0.0.1 ""
frr_peer stranger 65099 10.0.0.200 10.0.0.1 ""
frr_peer greedy 65014 10.0.0.14 10.0.0.1 "" 10.14.1.0/24 10.14.2.0/24 10.14.3.0/24
frr_peer far 65020 10.0.9.2 10.0.0.1 " neighbor 10.0.0.1 ttl-security hops 2"
frr_peer hop 65030 10.0.8.2 10.0.0.1 " neighbor 10.0.0.1 ebgp-multihop 2"

# MD5: the right key comes up, the wrong one stays down and says why.
nslab_wait 20 "MD5 session with the right key" kbgpd_established kbgpd 10.0.0.11
nslab_wait 15 "kbgpd explains the silent MD5 failure" kbgpd_logged kbgpd \
    'peer=10.0.0.12 name=MD5BAD state=Connect msg="connect got no answer: TCP-MD5 is configured'
nslab_not kbgpd_established kbgpd 10.0.0.12 || nslab_fail "MD5 with a wrong key came up"

# Max-prefix: three prefixes against a limit of two stop the session with
# Cease/1 carrying AFI 1, SAFI 1, limit 2; it comes back after 2 s.
nslab_wait 20 "max-prefix enforced" kbgpd_logged kbgpd \
    'NOTIFICATION sent: Cease / Maximum Number of Prefixes Reached (6/1)'
nslab_wait 20 "FRR got the max-prefix Cease" nslab_vtysh_match greedy \
    "show bgp neighbors 10.0.0.1 json" '.[].lastNotificationReason // "" | test("Maximum Number of Prefixes")'
established_twice() { [[ $(grep -c 'peer=10.0.0.14 name=GREEDY state=Established' "$(nslab_log kbgpd)") -ge 2 ]]; }
nslab_wait 20 "session back after the restart time" established_twice

# Dynamic neighbours: inside the range accepted with the group's settings;
# anyone else refused and logged.
nslab_wait 20 "dynamic neighbour accepted" kbgpd_established kbgpd 10.0.0.70
kbgpd_logged kbgpd 'peer=10.0.0.70 name=DYNAMIC' || nslab_fail "dynamic peer lacks the group"
# It lives as long as its session, and comes back by connecting again.
nslab_kill dyn
nslab_wait 10 "dynamic neighbour removed with its session" kbgpd_logged kbgpd \
    'msg="dynamic neighbour 10.0.0.70 removed: its session ended"'
nslab_restart dyn
nslab_wait 20 "dynamic neighbour back" kbgpd_established kbgpd 10.0.0.70
nslab_wait 15 "stranger refused" kbgpd_logged kbgpd \
    'peer=10.0.0.200 msg="connection from unknown address refused"'

# GTSM: kbgpd accepts only TTL 255 (1 hop); FRR two hops away sends 255,
# which arrives as 254 and is dropped.
sleep 6
nslab_not kbgpd_established kbgpd 10.0.9.2 || nslab_fail "GTSM let a 2-hop peer through with hops 1"
nslab_not nslab_frr_established far 10.0.0.1 || nslab_fail "far peer up despite GTSM"
# eBGP multihop: with the default of 1, kbgpd's packets die at mid.
nslab_not kbgpd_established kbgpd 10.0.8.2 || nslab_fail "2-hop peer up with ebgpMultihop 1"

# Reload with GTSM hops 2 and a new neighbour; first an invalid file is
# refused and nothing changes.
cp "$NSLAB_DIR/router.yaml" "$NSLAB_DIR/router.good"
printf 'spec: {localASN: banana}\n' >>"$NSLAB_DIR/router.yaml"
nslab_kill kbgpd HUP
nslab_wait 5 "invalid reload refused" kbgpd_logged kbgpd "reload refused, running configuration kept"
kbgpd_established kbgpd 10.0.0.11 || nslab_fail "a refused reload disturbed a session"
write_config 2 2 "  - name: LATE
    remoteASN: 65013
    neighbors: [\"10.0.0.13\"]
    timers: {holdTimeSeconds: 9, connectRetryTimeSeconds: 2}"
frr_peer late 65013 10.0.0.13 10.0.0.1 ""
nslab_kill kbgpd HUP
nslab_wait 5 "reload applied" kbgpd_logged kbgpd "reloaded $NSLAB_DIR/router.yaml"
nslab_wait 20 "2-hop peer up with GTSM hops 2" kbgpd_established kbgpd 10.0.9.2
nslab_wait 20 "neighbour added by reload" kbgpd_established kbgpd 10.0.0.13
nslab_wait 20 "2-hop peer up with ebgpMultihop 2" kbgpd_established kbgpd 10.0.8.2
kbgpd_established kbgpd 10.0.0.11 || nslab_fail "an unchanged neighbour was disturbed by the reload"
nslab_wait 10 "far peer has kbgpd's prefix" nslab_frr_has_prefix far 10.10.1.0/24

# `shutdown: true` and a reload: an administrative Cease/2, and it stays down.
sed -i '/name: MD5OK/a\    shutdown: true' "$NSLAB_DIR/router.yaml"
nslab_kill kbgpd HUP
nslab_wait 10 "FRR got the shutdown" nslab_vtysh_match md5ok \
    "show bgp neighbors 10.0.0.1 json" '.[].lastNotificationReason // "" | test("Administrative Shutdown")'
sleep 3
nslab_not kbgpd_established kbgpd 10.0.0.11 || nslab_fail "a shut-down neighbour came back"
nslab_say "PASS"
