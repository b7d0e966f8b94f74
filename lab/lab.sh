#!/usr/bin/env bash
# lab/lab.sh - the seed lab (/work/shared/seed/DIGEST.md) end to end: lab/topo.sh's network, the
# Kubernetes objects (a manifests directory, or an API server on k8s-cp: tests/k8sapi/fake_apiserver.py)
# read by a `kbgpd operator` and a `kbgpd agent` per node (Cilium's role), and the router (FRR with
# the seed's frr.conf, or `kbgpd router` with the equivalent BGPRouter manifest).
#
#   lab/lab.sh up [--router kbgpd|frr] [--source manifests|api] [--fib-import]
#                                              build or repair the lab, start BGP, show it
#   lab/lab.sh check [--router kbgpd|frr] [--source manifests|api]
#                                              check every seed result (PASS/FAIL; exit 1 on failure)
#   lab/lab.sh show                            what a seed user looks at (peers, routes, router tables)
#   lab/lab.sh status                          namespaces, processes, manifests state
#   lab/lab.sh maintenance NODE on|off         relabel NODE enable-bgp=false|true
#   lab/lab.sh scale N                         webpod replicas (EndpointSlice + webpods)
#   lab/lab.sh lb on|off                       webpod Service type LoadBalancer|ClusterIP
#   lab/lab.sh policy Cluster|Local            webpod externalTrafficPolicy
#   lab/lab.sh down                            remove everything (namespaces, processes, files)
#
# Run as root. Binaries: $KBGPD (default build/kbgpd), $KBGPCTL (default build/kbgpctl),
# $KBGP_LAB_WHOAMI (default build/lab_whoami). FRR from /usr/lib/frr ($KBGP_LAB_FRR_BIN), vtysh, jq;
# python3, openssl and curl for --source api.
# See lab/README.md, section BGP.
set -uo pipefail

LAB_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lab/topo.sh
source "$LAB_HERE/topo.sh"

_abs() { [[ $1 == /* ]] && echo "$1" || echo "$PWD/$1"; }
KBGPD=$(_abs "${KBGPD:-$LAB_REPO/build/kbgpd}")
KBGPCTL=$(_abs "${KBGPCTL:-$LAB_REPO/build/kbgpctl}")
: "${KBGP_LAB_WHOAMI:=$LAB_REPO/build/lab_whoami}"
KBGP_LAB_WHOAMI=$(_abs "$KBGP_LAB_WHOAMI")
export KBGP_LAB_WHOAMI
: "${KBGP_LAB_FRR_BIN:=/usr/lib/frr}"

BGP=$KBGP_LAB_RUN/bgp                 # everything BGP: manifests copy, run dirs, router config
M=$BGP/manifests                      # the manifests directory (a copy of lab/manifests, edited)
STATE=$M/.kbgp-state                  # what the operator and the agents write
API=$BGP/api                          # --source api: the API server's files (CA, kubeconfig, ...)
API_ADDR=172.31.1.10                  # ... which listens on k8s-cp, as a kube-apiserver would
API_PORT=6443
API_CONTROL_PORT=6444                 # its test control port (on k8s-cp's loopback)
FAKE_APISERVER=$LAB_REPO/tests/k8sapi/fake_apiserver.py
POD_CIDR_POOL=172.20.0.0/16           # Cilium's clusterPoolIPv4PodCIDRList in the seed
LB_IP=$KBGP_LAB_LB_IP

# ------------------------------------------------------------------------------------------------------
# Small helpers
# ------------------------------------------------------------------------------------------------------

die() {
    printf '[kbgp-lab] ERROR: %s\n' "$*" >&2
    exit 1
}
say() { _lab_say "$@"; }

need_bins() {
    local b
    [[ $EUID -eq 0 ]] || die "the lab needs root"
    for b in "$KBGPD" "$KBGPCTL"; do
        [[ -x $b ]] || die "no $b (cmake --build build --target kbgpd kbgpctl lab_whoami, or set KBGPD/KBGPCTL)"
    done
    lab_whoami_bin >/dev/null || exit 1
    command -v jq >/dev/null || die "jq is needed"
}

need_frr() {
    [[ -x $KBGP_LAB_FRR_BIN/zebra && -x $KBGP_LAB_FRR_BIN/bgpd ]] && command -v vtysh >/dev/null &&
        id frr >/dev/null 2>&1
}

# router_kind : the router variant that runs (kbgpd, frr), empty if none.
router_kind() { cat "$BGP/router" 2>/dev/null; }

agent_sock() { echo "$BGP/run/$1/agent.sock"; }
router_dir() { echo "$BGP/$(router_kind)"; }

# kctl_nodes ARGS... : kbgpctl across the nodes whose agent runs (NODE=SOCKET each).
kctl_nodes() {
    local n args=()
    for n in "${LAB_NODES[@]}"; do
        lab_proc_alive "agent-$n" && [[ -S $(agent_sock "$n") ]] && args+=(-s "$n=$(agent_sock "$n")")
    done
    ((${#args[@]})) || { echo "(no agent runs)"; return 1; }
    timeout 10 "$KBGPCTL" "${args[@]}" "$@"
}
kctl_node() { timeout 10 "$KBGPCTL" -s "$1=$(agent_sock "$1")" "${@:2}"; }

# vtysh_lab COMMAND... : vtysh against the lab's FRR (one -c per argument).
vtysh_lab() {
    local args=() c
    for c in "$@"; do args+=(-c "$c"); done
    timeout 10 vtysh --vty_socket "$BGP/frr" "${args[@]}"
}
# kctl_router ARGS... : kbgpctl against the lab's kbgpd router.
kctl_router() { timeout 10 "$KBGPCTL" -s "$BGP/kbgpd/router.sock" "$@"; }

# rshow COMMAND : an FRR-style `show ...` at the router, whichever variant runs.
rshow() {
    case $(router_kind) in
        frr) vtysh_lab "$1" ;;
        kbgpd) read -r -a words <<<"$1" && kctl_router "${words[@]}" ;;
        *) echo "(no router runs)" ;;
    esac
}
# rshow_json COMMAND : its JSON (FRR's `... json`, kbgpctl's -o json).
rshow_json() {
    case $(router_kind) in
        frr) vtysh_lab "$1 json" ;;
        kbgpd) read -r -a words <<<"$1" && kctl_router -o json "${words[@]}" ;;
        *) return 1 ;;
    esac
}

# ------------------------------------------------------------------------------------------------------
# The Kubernetes objects, from either source: a manifests directory edited as kubectl would (a whole
# new file, renamed into place), or the API server, edited as kubectl edit does (GET, change, PUT
# with the resourceVersion read, again on a conflict).
# ------------------------------------------------------------------------------------------------------

# source_kind : where the objects live (manifests, api), manifests until `up` says otherwise.
source_kind() { cat "$BGP/source" 2>/dev/null || echo manifests; }
lab_is_up() { [[ -d $M || -d $API ]]; }

# m_edit FILE JQ_ARGS... : rewrite M/FILE through jq (temp file then mv: the daemons see one change).
m_edit() {
    local f=$1
    shift
    jq "$@" "$M/$f" >"$M/.$f.tmp" && mv "$M/.$f.tmp" "$M/$f" || { rm -f "$M/.$f.tmp"; die "cannot edit $M/$f"; }
}

# manifests_reset : the run copy becomes lab/manifests again (file by file, each renamed into place).
manifests_reset() {
    local f
    mkdir -p "$M" || die "cannot make $M"
    for f in "$LAB_HERE"/manifests/*; do
        cp "$f" "$M/.${f##*/}.tmp" && mv "$M/.${f##*/}.tmp" "$M/${f##*/}" || die "cannot copy $f"
    done
}

# api METHOD PATH [BODY] : an API request from k8s-cp, as the admin (the server's client certificate);
# the body of the answer on stdout, failure on an HTTP error.
api() {
    local args=(-sS --fail-with-body --max-time 10 --cacert "$API/ca.crt" --cert "$API/client.crt"
        --key "$API/client.key" -X "$1")
    [[ -z ${3:-} ]] || args+=(-H 'Content-Type: application/json' --data-binary "$3")
    lab_exec k8s-cp curl "${args[@]}" "https://$API_ADDR:$API_PORT$2"
}

# api_path KIND NAME : where the lab's object KIND/NAME is in the API.
api_path() {
    case $1 in
        Node) echo "/api/v1/nodes/$2" ;;
        Service) echo "/api/v1/namespaces/default/services/$2" ;;
        EndpointSlice) echo "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/$2" ;;
        CiliumLoadBalancerIPPool) echo "/apis/cilium.io/v2/ciliumloadbalancerippools/$2" ;;
        CiliumBGPNodeConfig) echo "/apis/cilium.io/v2/ciliumbgpnodeconfigs/$2" ;;
        *) die "api_path: no $1" ;;
    esac
}

