# shellcheck shell=bash
#
# lab/topo.sh - the seed lab's network (router, networks A and B, three k8s nodes and their pods) in
# network namespaces named kbgp-lab-*. See lab/README.md for the topology and what stands in for what.
#
# Source it from bash (run as root):
#
#   source lab/topo.sh
#   lab_up                        # or: lab_up --w0-pod-route (the seed's static route on k8s-w0)
#   lab_curl k8s-cp-curl-pod 172.20.0.10
#   lab_down
#
# or run it: `lab/topo.sh up`, `lab/topo.sh down`, `lab/topo.sh status`, `lab/topo.sh webpod-stop k8s-w0`
# (any lab_ function, with - for _).
#
# The lab is meant to outlive the shell that built it (lab scripts run one after another against it), so
# unlike tests/netns/lib.sh it has fixed names and keeps its state in a run directory ($KBGP_LAB_RUN,
# /run/kbgp-lab): one file per process (PID, start time, namespace), the process logs, the LB settings.
# Conventions shared with lib.sh: processes are stopped only by their recorded PID, checked against their
# start time (a recycled PID is never hit), or because they run inside a kbgp-lab-* namespace; each gets
# a UTS namespace named after its network namespace; every wait is bounded.
#
# Every lab_ function is idempotent: lab_up after a half-failed lab_up (or on a running lab) repairs
# what is missing and leaves the rest; lab_down removes everything whatever state the lab is in.
# Functions return non-zero with a message on stderr when something fails; they never exit.

# ------------------------------------------------------------------------------------------------------
# Settings and the seed topology
# ------------------------------------------------------------------------------------------------------

: "${KBGP_LAB_RUN:=/run/kbgp-lab}"      # run directory: pid files, logs, LB settings
: "${KBGP_LAB_STOP_GRACE:=3}"           # seconds between SIGTERM and SIGKILL when stopping a process
: "${KBGP_LAB_QUIET:=0}"                # 1: no progress messages
: "${KBGP_LAB_KEEP_LOGS:=}"             # a directory: lab_down copies the process logs there first
: "${KBGP_LAB_LB_IP:=172.16.1.1}"       # the webpod Service's LoadBalancer IP in the seed
: "${KBGP_LAB_LB_PORT:=80}"

# Every namespace of the lab starts with this; nothing else on the machine is ever touched.
LAB_PREFIX=kbgp-lab-
LAB_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

LAB_NODES=(k8s-cp k8s-w1 k8s-w0)
declare -gA LAB_NODE_NET=([k8s-cp]=a [k8s-w1]=a [k8s-w0]=b)            # the network a node sits on
declare -gA LAB_NODE_IP=([k8s-cp]=172.31.1.10 [k8s-w1]=172.31.1.11 [k8s-w0]=172.30.1.10)
declare -gA LAB_NODE_PODNET=([k8s-cp]=172.20.0 [k8s-w1]=172.20.1 [k8s-w0]=172.20.2) # PodCIDR x.y.z.0/24
declare -gA LAB_NET_ROUTER_IP=([a]=172.31.1.200 [b]=172.30.1.200)     # the router, each node's gateway
declare -gA LAB_NET_ROUTER_IF=([a]=ens160 [b]=ens192)
LAB_NET_PLEN=20
LAB_CURL_POD_HOST=100 # curl-pod is 172.20.0.100; webpod N is .(9+N): webpod .10, webpod2 .11, ...

# ------------------------------------------------------------------------------------------------------
# Small helpers
# ------------------------------------------------------------------------------------------------------

