#!/usr/bin/env bash
# kbgpd agent reading its objects from a Kubernetes API server (the fake one,
# tests/k8sapi/fake_apiserver.py) instead of a manifests directory, against
# FRR with the seed's router configuration.  One node, k8s-cp, in its own
# namespace; the API server runs in that namespace too (it listens on the
# namespace's loopback, where the agent's kubeconfig points), and the test
# talks to it there.  The agent's kubeconfig reads its token from a file
# (tokenFile:).  In this order:
#   1. Initial list and watch: the seed (Cilium's BGPv2 resources, Node
#      k8s-cp with its PodCIDR, the NodeConfig the operator would have
#      written) gives a session, FRR receives 172.20.0.0/24 from k8s-cp, and
#      the agent patches the NodeConfig's status to peeringState established.
#   2. A change through the API: a Service advertisement and a LoadBalancer
#      Service (created, then its status patched, as LB IPAM does) put
#      172.16.1.1/32 at FRR; the time it takes is printed.
#   3. A watch cut in the middle of an event (the next Service event): the
#      change it carried (the Service deleted) still reaches FRR; a Service
#      created again afterwards arrives too.
#   4. Relist after 410: history compacted past the agent's resourceVersion
#      and every watch ended; the agent's watches get 410 and it lists every
#      kind again; FRR, polled every 100 ms, never loses a route.
#   5. An API outage (connections refused, ~5 s): every route stays at FRR
#      (polled every 100 ms), the agent logs the failure, and what changed
#      during the outage (one Service deleted, another created) is applied
#      once the server is back; every kind logs it is back in step and the
#      agent's `problems` empties.
#   6. Token rotation: the old token gets 401; after the watches are cut the
#      agent's requests carry the new token (no 401 left in the request log)
#      and a change made afterwards reaches FRR.
#      Through all of it FRR's session with the node was established once.
#   7. The agent stops cleanly on SIGTERM (no sanitizer report), and the
#      teardown leaves no process and no namespace behind.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../netns/lib.sh"
nslab_require frr jq python3 openssl curl
python3 -c 'import yaml' 2>/dev/null || { echo "SKIP: python3 has no yaml module (PyYAML)" >&2; exit 77; }
source "$here/common.sh"
FAKE_APISERVER=$here/../k8sapi/fake_apiserver.py
NSLAB_TIMEOUT=240
nslab_init agent_api

nslab_bridge neta
nslab_ns router
nslab_bridge_link neta router ens160 172.31.1.200/20
nslab_ns cp
nslab_bridge_link neta cp ens160 172.31.1.10/20

nslab_frr router frr "router bgp 65000
 bgp router-id 172.31.1.200
 bgp graceful-restart
 no bgp ebgp-requires-policy
 bgp bestpath as-path multipath-relax
 maximum-paths 4
 neighbor CILIUM peer-group
 neighbor CILIUM remote-as external
 neighbor CILIUM timers connect 1
 neighbor 172.31.1.10 peer-group CILIUM"

# ---- the seed: what the cluster holds before the agent starts ----
SEED=$NSLAB_DIR/seed
mkdir -p "$SEED"
# The owner's uid, so that the NodeConfig's ownerReference names a live
# object (the server collects dependents whose owners are gone, by uid).
CC_UID=5eed0000-0000-4000-8000-00000000cc01
sed "s/^metadata: {name: cilium-bgp}\$/metadata: {name: cilium-bgp, uid: $CC_UID}/" \
    "$here/../../lab/manifests/cilium-bgp.yaml" >"$SEED/cilium-bgp.yaml"
grep -q "uid: $CC_UID" "$SEED/cilium-bgp.yaml" ||
    nslab_fail "lab/manifests/cilium-bgp.yaml: no 'metadata: {name: cilium-bgp}' line to give a uid"
cat >"$SEED/node.yaml" <<'YAML'
apiVersion: v1
kind: Node
metadata: {name: k8s-cp, labels: {enable-bgp: "true"}}
spec: {podCIDR: 172.20.0.0/24, podCIDRs: [172.20.0.0/24]}
status: {addresses: [{type: InternalIP, address: 172.31.1.10}, {type: Hostname, address: k8s-cp}]}
YAML
# As the operator writes it (tests/golden/cp/nodeconfig/seed/expected.json).
cat >"$SEED/nodeconfig.json" <<JSON
{
  "apiVersion": "cilium.io/v2",
  "kind": "CiliumBGPNodeConfig",
  "metadata": {
    "name": "k8s-cp",
    "ownerReferences": [{"apiVersion": "cilium.io/v2", "controller": true,
                         "kind": "CiliumBGPClusterConfig", "name": "cilium-bgp", "uid": "$CC_UID"}]
  },
  "spec": {
    "bgpInstances": [{
      "localASN": 65001,
      "name": "instance-65001",
      "peers": [{"name": "tor-switch", "peerASN": 65000, "peerAddress": "172.31.1.200",
                 "peerConfigRef": {"name": "cilium-peer"}}]
    }]
  }
}
JSON