# m_file KIND : the manifests file holding the lab's objects of KIND.
m_file() {
    case $1 in
        Node) echo nodes.json ;;
        Service | EndpointSlice) echo webpod.json ;;
        *) die "m_file: no $1" ;;
    esac
}

# obj_get KIND NAME : the object as `kubectl get KIND NAME -o json` shows it, status included; failure
# when there is none. From a manifests directory: the object in the file that makes it (a manifest, the
# operator's NodeConfigs) with what the operator and the agents wrote merged onto it (for a pool only
# its status: its manifest is YAML).
obj_get() {
    local kind=$1 name=$2 base f files=()
    if [[ $(source_kind) == api ]]; then
        api GET "$(api_path "$kind" "$name")"
        return
    fi
    case $kind in
        Node | Service | EndpointSlice) base=$M/$(m_file "$kind") ;;
        CiliumLoadBalancerIPPool) base=$STATE/operator/status.json ;;
        CiliumBGPNodeConfig) base=$STATE/operator/nodeconfigs.json ;;
    esac
    for f in "$base" "$STATE/operator/status.json" "$STATE/agents/$name.json"; do
        [[ -f $f && " ${files[*]} " != *" $f "* ]] && files+=("$f")
    done
    ((${#files[@]})) || return 1
    jq -ne --arg k "$kind" --arg n "$name" --arg base "$base" '
        [inputs | {file: input_filename, obj: (.items[]? | select(.kind == $k and .metadata.name == $n))}] |
        if any(.[]; .file == $base) then reduce .[].obj as $o ({}; . * $o) else null end' "${files[@]}"
}

# obj_jq KIND NAME JQ_FILTER : a field of the object (jq -r); failure when there is no object.
obj_jq() {
    local obj
    obj=$(obj_get "$1" "$2") || return 1
    jq -r "$3" <<<"$obj"
}

# obj_edit KIND NAME JQ_FILTER [JQ_ARGS...] : the object becomes what JQ_FILTER makes of it.
obj_edit() {
    local kind=$1 name=$2 filter=$3 path obj new out try
    shift 3
    if [[ $(source_kind) != api ]]; then
        m_edit "$(m_file "$kind")" --arg _k "$kind" --arg _n "$name" "$@" \
            "(.items[] | select(.kind == \$_k and .metadata.name == \$_n)) |= ($filter)"
        return
    fi
    path=$(api_path "$kind" "$name")
    for try in 1 2 3 4 5; do
        obj=$(api GET "$path") || die "cannot read $kind $name: $obj"
        new=$(jq -c "$@" "$filter" <<<"$obj") || die "cannot edit $kind $name"
        out=$(api PUT "$path" "$new") && return 0
        [[ $(jq -r '.reason // empty' <<<"$out" 2>/dev/null) == Conflict ]] || die "cannot write $kind $name: $out"
    done
    die "cannot write $kind $name: conflicts $try times in a row"
}

svc_type() { obj_jq Service webpod '.spec.type'; }
svc_policy() { obj_jq Service webpod '.spec.externalTrafficPolicy // "Cluster"'; }
node_label() { obj_jq Node "$1" '.metadata.labels["enable-bgp"]'; }
replicas() { obj_jq EndpointSlice webpod-697b5 '.endpoints | length'; }

# api_start : the API server on k8s-cp with lab/manifests as its objects (a fresh one: stopped first).
api_start() {
    lab_proc_stop apiserver
    rm -rf "$API" && mkdir -p "$API" || return 1
    command -v python3 >/dev/null && command -v openssl >/dev/null && command -v curl >/dev/null ||
        { _lab_err "--source api needs python3, openssl and curl"; return 1; }
    lab_proc_start apiserver k8s-cp python3 "$FAKE_APISERVER" --dir "$API" --listen "$API_ADDR" \
        --port "$API_PORT" --control-port "$API_CONTROL_PORT" --chunking event --seed "$LAB_HERE/manifests" ||
        return 1
    lab_wait 10 "the API server on $API_ADDR:$API_PORT" api GET /readyz >/dev/null
}

# source_reset SOURCE : the objects of lab/manifests again, from SOURCE (manifests, api). Readers of the
# other source, or of an API server about to go, are stopped (`up` and `check` start them again).
source_reset() {
    local n
    if [[ $1 == api || $(source_kind) != "$1" ]]; then
        lab_proc_stop operator
        for n in "${LAB_NODES[@]}"; do lab_proc_stop "agent-$n"; done
    fi
    if [[ $1 == api ]]; then
        api_start || die "the API server did not start (log: $(lab_proc_log apiserver))"
        rm -rf "$M"
    else
        lab_proc_stop apiserver
        rm -rf "$API"
        manifests_reset
    fi
    echo "$1" >"$BGP/source"
}

source_where() {
    if [[ $(source_kind) == api ]]; then echo "the API server https://$API_ADDR:$API_PORT (on k8s-cp)"; else echo "$M"; fi
}

# source_opts : how the operator and the agents find the objects.
source_opts() {
    if [[ $(source_kind) == api ]]; then echo "--kubeconfig $API/kubeconfig"; else echo "--manifests $M"; fi
}

# replica I (0-based) runs on node LAB_NODES[I % 3] as its webpod number I/3+1 (one per node first,
# as the seed's anti-affinity spreads them).
replica_node() { echo "${LAB_NODES[$(($1 % 3))]}"; }
replica_idx() { echo $(($1 / 3 + 1)); }

# lb_sync : each node's LoadBalancer delivery (nftables DNAT, lab_lb_on) follows the Service.
lb_sync() {
    if [[ $(svc_type) == LoadBalancer ]]; then
        if [[ $(svc_policy) == Local ]]; then lab_lb_on all local; else lab_lb_on all cluster; fi
    else
        lab_lb_off all
    fi
}

cmd_scale() {
    local n=${1:-} i node idx eps want
    [[ $n =~ ^[0-9]+$ ]] && ((n <= 27)) || die "usage: scale N (0..27)"
    lab_is_up || die "the lab is not up"
    # Scale up: the pods first, then their endpoints (ready once they listen).
    for ((i = 0; i < n; i++)); do
        lab_webpod_start "$(replica_node "$i")" "$(replica_idx "$i")" || die "webpod $i did not start"
    done
    eps=$(for ((i = 0; i < n; i++)); do
        node=$(replica_node "$i")
        printf '{"addresses":["%s"],"nodeName":"%s","conditions":{"ready":true}}\n' \
            "$(lab_webpod_ip "$node" "$(replica_idx "$i")")" "$node"
    done | jq -s -c .)
    obj_edit EndpointSlice webpod-697b5 '.endpoints = $eps' --argjson eps "$eps"
    # Scale down: endpoints gone first, then the pods.
    for ((i = n; i < 27; i++)); do
        node=$(replica_node "$i")
        idx=$(replica_idx "$i")
        lab_proc_alive "$node-$(_lab_webpod_pod "$idx")" || _lab_has_ns "$node-$(_lab_webpod_pod "$idx")" ||
            continue
        lab_webpod_stop "$node" "$idx" || die "cannot stop webpod $i"
    done
    want=$n
    say "webpod: $want replicas ($(lab_webpods | paste -sd' '))"
}

cmd_lb() {
    lab_is_up || die "the lab is not up"
    case ${1:-} in
        on) obj_edit Service webpod '.spec |= (.type = "LoadBalancer" | .externalTrafficPolicy = (.externalTrafficPolicy // "Cluster"))' ;;
        off) obj_edit Service webpod '.spec |= (.type = "ClusterIP" | del(.externalTrafficPolicy))' ;;
        *) die "usage: lb on|off" ;;
    esac
    lb_sync
    say "webpod: type $(svc_type)"
}

