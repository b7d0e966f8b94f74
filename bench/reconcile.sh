#!/usr/bin/env bash
# bench/reconcile.sh : the agent's reconcile latency and memory (issue 7).
#
#   node (kbgpd agent, AS 65001) 10.0.0.1 --veth-- 10.0.0.2 sink (bgpsink, AS 65000)
#
# Two namespaces, kbgp-bench-PID-node and kbgp-bench-PID-sink, joined by a
# veth created inside them (nothing is added to the root namespace); both
# and the work directory go on exit (trap).  For each case (CASES, default
# "small large"):
#   1. a manifests directory: Cilium BGPv2 ClusterConfig / PeerConfig /
#      a Service advertisement (LoadBalancerIP, selector app=bench), four
#      Nodes (bench-node-0 is the agent's, enable-bgp=true);
#   2. `kbgpd operator` runs once on it to write the NodeConfig into
#      .kbgp-state/operator/, and is stopped;
#   3. bgpsink gen writes SERVICES LoadBalancer Services (one file each)
#      and 5 EndpointSlices of 4 endpoints per Service (one file per
#      Service).  The ingress IPs are written straight into each Service's
#      status.loadBalancer.ingress: no LB IPAM pool, no operator overlay;
#   4. bgpsink listens in the sink namespace, `kbgpd agent` starts in the
#      node namespace and connects to it; converge = agent started -> the
#      sink holds all SERVICES /32s; VmRSS/VmHWM of the agent read 1 s
#      later;
#   5. bgpsink then makes CHANGES changes, one at a time, each the rename
#      of a rewritten Service file that withdraws or brings back exactly one
#      /32 (ingress IP dropped, or externalTrafficPolicy Local with no
#      endpoint on the node), and times rename -> UPDATE read at the sink;
#      VmRSS/VmHWM again at the end.
# Cases: small = 10 Services / 50 EndpointSlices; large = 1,000 Services /
# 5,000 EndpointSlices (the issue's size).  Targets: p99 < 50 ms, agent
# RSS < 20 MB.
#
# Environment: KBGPD, BGPSINK (binaries, default build-rel/), CASES,
# SERVICES_SMALL (10), SERVICES_LARGE (1000), CHANGES (1000), GAP_MS (pause
# after each UPDATE, 20), VERBOSE=1 (agent -v, log kept in KEEP_LOGS),
# KEEP_LOGS=DIR (copy the agent and sink logs and per-change latencies
# there), TIMEOUT (per case, 600 s), PERF=DIR (perf record of the agent
# over the changes into DIR/CASE.data; PERF_CALLGRAPH, default dwarf),
# HEAPTRACK=DIR (the agent runs under heaptrack, its profile in
# DIR/CASE.*: where the memory goes; latencies are then meaningless).
# Run as root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")

: "${CASES:=small large}" "${SERVICES_SMALL:=10}" "${SERVICES_LARGE:=1000}"
: "${CHANGES:=1000}" "${GAP_MS:=20}" "${TIMEOUT:=600}" "${VERBOSE:=0}"
: "${KBGPD:=$root/build-rel/kbgpd}" "${BGPSINK:=$root/build-rel/bgpsink}"
TARGET_P99_MS=50
TARGET_RSS_KB=$((20 * 1024))

[[ $(id -u) == 0 ]] || { echo "reconcile.sh: run as root" >&2; exit 1; }
for b in "$KBGPD" "$BGPSINK"; do
    [[ -x $b ]] || { echo "reconcile.sh: $b not found (see bench/README.md)" >&2; exit 1; }
done

NS_NODE=kbgp-bench-$$-node
NS_SINK=kbgp-bench-$$-sink
WORK=$(mktemp -d /tmp/kbgp-bench.XXXXXX)
PIDS=()

cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    ip netns del "$NS_NODE" 2>/dev/null || true
    ip netns del "$NS_SINK" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "reconcile: $*" >&2; }
