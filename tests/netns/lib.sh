# shellcheck shell=bash
#
# tests/netns/lib.sh - network-namespace lab library for kbgp interop tests.
#
# Source it from a bash script that runs as root:
#
#   set -euo pipefail
#   source "$(dirname "$0")/../netns/lib.sh"
#   nslab_require frr bird            # exit 77 (skip) when not root / no netns / a tool is missing
#   nslab_init mytest                 # prefix, temp dir, EXIT/INT/TERM trap, watchdog
#   nslab_ns r1; nslab_ns r2
#   nslab_link r1 r2 10.0.1.1/24,fd00:1::1/64 r2 r1 10.0.1.2/24,fd00:1::2/64
#   nslab_frr r1 frr "$(cat <<'EOF' ... EOF)"
#   nslab_run_bg r2 kbgpd ./build/kbgpd -c "$NSLAB_DIR/kbgpd.conf"
#   nslab_wait 20 "FRR session with kbgpd" nslab_frr_established frr 10.0.1.2
#
# Everything the library creates carries a per-run prefix, is recorded in files under $NSLAB_DIR/.state
# (so that subshells and the watchdog see it too) and is removed by nslab_teardown, which the trap runs on
# every exit, whether the test passed, failed, was interrupted or its main shell was SIGKILLed (the
# watchdog then cleans up). See tests/netns/README.md for the function list and conventions.
#
# Processes are only ever stopped by their recorded PID (checked against the recorded start time, so a
# reused PID is never hit) or because they run inside one of this run's namespaces: other jobs on the
# machine may run the same daemons.

# ------------------------------------------------------------------------------------------------------
# Settings (override in the environment before sourcing or before nslab_init)
# ------------------------------------------------------------------------------------------------------

: "${NSLAB_FRR_BIN:=/usr/lib/frr}"     # zebra and bgpd live here on Debian
: "${NSLAB_TIMEOUT:=300}"              # watchdog: the whole run is stopped (and cleaned up) after this
: "${NSLAB_STOP_GRACE:=5}"             # seconds between SIGTERM and SIGKILL when stopping a process
: "${NSLAB_TAIL_LINES:=40}"            # lines of each daemon log shown when a test fails
: "${NSLAB_KEEP:=0}"                   # 1: keep the temp dir (logs, configs) after teardown, for debugging
: "${NSLAB_QUIET:=0}"                  # 1: no progress messages from nslab_say

NSLAB_NAME=""                          # the name given to nslab_init
NSLAB_PREFIX=""                        # namespace name prefix of this run: nsl-NAME-PID-
NSLAB_DIR=""                           # temp dir: configs, sockets, logs (NAME.log), .state/
NSLAB_PID=""                           # PID of the process most recently started (nslab_run_bg and co.)
_NSLAB_OWNER=""                        # $BASHPID of the shell that called nslab_init: it alone tears down
_NSLAB_T0=""                           # start time (microseconds) for relative timestamps
_NSLAB_WATCHDOG=""
_NSLAB_LOGS_SHOWN=0

# ------------------------------------------------------------------------------------------------------
# Small helpers
# ------------------------------------------------------------------------------------------------------

# Microseconds since the epoch; EPOCHREALTIME uses the locale's decimal point, so strip it whatever it is.
_nslab_now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }

# _nslab_secs MICROSECONDS -> "12.34"
_nslab_secs() { printf '%d.%02d' $(($1 / 1000000)) $(($1 % 1000000 / 10000)); }

_nslab_elapsed() {
    local t0=${_NSLAB_T0:-$(_nslab_now_us)}
    _nslab_secs $(($(_nslab_now_us) - t0))
}

# nslab_say MESSAGE... : progress message on stderr, stamped with the time since nslab_init.
nslab_say() {
    [[ $NSLAB_QUIET == 1 ]] && return 0
    printf '[nslab %7ss] %s\n' "$(_nslab_elapsed)" "$*" >&2
}

# Errors in the use of the library itself (bad arguments): fail like a test failure.
_nslab_usage() { nslab_fail "lib.sh: $*"; }

