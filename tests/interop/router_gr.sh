#!/usr/bin/env bash
# Graceful restart (RFC 4724, RFC 8538) between kbgpd router and FRR, with
# BIRD downstream of kbgpd watching what kbgpd advertises:
#   - kbgpd as helper: FRR's bgpd is killed; kbgpd keeps FRR's route stale
#     (BIRD keeps receiving it) and sweeps the stale routes at FRR's
#     End-of-RIB once it is back (FRR keeps its forwarding state,
#     preserve-fw-state, so its OPEN has the F bit; without it kbgpd drops
#     them as soon as FRR is back, RFC 4724 §4.2).
#   - FRR as helper: kbgpd stops (SIGTERM) and starts again within the
#     restart time; FRR keeps kbgpd's route the whole time, and kbgpd
#     advertises nothing until FRR and BIRD have sent End-of-RIB.
set -euo pipefail
here=$(dirname "$0")
source "$here/../netns/lib.sh"
nslab_require frr bird jq
source "$here/common.sh"
NSLAB_TIMEOUT=120
nslab_init router_gr

nslab_bridge lan
for p in k:1 frr:11 down:22; do
    nslab_ns "${p%:*}"
    nslab_bridge_link lan "${p%:*}" eth0 "10.0.0.${p#*:}/24"
done

cat >"$NSLAB_DIR/router.yaml" <<YAML
apiVersion: kbgp.io/v1alpha1
kind: BGPRouter
metadata: {name: gr}
spec:
  localASN: 65000
  routerID: 10.0.0.1
  gracefulRestart: {enabled: true, restartTimeSeconds: 30}
  ebgpRequiresPolicy: false
  networks: ["10.10.1.0/24"]
  networkImportCheck: false
  peerGroups:
  - name: PEERS
    remoteASN: external
    neighbors: ["10.0.0.11", "10.0.0.22"]
    timers: {holdTimeSeconds: 9, keepAliveTimeSeconds: 3, connectRetryTimeSeconds: 1}
YAML
nslab_run_bg k kbgpd "$KBGPD" router -v --run-dir "$NSLAB_DIR" -c "$NSLAB_DIR/router.yaml"
nslab_frr frr frr "router bgp 65001
 bgp router-id 10.0.0.11
 no bgp ebgp-requires-policy
 no bgp network import-check
 bgp graceful-restart
 bgp graceful-restart restart-time 30
 bgp graceful-restart preserve-fw-state
 timers bgp 3 9
 neighbor 10.0.0.1 remote-as 65000
 neighbor 10.0.0.1 timers connect 1
 address-family ipv4 unicast
  network 10.21.0.0/24
 exit-address-family"
nslab_bird down down "router id 10.0.0.22;
protocol device {}
protocol bgp kbgp {
  local 10.0.0.22 as 65011;
  neighbor 10.0.0.1 as 65000;
  hold time 9; keepalive time 3; connect retry time 1; connect delay time 1;
  ipv4 { import all; export none; };
}"

nslab_wait 20 "kbgpd and FRR established" kbgpd_established kbgpd 10.0.0.11
nslab_wait 20 "kbgpd and BIRD established" kbgpd_established kbgpd 10.0.0.22
nslab_wait 10 "BIRD has FRR's route through kbgpd" nslab_bird_has_prefix down 10.21.0.0/24
nslab_wait 10 "FRR has kbgpd's route" nslab_frr_has_prefix frr 10.10.1.0/24

# kbgpd as helper.
nslab_kill frr KILL
nslab_wait 10 "kbgpd keeps FRR's routes stale" kbgpd_logged kbgpd \
    'peer=10.0.0.11 msg="graceful restart: keeping 1 routes stale for 30 s"'
for _ in 1 2 3; do
    sleep 1
    nslab_bird_has_prefix down 10.21.0.0/24 || nslab_fail "BIRD lost FRR's route during FRR's restart"
done
nslab_restart frr
nslab_wait 20 "FRR back at kbgpd" kbgpd_established kbgpd 10.0.0.11
nslab_wait 15 "stale routes swept at FRR's End-of-RIB" kbgpd_logged kbgpd \
    'peer=10.0.0.11 msg="End-of-RIB after a restart: 0 stale routes removed"'
nslab_bird_has_prefix down 10.21.0.0/24 || nslab_fail "BIRD lost the route after FRR came back"

# FRR as helper: kbgpd leaves without a NOTIFICATION and comes back.
nslab_wait 15 "FRR has kbgpd's route" nslab_frr_has_prefix frr 10.10.1.0/24
nslab_kill kbgpd TERM
for _ in 1 2 3; do
    nslab_frr_has_prefix frr 10.10.1.0/24 || nslab_fail "FRR dropped kbgpd's route while it restarted"
    sleep 1
done
kbgpd_logged kbgpd "back from a graceful restart" &&
    nslab_fail "kbgpd deferred route selection on its first start"
[[ -f $NSLAB_DIR/gr.restart ]] || nslab_fail "kbgpd left no graceful-restart marker"
nslab_restart kbgpd
nslab_wait 20 "kbgpd back at FRR" nslab_frr_established frr 10.0.0.1
nslab_wait 10 "kbgpd defers selection after its graceful restart" kbgpd_logged kbgpd \
    'msg="back from a graceful restart: advertising nothing until the peers send End-of-RIB (at most 360 s)"'
nslab_wait 15 "deferral ends at the peers' End-of-RIB" kbgpd_logged kbgpd \
    'msg="route selection deferral over: the peers sent End-of-RIB"'
nslab_wait 10 "BIRD has FRR's route again through kbgpd" nslab_bird_has_prefix down 10.21.0.0/24
nslab_frr_has_prefix frr 10.10.1.0/24 || nslab_fail "FRR lost kbgpd's route after the restart"
restart_bit() {
    nslab_vtysh frr "show bgp neighbors 10.0.0.1 json" |
        jq -e '.[].gracefulRestartInfo.remoteGrMode // "" | test("Restart|Helper")' >/dev/null
}
nslab_wait 5 "FRR sees kbgpd's graceful restart capability" restart_bit
nslab_say "PASS"