CUR=""  # the running case's directory, for its logs on failure
fail() {
    say "FAIL: $*"
    if [[ -n $CUR ]]; then
        [[ -n ${KEEP_LOGS:-} ]] && mkdir -p "$KEEP_LOGS" && cp "$CUR"/*.log "$KEEP_LOGS/" 2>/dev/null
        tail -n 15 "$CUR/agent.log" >&2 2>/dev/null || true
    fi
    exit 1
}

# wait_for SECONDS WHAT CMD... : poll CMD every 50 ms
wait_for() {
    local deadline=$((SECONDS + $1)) what=$2
    shift 2
    until "$@"; do
        ((SECONDS < deadline)) || fail "timeout waiting for $what"
        sleep 0.05
    done
}

field() { # FILE WORD N : field N of the first line of FILE starting with WORD
    awk -v w="$2" -v n="$3" '$1 == w { print $n; exit }' "$1"
}

kb_of() { # PID FIELD : VmRSS / VmHWM in kB
    awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

setup_net() {
    ip netns add "$NS_NODE"
    ip netns add "$NS_SINK"
    ip -n "$NS_NODE" link add veth0 type veth peer name veth0 netns "$NS_SINK"
    ip -n "$NS_NODE" addr add 10.0.0.1/24 dev veth0
    ip -n "$NS_SINK" addr add 10.0.0.2/24 dev veth0
    local ns
    for ns in "$NS_NODE" "$NS_SINK"; do
        ip -n "$ns" link set lo up
        ip -n "$ns" link set veth0 up
    done
}

write_cluster() { # DIR
    cat >"$1/bgp.yaml" <<'YAML'
apiVersion: cilium.io/v2
kind: CiliumBGPClusterConfig
metadata:
  name: bench
spec:
  nodeSelector:
    matchLabels:
      enable-bgp: "true"
  bgpInstances:
    - name: instance-65001
      localASN: 65001
      peers:
        - name: sink
          peerASN: 65000
          peerAddress: 10.0.0.2
          peerConfigRef:
            name: bench-peer
---
apiVersion: cilium.io/v2
kind: CiliumBGPPeerConfig
metadata:
  name: bench-peer
spec:
  timers:
    holdTimeSeconds: 9
    keepAliveTimeSeconds: 3
    connectRetryTimeSeconds: 1
  families:
    - afi: ipv4
      safi: unicast
      advertisements:
        matchLabels:
          advertise: bgp
---
apiVersion: cilium.io/v2
kind: CiliumBGPAdvertisement
metadata:
  name: bench-services
  labels:
    advertise: bgp
spec:
  advertisements:
    - advertisementType: Service
      service:
        addresses:
          - LoadBalancerIP
      selector:
        matchLabels:
          app: bench
YAML
    local i
    for i in 0 1 2 3; do
        local label=false
        ((i == 0)) && label=true
        printf -- '---\napiVersion: v1\nkind: Node\nmetadata: {name: bench-node-%d, labels: {enable-bgp: "%s"}, creationTimestamp: "2026-01-01T00:00:0%dZ"}\nstatus: {addresses: [{type: InternalIP, address: 10.0.0.%d}]}\n' \
            "$i" "$label" "$i" $((i == 0 ? 1 : 10 + i))
    done >"$1/nodes.yaml"
}

# One case; prints one result line on stdout:
#   name services slices converge_s rss_kb hwm_kb rss_end_kb hwm_end_kb latency-fields...
run_case() {
    local name=$1 services=$2 dir=$WORK/$1
    local m=$dir/manifests
    CUR=$dir
    mkdir -p "$m" "$dir/tmp" "$dir/run"
    write_cluster "$m"

    # The operator once, for the NodeConfig.
    timeout 30 "$KBGPD" operator --manifests "$m" >"$dir/operator.log" 2>&1 &
    local op=$!
    PIDS+=("$op")
    has_nodeconfig() { grep -qs bench-node-0 "$m/.kbgp-state/operator/nodeconfigs.json"; }
    wait_for 20 "the operator's NodeConfig" has_nodeconfig
    kill "$op"
    wait "$op" 2>/dev/null || true

    "$BGPSINK" gen --dir "$m" --services "$services" --slices 5 --endpoints 4 --nodes 4 \
        --node bench-node
    local files
    files=$(find "$m" -maxdepth 1 -name '*.yaml' | wc -l)
    say "$name: $services Services, $((services * 5)) EndpointSlices in $files files ($(du -sh "$m" | cut -f1))"

    local sink_log=$dir/sink.log agent_log=$dir/agent.log
    ip netns exec "$NS_SINK" timeout "$TIMEOUT" "$BGPSINK" sink --local 10.0.0.2 --peer 10.0.0.1 \
        --as 65000 --peer-as 65001 --expect "$services" --wait 60 --drive "$m" --tmp "$dir/tmp" \
        --services "$services" --changes "$CHANGES" --gap-ms "$GAP_MS" --timeout-ms 5000 \
        --start-ms 2000 --log "$dir/changes.log" >"$sink_log" 2>&1 &
    local sink=$!
    PIDS+=("$sink")
    wait_for 10 "the sink listening" grep -q '^listening' "$sink_log"

    local verbose=() wrap=()
    [[ $VERBOSE == 1 ]] && verbose=(-v)
    if [[ -n ${HEAPTRACK:-} ]]; then
        mkdir -p "$HEAPTRACK"
        wrap=(heaptrack -o "$HEAPTRACK/$name")
    fi
    local t0=$EPOCHREALTIME
    ip netns exec "$NS_NODE" timeout "$TIMEOUT" "${wrap[@]}" "$KBGPD" agent "${verbose[@]}" \
        --node bench-node-0 --manifests "$m" --run-dir "$dir/run" --metrics off >"$agent_log" 2>&1 &
    local wrapper=$! agent=""
    PIDS+=("$wrapper")
    # The one kbgpd in the node's namespace, whatever runs it.
    agent_pid() {
        local p
        agent=""
        for p in $(ip netns pids "$NS_NODE"); do
            [[ $(cat "/proc/$p/comm" 2>/dev/null) == kbgpd ]] && agent=$p
        done
        [[ -n $agent ]]
    }
    wait_for 10 "the agent process" agent_pid
    sink_ok() {
        grep -q "^$1" "$sink_log" && return 0
        kill -0 "$sink" 2>/dev/null || fail "$name: the sink exited: $(tail -n 3 "$sink_log")"
        kill -0 "$agent" 2>/dev/null || fail "$name: the agent exited: $(tail -n 3 "$agent_log")"
        return 1
    }
    wait_for 120 "all $services prefixes at the sink" sink_ok complete
    local converge
    converge=$(awk -v a="$t0" -v b="$(field "$sink_log" complete 2)" 'BEGIN { printf "%.3f", b - a }')
    sleep 1
    local rss hwm
    rss=$(kb_of "$agent" VmRSS) hwm=$(kb_of "$agent" VmHWM)
    say "$name: converged in $converge s; agent VmRSS $rss kB, VmHWM $hwm kB; $CHANGES changes..."
    local perf=""
    if [[ -n ${PERF:-} ]]; then
        mkdir -p "$PERF"
        timeout "$TIMEOUT" perf record -q -e cpu-clock -F 1999 --call-graph "${PERF_CALLGRAPH:-dwarf}" \
            -o "$PERF/$name.data" -p "$agent" >/dev/null 2>&1 &
        perf=$!
        PIDS+=("$perf")
    fi
    wait_for "$TIMEOUT" "$CHANGES changes" sink_ok done
    if [[ -n $perf ]]; then
        kill -INT "$perf" 2>/dev/null || true
        wait "$perf" 2>/dev/null || true
    fi
    local rss2 hwm2
    rss2=$(kb_of "$agent" VmRSS) hwm2=$(kb_of "$agent" VmHWM)
    kill "$sink" "$agent" 2>/dev/null || true
    wait "$sink" "$wrapper" 2>/dev/null || true
    if [[ -n ${KEEP_LOGS:-} ]]; then
        mkdir -p "$KEEP_LOGS"
        cp "$sink_log" "$KEEP_LOGS/$name.sink.log"
        cp "$agent_log" "$KEEP_LOGS/$name.agent.log"
        cp "$dir/changes.log" "$KEEP_LOGS/$name.changes.log"
    fi
    local lat
    lat=$(grep '^latency' "$sink_log")
    # Sessions the agent dropped before Established (bgpsink accepts again).
    local drops
    drops=$(grep -c '^closed' "$sink_log" || true)
    echo "$name $services $((services * 5)) $converge $rss $hwm $rss2 $hwm2 ${lat#latency } drops $drops"
}

report() { # RESULT_LINES on stdin
    awk -v tp="$TARGET_P99_MS" -v tr="$TARGET_RSS_KB" '
    { for (i = 9; i < NF; i += 2) v[$i] = $(i + 1)
      printf "%-6s %5d Services %5d EndpointSlices: converge %.2f s%s\n", $1, $2, $3, $4,
             (v["drops"] > 0 ? sprintf(" (the agent dropped %d connection(s) before Established)", v["drops"]) : "")
      printf "  latency over %d changes (ms): p50 %.2f  p90 %.2f  p99 %.2f  max %.2f  mean %.2f" \
             "  (announce p99 %.2f, withdraw p99 %.2f)\n", v["n"], v["p50"], v["p90"], v["p99"],
             v["max"], v["mean"], v["announce-p99"], v["withdraw-p99"]
      printf "  p99 / %d ms target: %.2fx%s;  extra UPDATEs %d, timeouts %d\n", tp, v["p99"] / tp,
             v["p99"] < tp ? " (met)" : " (MISSED)", v["extra"], v["timeouts"]
      printf "  agent after converging: VmRSS %.1f MB, VmHWM %.1f MB;  after the changes: VmRSS" \
             " %.1f MB, VmHWM %.1f MB\n", $5 / 1024, $6 / 1024, $7 / 1024, $8 / 1024
      hw = $8 > $6 ? $8 : $6
      printf "  peak RSS / 20 MB target: %.2fx%s\n", hw / tr, hw < tr ? " (met)" : " (MISSED)" }'
}

main() {
    setup_net
    echo "reconcile: $(nproc) CPUs, $(uname -r), kbgpd $KBGPD" \
        "($(awk -F= '/^CMAKE_BUILD_TYPE/ { print $2 }' "$(dirname "$KBGPD")/CMakeCache.txt" 2>/dev/null))"
    echo "  one change = rename of a rewritten Service file; latency = rename -> UPDATE read at the sink"
    echo "  ingress IPs written directly in each Service's status.loadBalancer.ingress (no LB IPAM)"
    local results=$WORK/results c services
    : >"$results"
    for c in $CASES; do
        case $c in
            small) services=$SERVICES_SMALL ;;
            large) services=$SERVICES_LARGE ;;
            *) fail "unknown case $c" ;;
        esac
        run_case "$c" "$services" >>"$results"
    done
    echo
    report <"$results"
}

main "$@"
