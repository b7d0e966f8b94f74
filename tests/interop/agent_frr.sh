#!/usr/bin/env bash
# kbgpd agent and operator on one manifests directory, against FRR with the
# seed's router configuration: Cilium's BGPv2 resources verbatim, edited as a
# user edits them, checked at FRR (what it receives) and at the agents (their
# control sockets and the NodeConfig status they write). In this order:
#   1. The operator gives each node a PodCIDR from 172.20.0.0/16 and a
#      NodeConfig; each agent opens its session to the router (nothing
#      listens on 179 on a node) and FRR receives each node's PodCIDR from it.
#   2. An LB pool, a LoadBalancer Service and a Service advertisement written
#      into the directory: the Service gets 172.16.1.1 and FRR receives
#      172.16.1.1/32 from both nodes.
#   3. externalTrafficPolicy Local with the only endpoint on k8s-cp: k8s-w1
#      withdraws it, k8s-cp keeps it.
#   4. A malformed edit of the advertisement file changes nothing at FRR and
#      is reported by the agent.
#   5. Maintenance: k8s-w1 relabelled enable-bgp=false: its session goes (FRR
#      shows it Active) and its PodCIDR leaves FRR within a second;
#      relabelled back, both return.
#   6. The agents report NodeConfig status (peeringState established), and
#      kbgpctl shows both nodes in one `bgp peers` table.
#   7. Node-side import: k8s-cp runs with --fib-import 172.20.0.0/16, so its
#      kernel has k8s-w1's PodCIDR (protocol bgp, metric 20; via k8s-w1
#      itself, since FRR keeps the third-party next hop on the shared
#      network), and nothing else it received; k8s-w1, without it, has no
#      BGP route.
#   8. A timer edit in the PeerConfig (hold 9 → 12 s) resets the sessions
#      (FRR then holds 12 s) and the routes come back.
set -euo pipefail
here=$(dirname "$0")
source "$here/../netns/lib.sh"
nslab_require frr jq
source "$here/common.sh"
: "${KBGPCTL:=$(dirname "$KBGPD")/kbgpctl}"
NSLAB_TIMEOUT=150
nslab_init agent_frr

M=$NSLAB_DIR/manifests
mkdir -p "$M"

nslab_bridge neta
nslab_ns router
nslab_bridge_link neta router ens160 172.31.1.200/20
nslab_ns cp
nslab_bridge_link neta cp ens160 172.31.1.10/20
nslab_ns w1
nslab_bridge_link neta w1 ens160 172.31.1.11/20

nslab_frr router frr "router bgp 65000
 bgp router-id 172.31.1.200
 bgp graceful-restart
 no bgp ebgp-requires-policy
 bgp bestpath as-path multipath-relax
 maximum-paths 4
 neighbor CILIUM peer-group
 neighbor CILIUM remote-as external
 neighbor CILIUM timers connect 1
 neighbor 172.31.1.10 peer-group CILIUM
 neighbor 172.31.1.11 peer-group CILIUM"

cat >"$M/bgp.yaml" <<'YAML'
apiVersion: cilium.io/v2
kind: CiliumBGPAdvertisement
metadata:
  name: bgp-advertisements
  labels:
    advertise: bgp
spec:
  advertisements:
    - advertisementType: "PodCIDR"
---
apiVersion: cilium.io/v2
kind: CiliumBGPPeerConfig
metadata:
  name: cilium-peer
spec:
  timers:
    holdTimeSeconds: 9
    keepAliveTimeSeconds: 3
  ebgpMultihop: 2
  gracefulRestart:
    enabled: true
    restartTimeSeconds: 15
  families:
    - afi: ipv4
      safi: unicast
      advertisements:
        matchLabels:
          advertise: "bgp"
---
apiVersion: cilium.io/v2
kind: CiliumBGPClusterConfig
metadata:
  name: cilium-bgp
spec:
  nodeSelector:
    matchLabels:
      "enable-bgp": "true"
  bgpInstances:
    - name: "instance-65001"
      localASN: 65001
      peers:
        - name: "tor-switch"
          peerASN: 65000
          peerAddress: 172.31.1.200
          peerConfigRef:
            name: "cilium-peer"
YAML