_nslab_check_name() {
    [[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || _nslab_usage "bad name '$1' (letters, digits, . _ - only)"
}

_nslab_need_init() {
    [[ -n $NSLAB_DIR && -d $NSLAB_DIR/.state ]] || _nslab_usage "call nslab_init first"
}

# Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat); together with the PID
# it identifies a process for good, so a recycled PID is never mistaken for one of ours.
_nslab_starttime() {
    local stat fields
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    # The command name (field 2) may contain spaces: split after its closing parenthesis.
    read -r -a fields <<<"${stat##*) }"
    echo "${fields[19]}"
}

# _nslab_alive PID [STARTTIME] : the process exists, is not a zombie and (if given) started at STARTTIME.
# `kill -0` alone is not enough: it succeeds on zombies, which a killed child stays until it is reaped.
_nslab_alive() {
    local stat fields
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    read -r -a fields <<<"${stat##*) }"
    [[ ${fields[0]} != [ZX] ]] || return 1
    [[ -z ${2:-} || ${fields[19]} == "$2" ]]
}

# Registry of started processes: one line "NAME PID STARTTIME KIND NS" per start, in start order.
# KIND is frr:zebra, frr:bgpd, bird, gobgp or cmd. A name started again (nslab_restart) gets a new line.
_nslab_procs() { cat "$NSLAB_DIR/.state/procs" 2>/dev/null || true; }

# nslab_procs : list every process started so far, one "NAME PID STARTTIME KIND NS" line each.
nslab_procs() { _nslab_procs; }

# _nslab_entry NAME : print the latest registry line of NAME (return 1 if there is none).
_nslab_entry() {
    local line found=""
    while read -r line; do
        [[ ${line%% *} == "$1" ]] && found=$line
    done < <(_nslab_procs)
    [[ -n $found ]] && echo "$found"
}

# ------------------------------------------------------------------------------------------------------
# Set-up, teardown, failure
# ------------------------------------------------------------------------------------------------------

# nslab_require [TOOL...] : exit 77 (ctest's "skipped") unless this can run: root, network namespaces
# usable, and every TOOL present. TOOL may be a command name or one of the words frr, bird, gobgp.
nslab_require() {
    local tool missing=() tools=(ip unshare hostname timeout sysctl awk)
    if [[ $EUID -ne 0 ]]; then
        echo "SKIP: must run as root (network namespaces, BGP port 179)" >&2
        exit 77
    fi
    for tool in "$@"; do
        case $tool in
            frr) tools+=(vtysh "$NSLAB_FRR_BIN/zebra" "$NSLAB_FRR_BIN/bgpd" jq) ;;
            bird) tools+=(bird birdc) ;;
            gobgp) tools+=(gobgpd gobgp jq) ;;
            *) tools+=("$tool") ;;
        esac
    done
    for tool in "${tools[@]}"; do
        command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
    done
    if ((${#missing[@]})); then
        echo "SKIP: missing ${missing[*]}" >&2
        exit 77
    fi
    # A throw-away namespace: fails in containers without CAP_SYS_ADMIN or without netns support.
    if ! unshare --net true 2>/dev/null || ! ip netns list >/dev/null 2>&1; then
        echo "SKIP: network namespaces (ip netns) are not usable here" >&2
        exit 77
    fi
}

# nslab_init NAME : start a lab run. Sets NSLAB_PREFIX (nsl-NAME-PID-, unique while this shell lives, so
# parallel runs never clash) and NSLAB_DIR (a fresh temp dir), installs the EXIT/INT/TERM trap that runs
# nslab_teardown, and starts a watchdog that stops the run after NSLAB_TIMEOUT seconds and cleans up if
# this shell dies without running its trap (SIGKILL). Installs its own EXIT trap: if the test needs one
# too, call nslab_teardown from it.
nslab_init() {
    [[ $# -eq 1 ]] || _nslab_usage "usage: nslab_init NAME"
    # No "-" or "." in NAME: the prefix nsl-NAME-PID- must never be the start of another run's prefix.
    [[ $1 =~ ^[A-Za-z0-9_]+$ ]] || _nslab_usage "bad lab name '$1' (letters, digits, _ only)"
    if [[ -n $_NSLAB_OWNER && $_NSLAB_OWNER == "$BASHPID" && -d ${NSLAB_DIR:-/nonexistent}/.state ]]; then
        _nslab_usage "nslab_init called twice in one shell"
    fi
    # BASHPID is $$ in the main shell and the subshell's own PID in a ( ... ) subshell. Read it here:
    # inside $(...) below it would be the command substitution's PID.
    local me=$BASHPID
    _NSLAB_T0=$(_nslab_now_us)
    NSLAB_NAME=$1
    NSLAB_PREFIX="nsl-$1-$me-"
    NSLAB_DIR=$(mktemp -d "/tmp/nslab-$1-$me.XXXXXX")
    chmod 755 "$NSLAB_DIR" # FRR drops to user frr and must reach its directory below
    mkdir "$NSLAB_DIR/.state"
    : >"$NSLAB_DIR/.state/procs"
    : >"$NSLAB_DIR/.state/ns"
    _NSLAB_OWNER=$me
    _NSLAB_LOGS_SHOWN=0
    NSLAB_PID=""
    trap nslab_teardown EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    _nslab_start_watchdog
    nslab_say "lab $NSLAB_NAME: namespaces ${NSLAB_PREFIX}*, files in $NSLAB_DIR"
}

# The watchdog is a subshell that polls its parent twice a second. After NSLAB_TIMEOUT seconds it sends
# SIGTERM (the trap then cleans up); if the parent is still there 15 s later (stuck in a foreground
# command) it sends SIGKILL. When the parent has gone without tearing down, it tears down itself: all
# state is in files, so it knows everything the parent started.
_nslab_start_watchdog() {
    local main=$BASHPID main_start deadline
    main_start=$(_nslab_starttime "$main")
    deadline=$(($(_nslab_now_us) + NSLAB_TIMEOUT * 1000000))
    (
        set +e
        nap=""
        trap '[[ -n $nap ]] && kill "$nap" 2>/dev/null; exit 0' TERM
        termed=0
        while :; do
            if ! _nslab_alive "$main" "$main_start"; then
                if [[ -d $NSLAB_DIR/.state ]]; then
                    echo "nslab watchdog: shell $main is gone without teardown; cleaning up" >&2
                    _nslab_teardown_now 1
                fi
                exit 0
            fi
            now=$(_nslab_now_us)
            if ((termed == 0 && now > deadline)); then
                echo "nslab watchdog: run exceeded NSLAB_TIMEOUT=${NSLAB_TIMEOUT}s, sending SIGTERM" >&2
                kill -TERM "$main" 2>/dev/null
                termed=1
                deadline=$((now + 15000000))
            elif ((termed == 1 && now > deadline)); then
                echo "nslab watchdog: shell $main ignored SIGTERM, sending SIGKILL" >&2
                kill -KILL "$main" 2>/dev/null
                termed=2
            fi
            # sleep in the background + wait: the TERM trap then runs at once instead of after the sleep.
            sleep 0.5 &
            nap=$!
            wait "$nap"
            nap=""
        done
    ) &
    _NSLAB_WATCHDOG=$!
}

# nslab_teardown : stop everything this run started and delete its namespaces and temp dir. Run by the
# trap; may also be called directly (then the trap has nothing left to do). Idempotent; never fails.
nslab_teardown() {
    local rc=$?
    # Subshells inherit the variables and functions but did not create the lab: leave it alone.
    [[ -n $_NSLAB_OWNER && $_NSLAB_OWNER == "$BASHPID" ]] || return 0
    trap - EXIT INT TERM
    if [[ -n $_NSLAB_WATCHDOG ]]; then
        kill -TERM "$_NSLAB_WATCHDOG" 2>/dev/null || true
        wait "$_NSLAB_WATCHDOG" 2>/dev/null || true
        _NSLAB_WATCHDOG=""
    fi
    _nslab_teardown_now "$rc"
    _NSLAB_OWNER=""
    return "$rc"
}

# _nslab_teardown_now RC : the work of nslab_teardown, shared with the watchdog.
_nslab_teardown_now() {
    local rc=$1 had_errexit=0 t0 name pid start kind ns full pids=() starts=() i deadline alive
    [[ -n $NSLAB_DIR && -d $NSLAB_DIR/.state ]] || return 0
    [[ $- == *e* ]] && had_errexit=1
    set +e # teardown goes on whatever fails
    t0=$(_nslab_now_us)
    if ((rc != 0 && rc != 77 && _NSLAB_LOGS_SHOWN == 0)); then # 77: the test skipped itself
        echo "nslab: run failed (exit $rc)" >&2
        _nslab_show_logs
    fi

    # Every registered process still alive, plus anything else running inside our namespaces (a child a
    # daemon forked, a process a test started with plain `ip netns exec ... &`).
    while read -r name pid start kind ns; do
        [[ -n $name ]] || continue
        if _nslab_alive "$pid" "$start"; then
            pids+=("$pid")
            starts+=("$start")
        fi
    done < <(_nslab_procs)
    for full in $(_nslab_namespaces); do
        for pid in $(ip netns pids "$full" 2>/dev/null); do
            start=$(_nslab_starttime "$pid") || continue
            pids+=("$pid")
            starts+=("$start")
        done
    done

    # SIGTERM first (daemons then send a Cease to their peers and clean up), SIGKILL after the grace time.
    for i in "${!pids[@]}"; do
        kill -TERM "${pids[i]}" 2>/dev/null
    done
    deadline=$(($(_nslab_now_us) + NSLAB_STOP_GRACE * 1000000))
    while :; do
        alive=0
        for i in "${!pids[@]}"; do
            _nslab_alive "${pids[i]}" "${starts[i]}" && alive=1
        done
        ((alive && $(_nslab_now_us) < deadline)) || break
        sleep 0.1
    done
    if ((alive)); then
        for i in "${!pids[@]}"; do
            if _nslab_alive "${pids[i]}" "${starts[i]}"; then
                echo "nslab: PID ${pids[i]} ignored SIGTERM, sending SIGKILL" >&2
                kill -KILL "${pids[i]}" 2>/dev/null
            fi
        done
        deadline=$(($(_nslab_now_us) + 2000000))
        while (($(_nslab_now_us) < deadline)); do
            alive=0
            for i in "${!pids[@]}"; do
                _nslab_alive "${pids[i]}" "${starts[i]}" && alive=1
            done
            ((alive)) || break
            sleep 0.1
        done
    fi
    # FRR's crash buffers /var/tmp/frr/<daemon>.<pid>/ are hard-coded and only removed on a clean exit.
    while read -r name pid start kind ns; do
        [[ $kind == frr:* ]] && rm -rf "/var/tmp/frr/${kind#frr:}.$pid"
    done < <(_nslab_procs)

    # Deleting a namespace deletes the veth ends in it, and with them their peers.
    for full in $(_nslab_namespaces); do
        ip netns del "$full" 2>/dev/null
    done

    if [[ $NSLAB_KEEP == 1 ]]; then
        rm -rf "$NSLAB_DIR/.state"
        echo "nslab: NSLAB_KEEP=1, kept $NSLAB_DIR" >&2
    else
        rm -rf "$NSLAB_DIR"
    fi
    nslab_say "teardown done in $(_nslab_secs $(($(_nslab_now_us) - t0)))s"
    ((had_errexit)) && set -e
    return 0
}

# Full names of this run's namespaces: the recorded ones plus any other with our prefix.
_nslab_namespaces() {
    {
        cat "$NSLAB_DIR/.state/ns" 2>/dev/null
        ip netns list 2>/dev/null | awk -v p="$NSLAB_PREFIX" 'index($1, p) == 1 { print $1 }'
    } | sort -u
}

# Print the last NSLAB_TAIL_LINES lines of every log of this run.
_nslab_show_logs() {
    local log
    _NSLAB_LOGS_SHOWN=1
    [[ -n $NSLAB_DIR && -d $NSLAB_DIR ]] || return 0
    for log in "$NSLAB_DIR"/*.log; do
        [[ -e $log ]] || continue
        printf '\n----- last %s lines of %s -----\n' "$NSLAB_TAIL_LINES" "$log" >&2
        tail -n "$NSLAB_TAIL_LINES" "$log" >&2
    done
    echo "-----" >&2
}

# nslab_fail MESSAGE... : report a failure with the tail of every daemon log, then exit 1 (the trap tears
# down). In a $(...) or ( ... ) subshell it ends only that subshell, like any exit.
nslab_fail() {
    printf '\nFAIL: %s\n' "$*" >&2
    _nslab_show_logs
    exit 1
}

# ------------------------------------------------------------------------------------------------------
# Namespaces, links, routes
# ------------------------------------------------------------------------------------------------------

# nslab_nsname NS : the full name of the lab namespace NS (for ip -n, tcpdump, nsenter...).
nslab_nsname() { echo "${NSLAB_PREFIX}$1"; }

# _nslab_ns_full NS : full name of an existing lab namespace; status 1 if there is none (no message, as
# it runs in $(...): callers fail themselves).
_nslab_ns_full() {
    local full="${NSLAB_PREFIX}$1"
    grep -qxF "$full" "$NSLAB_DIR/.state/ns" 2>/dev/null || return 1
    echo "$full"
}

# nslab_ns NS [forward] [SYSCTL=VALUE...] : create namespace NS with lo up. `forward` turns on IPv4 and
# IPv6 forwarding; other arguments are sysctls set inside it. Duplicate address detection is turned off
# so IPv6 addresses (link-local ones included) are usable at once.
nslab_ns() {
    _nslab_need_init
    [[ $# -ge 1 ]] || _nslab_usage "usage: nslab_ns NS [forward] [SYSCTL=VALUE...]"
    _nslab_check_name "$1"
    local short=$1 full="${NSLAB_PREFIX}$1" arg sysctls=()
    shift
    ip netns add "$full" || nslab_fail "ip netns add $full failed"
    echo "$full" >>"$NSLAB_DIR/.state/ns"
    ip -n "$full" link set dev lo up
    sysctls=(net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0)
    for arg in "$@"; do
        case $arg in
            forward) sysctls+=(net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1) ;;
            *=*) sysctls+=("$arg") ;;
            *) _nslab_usage "nslab_ns $short: bad argument '$arg'" ;;
        esac
    done
    ip netns exec "$full" sysctl -qw "${sysctls[@]}" >/dev/null ||
        nslab_fail "sysctl in namespace $short failed: ${sysctls[*]}"
}

# nslab_exec NS COMMAND... : run COMMAND inside namespace NS (foreground).
nslab_exec() {
    local full
    full=$(_nslab_ns_full "$1") || _nslab_usage "no namespace '$1' (nslab_ns first)"
    shift
    ip netns exec "$full" "$@"
}

# _nslab_addrs FULLNS IF ADDRS : put a comma-separated list of addresses (or "-") on IF and bring it up.
# IPv6 addresses get nodad: usable at once rather than after duplicate address detection.
_nslab_addrs() {
    local full=$1 ifname=$2 addr list=()
    [[ $3 == - ]] || IFS=, read -r -a list <<<"$3"
    for addr in "${list[@]}"; do
        if [[ $addr == *:* ]]; then
            ip -n "$full" addr add "$addr" dev "$ifname" nodad || nslab_fail "cannot add $addr to $ifname"
        else
            ip -n "$full" addr add "$addr" dev "$ifname" || nslab_fail "cannot add $addr to $ifname"
        fi
    done
    ip -n "$full" link set dev "$ifname" up
}

# nslab_link NS1 IF1 ADDRS1 NS2 IF2 ADDRS2 : a veth pair, IF1 in NS1 and IF2 in NS2, both up. ADDRS is a
# comma-separated list of CIDR addresses (IPv4 and/or IPv6) or "-" for none. The pair is created directly
# inside the namespaces, never in the root namespace, so names only need to be unique per namespace.
nslab_link() {
    _nslab_need_init
    [[ $# -eq 6 ]] || _nslab_usage "usage: nslab_link NS1 IF1 ADDRS1 NS2 IF2 ADDRS2"
    local full1 full2
    full1=$(_nslab_ns_full "$1") || _nslab_usage "no namespace '$1' (nslab_ns first)"
    full2=$(_nslab_ns_full "$4") || _nslab_usage "no namespace '$4' (nslab_ns first)"
    ip link add name "$2" netns "$full1" type veth peer name "$5" netns "$full2" ||
        nslab_fail "cannot create veth $1:$2 <-> $4:$5"
    _nslab_addrs "$full1" "$2" "$3"
    _nslab_addrs "$full2" "$5" "$6"
}

# nslab_bridge NS : a namespace NS holding bridge br0 (up), to join several namespaces on one segment
# with nslab_bridge_link. Keeps shared segments out of the root namespace.
nslab_bridge() {
    nslab_ns "$1"
    ip -n "${NSLAB_PREFIX}$1" link add name br0 type bridge || nslab_fail "cannot create bridge in $1"
    ip -n "${NSLAB_PREFIX}$1" link set dev br0 up
}

# nslab_bridge_link BRIDGE NS IF ADDRS : a veth from interface IF in NS (with ADDRS, as for nslab_link)
# to a port of BRIDGE's br0; the port is named after NS (cut to 15 characters).
nslab_bridge_link() {
    _nslab_need_init
    [[ $# -eq 4 ]] || _nslab_usage "usage: nslab_bridge_link BRIDGE NS IF ADDRS"
    local brfull full port=${2:0:15}
    brfull=$(_nslab_ns_full "$1") || _nslab_usage "no namespace '$1' (nslab_ns first)"
    full=$(_nslab_ns_full "$2") || _nslab_usage "no namespace '$2' (nslab_ns first)"
    ip link add name "$3" netns "$full" type veth peer name "$port" netns "$brfull" ||
        nslab_fail "cannot create veth $2:$3 <-> bridge $1"
    ip -n "$brfull" link set dev "$port" master br0 up
    _nslab_addrs "$full" "$3" "$4"
}

# nslab_route NS ROUTE... : `ip route add ROUTE...` inside NS (-6 when an argument is an IPv6 address).
nslab_route() {
    local full arg family=-4
    full=$(_nslab_ns_full "$1") || _nslab_usage "no namespace '$1' (nslab_ns first)"
    shift
    for arg in "$@"; do [[ $arg == *:* ]] && family=-6; done
    ip -n "$full" "$family" route add "$@" || nslab_fail "ip route add $* in $1 failed"
}

# nslab_listening NS PORT : something listens on TCP PORT inside NS (e.g. a BGP daemon on 179), to wait
# until a daemon started with nslab_run_bg accepts connections.
nslab_listening() {
    nslab_exec "$1" ss -Hltn "sport = :$2" | grep -q .
}

# ------------------------------------------------------------------------------------------------------
# Processes
# ------------------------------------------------------------------------------------------------------

# _nslab_spawn NAME KIND NS COMMAND... : start COMMAND in the background inside NS, stdout and stderr
# appended to $NSLAB_DIR/NAME.log, stdin from /dev/null, and record it. It also gets a UTS namespace of
# its own with the host name NS, so daemons that advertise their host name (FRR's FQDN capability) or log
# it show the lab's name instead of this machine's. ip netns exec, unshare and sh all exec, so $! is the
# daemon's own PID.
_nslab_spawn() {
    local name=$1 kind=$2 ns=$3 full start
    shift 3
    full=$(_nslab_ns_full "$ns") || _nslab_usage "no namespace '$ns' (nslab_ns first)"
    # shellcheck disable=SC2016 # $0 and $@ belong to the inner sh
    ip netns exec "$full" unshare --uts sh -c 'hostname "$0" && exec "$@"' "$ns" "$@" \
        >>"$NSLAB_DIR/$name.log" 2>&1 </dev/null &
    NSLAB_PID=$!
    # Out of the job table: bash would otherwise print "Killed ..." when a crash test SIGKILLs it. Bash
    # still reaps it when it exits (and _nslab_alive treats a zombie as gone anyway).
    disown "$NSLAB_PID"
    start=$(_nslab_starttime "$NSLAB_PID") || start=0
    echo "$name $NSLAB_PID $start $kind $ns" >>"$NSLAB_DIR/.state/procs"
    # Kept for nslab_restart: the command line, quoted so that it can be re-read word for word.
    printf '%q ' "$@" >"$NSLAB_DIR/.state/$name.cmd"
    nslab_say "started $name (pid $NSLAB_PID) in $ns: $*"
}

# _nslab_await_start NAME TIMEOUT DESCRIPTION COMMAND... : wait until COMMAND succeeds; fail at once with
# the log if process NAME died meanwhile, or after TIMEOUT seconds.
_nslab_await_start() {
    local name=$1 timeout=$2 what=$3 deadline
    shift 3
    deadline=$(($(_nslab_now_us) + timeout * 1000000))
    until "$@" >/dev/null 2>&1; do
        nslab_alive "$name" || nslab_fail "$name exited while starting (see $(nslab_log "$name"))"
        (($(_nslab_now_us) < deadline)) || nslab_fail "timed out after ${timeout}s waiting for $what"
        sleep 0.1
    done
}

# nslab_run_bg NS NAME COMMAND... : start any daemon (kbgpd, tcpdump...) in NS in the background; its
# output goes to $(nslab_log NAME); NSLAB_PID is its PID. Does not wait for it to be ready.
nslab_run_bg() {
    _nslab_need_init
    [[ $# -ge 3 ]] || _nslab_usage "usage: nslab_run_bg NS NAME COMMAND..."
    local ns=$1 name=$2
    shift 2
    _nslab_check_name "$name"
    ! nslab_alive "$name" || _nslab_usage "a process named $name is already running"
    _nslab_spawn "$name" cmd "$ns" "$@"
}

# nslab_log NAME : path of the log (stdout + stderr) of process NAME.
nslab_log() { echo "$NSLAB_DIR/$1.log"; }

# nslab_pid NAME : PID of the latest process started as NAME; status 1 if it is not running.
nslab_pid() {
    local entry fields
    entry=$(_nslab_entry "$1") || return 1
    read -r -a fields <<<"$entry"
    echo "${fields[1]}"
    _nslab_alive "${fields[1]}" "${fields[2]}"
}

# nslab_alive NAME : status 0 if process NAME is running.
nslab_alive() { nslab_pid "$1" >/dev/null 2>&1; }

# nslab_kill NAME [SIGNAL] : send SIGNAL (default TERM) to process NAME by its recorded PID. For TERM,
# INT and KILL wait until it has gone (TERM becomes KILL after NSLAB_STOP_GRACE seconds); other signals
# (STOP, CONT, HUP, USR1...) are just sent. SIGKILL an FRR daemon for a crash test: its crash buffer
# directory is removed here. An FRR instance's bgpd is named NAME, its zebra NAME.zebra.
nslab_kill() {
    _nslab_need_init
    local name=$1 sig=${2:-TERM} entry pid start kind deadline
    sig=${sig#SIG}
    entry=$(_nslab_entry "$name") || _nslab_usage "nslab_kill: no process named $name"
    read -r _ pid start kind _ <<<"$entry"
    if ! _nslab_alive "$pid" "$start"; then
        nslab_say "$name (pid $pid) is not running"
        return 0
    fi
    nslab_say "sending SIG$sig to $name (pid $pid)"
    kill -s "$sig" "$pid" 2>/dev/null || true
    case $sig in
        TERM | INT | KILL | 15 | 2 | 9) ;;
        *) return 0 ;;
    esac
    deadline=$(($(_nslab_now_us) + NSLAB_STOP_GRACE * 1000000))
    while _nslab_alive "$pid" "$start"; do
        if (($(_nslab_now_us) > deadline)); then
            nslab_say "$name (pid $pid) still running after SIG$sig, sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            deadline=$(($(_nslab_now_us) + 2000000))
        fi
        sleep 0.05
    done
    [[ $kind == frr:* ]] && rm -rf "/var/tmp/frr/${kind#frr:}.$pid"
    return 0
}

# nslab_restart NAME : start process NAME again (same namespace, command and log) after it was killed,
# e.g. to test graceful restart; waits until it is ready, as the first start did.
nslab_restart() {
    _nslab_need_init
    local name=$1 entry pid start kind ns cmd
    entry=$(_nslab_entry "$name") || _nslab_usage "nslab_restart: no process named $name"
    read -r _ pid start kind ns <<<"$entry"
    ! _nslab_alive "$pid" "$start" || _nslab_usage "nslab_restart: $name is still running (nslab_kill it)"
    cmd=$(cat "$NSLAB_DIR/.state/$name.cmd")
    local -a argv
    eval "argv=($cmd)" # written by printf %q in _nslab_spawn
    _nslab_before_start "$name" "$kind"
    _nslab_spawn "$name" "$kind" "$ns" "${argv[@]}"
    _nslab_ready "$name" "$kind"
}

# Remove what a killed daemon leaves behind and would confuse the readiness check of its next start.
_nslab_before_start() {
    local name=$1 kind=$2
    case $kind in
        frr:*) rm -f "$NSLAB_DIR/${name%.zebra}/${kind#frr:}.vty" ;;
        bird) rm -f "$NSLAB_DIR/$name/bird.ctl" ;;
    esac
}

# Wait until a freshly started daemon answers on its control channel.
_nslab_ready() {
    local name=$1 kind=$2
    case $kind in
        frr:zebra | frr:bgpd)
            _nslab_await_start "$name" 10 "FRR ${kind#frr:} of ${name%.zebra}" \
                test -S "$NSLAB_DIR/${name%.zebra}/${kind#frr:}.vty"
            ;;
        bird) _nslab_await_start "$name" 10 "BIRD $name control socket" nslab_birdc "$name" show status ;;
        gobgp) _nslab_await_start "$name" 10 "GoBGP $name API" nslab_gobgp_cli "$name" global ;;
    esac
}

# ------------------------------------------------------------------------------------------------------
# FRR
# ------------------------------------------------------------------------------------------------------

# nslab_frr NS NAME BGPD_CONFIG : start FRR (zebra + bgpd) in NS with private paths under $NSLAB_DIR/NAME
# (not -N, which writes under /var/run/frr and /etc/frr), no vty TCP ports, logging at debug level to
# $(nslab_log NAME) (bgpd) and $(nslab_log NAME.zebra). `debug bgp neighbor-events` is appended to the
# config so session up/down is logged. Returns when both answer on their vty sockets. Process names: NAME
# is bgpd, NAME.zebra is zebra.
nslab_frr() {
    _nslab_need_init
    [[ $# -eq 3 ]] || _nslab_usage "usage: nslab_frr NS NAME BGPD_CONFIG"
    local ns=$1 name=$2 config=$3 dir d
    _nslab_check_name "$name"
    dir="$NSLAB_DIR/$name"
    mkdir -p "$dir"
    # Millisecond timestamps in the logs, to compare event times across daemons.
    printf 'log timestamp precision 3\n!\n' >"$dir/zebra.conf"
    # Appended rather than prepended: `frr defaults` must stay the config's first line.
    printf '%s\n!\nlog timestamp precision 3\ndebug bgp neighbor-events\n!\n' "$config" >"$dir/bgpd.conf"
    # The daemons drop to user frr: their directory (sockets, pid files) and configs must be frr's.
    chown -R frr:frr "$dir"
    for d in zebra bgpd; do
        local pname=$name kind=frr:$d
        [[ $d == zebra ]] && pname=$name.zebra
        _nslab_spawn "$pname" "$kind" "$ns" "$NSLAB_FRR_BIN/$d" -f "$dir/$d.conf" -i "$dir/$d.pid" \
            -z "$dir/zserv.api" --vty_socket "$dir" -P 0 --log stdout --log-level debug
        _nslab_ready "$pname" "$kind"
    done
}

# nslab_vtysh NAME COMMAND... : run vtysh commands (one -c each, in order) against FRR instance NAME.
nslab_vtysh() {
    local dir="$NSLAB_DIR/$1" args=() c
    shift
    for c in "$@"; do args+=(-c "$c"); done
    timeout 10 vtysh --vty_socket "$dir" "${args[@]}"
}

# nslab_frr_established NAME PEER : FRR instance NAME has an Established session with PEER (an address).
nslab_frr_established() {
    nslab_vtysh "$1" "show bgp neighbors $2 json" |
        jq -e 'any(.[]; type == "object" and .bgpState == "Established")' >/dev/null
}

# nslab_frr_has_prefix NAME PREFIX [PEER] : FRR instance NAME has a valid path for PREFIX (IPv4 or IPv6
# unicast, chosen by the prefix), received from PEER if given (PEER as FRR prints it, e.g. fd00:2::2).
nslab_frr_has_prefix() {
    local afi=ipv4
    [[ $2 == *:* ]] && afi=ipv6
    nslab_vtysh "$1" "show bgp $afi unicast $2 json" |
        jq -e --arg peer "${3:-}" \
            'any(.paths[]?; .valid == true and ($peer == "" or .peer.peerId == $peer))' >/dev/null
}

# ------------------------------------------------------------------------------------------------------
# BIRD 2
# ------------------------------------------------------------------------------------------------------

# nslab_bird NS NAME CONFIG : start BIRD in NS with CONFIG (remember `import all; export ...;` on eBGP
# channels), control socket $NSLAB_DIR/NAME/bird.ctl. `log stderr all` and `debug protocols { states }`
# are put first, so everything including session state changes lands in $(nslab_log NAME).
nslab_bird() {
    _nslab_need_init
    [[ $# -eq 3 ]] || _nslab_usage "usage: nslab_bird NS NAME CONFIG"
    local ns=$1 name=$2 dir
    _nslab_check_name "$name"
    dir="$NSLAB_DIR/$name"
    mkdir -p "$dir"
    printf 'log stderr all;\ndebug protocols { states };\n%s\n' "$3" >"$dir/bird.conf"
    _nslab_spawn "$name" bird "$ns" bird -f -c "$dir/bird.conf" -s "$dir/bird.ctl" -P "$dir/bird.pid"
    _nslab_ready "$name" bird
}

# nslab_birdc NAME COMMAND... : run one birdc command against BIRD instance NAME.
nslab_birdc() {
    local name=$1
    shift
    timeout 10 birdc -s "$NSLAB_DIR/$name/bird.ctl" "$@"
}

# nslab_bird_established NAME PROTO : BGP protocol PROTO of BIRD instance NAME is Established.
nslab_bird_established() {
    nslab_birdc "$1" show protocols "$2" | awk -v p="$2" '$1 == p && / Established/ { ok = 1 } END { exit !ok }'
}

# nslab_bird_has_prefix NAME PREFIX [PROTO] : BIRD instance NAME has a route for PREFIX (exact), from
# protocol PROTO if given.
nslab_bird_has_prefix() {
    local args=(show route "$2")
    [[ -n ${3:-} ]] && args+=(protocol "$3")
    nslab_birdc "$1" "${args[@]}" | awk -v p="$2" '$1 == p { ok = 1 } END { exit !ok }'
}

# ------------------------------------------------------------------------------------------------------
# GoBGP
# ------------------------------------------------------------------------------------------------------

# nslab_gobgp NS NAME TOML : start gobgpd in NS with TOML; its gRPC API listens on 127.0.0.1 inside NS on
# a port of its own (50051, 50052... so several can share a namespace). Returns when the API answers.
# GoBGP waits a random 5-9 s before its first connect attempt: let the peer be the active side.
nslab_gobgp() {
    _nslab_need_init
    [[ $# -eq 3 ]] || _nslab_usage "usage: nslab_gobgp NS NAME TOML"
    local ns=$1 name=$2 dir port
    _nslab_check_name "$name"
    dir="$NSLAB_DIR/$name"
    mkdir -p "$dir"
    printf '%s\n' "$3" >"$dir/gobgpd.toml"
    port=$((50051 + $(awk '$4 == "gobgp" { n++ } END { print n + 0 }' "$NSLAB_DIR/.state/procs")))
    echo "$port" >"$dir/api-port"
    _nslab_spawn "$name" gobgp "$ns" gobgpd -f "$dir/gobgpd.toml" -t toml -l info -p \
        --api-hosts "127.0.0.1:$port" --pprof-disable
    _nslab_ready "$name" gobgp
}

# nslab_gobgp_cli NAME ARGS... : the gobgp CLI against instance NAME (run in its namespace, right port).
nslab_gobgp_cli() {
    local name=$1 entry ns port
    shift
    entry=$(_nslab_entry "$name") || return 1
    read -r _ _ _ _ ns <<<"$entry"
    port=$(cat "$NSLAB_DIR/$name/api-port")
    timeout 10 ip netns exec "${NSLAB_PREFIX}$ns" gobgp -u 127.0.0.1 -p "$port" "$@"
}

# nslab_gobgp_established NAME PEER : GoBGP instance NAME has an Established session with PEER.
nslab_gobgp_established() {
    nslab_gobgp_cli "$1" neighbor "$2" -j | jq -e '.state.session_state == 6' >/dev/null
}

# nslab_gobgp_has_prefix NAME PREFIX [PEER] : GoBGP instance NAME has PREFIX in its RIB, or in the
# Adj-RIB-In of PEER if given.
nslab_gobgp_has_prefix() {
    local afi=ipv4
    [[ $2 == *:* ]] && afi=ipv6
    if [[ -n ${3:-} ]]; then
        nslab_gobgp_cli "$1" neighbor "$3" adj-in "$2" -a "$afi" -j
    else
        nslab_gobgp_cli "$1" global rib "$2" -a "$afi" -j
    fi | jq -e --arg p "$2" '.[$p] | length > 0' >/dev/null
}

# ------------------------------------------------------------------------------------------------------
# Waiting
# ------------------------------------------------------------------------------------------------------

# nslab_wait TIMEOUT_S DESCRIPTION COMMAND... : run COMMAND every 0.2 s until it succeeds; after TIMEOUT_S
# seconds fail (nslab_fail) with DESCRIPTION and COMMAND's last output. Every wait in a test is bounded.
nslab_wait() {
    [[ $# -ge 3 ]] || _nslab_usage "usage: nslab_wait TIMEOUT_S DESCRIPTION COMMAND..."
    local timeout=$1 what=$2 t0 deadline out
    shift 2
    t0=$(_nslab_now_us)
    deadline=$((t0 + ${timeout%.*} * 1000000))
    while :; do
        if out=$("$@" 2>&1); then
            nslab_say "ok: $what ($(_nslab_secs $(($(_nslab_now_us) - t0)))s)"
            return 0
        fi
        if (($(_nslab_now_us) >= deadline)); then
            nslab_fail "timed out after ${timeout}s waiting for: $what
last output of '$*':
${out:-(none)}"
        fi
        sleep 0.2
    done
}

# nslab_not COMMAND... : succeed when COMMAND fails (for nslab_wait: `!` is shell syntax, not a command).
nslab_not() { ! "$@"; }
