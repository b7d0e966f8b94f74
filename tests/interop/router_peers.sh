#!/usr/bin/env bash
# kbgpd router against FRR, BIRD 2 and GoBGP on one LAN, both directions of
# who opens the connection (peers *a wait, kbgpd connects; kbgpd waits for
# peers *_b): IPv4 and IPv6 unicast on one session, hold 9 / keepalive 3
# kept up for 30 s, one prefix per family each way, recovery after SIGKILL
# of a peer, and a peer's NOTIFICATION logged with its names.
set -euo pipefail
here=$(dirname "$0")
source "$here/../netns/lib.sh"
nslab_require frr bird gobgp jq
source "$here/common.sh"
NSLAB_TIMEOUT=240
nslab_init router_peers

# peer name, address suffix, AS; frrsix talks to kbgpd over IPv6
peers=(frra:11:65001 frrb:12:65002 birda:13:65003 birdb:14:65004 gobgpa:15:65005 gobgpb:16:65006
    frrsix:17:65007)

nslab_bridge lan
nslab_ns k
nslab_bridge_link lan k eth0 10.0.0.1/24,fd00::1/64
for p in "${peers[@]}"; do
    IFS=: read -r name n _ <<<"$p"
    nslab_ns "$name"
    nslab_bridge_link lan "$name" eth0 "10.0.0.$n/24,fd00::$n/64"
done

cat >"$NSLAB_DIR/router.yaml" <<YAML
apiVersion: kbgp.io/v1alpha1
kind: BGPRouter
metadata: {name: interop}
spec:
  localASN: 65000
  routerID: 10.0.0.1
  ebgpRequiresPolicy: false
  networks: ["10.10.1.0/24", "fd10::/48"]
  networkImportCheck: false
  peerGroups:
  - name: ACTIVE
    remoteASN: external
    neighbors: ["10.0.0.11", "10.0.0.13", "10.0.0.15"]
    timers: {holdTimeSeconds: 9, keepAliveTimeSeconds: 3, connectRetryTimeSeconds: 2}
    families: [{afi: ipv4, safi: unicast}, {afi: ipv6, safi: unicast}]
  - name: PASSIVE
    remoteASN: external
    passive: true
    neighbors: ["10.0.0.12", "10.0.0.14", "10.0.0.16"]
    timers: {holdTimeSeconds: 9, keepAliveTimeSeconds: 3}
    families: [{afi: ipv4, safi: unicast}, {afi: ipv6, safi: unicast}]
  - name: SIX
    remoteASN: external
    neighbors: ["fd00::17"]
    timers: {holdTimeSeconds: 9, keepAliveTimeSeconds: 3, connectRetryTimeSeconds: 2}
    families: [{afi: ipv4, safi: unicast}, {afi: ipv6, safi: unicast}]
YAML
nslab_run_bg k kbgpd "$KBGPD" router -v --run-dir "$NSLAB_DIR" -c "$NSLAB_DIR/router.yaml"

frr_config() { # NAME N AS PASSIVE
    local kbgpd=10.0.0.1
    [[ $1 == frrsix ]] && kbgpd=fd00::1
    cat <<CONF
router bgp $3
 bgp router-id 10.0.0.$2
 no bgp ebgp-requires-policy
 no bgp network import-check
 timers bgp 3 9
 neighbor $kbgpd remote-as 65000
 $([[ $4 == yes ]] && echo "neighbor $kbgpd passive" || echo "neighbor $kbgpd timers connect 2")
 address-family ipv4 unicast
  neighbor $kbgpd activate
  network 10.2$(($2 - 10)).0.0/24
 exit-address-family
 address-family ipv6 unicast
  neighbor $kbgpd activate
  network fd2$(($2 - 10))::/48
 exit-address-family
CONF
}

# kbgpd's address for a peer, and the peer's address as kbgpd logs it.
kbgpd_addr() { [[ $1 == frrsix ]] && echo fd00::1 || echo 10.0.0.1; }
peer_addr() { [[ $1 == frrsix ]] && echo "fd00::$2" || echo "10.0.0.$2"; }

bird_config() { # NAME N AS PASSIVE
    cat <<CONF
router id 10.0.0.$2;
protocol device {}
protocol static s4 { ipv4; route 10.2$(($2 - 10)).0.0/24 blackhole; }
protocol static s6 { ipv6; route fd2$(($2 - 10))::/48 blackhole; }
protocol bgp kbgp {
  local 10.0.0.$2 as $3;
  neighbor 10.0.0.1 as 65000;
  hold time 9; keepalive time 3; connect retry time 2; connect delay time 1;
  passive $([[ $4 == yes ]] && echo on || echo off);
  ipv4 { import all; export where source = RTS_STATIC; };
  ipv6 { import all; export where source = RTS_STATIC; next hop address fd00::$2; };
}
CONF
}

gobgp_config() { # NAME N AS PASSIVE
    cat <<CONF
[global.config]
  as = $3
  router-id = "10.0.0.$2"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.0.0.1"
    peer-as = 65000
  [neighbors.timers.config]
    hold-time = 9
    keepalive-interval = 3
    connect-retry = 2
  [neighbors.transport.config]
    passive-mode = $([[ $4 == yes ]] && echo true || echo false)
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
CONF
}