write_nodes() { # W1_LABEL
    cat >"$M/nodes.yaml.tmp" <<YAML
apiVersion: v1
kind: Node
metadata: {name: k8s-cp, labels: {enable-bgp: "true"}, creationTimestamp: "2026-01-01T00:00:00Z"}
status: {addresses: [{type: InternalIP, address: 172.31.1.10}]}
---
apiVersion: v1
kind: Node
metadata: {name: k8s-w1, labels: {enable-bgp: "$1"}, creationTimestamp: "2026-01-01T00:00:01Z"}
status: {addresses: [{type: InternalIP, address: 172.31.1.11}]}
YAML
    mv "$M/nodes.yaml.tmp" "$M/nodes.yaml"
}
write_nodes true

nslab_run_bg cp operator "$KBGPD" operator -v --manifests "$M" --pod-cidr-pool 172.20.0.0/16
nslab_run_bg cp agent-cp "$KBGPD" agent -v --node k8s-cp --manifests "$M" \
    --run-dir "$NSLAB_DIR/cp" --metrics off --fib-import 172.20.0.0/16
nslab_run_bg w1 agent-w1 "$KBGPD" agent -v --node k8s-w1 --manifests "$M" \
    --run-dir "$NSLAB_DIR/w1" --metrics off

ctl() { "$KBGPCTL" -s "$NSLAB_DIR/$1/agent.sock" "${@:2}"; }
frr_path_from() { # PREFIX PEER
    nslab_frr_has_prefix frr "$1" "$2"
}
frr_state() { # PEER
    nslab_vtysh frr "show bgp neighbors $1 json" | jq -r '.[].bgpState'
}

# 1. Sessions from the nodes; PodCIDRs at the router.
nslab_wait 20 "FRR established with k8s-cp" nslab_frr_established frr 172.31.1.10
nslab_wait 20 "FRR established with k8s-w1" nslab_frr_established frr 172.31.1.11
for ns in cp w1; do
    if ip netns exec "$(nslab_nsname "$ns")" ss -Htln | grep -q ':179\b'; then
        nslab_fail "something listens on port 179 on node $ns"
    fi
done
nslab_wait 10 "k8s-cp's PodCIDR at FRR" frr_path_from 172.20.0.0/24 172.31.1.10
nslab_wait 10 "k8s-w1's PodCIDR at FRR" frr_path_from 172.20.1.0/24 172.31.1.11

# 2. LB IPAM and the Service advertisement.
cat >"$M/lb.yaml" <<'YAML'
apiVersion: cilium.io/v2
kind: CiliumLoadBalancerIPPool
metadata:
  name: cilium-pool
spec:
  allowFirstLastIPs: "No"
  blocks:
    - cidr: "172.16.1.0/24"
---
apiVersion: cilium.io/v2
kind: CiliumBGPAdvertisement
metadata:
  name: bgp-advertisements-lb-exip-webpod
  labels:
    advertise: bgp
spec:
  advertisements:
    - advertisementType: "Service"
      service:
        addresses:
          - LoadBalancerIP
      selector:
        matchExpressions:
          - { key: app, operator: In, values: [ webpod ] }