cmd_policy() {
    lab_is_up || die "the lab is not up"
    [[ ${1:-} == Cluster || ${1:-} == Local ]] || die "usage: policy Cluster|Local"
    # As the API server: externalTrafficPolicy only on externally reachable Services.
    [[ $(svc_type) == LoadBalancer ]] || die "webpod is of type $(svc_type): lab.sh lb on first"
    obj_edit Service webpod '.spec.externalTrafficPolicy = $p' --arg p "$1"
    lb_sync
    say "webpod: externalTrafficPolicy $1"
}

cmd_maintenance() {
    local node=${1:-} v
    lab_is_up || die "the lab is not up"
    _lab_check_node "$node" || exit 2
    case ${2:-} in
        on) v=false ;;
        off) v=true ;;
        *) die "usage: maintenance NODE on|off" ;;
    esac
    obj_edit Node "$node" '.metadata.labels["enable-bgp"] = $v' --arg v "$v"
    say "$node: enable-bgp=$v"
}

# ------------------------------------------------------------------------------------------------------
# Processes: the router, the operator, the agents
# ------------------------------------------------------------------------------------------------------

# router_start kbgpd|frr : start that router variant (stopping the other one first).
router_start() {
    local want=$1 have d
    have=$(router_kind)
    if [[ -n $have && $have != "$want" ]]; then
        router_stop
    fi
    case $want in
        kbgpd)
            mkdir -p "$BGP/kbgpd" && cp "$LAB_HERE/router.yaml" "$BGP/kbgpd/router.yaml" || return 1
            lab_proc_start router-kbgpd router "$KBGPD" router -c "$BGP/kbgpd/router.yaml" \
                --run-dir "$BGP/kbgpd" --metrics off || return 1
            lab_wait 5 "kbgpd router's control socket" test -S "$BGP/kbgpd/router.sock" || return 1
            ;;
        frr)
            need_frr || { _lab_err "FRR (zebra, bgpd in $KBGP_LAB_FRR_BIN, vtysh, user frr) is not installed"; return 1; }
            d=$BGP/frr
            mkdir -p "$d" || return 1
            if ! lab_proc_alive router-zebra || ! lab_proc_alive router-bgpd; then
                # The seed's frr.conf word for word is bgpd's configuration; zebra gets the host name.
                cp "$LAB_HERE/frr.conf" "$d/bgpd.conf" && printf 'hostname router\n' >"$d/zebra.conf" || return 1
                chown -R frr:frr "$d"
            fi
            if ! lab_proc_alive router-zebra; then
                rm -f "$d/zebra.vty"
                lab_proc_start router-zebra router "$KBGP_LAB_FRR_BIN/zebra" -f "$d/zebra.conf" -i "$d/zebra.pid" \
                    -z "$d/zserv.api" --vty_socket "$d" -P 0 --log stdout --log-level informational || return 1
                lab_wait 10 "zebra's vty socket" test -S "$d/zebra.vty" || return 1
            fi
            if ! lab_proc_alive router-bgpd; then
                rm -f "$d/bgpd.vty"
                lab_proc_start router-bgpd router "$KBGP_LAB_FRR_BIN/bgpd" -f "$d/bgpd.conf" -i "$d/bgpd.pid" \
                    -z "$d/zserv.api" --vty_socket "$d" -P 0 --log stdout --log-level informational || return 1
                lab_wait 10 "bgpd's vty socket" test -S "$d/bgpd.vty" || return 1
            fi
            ;;
        *) _lab_err "unknown router '$want' (kbgpd or frr)"; return 1 ;;
    esac
    echo "$want" >"$BGP/router"
}

# router_stop : stop whichever router runs and clear what it left in the router's kernel (a kbgpd
# router with graceful restart leaves its routes for its next run; the other variant is not that).
router_stop() {
    lab_proc_stop router-kbgpd
    lab_proc_stop router-bgpd
    lab_proc_stop router-zebra
    rm -rf "$BGP/kbgpd" "$BGP/frr" "$BGP/router"
    if _lab_has_ns router; then
        ip -n "$(lab_ns router)" route flush proto bgp 2>/dev/null
        ip -n "$(lab_ns router)" nexthop flush proto bgp 2>/dev/null
    fi
    return 0
}

operator_start() {
    # shellcheck disable=SC2046 # source_opts: words
    lab_proc_start operator k8s-cp "$KBGPD" operator $(source_opts) --pod-cidr-pool "$POD_CIDR_POOL"
}

# agent_start NODE [--with [AGENT_OPTION...]] : start NODE's agent in its namespace with the options
# given after --with, else with those it had last time (none at first). Returns once its control
# socket exists.
agent_start() {
    local node=$1 opts_file="$BGP/agent-opts/$1" opts=() o
    shift
    mkdir -p "$BGP/agent-opts" "$BGP/run/$node" || return 1
    if [[ ${1:-} == --with ]]; then
        shift
        : >"$opts_file"
        for o in "$@"; do [[ -n $o ]] && printf '%s\n' "$o" >>"$opts_file"; done
    fi
    [[ -f $opts_file ]] && mapfile -t opts <"$opts_file"
    # shellcheck disable=SC2046 # source_opts: words
    lab_proc_start "agent-$node" "$node" "$KBGPD" agent --node "$node" $(source_opts) \
        --run-dir "$BGP/run/$node" --metrics off "${opts[@]}" || return 1
    lab_wait 5 "$node's agent control socket" test -S "$(agent_sock "$node")"
}
agent_opts() { paste -sd' ' "$BGP/agent-opts/$1" 2>/dev/null; }

# agent_restart NODE [--with [AGENT_OPTION...]] : SIGTERM (a graceful restart), then start again.
agent_restart() {
    lab_proc_stop "agent-$1" && agent_start "$@"
}

# ------------------------------------------------------------------------------------------------------
# Commands
# ------------------------------------------------------------------------------------------------------

# lab_opts COMMAND ARGS... : COMMAND's options into ROUTER (default: the one running, else kbgpd),
# SOURCE (default: the one in use, else manifests) and, for up, FIB_IMPORT; checked.
lab_opts() {
    local cmd=$1
    shift
    ROUTER="" SOURCE="" FIB_IMPORT=0
    while (($#)); do
        case $1 in
            --router) ROUTER=${2:-}; shift ;;
            --router=*) ROUTER=${1#*=} ;;
            --source) SOURCE=${2:-}; shift ;;
            --source=*) SOURCE=${1#*=} ;;
            --fib-import) [[ $cmd == up ]] || die "$cmd: unknown argument '$1'"; FIB_IMPORT=1 ;;
            *) die "$cmd: unknown argument '$1'" ;;
        esac
        shift
    done
    [[ -n $ROUTER ]] || ROUTER=$(router_kind)
    [[ -n $ROUTER ]] || ROUTER=kbgpd
    [[ $ROUTER == kbgpd || $ROUTER == frr ]] || die "--router kbgpd|frr"
    [[ -n $SOURCE ]] || SOURCE=$(source_kind)
    [[ $SOURCE == manifests || $SOURCE == api ]] || die "--source manifests|api"
}