# ---- the API server, inside the node's namespace ----
A=$NSLAB_DIR/api
nslab_run_bg cp apiserver python3 "$FAKE_APISERVER" --port 0 --dir "$A" --seed "$SEED" -v
nslab_wait 30 "the fake API server is ready" grep -qx ready "$(nslab_log apiserver)"
PORT=$(cat "$A/port")
CTLPORT=$(cat "$A/control-port")

# ctl METHOD PATH [BODY] : the server's control API (plain HTTP, no auth).
ctl() {
    local args=(-sS --fail-with-body --max-time 15 -X "$1")
    [[ -n ${3-} ]] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
    nslab_exec cp curl "${args[@]}" "http://127.0.0.1:$CTLPORT$2"
}
api_token() { awk 'NR == 1 { print $1 }' "$A/token"; }
# api METHOD PATH [BODY [CONTENT-TYPE]] : the API itself, as a client would
# (TLS, the current token); the body on stdout, non-zero unless 2xx.
api() {
    local code args=(-sS --max-time 10 --cacert "$A/ca.crt" -X "$1" -o "$NSLAB_DIR/api.body"
        -w '%{http_code}' -H "Authorization: Bearer ${API_TOKEN:-$(api_token)}")
    [[ -n ${3-} ]] && args+=(-H "Content-Type: ${4:-application/json}" --data-binary "$3")
    code=$(nslab_exec cp curl "${args[@]}" "https://127.0.0.1:$PORT$2") || return 1
    cat "$NSLAB_DIR/api.body"
    [[ $code == 2?? ]] || { echo "$1 $2: HTTP $code" >&2; return 1; }
}
yaml2json() { python3 -c 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'; }
req_seq() { ctl GET /state | jq -r .requests; }
nodeconfig() { ctl GET '/objects?group=cilium.io&resource=ciliumbgpnodeconfigs&name=k8s-cp' | jq '.items[0]'; }

frr_path_from() { nslab_frr_has_prefix frr "$1" 172.31.1.10; }
ms_since() { echo $((($(_nslab_now_us) - $1) / 1000)); }

# poll_start NAME PREFIX... : ask FRR every 100 ms, in the background, for
# each PREFIX from k8s-cp; what is missing is written down.  poll_stop NAME
# fails the test if anything was.
poll_start() {
    local name=$1 dir=$NSLAB_DIR/poll-$1
    shift
    mkdir -p "$dir"
    (
        set +e
        n=0 end=$(($(_nslab_now_us) + 120000000))
        while [[ ! -e $dir/stop && -d $NSLAB_DIR/.state ]] && (($(_nslab_now_us) < end)); do
            next=$(($(_nslab_now_us) + 100000))
            # One question per round (the whole table is a few routes).
            if ! out=$(nslab_vtysh frr "show bgp ipv4 unicast json" 2>&1); then
                echo "$(_nslab_elapsed)s vtysh failed: $out" >>"$dir/errors"
            else
                for p in "$@"; do
                    jq -e --arg p "$p" 'any(.routes[$p][]?; .valid == true and (.peerId == "172.31.1.10" or
                        any(.nexthops[]?; .ip == "172.31.1.10")))' <<<"$out" >/dev/null ||
                        echo "$(_nslab_elapsed)s $p missing at FRR" >>"$dir/missing"
                done
            fi
            n=$((n + 1))
            echo "$n" >"$dir/count"
            left=$((next - $(_nslab_now_us)))
            ((left <= 0)) || sleep "0.$(printf '%06d' "$left")"
        done
    ) &
    POLLER=$!
}
poll_stop() {
    local dir=$NSLAB_DIR/poll-$1
    touch "$dir/stop"
    wait "$POLLER" || true
    nslab_say "$1: FRR polled $(cat "$dir/count" 2>/dev/null || echo 0) times"
    [[ -s $dir/errors ]] && nslab_say "$1: vtysh errors (not counted): $(head -n 3 "$dir/errors")"
    [[ ! -s $dir/missing ]] || nslab_fail "$1: routes left FRR:
$(head -n 20 "$dir/missing")"
    (($(cat "$dir/count" 2>/dev/null || echo 0) >= 5)) || nslab_fail "$1: FRR was hardly polled"
}