YAML
write_service() { # POLICY
    cat >"$M/webpod.yaml.tmp" <<YAML
apiVersion: v1
kind: Service
metadata: {name: webpod, namespace: default, labels: {app: webpod}}
spec:
  type: LoadBalancer
  externalTrafficPolicy: $1
  selector: {app: webpod}
  ports: [{port: 80, targetPort: 80}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: webpod-abcde
  namespace: default
  labels: {kubernetes.io/service-name: webpod}
addressType: IPv4
endpoints:
  - addresses: [172.20.0.10]
    nodeName: k8s-cp
    conditions: {ready: true}
YAML
    mv "$M/webpod.yaml.tmp" "$M/webpod.yaml"
}
write_service Cluster
nslab_wait 10 "172.16.1.1/32 from k8s-cp" frr_path_from 172.16.1.1/32 172.31.1.10
nslab_wait 10 "172.16.1.1/32 from k8s-w1" frr_path_from 172.16.1.1/32 172.31.1.11
policies=$(ctl cp bgp route-policies)
grep -q 'tor-switch-ipv4-Service-webpod-default-LoadBalancerIP .* 172.16.1.1/32 (32..32)' <<<"$policies" ||
    nslab_fail "no Service policy on k8s-cp:
$policies"

# 3. externalTrafficPolicy Local: only the node with the endpoint.
write_service Local
nslab_wait 10 "k8s-w1 withdraws 172.16.1.1/32" nslab_not frr_path_from 172.16.1.1/32 172.31.1.11
frr_path_from 172.16.1.1/32 172.31.1.10 || nslab_fail "k8s-cp withdrew 172.16.1.1/32 too"

# 4. A malformed edit changes nothing and is reported.
cp "$M/bgp.yaml" "$NSLAB_DIR/bgp.yaml.good"
sed 's/advertisementType: "PodCIDR"/advertisementType: "PodCidr"/' "$NSLAB_DIR/bgp.yaml.good" >"$M/bgp.yaml"
problems_name_it() { ctl cp -o json call problems | grep -q PodCidr; }
nslab_wait 5 "the agent reports the bad advertisement" problems_name_it
sleep 1
frr_path_from 172.20.0.0/24 172.31.1.10 || nslab_fail "a malformed edit withdrew k8s-cp's PodCIDR"
frr_path_from 172.20.1.0/24 172.31.1.11 || nslab_fail "a malformed edit withdrew k8s-w1's PodCIDR"
cp "$NSLAB_DIR/bgp.yaml.good" "$M/bgp.yaml"

# 5. Maintenance.
write_nodes false
t0=$(_nslab_now_us)
nslab_wait 3 "k8s-w1's PodCIDR leaves FRR" nslab_not frr_path_from 172.20.1.0/24 172.31.1.11
gone_ms=$((($(_nslab_now_us) - t0) / 1000))
((gone_ms <= 1000)) || nslab_fail "withdrawal took ${gone_ms} ms (more than 1 s)"
w1_down() { [[ $(frr_state 172.31.1.11) != Established ]]; }
nslab_wait 5 "FRR shows k8s-w1 not established" w1_down
frr_path_from 172.20.0.0/24 172.31.1.10 || nslab_fail "k8s-cp's PodCIDR went too"
write_nodes true
nslab_wait 20 "k8s-w1 back" nslab_frr_established frr 172.31.1.11
nslab_wait 10 "k8s-w1's PodCIDR back at FRR" frr_path_from 172.20.1.0/24 172.31.1.11

# 6. Status and the multi-node view.
status_established() {
    jq -e '.items[0].status.bgpInstances[0].peers[0].peeringState == "established"' \
        "$NSLAB_DIR/manifests/.kbgp-state/agents/k8s-cp.json" >/dev/null
}
nslab_wait 12 "k8s-cp's NodeConfig status says established" status_established
peers=$("$KBGPCTL" -s "k8s-cp=$NSLAB_DIR/cp/agent.sock" -s "k8s-w1=$NSLAB_DIR/w1/agent.sock" bgp peers)
nslab_say "$peers"
[[ $(grep -c ' established ' <<<"$peers") -eq 2 ]] || nslab_fail "bgp peers does not show two established nodes"

# 7. Node-side import.
bgp_routes() { # NS
    ip -n "$(nslab_nsname "$1")" -j route show proto bgp |
        jq -r '.[] | "\(.dst) \(.gateway // .nexthops[0].gateway // "-") \(.metric // 0)"' | sort
}
cp_has_w1_pod_route() {
    [[ $(bgp_routes cp) == "172.20.1.0/24 172.31.1.11 20" ]] && return
    bgp_routes cp
    ctl cp show ip bgp
    ctl cp show ip route bgp
    return 1
}
nslab_wait 5 "k8s-cp's kernel has 172.20.1.0/24 via k8s-w1, and only that" cp_has_w1_pod_route
[[ -z $(bgp_routes w1) ]] || nslab_fail "k8s-w1 installed routes without --fib-import: $(bgp_routes w1)"

# 8. Timers: a hard reset, with the new hold time.
hold_ms() { nslab_vtysh frr "show bgp neighbors $1 json" | jq -r '.[].bgpTimerHoldTimeMsecs'; }
sed 's/holdTimeSeconds: 9/holdTimeSeconds: 12/' "$NSLAB_DIR/bgp.yaml.good" >"$M/bgp.yaml.tmp"
mv "$M/bgp.yaml.tmp" "$M/bgp.yaml"
holds_12s() { [[ $(hold_ms 172.31.1.10) == 12000 && $(hold_ms 172.31.1.11) == 12000 ]]; }
nslab_wait 10 "FRR holds both sessions 12 s" holds_12s
nslab_wait 10 "k8s-cp's PodCIDR at FRR again" frr_path_from 172.20.0.0/24 172.31.1.10
nslab_wait 10 "k8s-w1's PodCIDR at FRR again" frr_path_from 172.20.1.0/24 172.31.1.11

nslab_say "PASS"