cmd_up() {
    local router source fib n
    lab_opts up "$@"
    router=$ROUTER source=$SOURCE fib=$FIB_IMPORT
    need_bins
    [[ $router == frr ]] && ! need_frr && die "FRR is not installed (zebra, bgpd in $KBGP_LAB_FRR_BIN, vtysh)"
    lab_up || die "the topology did not come up"
    mkdir -p "$BGP" || die "cannot make $BGP"
    if [[ $source != "$(source_kind)" ]] || { [[ $source == api ]] && ! lab_proc_alive apiserver; } ||
        { [[ $source == manifests ]] && [[ ! -d $M ]]; }; then
        source_reset "$source"
    fi
    router_start "$router" || die "the $router router did not start"
    operator_start || die "the operator did not start"
    for n in "${LAB_NODES[@]}"; do
        if ((fib)); then
            [[ $(agent_opts "$n") == "--fib-import $POD_CIDR_POOL" ]] || lab_proc_stop "agent-$n"
            agent_start "$n" --with --fib-import "$POD_CIDR_POOL" || die "$n's agent did not start"
        else
            agent_start "$n" || die "$n's agent did not start"
        fi
    done
    lb_sync
    say "waiting for the sessions"
    for n in "${LAB_NODES[@]}"; do
        [[ $(node_label "$n") == true ]] || continue
        lab_wait 30 "$n's session Established at the router" router_peer_established "${LAB_NODE_IP[$n]}" ||
            die "no session with $n (logs in $KBGP_LAB_RUN/log)"
    done
    lab_wait 10 "the PodCIDRs in the router's kernel" sessions_up >/dev/null || die "the router has not got the PodCIDRs"
    sleep 0.5 # the router's UPDATEs to the nodes, for the counts shown below
    say "lab is up with the $router router, the objects in $(source_where)"
    cmd_show
}

cmd_down() {
    lab_down
}

cmd_show() {
    local kind
    kind=$(router_kind)
    hdr() { printf '\n=== %s\n' "$*"; }
    hdr "kbgpctl bgp peers"
    kctl_nodes bgp peers
    hdr "kbgpctl bgp routes available ipv4 unicast"
    kctl_nodes bgp routes available ipv4 unicast
    hdr "kbgpctl bgp routes advertised ipv4 unicast"
    kctl_nodes bgp routes advertised ipv4 unicast
    hdr "router ($kind): show ip bgp summary"
    rshow "show ip bgp summary"
    hdr "router ($kind): show ip bgp"
    rshow "show ip bgp"
    hdr "router: ip route | grep bgp (with the nexthops of ECMP routes)"
    router_bgp_routes
    return 0
}

cmd_status() {
    lab_status
    [[ -d $BGP ]] || { echo "BGP: not up"; return 0; }
    echo "BGP:"
    echo "  router: $(router_kind)"
    local n
    for n in "${LAB_NODES[@]}"; do
        printf '  %-8s enable-bgp=%-6s agent options: %s\n' "$n" "$(node_label "$n")" "$(agent_opts "$n")"
    done
    echo "  webpod: type $(svc_type), externalTrafficPolicy $(svc_policy), $(replicas) replicas"
    echo "  objects: $(source_where)"
}

# ------------------------------------------------------------------------------------------------------
# Reading the router (both variants)
# ------------------------------------------------------------------------------------------------------

# router_bgp_routes : `ip route | grep bgp` in the router, keeping the nexthop lines of ECMP routes.
router_bgp_routes() {
    lab_exec router ip route | awk '/ proto bgp / { p = 1; print; next } /^[ \t]/ && p { print; next } { p = 0 }'
}

# router_peers : one line per neighbour: "ADDRESS STATE REMOTE_AS PFX_RCD PFX_SNT" from the router's
# `show ip bgp summary json` (FRR) / `kbgpctl -o json show ip bgp summary` (kbgpd).
router_peers() {
    case $(router_kind) in
        frr)
            vtysh_lab "show ip bgp summary json" | jq -r '(.ipv4Unicast.peers // {}) | to_entries[] |
                "\(.key) \(.value.state) \(.value.remoteAs) \(.value.pfxRcd // 0) \(.value.pfxSnt // 0)"'
            ;;
        kbgpd)
            kctl_router -o json show ip bgp summary | jq -r '.instances[].peers[] |
                (.families // [] | map(select(.afi == "ipv4" and .safi == "unicast")) | .[0] // {}) as $f |
                "\(.address) \(.state | {idle: "Idle", connect: "Connect", active: "Active", opensent: "OpenSent",
                    openconfirm: "OpenConfirm", established: "Established"}[.] // .) \(.remote_asn)" +
                " \($f.accepted // 0) \($f.advertised // 0)"'
            ;;
    esac
}
router_peer_state() { router_peers | awk -v p="$1" '$1 == p { print $2 }'; }
router_peer_established() { [[ $(router_peer_state "$1") == Established ]]; }

# router_paths PREFIX : the router's valid paths for PREFIX in its BGP table, "NEIGHBOR fresh|stale"
# per line, sorted.
router_paths() {
    case $(router_kind) in
        frr)
            vtysh_lab "show ip bgp $1 json" |
                jq -r '.paths[]? | select(.valid) | "\(.peer.peerId) \(if .stale then "stale" else "fresh" end)"'
            ;;
        kbgpd)
            kctl_router -o json show ip bgp "$1" |
                jq -r '.instances[].routes[]?.paths[] | "\(.neighbor) \(if .stale then "stale" else "fresh" end)"'
            ;;
    esac | sort
}
router_path_neighbors() { router_paths "$1" | awk '{ print $1 }' | paste -sd' '; }

# router_fib PREFIX : the router's kernel route for PREFIX in one line, "none" if there is none:
#   proto=bgp metric=20 nhid=yes hops=GW%DEV,GW%DEV (hops sorted)
router_fib() {
    ip -n "$(lab_ns router)" -j route show "$1" 2>/dev/null | jq -r '
        if length == 0 then "none" else .[0] |
        "proto=\(.protocol) metric=\(.metric // 0) nhid=\(if .nhid then "yes" else "no" end) hops=" +
        ([ if .nexthops then .nexthops[] else . end | "\(.gateway // "-")%\(.dev // "-")" ] | sort | join(","))
        end'
}

node_podcidr() { echo "${LAB_NODE_PODNET[$1]}.0/24"; }
node_dev_at_router() { if [[ ${LAB_NODE_NET[$1]} == b ]]; then echo ens192; else echo ens160; fi; }
# fib_expected NODE... : the seed's kernel route at the router through these nodes
fib_expected() {
    local n h=()
    for n in "$@"; do h+=("${LAB_NODE_IP[$n]}%$(node_dev_at_router "$n")"); done
    echo "proto=bgp metric=20 nhid=yes hops=$(printf '%s\n' "${h[@]}" | sort | paste -sd,)"
}

pool_available() {
    obj_jq CiliumLoadBalancerIPPool cilium-pool '.status.conditions[]? | select(.type == "cilium.io/IPsAvailable") | .message'
}
svc_lb_ip() { obj_jq Service webpod '.status.loadBalancer.ingress[0].ip // empty'; }

# ------------------------------------------------------------------------------------------------------
# check: every seed result, as ok/FAIL lines
# ------------------------------------------------------------------------------------------------------