for p in "${peers[@]}"; do
    IFS=: read -r name n as <<<"$p"
    passive=no
    [[ $name == *a ]] && passive=yes
    case $name in
        frr*) nslab_frr "$name" "$name" "$(frr_config "$name" "$n" "$as" "$passive")" ;;
        bird*) nslab_bird "$name" "$name" "$(bird_config "$name" "$n" "$as" "$passive")" ;;
        gobgp*)
            nslab_gobgp "$name" "$name" "$(gobgp_config "$name" "$n" "$as" "$passive")"
            nslab_gobgp_cli "$name" global rib add "10.2$((n - 10)).0.0/24" -a ipv4 >/dev/null
            nslab_gobgp_cli "$name" global rib add "fd2$((n - 10))::/48" -a ipv6 >/dev/null
            ;;
    esac
done

peer_established() { # NAME N
    case $1 in
        frr*) nslab_frr_established "$1" "$(kbgpd_addr "$1")" ;;
        bird*) nslab_bird_established "$1" kbgp ;;
        gobgp*) nslab_gobgp_established "$1" 10.0.0.1 ;;
    esac
}

peer_has() { # NAME PREFIX
    case $1 in
        frr*) nslab_frr_has_prefix "$1" "$2" ;;
        bird*) nslab_bird_has_prefix "$1" "$2" ;;
        gobgp*) nslab_gobgp_has_prefix "$1" "$2" ;;
    esac
}

# GoBGP waits 5-9 s before its first connect.
for p in "${peers[@]}"; do
    IFS=: read -r name n _ <<<"$p"
    nslab_wait 30 "$name established at kbgpd" kbgpd_established kbgpd "$(peer_addr "$name" "$n")"
    nslab_wait 10 "$name established at $name" peer_established "$name"
done

for p in "${peers[@]}"; do
    IFS=: read -r name n _ <<<"$p"
    nslab_wait 10 "$name has kbgpd's IPv4 prefix" peer_has "$name" 10.10.1.0/24
    nslab_wait 10 "$name has kbgpd's IPv6 prefix" peer_has "$name" fd10::/48
    nslab_wait 10 "kbgpd has $name's IPv4 prefix" kbgpd_received kbgpd "$(peer_addr "$name" "$n")" \
        "10.2$((n - 10)).0.0/24"
    nslab_wait 10 "kbgpd has $name's IPv6 prefix" kbgpd_received kbgpd "$(peer_addr "$name" "$n")" \
        "fd2$((n - 10))::/48"
done

nslab_say "holding the sessions for 30 s (hold 9, keepalive 3)"
sleep 30
for p in "${peers[@]}"; do
    IFS=: read -r name n _ <<<"$p"
    kbgpd_established kbgpd "$(peer_addr "$name" "$n")" ||
        nslab_fail "$name: session not established after 30 s"
done
if grep -q 'msg="state changed from Established"' "$(nslab_log kbgpd)"; then
    nslab_fail "a session left Established during the 30 s"
fi

# A peer dies without a word: kbgpd notices the closed connection, and the
# session comes back with the peer.
nslab_kill frra KILL
nslab_wait 10 "kbgpd noticed frra going" nslab_not kbgpd_established kbgpd 10.0.0.11
nslab_restart frra
nslab_wait 20 "frra back at kbgpd" kbgpd_established kbgpd 10.0.0.11
nslab_wait 10 "frra has kbgpd's prefix again" peer_has frra 10.10.1.0/24

nslab_kill birdb KILL
nslab_wait 10 "kbgpd noticed birdb going" nslab_not kbgpd_established kbgpd 10.0.0.14
nslab_restart birdb
nslab_wait 20 "birdb back at kbgpd" kbgpd_established kbgpd 10.0.0.14

# GoBGP waits 5-9 s before it connects again.
nslab_kill gobgpb KILL
nslab_wait 10 "kbgpd noticed gobgpb going" nslab_not kbgpd_established kbgpd 10.0.0.16
nslab_restart gobgpb
nslab_gobgp_cli gobgpb global rib add 10.26.0.0/24 -a ipv4 >/dev/null
nslab_wait 30 "gobgpb back at kbgpd" kbgpd_established kbgpd 10.0.0.16

# A NOTIFICATION from the peer is logged with its names; FRR sends its
# Administrative Reset as a Hard Reset (RFC 8538, both sides set the N bit).
nslab_vtysh frrb "clear bgp 10.0.0.1" >/dev/null
nslab_wait 10 "kbgpd logged FRR's Cease" kbgpd_logged kbgpd \
    'NOTIFICATION received: Cease / Hard Reset (6/9) for Cease / Administrative Reset (6/4)'
nslab_wait 20 "frrb back at kbgpd" kbgpd_established kbgpd 10.0.0.12
nslab_birdc birda disable kbgp '"kbgp interop: maintenance"' >/dev/null
nslab_wait 10 "kbgpd logged BIRD's shutdown text" kbgpd_logged kbgpd \
    'Cease / Administrative Shutdown (6/2) \"kbgp interop: maintenance\"'

nslab_say "PASS"