_lab_say() { [[ $KBGP_LAB_QUIET == 1 ]] || printf '[kbgp-lab] %s\n' "$*" >&2; }
_lab_err() { printf '[kbgp-lab] ERROR: %s\n' "$*" >&2; return 1; }
_lab_now_ms() { local t=${EPOCHREALTIME//[!0-9]/}; echo $((t / 1000)); }

# lab_ns NAME : full name of lab namespace NAME (router, switch, k8s-cp, k8s-cp-webpod...).
lab_ns() { echo "$LAB_PREFIX$1"; }

# lab_exec NAME COMMAND... : run COMMAND in lab namespace NAME, in the foreground.
lab_exec() {
    local ns=$1
    shift
    ip netns exec "$LAB_PREFIX$ns" "$@"
}

# _lab_do COMMAND... : run COMMAND; on failure say which command failed (its own stderr is kept).
_lab_do() { "$@" || _lab_err "failed: $*"; }

# _lab_ip NS ARGS... : `ip ARGS...` inside lab namespace NS, failure reported.
_lab_ip() {
    local ns=$1
    shift
    _lab_do ip -n "$LAB_PREFIX$ns" "$@"
}

_lab_has_ns() { [[ -e /run/netns/$LAB_PREFIX$1 ]]; }
_lab_has_link() { ip -n "$LAB_PREFIX$1" link show dev "$2" >/dev/null 2>&1; }

# Every kbgp-lab-* namespace that exists, whether this lab's state knows it or not.
_lab_all_ns() { ip netns list 2>/dev/null | awk -v p="$LAB_PREFIX" 'index($1, p) == 1 { print $1 }'; }

# lab_wait TIMEOUT_S DESCRIPTION COMMAND... : poll COMMAND every 0.1 s until it succeeds; after
# TIMEOUT_S seconds return 1 with DESCRIPTION and COMMAND's last output.
lab_wait() {
    local timeout=$1 what=$2 deadline out
    shift 2
    deadline=$(($(_lab_now_ms) + timeout * 1000))
    until out=$("$@" 2>&1); do
        (($(_lab_now_ms) < deadline)) || _lab_err "timed out after ${timeout}s: $what: ${out:-(no output)}" || return 1
        sleep 0.1
    done
}

# ------------------------------------------------------------------------------------------------------
# Processes: $KBGP_LAB_RUN/proc/NAME holds "PID STARTTIME NS", $KBGP_LAB_RUN/log/NAME.log the output
# ------------------------------------------------------------------------------------------------------

# Start time of PID in clock ticks since boot (field 22 of /proc/PID/stat): with the PID it identifies
# the process for good. The command name (field 2) may hold spaces: split after its ")".
_lab_starttime() {
    local stat fields
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    read -r -a fields <<<"${stat##*) }"
    echo "${fields[19]}"
}

# _lab_alive PID STARTTIME : that very process runs (a zombie counts as gone).
_lab_alive() {
    local stat fields
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    read -r -a fields <<<"${stat##*) }"
    [[ ${fields[0]} != [ZX] && ${fields[19]} == "$2" ]]
}

# lab_proc_pid NAME : PID of lab process NAME; status 1 if it does not run.
lab_proc_pid() {
    local pid start ns
    read -r pid start ns 2>/dev/null <"$KBGP_LAB_RUN/proc/$1" || return 1
    _lab_alive "$pid" "$start" && echo "$pid"
}

# lab_proc_alive NAME : status 0 if lab process NAME runs.
lab_proc_alive() { lab_proc_pid "$1" >/dev/null; }

# lab_proc_log NAME : path of the log (stdout and stderr) of lab process NAME.
lab_proc_log() { echo "$KBGP_LAB_RUN/log/$1.log"; }

# lab_proc_start NAME NS COMMAND... : start COMMAND in the background in lab namespace NS, in a session
# of its own (a `timeout` or Ctrl-C aimed at the caller must not take the lab down with it) and a UTS
# namespace with host name NS. Does nothing if NAME already runs. The inner sh writes its own PID
# before it execs COMMAND, so the PID recorded is COMMAND's whatever setsid or ip do.
lab_proc_start() {
    local name=$1 ns=$2 pidfile start pid deadline
    shift 2
    [[ $name =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || _lab_err "bad process name '$name'" || return 1
    lab_proc_alive "$name" && return 0
    _lab_has_ns "$ns" || _lab_err "no namespace $LAB_PREFIX$ns" || return 1
    mkdir -p "$KBGP_LAB_RUN/proc" "$KBGP_LAB_RUN/log" || return 1
    pidfile="$KBGP_LAB_RUN/proc/$name.starting"
    rm -f "$pidfile"
    # shellcheck disable=SC2016 # $0, $1, $@ belong to the inner sh
    setsid ip netns exec "$LAB_PREFIX$ns" unshare --uts sh -c \
        'echo $$ >"$1" && hostname "$0" && shift && exec "$@"' "$ns" "$pidfile" "$@" \
        >>"$(lab_proc_log "$name")" 2>&1 </dev/null &
    disown $! 2>/dev/null || true
    deadline=$(($(_lab_now_ms) + 3000))
    until pid=$(cat "$pidfile" 2>/dev/null) && [[ -n $pid ]] && start=$(_lab_starttime "$pid"); do
        (($(_lab_now_ms) < deadline)) || _lab_err "$name did not start (see $(lab_proc_log "$name"))" || return 1
        sleep 0.05
    done
    echo "$pid $start $ns" >"$KBGP_LAB_RUN/proc/$name"
    rm -f "$pidfile"
    _lab_say "started $name (pid $pid) in $ns: $*"
}

# _lab_kill_wait PID STARTTIME : SIGTERM, SIGKILL after KBGP_LAB_STOP_GRACE s, wait at most 2 s more.
_lab_kill_wait() {
    local pid=$1 start=$2 deadline
    _lab_alive "$pid" "$start" || return 0
    kill -TERM "$pid" 2>/dev/null
    deadline=$(($(_lab_now_ms) + KBGP_LAB_STOP_GRACE * 1000))
    while _lab_alive "$pid" "$start" && (($(_lab_now_ms) < deadline)); do sleep 0.05; done
    _lab_alive "$pid" "$start" || return 0
    _lab_say "pid $pid ignored SIGTERM, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null
    deadline=$(($(_lab_now_ms) + 2000))
    while _lab_alive "$pid" "$start" && (($(_lab_now_ms) < deadline)); do sleep 0.05; done
    ! _lab_alive "$pid" "$start" || _lab_err "pid $pid survived SIGKILL"
}

# FRR leaves crash buffers /var/tmp/frr/<daemon>.<pid>/ behind when killed: remove ours only.
_lab_frr_crashdir_clean() {
    local pid=$1 d
    for d in /var/tmp/frr/*."$pid"; do
        [[ -d $d ]] && rm -rf "$d"
    done
    return 0
}

# lab_proc_stop NAME : stop lab process NAME by its recorded PID (SIGTERM, then SIGKILL) and forget it.
lab_proc_stop() {
    local name=$1 pid start ns
    [[ -f $KBGP_LAB_RUN/proc/$name ]] || return 0
    read -r pid start ns <"$KBGP_LAB_RUN/proc/$name"
    _lab_kill_wait "$pid" "$start" || return 1
    _lab_frr_crashdir_clean "$pid"
    rm -f "$KBGP_LAB_RUN/proc/$name"
}

# _lab_wait_listen NS PORT NAME : wait until something listens on TCP PORT in NS, or NAME has died.
_lab_wait_listen() {
    local ns=$1 port=$2 name=$3 deadline
    deadline=$(($(_lab_now_ms) + 5000))
    until lab_exec "$ns" ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; do
        lab_proc_alive "$name" || _lab_err "$name exited (see $(lab_proc_log "$name"))" || return 1
        (($(_lab_now_ms) < deadline)) || _lab_err "$name does not listen on port $port" || return 1
        sleep 0.05
    done
}

# ------------------------------------------------------------------------------------------------------
# Namespaces and links
# ------------------------------------------------------------------------------------------------------

# _lab_ns_ensure NAME [SYSCTL=VALUE...] : namespace NAME with lo up and the sysctls set. Reverse path
# filtering is off: the lab's asymmetric paths (ECMP, LB DNAT) must not depend on the kernel default.
_lab_ns_ensure() {
    local ns=$1
    shift
    _lab_has_ns "$ns" || _lab_do ip netns add "$LAB_PREFIX$ns" || return 1
    _lab_ip "$ns" link set dev lo up || return 1
    lab_exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 "$@" \
        >/dev/null || _lab_err "sysctl in $ns: $*"
}

# _lab_ifpeer NS IF : "ifindex peer-ifindex" of veth IF in NS ("5 7" from "5: ens160@if7: ...").
_lab_ifpeer() {
    local line
    line=$(ip -n "$LAB_PREFIX$1" -o link show dev "$2" 2>/dev/null) || return 1
    [[ $line =~ ^([0-9]+):\ [^@:]+@if([0-9]+): ]] || return 1
    echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
}

# _lab_veth_ensure NS1 IF1 NS2 IF2 : a veth pair IF1 (in NS1) <-> IF2 (in NS2). A pair that exists and
# is wired as asked is kept; a half (its peer gone with a deleted namespace) or a miswired one is replaced.
# Created directly inside the namespaces, so nothing ever appears in the root namespace. Sets
# _LAB_NEW_LINK to 1 when it made a new pair (new MAC addresses), else 0.
_LAB_NEW_LINK=0
_lab_veth_ensure() {
    local a b
    _LAB_NEW_LINK=0
    if a=$(_lab_ifpeer "$1" "$2") && b=$(_lab_ifpeer "$3" "$4") &&
        [[ ${a#* } == "${b% *}" && ${b#* } == "${a% *}" ]]; then
        return 0
    fi
    ip -n "$LAB_PREFIX$1" link del dev "$2" 2>/dev/null
    ip -n "$LAB_PREFIX$3" link del dev "$4" 2>/dev/null
    _lab_do ip link add name "$2" netns "$LAB_PREFIX$1" type veth peer name "$4" netns "$LAB_PREFIX$3" &&
        _LAB_NEW_LINK=1
}

# _lab_ifb_ensure NS IF : a link that only holds addresses. The kernel here has no `dummy` module; an
# ifb device is up, carries connected routes and drops what is sent to it, as a dummy does.
_lab_ifb_ensure() {
    _lab_has_link "$1" "$2" || _lab_ip "$1" link add name "$2" type ifb || return 1
    _lab_ip "$1" link set dev "$2" up
}

# _lab_addr_ensure NS IF CIDR : IF has address CIDR and is up.
_lab_addr_ensure() {
    _lab_ip "$1" addr replace "$3" dev "$2" && _lab_ip "$1" link set dev "$2" up
}

# _lab_switch_port NET NS IF CIDR : IF in NS (address CIDR) plugged into bridge br-NET of the switch.
# The switch-side port is named NET-NS (cut to 15 characters, the kernel's limit).
_lab_switch_port() {
    local net=$1 ns=$2 ifname=$3 cidr=$4 port
    port="$net-$ns"
    port=${port:0:15}
    _lab_veth_ensure "$ns" "$ifname" switch "$port" || return 1
    ((_LAB_NEW_LINK)) && _lab_neigh_forget "$net" "${cidr%/*}"
    _lab_ip switch link set dev "$port" master "br-$net" up || return 1
    _lab_addr_ensure "$ns" "$ifname" "$cidr"
}

# _lab_neigh_forget NET ADDR : ADDR's interface was replaced (new MAC): drop it from the ARP caches of
# the others on NET. Otherwise they keep sending to the old MAC until their entry times out (the kernel
# would not take a gratuitous ARP within its 1 s locktime either), and a repaired node stays unreachable.
_lab_neigh_forget() {
    local net=$1 addr=$2 ns
    for ns in router "${LAB_NODES[@]}"; do
        [[ $ns == router || ${LAB_NODE_NET[$ns]} == "$net" ]] || continue
        _lab_has_ns "$ns" && ip -n "$LAB_PREFIX$ns" neigh flush to "$addr" 2>/dev/null
    done
    return 0
}

# ------------------------------------------------------------------------------------------------------
# The topology
# ------------------------------------------------------------------------------------------------------

# The switch: one namespace holding a bridge per network (br-a, br-b), as the seed's two VM networks.
# A bridge rather than veth pairs because k8s-cp, k8s-w1 and the router share network A.
_lab_switch_up() {
    local net
    _lab_ns_ensure switch || return 1
    for net in a b; do
        _lab_has_link switch "br-$net" || _lab_ip switch link add name "br-$net" type bridge || return 1
        _lab_ip switch link set dev "br-$net" up || return 1
    done
}

# The router: ens160 on A, ens192 on B, loop1/loop2 (the seed's dummy interfaces), forwarding on.
_lab_router_up() {
    local net
    _lab_ns_ensure router net.ipv4.ip_forward=1 || return 1
    for net in a b; do
        _lab_switch_port "$net" router "${LAB_NET_ROUTER_IF[$net]}" "${LAB_NET_ROUTER_IP[$net]}/$LAB_NET_PLEN" ||
            return 1
    done
    _lab_ifb_ensure router loop1 && _lab_addr_ensure router loop1 10.10.1.200/24 &&
        _lab_ifb_ensure router loop2 && _lab_addr_ensure router loop2 10.10.2.200/24
}

# _lab_node_routes NODE : the seed's static routes. Nodes on A reach network B through the router; k8s-w0
# (on B) has its default route there. Nothing towards other nodes' PodCIDRs (lab_pod_route_add).
_lab_node_routes() {
    local node=$1 net=${LAB_NODE_NET[$1]}
    local gw=${LAB_NET_ROUTER_IP[$net]}
    if [[ $net == a ]]; then
        _lab_ip "$node" route replace 172.30.0.0/20 via "$gw" dev ens160
    else
        _lab_ip "$node" route replace default via "$gw" dev ens160
    fi
}

# _lab_cilium_host NODE : Cilium's cilium_host: the node's address on its own PodCIDR (x.y.z.1, the
# pods' gateway) and the route of the whole PodCIDR. Pods get /32 routes of their own (more specific),
# so a packet for an unused pod address ends here (dropped) instead of following a default route.
_lab_cilium_host() {
    local node=$1 pn=${LAB_NODE_PODNET[$1]}
    _lab_ifb_ensure "$node" cilium_host && _lab_addr_ensure "$node" cilium_host "$pn.1/32" &&
        _lab_ip "$node" route replace "$pn.0/24" dev cilium_host src "$pn.1"
}

# _lab_node_up NODE : node namespace, ens160 on its network, static routes, cilium_host, forwarding.
_lab_node_up() {
    local node=$1 net=${LAB_NODE_NET[$1]}
    _lab_ns_ensure "$node" net.ipv4.ip_forward=1 || return 1
    _lab_switch_port "$net" "$node" ens160 "${LAB_NODE_IP[$node]}/$LAB_NET_PLEN" || return 1
    _lab_node_routes "$node" && _lab_cilium_host "$node"
}

# lab_up [--w0-pod-route] [--no-webpods] : build (or repair) the whole lab and start a webpod on each node.
# --w0-pod-route adds the seed's 172.20.0.0/16 via 172.30.1.200 on k8s-w0 (lab_pod_route_add k8s-w0);
# without it that route is removed, so a re-run states the lab exactly. --no-webpods starts none.
lab_up() {
    local arg w0_route=0 webpods=1 node
    for arg in "$@"; do
        case $arg in
            --w0-pod-route) w0_route=1 ;;
            --no-webpods) webpods=0 ;;
            *) _lab_err "lab_up: unknown argument '$arg'" || return 1 ;;
        esac
    done
    _lab_check_tools || return 1
    mkdir -p "$KBGP_LAB_RUN/proc" "$KBGP_LAB_RUN/log" "$KBGP_LAB_RUN/lb" || return 1
    _lab_switch_up && _lab_router_up || return 1
    for node in "${LAB_NODES[@]}"; do
        _lab_node_up "$node" || return 1
        if ((webpods)); then lab_webpod_start "$node" || return 1; fi
    done
    _lab_pod_ensure k8s-cp curl-pod "${LAB_NODE_PODNET[k8s-cp]}.$LAB_CURL_POD_HOST" || return 1
    if ((w0_route)); then lab_pod_route_add k8s-w0; else lab_pod_route_del k8s-w0; fi || return 1
    _lab_say "lab is up"
}

# _lab_check_tools : the commands the lab needs.
_lab_check_tools() {
    local t missing=()
    [[ $EUID -eq 0 ]] || _lab_err "the lab needs root" || return 1
    for t in ip nft ss setsid unshare sysctl awk; do
        command -v "$t" >/dev/null 2>&1 || missing+=("$t")
    done
    ((${#missing[@]} == 0)) || _lab_err "missing commands: ${missing[*]}"
}

# lab_down : stop every lab process, delete every kbgp-lab-* namespace (their links, routes and nftables
# rules go with them) and the run directory. Works whatever state the lab is in; never fails.
lab_down() {
    local f pid start ns full rc=0
    # Recorded processes first, gracefully: a BGP speaker then ends its sessions properly.
    for f in "$KBGP_LAB_RUN"/proc/*; do
        [[ -f $f && $f != *.starting ]] || continue
        read -r pid start ns <"$f" || continue
        _lab_kill_wait "$pid" "$start" || rc=1
        _lab_frr_crashdir_clean "$pid"
    done
    # Then anything else still inside a lab namespace (started with plain lab_exec ... &).
    for full in $(_lab_all_ns); do
        for pid in $(ip netns pids "$full" 2>/dev/null); do
            start=$(_lab_starttime "$pid") || continue
            _lab_kill_wait "$pid" "$start" || rc=1
            _lab_frr_crashdir_clean "$pid"
        done
    done
    for full in $(_lab_all_ns); do
        ip netns del "$full" 2>/dev/null || { _lab_err "cannot delete namespace $full"; rc=1; }
    done
    if [[ -n $KBGP_LAB_KEEP_LOGS && -d $KBGP_LAB_RUN/log ]]; then
        mkdir -p "$KBGP_LAB_KEEP_LOGS" && cp -a "$KBGP_LAB_RUN"/log/. "$KBGP_LAB_KEEP_LOGS"/
    fi
    rm -rf "$KBGP_LAB_RUN"
    ((rc == 0)) && _lab_say "lab is down"
    return 0
}

# lab_status : namespaces, processes and LB settings of the lab, for a human.
lab_status() {
    local f name pid start ns state
    echo "namespaces:"
    _lab_all_ns | sed 's/^/  /'
    echo "processes:"
    for f in "$KBGP_LAB_RUN"/proc/*; do
        [[ -f $f && $f != *.starting ]] || continue
        name=${f##*/}
        read -r pid start ns <"$f"
        state=dead
        _lab_alive "$pid" "$start" && state=running
        printf '  %-20s pid %-8s %-8s in %s\n' "$name" "$pid" "$state" "$ns"
    done
    echo "LoadBalancer $KBGP_LAB_LB_IP:$KBGP_LAB_LB_PORT delivery:"
    for f in "$KBGP_LAB_RUN"/lb/*; do
        [[ -f $f ]] && printf '  %-8s %s\n' "${f##*/}" "$(cat "$f")"
    done
    return 0
}

# ------------------------------------------------------------------------------------------------------
# Pods (Cilium native routing: a veth per pod, the pod's /32 routed by its node, nothing more)
# ------------------------------------------------------------------------------------------------------

# _lab_pod_ensure NODE POD IP : namespace NODE-POD with eth0 = IP/32 and a default route via the node's
# cilium_host address; the node side of the veth is lxc-POD and the node routes IP/32 to it. The node
# answers the pod's ARP for the gateway because that address is local to it (arp_ignore 0).
_lab_pod_ensure() {
    local node=$1 pod=$2 ip=$3 pns="$1-$2" lxc="lxc-$2" gw="${LAB_NODE_PODNET[$1]}.1"
    _lab_ns_ensure "$pns" || return 1
    _lab_veth_ensure "$pns" eth0 "$node" "${lxc:0:15}" || return 1
    _lab_ip "$node" link set dev "${lxc:0:15}" up &&
        _lab_addr_ensure "$pns" eth0 "$ip/32" &&
        _lab_ip "$pns" route replace default via "$gw" dev eth0 onlink &&
        _lab_ip "$node" route replace "$ip/32" dev "${lxc:0:15}" scope link
}

# lab_pod_del NODE POD : delete pod namespace NODE-POD (its veth and the node's route to it go too),
# after stopping the processes inside it.
lab_pod_del() {
    local full="$LAB_PREFIX$1-$2" pid start
    _lab_has_ns "$1-$2" || return 0
    for pid in $(ip netns pids "$full" 2>/dev/null); do
        start=$(_lab_starttime "$pid") && _lab_kill_wait "$pid" "$start"
    done
    _lab_do ip netns del "$full"
}

# lab_pod_ns NODE POD : the short namespace name of a pod, for lab_exec and lab_curl (k8s-cp-curl-pod).
lab_pod_ns() { echo "$1-$2"; }

# ------------------------------------------------------------------------------------------------------
# Webpods: lab_whoami on port 80, one per node by default; INDEX 2.. for more on one node
# ------------------------------------------------------------------------------------------------------

# lab_whoami_bin : path of lab_whoami: $KBGP_LAB_WHOAMI, else $KBGP_BUILD_DIR/lab_whoami (default build/).
lab_whoami_bin() {
    local bin=${KBGP_LAB_WHOAMI:-${KBGP_BUILD_DIR:-$LAB_REPO/build}/lab_whoami}
    [[ -x $bin ]] || _lab_err "no lab_whoami at $bin (cmake --build build --target lab_whoami, or set KBGP_LAB_WHOAMI)" ||
        return 1
    echo "$bin"
}

_lab_check_node() { [[ -n ${LAB_NODE_IP[$1]:-} ]] || _lab_err "unknown node '$1' (${LAB_NODES[*]})"; }

# _lab_webpod_pod INDEX : the pod's name: webpod, webpod2, webpod3...
_lab_webpod_pod() { if (($1 == 1)); then echo webpod; else echo "webpod$1"; fi; }

# lab_webpod_ip NODE [INDEX] : the address of webpod INDEX (default 1) of NODE: 172.20.N.(9+INDEX).
lab_webpod_ip() { echo "${LAB_NODE_PODNET[$1]}.$((9 + ${2:-1}))"; }

# lab_webpod_start NODE [INDEX] : the pod and its lab_whoami (answering as webpod-NODE, or
# webpodINDEX-NODE) on port 80; returns when it listens. Refreshes the LB delivery of nodes that have it.
lab_webpod_start() {
    local node=$1 idx=${2:-1} pod bin
    _lab_check_node "$node" || return 1
    [[ $idx =~ ^[1-9]$ ]] || _lab_err "webpod index must be 1..9" || return 1
    pod=$(_lab_webpod_pod "$idx")
    bin=$(lab_whoami_bin) || return 1
    _lab_pod_ensure "$node" "$pod" "$(lab_webpod_ip "$node" "$idx")" || return 1
    lab_proc_start "$node-$pod" "$node-$pod" "$bin" -l 0.0.0.0 -p 80 -n "$pod-$node" || return 1
    _lab_wait_listen "$node-$pod" 80 "$node-$pod" && _lab_lb_refresh
}

# lab_webpod_stop NODE [INDEX] : stop the webpod and delete its pod (as scaling the Deployment down).
lab_webpod_stop() {
    local node=$1 pod
    _lab_check_node "$node" || return 1
    pod=$(_lab_webpod_pod "${2:-1}")
    lab_proc_stop "$node-$pod" && lab_pod_del "$node" "$pod" && _lab_lb_refresh
}

# lab_webpods [NODE...] : the addresses of the running webpods (of every node by default), one a line.
lab_webpods() {
    local node idx pod
    (($#)) || set -- "${LAB_NODES[@]}"
    for node in "$@"; do
        for idx in 1 2 3 4 5 6 7 8 9; do
            pod=$(_lab_webpod_pod "$idx")
            lab_proc_alive "$node-$pod" && lab_webpod_ip "$node" "$idx"
        done
    done
    return 0
}

# ------------------------------------------------------------------------------------------------------
# Node routes towards other nodes' pods (what the seed adds by hand once BGP runs)
# ------------------------------------------------------------------------------------------------------

_lab_node_gw() { echo "${LAB_NET_ROUTER_IP[${LAB_NODE_NET[$1]}]}"; }

# _lab_nodes_arg ARG... : the nodes named, "all" for all of them.
_lab_nodes_arg() {
    local n
    (($#)) || _lab_err "name a node or 'all'" || return 1
    for n in "$@"; do
        if [[ $n == all ]]; then printf '%s\n' "${LAB_NODES[@]}"; else _lab_check_node "$n" && echo "$n" || return 1; fi
    done
}

# lab_pod_route_add NODE...|all : 172.20.0.0/16 via the router (the node's gateway) on each NODE.
lab_pod_route_add() {
    local node nodes
    nodes=$(_lab_nodes_arg "$@") || return 1
    for node in $nodes; do
        _lab_ip "$node" route replace 172.20.0.0/16 via "$(_lab_node_gw "$node")" dev ens160 || return 1
    done
}

# lab_pod_route_del NODE...|all : remove that route again (no error if it is not there).
lab_pod_route_del() {
    local node nodes
    nodes=$(_lab_nodes_arg "$@") || return 1
    for node in $nodes; do
        ip -n "$LAB_PREFIX$node" route del 172.20.0.0/16 2>/dev/null
    done
    return 0
}

# ------------------------------------------------------------------------------------------------------
# LoadBalancer IP delivery: nftables DNAT stands in for Cilium's eBPF service load balancer
# ------------------------------------------------------------------------------------------------------

# lab_lb_on NODE...|all [local|cluster] : NODE delivers $KBGP_LAB_LB_IP:$KBGP_LAB_LB_PORT arriving on it
# (from the router, or from its pods) to webpods, chosen at random per connection:
#   local   (default; externalTrafficPolicy Local) its own webpods only, client address kept; none
#           running: the traffic is dropped, as Cilium does.
#   cluster (externalTrafficPolicy Cluster) every running webpod of the lab; those on other nodes are
#           reached with the client's address rewritten to the node's (Cilium's SNAT mode), so replies
#           come back through this node. Needs routes to the other PodCIDRs (lab_pod_route_add + BGP).
# The backends follow lab_webpod_start/stop by themselves.
lab_lb_on() {
    local policy=local node nodes args=("$@")
    if (($#)) && [[ ${args[-1]} == local || ${args[-1]} == cluster ]]; then
        policy=${args[-1]}
        unset 'args[-1]'
    fi
    nodes=$(_lab_nodes_arg "${args[@]}") || return 1
    mkdir -p "$KBGP_LAB_RUN/lb" || return 1
    for node in $nodes; do
        echo "$policy" >"$KBGP_LAB_RUN/lb/$node"
        _lab_lb_apply "$node" || return 1
    done
}

# lab_lb_off NODE...|all : remove the delivery (the node then routes the LB IP like any address).
lab_lb_off() {
    local node nodes
    nodes=$(_lab_nodes_arg "$@") || return 1
    for node in $nodes; do
        rm -f "$KBGP_LAB_RUN/lb/$node"
        lab_exec "$node" nft delete table ip kbgp_lab_lb 2>/dev/null
    done
    return 0
}

# Re-apply the delivery of every node that has it (after a webpod came or went).
_lab_lb_refresh() {
    local f
    for f in "$KBGP_LAB_RUN"/lb/*; do
        [[ -f $f ]] || continue
        _lab_lb_apply "${f##*/}" || return 1
    done
}

# _lab_lb_target BACKEND... : the nft statement sending a connection to one of BACKEND at random.
_lab_lb_target() {
    local i map=() b=("$@")
    case $# in
        0) echo "drop" ;;
        1) echo "dnat to $1" ;;
        *)
            for i in "${!b[@]}"; do map+=("$i : ${b[i]}"); done
            local IFS=,
            echo "dnat to numgen random mod $# map { ${map[*]} }"
            ;;
    esac
}

# _lab_lb_apply NODE : (re)write NODE's nftables table kbgp_lab_lb from its policy and the running
# webpods, atomically (the first two lines make the table exist so that it can be deleted).
_lab_lb_apply() {
    local node=$1 policy backends target masq=""
    policy=$(cat "$KBGP_LAB_RUN/lb/$node" 2>/dev/null) || return 0
    if [[ $policy == cluster ]]; then
        backends=$(lab_webpods)
        masq="ct status dnat ip daddr != ${LAB_NODE_PODNET[$node]}.0/24 masquerade"
    else
        backends=$(lab_webpods "$node")
    fi
    # shellcheck disable=SC2086 # one backend per word
    target=$(_lab_lb_target $backends)
    lab_exec "$node" nft -f - <<EOF || _lab_err "nft on $node failed"
table ip kbgp_lab_lb
delete table ip kbgp_lab_lb
table ip kbgp_lab_lb {
    chain prerouting {
        type nat hook prerouting priority dstnat; policy accept;
        ip daddr $KBGP_LAB_LB_IP tcp dport $KBGP_LAB_LB_PORT $target
    }
    chain postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        $masq
    }
}
EOF
}

# ------------------------------------------------------------------------------------------------------
# Router knobs and clients
# ------------------------------------------------------------------------------------------------------

# lab_hash_policy 0|1|2|3 : net.ipv4.fib_multipath_hash_policy in the router (0: L3, 1: L4 with ports).
lab_hash_policy() {
    [[ $1 =~ ^[0-3]$ ]] || _lab_err "hash policy must be 0..3" || return 1
    lab_exec router sysctl -qw "net.ipv4.fib_multipath_hash_policy=$1" >/dev/null
}

# lab_ping NS ADDR : ADDR answers from lab namespace NS within 1 s. An ICMP echo when ping is installed
# (it is not on every fresh machine); else a TCP connection attempt to port 7 that the host accepts or
# refuses with a reset, which proves the same two-way reachability.
lab_ping() {
    local bin out
    if command -v ping >/dev/null 2>&1; then
        lab_exec "$1" ping -c1 -W1 -q "$2" >/dev/null
        return
    fi
    bin=$(lab_whoami_bin) || return 1
    out=$(lab_exec "$1" "$bin" -c "$2:7" -t 1000 2>&1) && return 0
    [[ $out == *"Connection refused"* ]]
}

# lab_curl NS ADDR [PORT] : GET http://ADDR:PORT/ (port 80) from lab namespace NS with lab_whoami's
# client (curl may be missing on a fresh machine); prints the whoami answer, status 1 if none in 2 s.
lab_curl() {
    local bin
    bin=$(lab_whoami_bin) || return 1
    lab_exec "$1" "$bin" -c "$2:${3:-80}" -t "${KBGP_LAB_CURL_TIMEOUT_MS:-2000}"
}

# lab_curl_count NS ADDR COUNT [PORT] : COUNT requests, each on a new connection (a new source port);
# prints "N Hostname" per answering webpod and "N (failed)" for the requests that got no answer.
lab_curl_count() {
    local bin
    bin=$(lab_whoami_bin) || return 1
    lab_exec "$1" "$bin" -c "$2:${4:-80}" -r "$3" -t "${KBGP_LAB_CURL_TIMEOUT_MS:-2000}"
}

# ------------------------------------------------------------------------------------------------------
# Run as a command: topo.sh up|down|status|FUNCTION ARGS... (FUNCTION without lab_, - for _)
# ------------------------------------------------------------------------------------------------------

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    set -uo pipefail
    cmd="lab_${1:-}"
    cmd=${cmd//-/_}
    if [[ -z ${1:-} ]] || ! declare -F "$cmd" >/dev/null; then
        echo "usage: $0 up [--w0-pod-route] | down | status | FUNCTION ARGS... (see the file)" >&2
        exit 2
    fi
    shift
    "$cmd" "$@"
fi