N_OK=0
N_FAIL=0
T0=0
C_FAILED=()
_ts() { local ds=$((($(_lab_now_ms) - T0) / 100)); printf '%3d.%d' $((ds / 10)) $((ds % 10)); }
section() { printf '\n[%ss] ==== %s\n' "$(_ts)" "$*"; }
look() { # TITLE COMMAND... : what a seed user looks at
    printf -- '--- %s\n' "$1"
    shift
    "$@" 2>&1 | sed 's/^/    /'
}
ok() { N_OK=$((N_OK + 1)); printf '[%ss] ok: %s\n' "$(_ts)" "$*"; }
fail() {
    N_FAIL=$((N_FAIL + 1))
    C_FAILED+=("$1")
    printf '[%ss] FAIL: %s\n' "$(_ts)" "$1"
    [[ -z ${2:-} ]] || printf '%s\n' "$2" | sed 's/^/      | /'
    return 1
}
# expect DESCRIPTION COMMAND... : COMMAND succeeds (its output shown on failure).
expect() {
    local what=$1 out
    shift
    if out=$("$@" 2>&1); then ok "$what"; else fail "$what" "$out"; fi
}
# expect_not DESCRIPTION COMMAND... : COMMAND fails.
expect_not() {
    local what=$1 out
    shift
    if out=$("$@" 2>&1); then fail "$what" "unexpectedly succeeded: $out"; else ok "$what"; fi
}
# expect_wait TIMEOUT_S DESCRIPTION COMMAND... : COMMAND succeeds within TIMEOUT_S.
expect_wait() {
    local t=$1 what=$2 out
    shift 2
    if out=$(lab_wait "$t" "$what" "$@" 2>&1); then ok "$what"; else fail "$what" "$out"; fi
}
# equals WANT COMMAND... : COMMAND prints exactly WANT.
equals() {
    local want=$1 got
    shift
    got=$("$@" 2>&1)
    [[ $got == "$want" ]] || { printf 'want: %s\ngot:  %s\n' "$want" "$got"; return 1; }
}
# timed TIMEOUT_S MIN_DS MAX_DS DESCRIPTION COMMAND... : COMMAND comes true between MIN_DS and MAX_DS
# tenths of a second from $TIMED_FROM (milliseconds, _lab_now_ms; default now), polled every 0.1 s for
# at most TIMEOUT_S.
TIMED_FROM=""
timed() {
    local t=$1 lo=$2 hi=$3 what=$4 t_start ds out
    shift 4
    t_start=${TIMED_FROM:-$(_lab_now_ms)}
    TIMED_FROM=""
    if ! out=$(lab_wait "$t" "$what" "$@" 2>&1); then
        fail "$what: not after ${t} s" "$out"
        return 1
    fi
    ds=$((($(_lab_now_ms) - t_start) / 100))
    if ((ds >= lo && ds <= hi)); then
        ok "$what after $((ds / 10)).$((ds % 10)) s"
    else
        fail "$what after $((ds / 10)).$((ds % 10)) s (want $((lo / 10)).$((lo % 10))..$((hi / 10)).$((hi % 10)) s)"
    fi
}

# --- probes used by the checks -------------------------------------------------------------------------