# What the agent reads, by resource.
agent_resources=(nodes ciliumbgpnodeconfigs ciliumbgppeerconfigs ciliumbgpadvertisements services
    endpointslices secrets)
resources_json() { printf '%s\n' "$@" | jq -R . | jq -sc .; }
# watching_since SEQ RESOURCE... : each RESOURCE has a watch, started after
# request SEQ, that the server accepted.
watching_since() {
    local seq=$1
    shift
    ctl GET "/requests?since=$seq&verb=watch" | jq -e --argjson want "$(resources_json "$@")" '
        .items as $it | all($want[]; . as $r | any($it[]; .resource == $r and .code == 200))' >/dev/null
}

# ---- the agent ----
t_agent=$(_nslab_now_us)
nslab_run_bg cp agent "$KBGPD" agent --node k8s-cp --kubeconfig "$A/kubeconfig-tokenfile" \
    --api-group cilium.io/v2 --run-dir "$NSLAB_DIR/cp" --metrics off -v
AGENT_LOG=$(nslab_log agent)

# 1. Initial list and watch.
nslab_wait 20 "FRR established with k8s-cp" nslab_frr_established frr 172.31.1.10
t_est=$(_nslab_now_us)
nslab_wait 10 "k8s-cp's PodCIDR at FRR" frr_path_from 172.20.0.0/24
status_established() {
    nodeconfig | jq -e '.status.bgpInstances[0].peers[0].peeringState == "established"' >/dev/null
}
nslab_wait 10 "the NodeConfig's status says established" status_established
nslab_say "status established $(ms_since "$t_est") ms after FRR's session, $(ms_since "$t_agent") ms after the agent started"
nodeconfig | jq -e '.status.bgpInstances[0] | .name == "instance-65001" and .localASN == 65001
    and .peers[0].peerAddress == "172.31.1.200" and .peers[0].peerASN == 65000' >/dev/null ||
    nslab_fail "unexpected NodeConfig status: $(nodeconfig | jq -c .status)"
ctl GET '/requests?method=PATCH&path=/ciliumbgpnodeconfigs/k8s-cp/status$' |
    jq -e '.items | length > 0 and all(.[]; .contentType == "application/json-patch+json")' >/dev/null ||
    nslab_fail "the status was not written with a JSON patch of /status:
$(ctl GET '/requests?method=PATCH' | jq -c '.items[] | {path, contentType, code}')"

# 2. A change through the API reaches FRR.
service_json() { # NAME
    jq -nc --arg n "$1" '{apiVersion: "v1", kind: "Service",
        metadata: {name: $n, namespace: "default", labels: {app: "webpod"}},
        spec: {type: "LoadBalancer", selector: {app: "webpod"}, ports: [{port: 80, targetPort: 80}]}}'
}
lb_status() { jq -nc --arg ip "$1" '{status: {loadBalancer: {ingress: [{ip: $ip}]}}}'; }
create_service() { # NAME IP : as a user creates it and LB IPAM then gives it its IP
    api POST /api/v1/namespaces/default/services "$(service_json "$1")" >/dev/null
    api PATCH "/api/v1/namespaces/default/services/$1/status" "$(lb_status "$2")" \
        application/merge-patch+json >/dev/null
}
t0=$(_nslab_now_us)
api POST /apis/cilium.io/v2/ciliumbgpadvertisements \
    "$(yaml2json <"$here/../../lab/manifests/lb-advertisement.yaml")" >/dev/null
create_service webpod 172.16.1.1
t1=$(_nslab_now_us)
nslab_wait 10 "172.16.1.1/32 from k8s-cp" frr_path_from 172.16.1.1/32
nslab_say "API change to FRR: $(ms_since "$t0") ms from the first write, $(ms_since "$t1") ms from the Service's status"
echo "agent_api: Service LoadBalancer IP at FRR $(ms_since "$t1") ms after its status was written"

# 3. A watch cut in the middle of an event.
drop=$(ctl POST /watches/drop '{"mode": "mid-event", "next": true, "resource": "services"}')
(($(jq .watches <<<"$drop") >= 1)) || nslab_fail "no Service watch to cut: $drop"
seq=$(req_seq)
api DELETE /api/v1/namespaces/default/services/webpod >/dev/null
nslab_wait 10 "the Service's deletion withdraws 172.16.1.1/32 after the cut watch" \
    nslab_not frr_path_from 172.16.1.1/32