no_listener_179() { # NODE
    local l
    l=$(lab_exec "$1" ss -Hltn 'sport = :179')
    [[ -z $l ]] || { echo "$l"; return 1; }
}
# node_session NODE : the node's one BGP connection is kbgpd's, to 172.31.1.200:179, from an ephemeral port.
node_session() {
    local line local_port lo hi
    line=$(lab_exec "$1" ss -Htnp state established '( dport = :179 or sport = :179 )')
    echo "$line"
    [[ $(grep -c . <<<"$line") -eq 1 ]] || return 1
    [[ $line == *'172.31.1.200:179'* && $line == *'"kbgpd"'* ]] || return 1
    local_port=$(awk '{ print $3 }' <<<"$line")
    local_port=${local_port##*:}
    read -r lo hi < <(lab_exec "$1" sysctl -n net.ipv4.ip_local_port_range)
    ((local_port >= lo && local_port <= hi)) || { echo "local port $local_port not in $lo..$hi"; return 1; }
}
peer_row() { # IP AS RCD SNT : the router's summary row of neighbour IP
    local row
    row=$(router_peers | awk -v p="$1" '$1 == p')
    equals "$1 Established $2 $3 $4" echo "$row"
}
node_bgp_peer_row() { # NODE : its row of `kbgpctl bgp peers` across the nodes
    local t
    t=$(kctl_nodes bgp peers) || return 1
    echo "$t"
    # Received 4, as in the seed: 10.10.1.0/24 and the three PodCIDRs (the router sends each node
    # its own back; import refuses them all, as Cilium's allow-local does, and Received counts them).
    grep -Eq "^$1 +65001 +65000 +172\.31\.1\.200 +established .*ipv4/unicast +4 " <<<"$t"
}
node_available() { # NODE : bgp routes available shows its own PodCIDR, next hop 0.0.0.0, and only that
    local t
    t=$(kctl_node "$1" bgp routes available ipv4 unicast) || return 1
    echo "$t"
    grep -Eq " ${LAB_NODE_PODNET[$1]//./\\.}\.0/24 +0\.0\.0\.0 .*\[\{Origin: i\} \{Nexthop: 0\.0\.0\.0\}\]" <<<"$t"
}
router_table_has() { # REGEX : a line of the router's `show ip bgp` matches
    local t
    t=$(rshow "show ip bgp")
    grep -Eq "$1" <<<"$t" || { echo "$t"; return 1; }
}
curl_hostname() { # NS ADDR HOSTNAME
    local body
    body=$(lab_curl "$1" "$2") || { echo "$body"; return 1; }
    grep -qx "Hostname: $3" <<<"$body" || { echo "$body"; return 1; }
}
curl_remote_is() { # NS ADDR REGEX : the answer's RemoteAddr matches
    local body
    body=$(lab_curl "$1" "$2") || { echo "$body"; return 1; }
    echo "$body"
    grep -Eq "^RemoteAddr: $3$" <<<"$body"
}
fib_is() { equals "$2" router_fib "$1"; }
fib_none() { equals none router_fib "$1"; }
paths_are() { equals "$2" router_path_neighbors "$1"; }
paths_none() { equals "" router_path_neighbors "$1"; }
advertises() { kctl_node "$1" bgp routes advertised ipv4 unicast | grep -q " ${2//./\\.} "; }
not_advertises() { ! advertises "$@"; }
# nodeconfig_is NODE JQ_CONDITION : NODE's NodeConfig meets the condition (else it is shown).
nodeconfig_is() {
    local nc
    nc=$(obj_get CiliumBGPNodeConfig "$1") || { echo "no NodeConfig $1"; return 1; }
    jq -e "$2" <<<"$nc" >/dev/null || { jq -c '{name: .metadata.name, status}' <<<"$nc"; return 1; }
}
status_ok() { # NODE : NodeConfig status: established, routeCount ipv4/unicast
    nodeconfig_is "$1" '.status.bgpInstances[0].peers[0] |
        .peeringState == "established" and (.routeCount[0] | .afi == "ipv4" and .safi == "unicast" and
        (.advertised | type == "number") and (.received | type == "number"))'
}
status_empty() { nodeconfig_is "$1" '(.status // {}) == {}'; }
nodeconfig_exists() { obj_get CiliumBGPNodeConfig "$1" >/dev/null; }
nodeconfig_gone() { ! nodeconfig_exists "$1"; }
sessions_up() {
    local n
    for n in "${LAB_NODES[@]}"; do
        [[ $(node_label "$n") == true ]] || continue
        router_peer_established "${LAB_NODE_IP[$n]}" || { echo "$n not established"; return 1; }
        [[ $(router_fib "$(node_podcidr "$n")") != none ]] || { echo "no route to $n's PodCIDR"; return 1; }
    done
}
node_bgp_routes() { ip -n "$(lab_ns "$1")" route show proto bgp 2>/dev/null; }
route_fresh() { router_paths "$1" | grep -qx "${LAB_NODE_IP[$2]} fresh"; } # PREFIX NODE
route_gone() { [[ -z $(router_path_neighbors "$1") && $(router_fib "$1") == none ]]; } # PREFIX: BGP table and kernel
peer_not_established() { local s; s=$(router_peer_state "$1"); echo "state: $s"; [[ -n $s && $s != Established ]]; }
# hash_spread COUNT MIN MAX : COUNT requests from the router to the LB IP, all answered, by MIN..MAX webpods
hash_spread() {
    local out hosts
    out=$(lab_curl_count router "$LB_IP" "$1")
    echo "$out"
    [[ $out != *"(failed)"* ]] || return 1
    hosts=$(grep -c 'webpod' <<<"$out")
    ((hosts >= $2 && hosts <= $3))
}

# --- the check ------------------------------------------------------------------------------------------

GR_BG_PIDS=""
check_on_exit() {
    local rc=$? f
    trap - EXIT
    # shellcheck disable=SC2086
    [[ -n $GR_BG_PIDS ]] && kill $GR_BG_PIDS 2>/dev/null
    if ((rc != 0)); then
        for f in "$KBGP_LAB_RUN"/log/{router,operator,agent}*.log; do
            [[ -f $f ]] || continue
            printf '\n--- last lines of %s\n' "${f##*/}" >&2
            tail -n "${KBGP_LAB_TAIL_LINES:-12}" "$f" | sed 's/^/    /' >&2
        done
        if [[ ${KBGP_LAB_KEEP_ON_FAIL:-0} == 1 ]]; then
            echo "[kbgp-lab] check failed; the lab is left up (KBGP_LAB_KEEP_ON_FAIL=1): lab/lab.sh down" >&2
        else
            echo "[kbgp-lab] check failed or interrupted: taking the lab down" >&2
            KBGP_LAB_QUIET=1 lab_down
        fi
    fi
    exit "$rc"
}

cmd_check() {
    local router source n t cp_pod
    lab_opts check "$@"
    router=$ROUTER source=$SOURCE
    if [[ -z ${_KBGP_LAB_CHECK_BOUNDED:-} ]]; then
        # The whole check is bounded: SIGTERM after 300 s (the trap takes the lab down), SIGKILL 20 s later.
        export _KBGP_LAB_CHECK_BOUNDED=1
        exec timeout -k 20 "${KBGP_LAB_CHECK_TIMEOUT:-300}" "$0" check --router "$router" --source "$source"
    fi
    trap check_on_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    need_bins
    [[ $router == frr ]] && ! need_frr && die "FRR is not installed (zebra, bgpd in $KBGP_LAB_FRR_BIN, vtysh)"
    T0=$(_lab_now_ms)
    KBGP_LAB_QUIET=1

    section "setup: the lab with the $router router, the objects of lab/manifests from the $source source, 3 webpods"
    lab_up >/dev/null || exit 1
    mkdir -p "$BGP" || exit 1
    source_reset "$source"
    router_start "$router" || exit 1
    operator_start || exit 1
    cmd_scale 3 >/dev/null
    lab_lb_off all
    lab_pod_route_del all
    lab_hash_policy 0
    for n in "${LAB_NODES[@]}"; do
        if [[ -n $(agent_opts "$n") ]] || ! lab_proc_alive "agent-$n"; then
            lab_proc_stop "agent-$n"
            agent_start "$n" --with || exit 1
        fi
    done
    for n in "${LAB_NODES[@]}"; do
        # What an earlier `--fib-import` run put in the node's kernel: an agent without it leaves that
        # alone (see the final check), so it is cleared here for the seed's starting point.
        if [[ -n $(node_bgp_routes "$n") ]]; then
            printf 'note: %s: clearing the routes a --fib-import agent left in its kernel:\n%s\n' "$n" "$(node_bgp_routes "$n")"
            ip -n "$(lab_ns "$n")" route flush proto bgp
            ip -n "$(lab_ns "$n")" nexthop flush proto bgp 2>/dev/null
        fi
    done
    expect_wait 30 "3 sessions Established at the router, the PodCIDRs in its kernel" sessions_up || exit 1
    sleep 1 # the routers' first UPDATEs to the nodes: the PfxSnt counts below

    # ---------------------------------------------------------------------------------------------------
    section "1. sessions opened by the nodes, Established; counts (seed results 2, 3, 4, 6)"
    for n in "${LAB_NODES[@]}"; do
        look "$n: ss -tnp (port 179)" lab_exec "$n" ss -tnp '( dport = :179 or sport = :179 )'
    done
    for n in "${LAB_NODES[@]}"; do
        expect "$n: nothing listens on port 179" no_listener_179 "$n"
        expect "$n: kbgpd opened the session, from an ephemeral port, to 172.31.1.200:179" node_session "$n"
    done
    look "kbgpctl bgp peers" kctl_nodes bgp peers
    for n in "${LAB_NODES[@]}"; do
        expect "$n: bgp peers: local AS 65001, peer AS 65000, 172.31.1.200, established, ipv4/unicast, received 4" \
            node_bgp_peer_row "$n"
    done
    look "kbgpctl bgp routes available ipv4 unicast" kctl_nodes bgp routes available ipv4 unicast
    for n in "${LAB_NODES[@]}"; do
        expect "$n: bgp routes available: its PodCIDR $(node_podcidr "$n"), next hop 0.0.0.0" node_available "$n"
    done
    look "router ($router): show ip bgp summary" rshow "show ip bgp summary"
    for n in "${LAB_NODES[@]}"; do
        expect "router: neighbour ${LAB_NODE_IP[$n]} ($n): Established, AS 65001, PfxRcd 1, PfxSnt 4" \
            peer_row "${LAB_NODE_IP[$n]}" 65001 1 4
    done
    look "router ($router): show ip bgp" rshow "show ip bgp"
    expect "router: show ip bgp: 10.10.1.0/24, local (next hop 0.0.0.0, weight 32768)" \
        router_table_has '^\*> +10\.10\.1\.0/24 +0\.0\.0\.0 .* 32768 i$'
    for n in "${LAB_NODES[@]}"; do
        expect "router: show ip bgp: $(node_podcidr "$n") via ${LAB_NODE_IP[$n]}, path 65001 i" \
            router_table_has "^\*> +${LAB_NODE_PODNET[$n]//./\\.}\.0/24 +${LAB_NODE_IP[$n]//./\\.} .* 65001 i$"
    done

    # ---------------------------------------------------------------------------------------------------
    section "2. the router's kernel: the PodCIDRs via the nodes, proto bgp metric 20 (seed result 6)"
    look "router: ip route | grep bgp" router_bgp_routes
    for n in "${LAB_NODES[@]}"; do
        expect "router kernel: $(node_podcidr "$n") nhid via ${LAB_NODE_IP[$n]} dev $(node_dev_at_router "$n") proto bgp metric 20" \
            fib_is "$(node_podcidr "$n")" "$(fib_expected "$n")"
    done

    # ---------------------------------------------------------------------------------------------------
    section "3. pod-to-pod across nodes (seed results 1, 7), then kbgp's node-side import"
    cp_pod=$(lab_pod_ns k8s-cp curl-pod)
    look "k8s-cp: ip route (its own PodCIDR only: the agent installs nothing)" lab_exec k8s-cp ip route
    KBGP_LAB_CURL_TIMEOUT_MS=1000
    expect_not "curl-pod (k8s-cp) cannot reach webpod-k8s-w1 172.20.1.10 (no node route)" lab_curl "$cp_pod" 172.20.1.10
    expect_not "curl-pod (k8s-cp) cannot reach webpod-k8s-w0 172.20.2.10 (no node route)" lab_curl "$cp_pod" 172.20.2.10
    lab_pod_route_add all
    look "the seed's manual route, on every node (k8s-cp shown)" lab_exec k8s-cp ip route show 172.20.0.0/16
    expect "manual route: curl-pod reaches webpod-k8s-w1" curl_hostname "$cp_pod" 172.20.1.10 webpod-k8s-w1
    expect "manual route: curl-pod reaches webpod-k8s-w0" curl_hostname "$cp_pod" 172.20.2.10 webpod-k8s-w0
    lab_pod_route_del all
    expect_not "manual route removed: curl-pod cannot reach webpod-k8s-w1 again" lab_curl "$cp_pod" 172.20.1.10
    KBGP_LAB_CURL_TIMEOUT_MS=2000
    for n in "${LAB_NODES[@]}"; do
        agent_restart "$n" --with --fib-import "$POD_CIDR_POOL" || fail "$n's agent did not restart with --fib-import"
    done
    expect_wait 30 "agents restarted with --fib-import $POD_CIDR_POOL: sessions back" sessions_up
    expect_wait 10 "node-side import, no manual route: curl-pod reaches webpod-k8s-w1" \
        curl_hostname "$cp_pod" 172.20.1.10 webpod-k8s-w1
    expect_wait 10 "node-side import, no manual route: curl-pod reaches webpod-k8s-w0" \
        curl_hostname "$cp_pod" 172.20.2.10 webpod-k8s-w0
    expect_wait 10 "node-side import, no manual route: webpod-k8s-w0 reaches webpod-k8s-cp" \
        curl_hostname k8s-w0-webpod 172.20.0.10 webpod-k8s-cp
    expect "node-side import: k8s-cp has no manual route 172.20.0.0/16" equals "" lab_exec k8s-cp ip route show 172.20.0.0/16
    look "k8s-cp: ip route (kbgpd agent --fib-import $POD_CIDR_POOL)" lab_exec k8s-cp ip route
    look "k8s-w0: ip route" lab_exec k8s-w0 ip route

    # ---------------------------------------------------------------------------------------------------
    section "4. LB IPAM and the Service advertisement (seed results 10, 11, 12)"
    look "ippool cilium-pool: IPS AVAILABLE (webpod is a ClusterIP Service)" pool_available
    expect "pool cilium-pool: 254 IPs available" equals 254 pool_available
    cmd_lb on >/dev/null
    look "kubectl patch svc webpod -p '{\"spec\":{\"type\":\"LoadBalancer\"}}': the Service's spec" \
        obj_jq Service webpod '.spec | tostring'
    expect_wait 5 "pool cilium-pool: 253 IPs available" equals 253 pool_available
    expect_wait 5 "webpod: status.loadBalancer.ingress 172.16.1.1" equals 172.16.1.1 svc_lb_ip
    for n in "${LAB_NODES[@]}"; do
        expect_wait 5 "Cluster: $n advertises 172.16.1.1/32" advertises "$n" 172.16.1.1/32
    done
    look "kbgpctl bgp routes available ipv4 unicast" kctl_nodes bgp routes available ipv4 unicast
    look "kbgpctl bgp route-policies (k8s-cp)" kctl_node k8s-cp bgp route-policies
    expect "route-policies: tor-switch-ipv4-Service-webpod-default-LoadBalancerIP, 172.16.1.1/32 (32..32), accept" \
        grep_ctl k8s-cp 'tor-switch-ipv4-Service-webpod-default-LoadBalancerIP +export +172\.31\.1\.200/32 .*172\.16\.1\.1/32 \(32\.\.32\) .*accept' bgp route-policies
    expect "route-policies: tor-switch-ipv4-PodCIDR, 172.20.0.0/24 (24..24), accept" \
        grep_ctl k8s-cp 'tor-switch-ipv4-PodCIDR +export +172\.31\.1\.200/32 .*172\.20\.0\.0/24 \(24\.\.24\) .*accept' bgp route-policies
    expect_wait 5 "router: 172.16.1.1/32 from all three nodes" \
        paths_are 172.16.1.1/32 "172.30.1.10 172.31.1.10 172.31.1.11"
    expect_wait 5 "router kernel: ONE route 172.16.1.1 with three nexthops, proto bgp metric 20" \
        fib_is 172.16.1.1 "$(fib_expected k8s-cp k8s-w1 k8s-w0)"
    look "router: show ip bgp 172.16.1.1/32" rshow "show ip bgp 172.16.1.1/32"
    look "router: ip route show 172.16.1.1" lab_exec router ip route show 172.16.1.1
    expect "Cluster: curl 172.16.1.1 from the router is answered" curl_hostname_any router "$LB_IP"
    cmd_lb off >/dev/null
    expect_wait 5 "back to ClusterIP: webpod's status.loadBalancer.ingress is gone" equals "" svc_lb_ip
    expect_wait 5 "back to ClusterIP: pool cilium-pool: 254 IPs available again" equals 254 pool_available
    expect_wait 5 "back to ClusterIP: 172.16.1.1 left the router's BGP table and kernel" route_gone 172.16.1.1/32
    cmd_lb on >/dev/null
    expect_wait 5 "LoadBalancer again: 172.16.1.1 again, one route with three nexthops" \
        fib_is 172.16.1.1 "$(fib_expected k8s-cp k8s-w1 k8s-w0)"
    cmd_scale 2 >/dev/null
    look "kubectl scale deployment webpod --replicas 2: webpods" lab_webpods
    sleep 0.5
    expect "Cluster, 2 replicas: all three nodes still advertise 172.16.1.1/32" \
        paths_are 172.16.1.1/32 "172.30.1.10 172.31.1.10 172.31.1.11"
    cmd_policy Local >/dev/null
    expect_wait 5 "Local: only k8s-cp and k8s-w1 (the nodes with a replica) advertise 172.16.1.1/32" \
        paths_are 172.16.1.1/32 "172.31.1.10 172.31.1.11"
    expect "Local: k8s-w0 no longer advertises it" not_advertises k8s-w0 172.16.1.1/32
    expect_wait 5 "router kernel: 172.16.1.1 shrinks to two nexthops" \
        fib_is 172.16.1.1 "$(fib_expected k8s-cp k8s-w1)"
    look "router: show ip bgp" rshow "show ip bgp"
    look "router: ip route show 172.16.1.1" lab_exec router ip route show 172.16.1.1
    expect "Local: the client's address is kept (RemoteAddr 172.31.1.200)" \
        curl_remote_is router "$LB_IP" '172\.31\.1\.200:[0-9]+'

    # ---------------------------------------------------------------------------------------------------
    section "6. ECMP hashing at the router (seed result 13), Local policy, 3 replicas"
    cmd_scale 3 >/dev/null
    expect_wait 5 "3 replicas: 172.16.1.1 has three nexthops again" fib_is 172.16.1.1 "$(fib_expected k8s-cp k8s-w1 k8s-w0)"
    lab_hash_policy 0
    expect "fib_multipath_hash_policy=0 (L3): 100 requests from the router, all on one node" hash_spread 100 1 1
    look "distribution" lab_curl_count router "$LB_IP" 100
    lab_hash_policy 1
    expect "fib_multipath_hash_policy=1 (L4): 100 requests from the router use all three nodes" hash_spread 100 3 3
    look "distribution" lab_curl_count router "$LB_IP" 100

    # ---------------------------------------------------------------------------------------------------
    section "5. maintenance of k8s-w0 (seed result 8)"
    TIMED_FROM=$(_lab_now_ms)
    cmd_maintenance k8s-w0 on >/dev/null
    timed 3 0 10 "enable-bgp=false: 172.20.2.0/24 left the router's BGP table and kernel" route_gone 172.20.2.0/24
    if [[ $router == frr ]]; then
        expect_wait 5 "router shows neighbour 172.30.1.10 Active" equals Active router_peer_state 172.30.1.10
    else
        expect_wait 5 "router shows neighbour 172.30.1.10 not Established" peer_not_established 172.30.1.10 &&
            look "router: neighbour 172.30.1.10's state" router_peer_state 172.30.1.10
    fi
    expect_wait 2 "k8s-w0's NodeConfig is gone" nodeconfig_gone k8s-w0
    look "router: show ip bgp summary" rshow "show ip bgp summary"
    look "router: ip route | grep bgp" router_bgp_routes
    cmd_maintenance k8s-w0 off >/dev/null
    expect_wait 5 "enable-bgp=true: k8s-w0's NodeConfig is back" nodeconfig_exists k8s-w0
    expect_wait 20 "enable-bgp=true: the session is Established again" router_peer_established 172.30.1.10
    expect_wait 5 "enable-bgp=true: 172.20.2.0/24 back in the router's BGP table" paths_are 172.20.2.0/24 172.30.1.10
    expect_wait 5 "enable-bgp=true: 172.20.2.0/24 back in the router's kernel" fib_is 172.20.2.0/24 "$(fib_expected k8s-w0)"

    # ---------------------------------------------------------------------------------------------------
    section "8. status reporting (seed results 5, 9)"
    for n in "${LAB_NODES[@]}"; do
        expect_wait 6 "$n: NodeConfig status: peeringState established, routeCount ipv4/unicast" status_ok "$n"
    done
    look "kubectl get ciliumbgpnodeconfigs k8s-cp -o yaml (status)" \
        obj_jq CiliumBGPNodeConfig k8s-cp '.status.bgpInstances[0].peers[0] | {peeringState, routeCount} | tostring'
    lab_proc_stop agent-k8s-w0
    agent_start k8s-w0 --with --fib-import "$POD_CIDR_POOL" --status-report off || fail "k8s-w0's agent did not start"
    expect_wait 6 "k8s-w0 restarted with --status-report off: its NodeConfig status is {}" status_empty k8s-w0
    look "k8s-w0's NodeConfig" obj_jq CiliumBGPNodeConfig k8s-w0 '{name: .metadata.name, status} | tostring'
    lab_proc_stop agent-k8s-w0
    agent_start k8s-w0 --with --fib-import "$POD_CIDR_POOL" || fail "k8s-w0's agent did not start"
    expect_wait 12 "k8s-w0 restarted with --status-report on: established again" status_ok k8s-w0

    # ---------------------------------------------------------------------------------------------------
    section "7. graceful restart (seed result 14): hold 9 s, keepalive 3 s, restart time 15 s"
    check_graceful_restart k8s-w1

    # ---------------------------------------------------------------------------------------------------
    section "back to the seed's agents (no --fib-import)"
    for n in "${LAB_NODES[@]}"; do
        agent_restart "$n" --with || fail "$n's agent did not restart"
    done
    expect_wait 30 "sessions back" sessions_up
    for n in "${LAB_NODES[@]}"; do
        expect_wait 5 "$n: agent without --fib-import: the routes its previous run imported leave the kernel" \
            equals "" node_bgp_routes "$n"
    done

    section "result"
    t=$((($(_lab_now_ms) - T0) / 1000))
    if ((N_FAIL == 0)); then
        printf 'PASS: %d checks, %s router, objects from %s, %d s\n' "$N_OK" "$router" "$source" "$t"
    else
        printf 'FAIL: %d of %d checks failed (%s router, objects from %s, %d s):\n' "$N_FAIL" $((N_OK + N_FAIL)) "$router" "$source" "$t"
        printf '  - %s\n' "${C_FAILED[@]}"
        exit 1
    fi
}

grep_ctl() { # NODE REGEX KBGPCTL_ARGS...
    local out
    out=$(kctl_node "$1" "${@:3}") || return 1
    grep -Eq "$2" <<<"$out" || { echo "$out"; return 1; }
}
curl_hostname_any() { local body; body=$(lab_curl "$1" "$2") && grep -q '^Hostname: webpod' <<<"$body"; }

# check_graceful_restart NODE : its agent restarted gracefully under traffic, then killed, then cut off.
check_graceful_restart() {
    local node=$1 cidr pod_ip gr_dir="$BGP/gr" sent lost missing samples
    cidr=$(node_podcidr "$node")
    pod_ip=$(lab_webpod_ip "$node")
    rm -rf "$gr_dir" && mkdir -p "$gr_dir"
    # Requests from the router to the node's webpod, and the router's kernel route every 50 ms.
    (
        while [[ ! -e $gr_dir/stop ]]; do
            lab_curl_count router "$pod_ip" 5 >>"$gr_dir/tally" 2>&1
            sleep 0.02
        done
    ) &
    GR_BG_PIDS="$!"
    (
        while [[ ! -e $gr_dir/stop ]]; do
            if ip -n "$(lab_ns router)" route show "$cidr" proto bgp | grep -q .; then echo present; else echo missing; fi
            sleep 0.05
        done >>"$gr_dir/poll"
    ) &
    GR_BG_PIDS="$GR_BG_PIDS $!"
    sleep 0.5
    lab_proc_stop "agent-$node"
    look "$node's agent stopped (SIGTERM): router: show ip bgp $cidr" rshow "show ip bgp $cidr"
    expect "SIGTERM: the router keeps $cidr from ${LAB_NODE_IP[$node]}, stale" \
        equals "${LAB_NODE_IP[$node]} stale" router_paths "$cidr"
    sleep 1
    agent_start "$node" || fail "$node's agent did not start again"
    expect_wait 15 "$node's agent started again: Established, $cidr no longer stale" route_fresh "$cidr" "$node"
    sleep 0.5
    touch "$gr_dir/stop"
    # shellcheck disable=SC2086
    wait $GR_BG_PIDS 2>/dev/null
    GR_BG_PIDS=""
    sent=$(awk '{ s += $1 } END { print s + 0 }' "$gr_dir/tally")
    lost=$(awk '/failed/ { s += $1 } END { print s + 0 }' "$gr_dir/tally")
    samples=$(grep -c . "$gr_dir/poll")
    missing=$(grep -c missing "$gr_dir/poll")
    look "requests from the router to $pod_ip during the restart" \
        awk '{ n[$2] += $1 } END { for (k in n) print n[k], k }' "$gr_dir/tally"
    expect "restart: no request lost ($lost of $sent)" test "$sent" -gt 0 -a "$lost" -eq 0
    expect "restart: the router never withdrew $cidr ($missing of $samples samples every 50 ms missing)" \
        test "$samples" -gt 20 -a "$missing" -eq 0

    # A crash: SIGKILL and no restart. The router keeps the route for the restart time.
    TIMED_FROM=$(_lab_now_ms)
    kill -KILL "$(lab_proc_pid "agent-$node")"
    timed 25 130 190 "SIGKILL: $cidr left the router's kernel (restart time 15 s)" fib_none "$cidr"
    expect "SIGKILL: and its BGP table" paths_none "$cidr"
    lab_proc_stop "agent-$node"
    agent_start "$node" || fail "$node's agent did not start again"
    expect_wait 15 "$node's agent started again: $cidr back at the router" fib_is "$cidr" "$(fib_expected "$node")"

    # A silent failure: BGP packets dropped both ways at the node. The router's hold timer (9 s) ends
    # the session, then the restart time (15 s) runs before the route goes.
    TIMED_FROM=$(_lab_now_ms)
    lab_exec "$node" nft -f - <<'NFT'
table inet kbgp_lab_silent {
    chain in { type filter hook input priority 0; tcp sport 179 drop; tcp dport 179 drop; }
    chain out { type filter hook output priority 0; tcp sport 179 drop; tcp dport 179 drop; }
}
NFT
    timed 40 200 280 "silent failure: $cidr left the router's kernel (hold 9 s + restart 15 s)" fib_none "$cidr"
    lab_exec "$node" nft delete table inet kbgp_lab_silent
    lab_proc_stop "agent-$node"
    agent_start "$node" || fail "$node's agent did not start again"
    expect_wait 20 "packets flow again, agent restarted: $cidr back at the router" fib_is "$cidr" "$(fib_expected "$node")"
    rm -rf "$gr_dir"
}

# ------------------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------------------

main() {
    local cmd=${1:-}
    shift || true
    case $cmd in
        up) cmd_up "$@" ;;
        check) cmd_check "$@" ;;
        down) cmd_down ;;
        show) cmd_show ;;
        status) cmd_status ;;
        maintenance) cmd_maintenance "$@" ;;
        scale) cmd_scale "$@" ;;
        lb) cmd_lb "$@" ;;
        policy) cmd_policy "$@" ;;
        *)
            sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
            exit 2
            ;;
    esac
}
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then main "$@"; fi