nslab_wait 10 "the agent watches services again" watching_since "$seq" services
create_service webpod 172.16.1.1
nslab_wait 10 "a Service created again arrives" frr_path_from 172.16.1.1/32
frr_path_from 172.20.0.0/24 || nslab_fail "the PodCIDR left FRR"

all_watching() {
    ctl GET /watches | jq -e --argjson want "$(resources_json "${agent_resources[@]}")" \
        '[.items[].resource] as $have | all($want[]; . as $r | any($have[]; . == $r))' >/dev/null
}
nslab_wait 10 "the agent watches all its kinds" all_watching
poll_start relist 172.20.0.0/24 172.16.1.1/32
sleep 0.3
seq=$(req_seq)
# Stalled watches send no bookmark: the agent's resourceVersion stays behind
# the write below, and the compaction point passes it.
ctl POST /watches/stall '{"on": true}' >/dev/null
ctl POST /objects '{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "bump", "namespace": "default"}}' >/dev/null
compacted=$(ctl POST /compact '{}' | jq -r .compacted)
ctl POST /watches/drop '{"mode": "clean"}' >/dev/null
ctl POST /watches/stall '{"on": false}' >/dev/null
nslab_say "history compacted at $compacted, watches ended cleanly"
relisted() { # every kind: a watch from before the compaction, then a list
    ctl GET "/requests?since=$seq&method=GET" | jq -e --argjson c "$compacted" \
        --argjson want "$(resources_json "${agent_resources[@]}")" '
        .items as $it | all($want[]; . as $r |
            ([$it[] | select(.resource == $r and .verb == "watch" and
                ((.query.resourceVersion // "0") | tonumber) < $c) | .seq] | min) as $w |
            ([$it[] | select(.resource == $r and .verb == "list" and .seq > $w) | .seq] | min) as $l |
            $w != null and $l != null and
            any($it[]; .resource == $r and .verb == "watch" and .seq > $l and .code == 200))' >/dev/null
}
nslab_wait 15 "the agent lists every kind again after 410, and watches again" relisted
sleep 2 # what a bad relist would withdraw goes within this
poll_stop relist
ctl GET "/requests?since=$seq&method=GET" |
    jq -r '.items[] | "\(.seq) \(.verb) \(.resource) rv=\(.query.resourceVersion // "-") \(.code)"' |
    head -n 30 >"$NSLAB_DIR/relist.requests"
nslab_say "requests after the compaction: $(tr '\n' ';' <"$NSLAB_DIR/relist.requests")"

# 5. An API outage.
warned() { (($(grep -c 'retrying, last view kept' "$AGENT_LOG") > warn0)); }
warn0=$(grep -c 'retrying, last view kept' "$AGENT_LOG" || true)
lines0=$(wc -l <"$AGENT_LOG")
poll_start outage 172.20.0.0/24 172.16.1.1/32
sleep 0.3
t_out=$(_nslab_now_us)
ctl POST /outage '{"mode": "refuse"}' >/dev/null
if nslab_exec cp curl -sS --max-time 3 --cacert "$A/ca.crt" "https://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then
    nslab_fail "the API server still answers during the outage"
fi
# Changes the agent cannot see until the server is back (the control port
# bypasses the outage): webpod deleted, webpod2 created with its IP.
ctl DELETE '/objects?group=&resource=services&namespace=default&name=webpod' >/dev/null
ctl POST /objects "$(service_json webpod2 | jq -c --argjson s "$(lb_status 172.16.1.2)" '. + $s')" >/dev/null
nslab_wait 5 "the agent logs the failure" warned
nslab_say "agent: $(grep 'retrying, last view kept' "$AGENT_LOG" | tail -n 1)"
while (($(ms_since "$t_out") < 5000)); do sleep 0.1; done
frr_path_from 172.16.1.2/32 && nslab_fail "172.16.1.2/32 at FRR while the server was down"
poll_stop outage
ctl POST /outage '{"mode": "none"}' >/dev/null
t_back=$(_nslab_now_us)
nslab_wait 20 "webpod2's 172.16.1.2/32 at FRR after the outage" frr_path_from 172.16.1.2/32
nslab_wait 10 "webpod's 172.16.1.1/32, deleted during the outage, withdrawn" nslab_not frr_path_from 172.16.1.1/32
nslab_say "outage changes applied $(ms_since "$t_back") ms after the server came back"
frr_path_from 172.20.0.0/24 || nslab_fail "the PodCIDR left FRR after the outage"
# Every reflector says so once its watch runs again (the fake server sends a
# bookmark every second); until then the failure is one of its problems.
back_in_step() {
    local r
    for r in "${agent_resources[@]}"; do
        tail -n +"$((lines0 + 1))" "$AGENT_LOG" | grep -qF "msg=\"$r: back in step with the API server\"" ||
            { echo "$r: not back in step"; return 1; }
    done
}
nslab_wait 20 "every kind of the agent back in step with the API server" back_in_step
no_api_problems() {
    local p
    p=$("$KBGPCTL" -s "$NSLAB_DIR/cp/agent.sock" -o json call problems) || return 1
    jq -e '.manifests | length == 0' <<<"$p" >/dev/null || { echo "$p"; return 1; }
}
nslab_wait 5 "no API problem left at the agent" no_api_problems

# 6. Token rotation.
nslab_wait 15 "the agent watches all its kinds after the outage" all_watching
old_token=$(api_token)
seq=$(req_seq)
new_token=$(ctl POST /token '{}' | jq -r .token)
[[ -n $new_token && $new_token != "$old_token" ]] || nslab_fail "the token did not change"
if API_TOKEN=$old_token api GET /api/v1/namespaces/default/secrets/old-token-check >/dev/null 2>&1; then
    nslab_fail "the old token still works"
fi
# Open watches were authenticated before the rotation: end them, so every
# request from now on needs the new token.
ctl POST /watches/drop '{"mode": "reset"}' >/dev/null
nslab_wait 15 "the agent watches all its kinds with the new token" \
    watching_since "$seq" "${agent_resources[@]}"
api DELETE /api/v1/namespaces/default/services/webpod2 >/dev/null
create_service webpod 172.16.1.1
nslab_wait 10 "172.16.1.1/32 at FRR after the rotation" frr_path_from 172.16.1.1/32
nslab_wait 10 "172.16.1.2/32 withdrawn after the rotation" nslab_not frr_path_from 172.16.1.2/32
reqs=$(ctl GET "/requests?since=$seq&method=GET&verb=watch")
n401=$(ctl GET "/requests?since=$seq" | jq '[.items[] | select(.code == 401 and (.path | endswith("/old-token-check") | not))] | length')
nslab_say "after the rotation: $(jq '.items | length' <<<"$reqs") watches, $n401 answered 401"
last_ok() { # every kind's latest request since the rotation succeeded
    ctl GET "/requests?since=$seq&method=GET" | jq -e --argjson want "$(resources_json "${agent_resources[@]}")" '
        .items as $it | all($want[]; . as $r |
            ([$it[] | select(.resource == $r and .verb != "get")] | last) as $l |
            $l != null and $l.code == 200)' >/dev/null
}
last_ok || nslab_fail "the agent's requests fail after the rotation:
$(ctl GET "/requests?since=$seq&method=GET" | jq -c '.items[] | {seq, verb, resource, code}' | tail -n 20)"
status_written() { # a status patch with the new token
    ctl GET "/requests?since=$seq&method=PATCH" | jq -e '.items | length > 0 and all(.[]; .code == 200)' >/dev/null
}
if status_written; then nslab_say "status written with the new token"; fi

# None of this touched the BGP session.
conns=$(nslab_vtysh frr "show bgp neighbors 172.31.1.10 json" | jq '.[].connectionsEstablished')
[[ $conns == 1 ]] || nslab_fail "FRR's session with k8s-cp was established $conns times (expected once)"

# 7. A clean stop, nothing left behind.
nslab_kill agent TERM
if grep -E 'AddressSanitizer|LeakSanitizer|runtime error:' "$AGENT_LOG" >/dev/null; then
    nslab_fail "sanitizer report in the agent's log:
$(grep -E -A 20 'AddressSanitizer|LeakSanitizer|runtime error:' "$AGENT_LOG" | head -n 40)"
fi
procs=$(nslab_procs)
prefix=$NSLAB_PREFIX
nslab_teardown
while read -r name pid start _; do
    [[ -n $name ]] || continue
    if _nslab_alive "$pid" "$start"; then
        echo "FAIL: $name (pid $pid) still running after teardown" >&2
        exit 1
    fi
done <<<"$procs"
if ip netns list | awk '{ print $1 }' | grep -q "^$prefix"; then
    echo "FAIL: namespaces left: $(ip netns list | grep "^$prefix")" >&2
    exit 1
fi
echo "PASS" >&2
