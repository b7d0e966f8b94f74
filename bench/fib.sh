#!/usr/bin/env bash
# bench/fib.sh [PREFIXES] : time to install a full table into the kernel.
#
#   single:  f1 (AS 65001) --10.0.1.0/24-- dut (AS 65000)
#   ecmp:    f1..f4 (AS 65001..65004) --10.0.K.0/24-- dut (AS 65000)
#
# For each scenario (SCENARIOS="single ecmp") and each DUT (kbgpd, BIRD 2,
# FRR; DUTS="kbgpd bird" picks some) a fresh lab: the DUT installs what it
# learns into the kernel of its own namespace (kbgpd `fib: {install: true}`,
# BIRD a kernel protocol with `merge paths on limit 4` for ECMP, FRR with
# zebra) and advertises nothing back (kbgpd and FRR: an accept-all import
# policy and no export policy under RFC 8212; BIRD `export none`).  ECMP:
# kbgpd `maximumPaths: 4` and `asPathMultipathRelax`, FRR `maximum-paths 4`
# and `bgp bestpath as-path multipath-relax`, BIRD's merge paths (BIRD
# merges routes of different neighbour ASes by itself).  Each feeder
# (bench/bgpblast) sends the same PREFIXES distinct /24s; bgpblast's stream
# depends only on PREFIXES and PER_SET (fixed seed), so the four feeders'
# AS_PATHs have equal lengths prefix by prefix and differ only in their
# first ASN: every prefix has four equal-cost paths.
#
# bench/fibwatch (started in the DUT's namespace before the DUT) follows the
# kernel's IPv4 route and nexthop notifications and prints the moment the
# DUT's protocol (kbgpd and FRR 186 "bgp", BIRD 12 "bird") has PREFIXES
# routes in table main with 1 (single) or 4 (ecmp) next hops, counted from
# RTA_MULTIPATH or from the nexthop group the route refers to.
#
# Measured per DUT and scenario:
#   install    first feeder's first UPDATE written -> the kernel holds every
#              route with its next hops (both CLOCK_MONOTONIC, same kernel)
#   1st route  first UPDATE -> the DUT's first route in the kernel
#   fed in     first UPDATE -> the last feeder's last byte taken by the DUT
#   peak RSS   VmHWM of the DUT (FRR: bgpd + zebra, also listed per process)
#   CPU s      utime + stime of the DUT (FRR: bgpd + zebra) from just before
#              the feeders start until the kernel is complete
#   max gap    longest silence of the DUT towards any feeder during the run
#              (its keepalive lateness; above HOLD the session drops)
# and, below the table, the CPU seconds the rest of the machine used meanwhile
# (everything but the DUT: fibwatch, feeders, kernel threads freeing the
# replaced routes, and any other job, which makes the figures unreliable),
# with fibwatch's own share in brackets.
#
# A DUT that installs nothing (or stops making progress) shows `timeout`:
# after TIMEOUT seconds, or STALL seconds after every feeder has sent
# everything without the kernel count moving.
#
# Environment: KBGPD, BGPBLAST, FIBWATCH (binaries; fibwatch is compiled
# with cc and libmnl into a temp dir when none is built), DUTS, SCENARIOS,
# TIMEOUT (per DUT, 300 s), STALL (30 s), HOLD (9), PER_SET (10..50),
# PATHS (ECMP width and feeders, 4), QUIET (before each DUT wait up to this
# many seconds, 120, for the machine to be idle; 0: don't), WATCHERS (extra
# idle fibwatch processes in the DUT's namespace, 0: run 0 and 1 and compare
# to see what the watcher costs the DUT).
# Run as root.  Exit status 0 when every DUT completed with its sessions up.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
source "$root/tests/netns/lib.sh"

: "${TIMEOUT:=300}" "${STALL:=30}" "${QUIET:=120}" "${WATCHERS:=0}" "${HOLD:=9}" "${PER_SET:=10..50}" "${PATHS:=4}"
: "${DUTS:=kbgpd bird frr}" "${SCENARIOS:=single ecmp}"

find_bin() { # NAME : build/NAME, build-rel/NAME, else any build*/NAME
    local c
    for c in "$root/build/$1" "$root/build-rel/$1" "$root"/build*/"$1"; do
        [[ -x $c ]] && { echo "$c"; return 0; }
    done
    return 1
}
KBGPD=${KBGPD:-$(find_bin kbgpd || true)}
BGPBLAST=${BGPBLAST:-$(find_bin bgpblast || true)}
FIBWATCH=${FIBWATCH:-$(find_bin fibwatch || true)}

# ---------------------------------------------------------------------------
# DUT configurations: feeder K at 10.0.K.2, AS 6500K; the DUT at 10.0.K.1.
# FEEDERS (1 or PATHS) and WIDTH (1 or PATHS) are set by one_dut.
# ---------------------------------------------------------------------------

start_kbgpd() {
    [[ -x $KBGPD ]] || nslab_fail "kbgpd not found: set KBGPD"
    local k
    {
        printf 'apiVersion: kbgp.io/v1alpha1\nkind: BGPRouter\nmetadata: {name: dut}\nspec:\n'
        printf '  localASN: 65000\n  routerID: 10.0.1.1\n'
        printf '  maximumPaths: %s\n  bestPath: {asPathMultipathRelax: true}\n' "$WIDTH"
        printf '  fib: {install: true}\n'
        printf '  policies:\n  - name: ALL\n    statements:\n    - {name: all, action: accept}\n'
        printf '  peerGroups:\n'
        for ((k = 1; k <= FEEDERS; k++)); do
            printf '  - name: FEED%s\n    remoteASN: %s\n    neighbors: ["10.0.%s.2"]\n' \
                "$k" $((65000 + k)) "$k"
            printf '    passive: true\n    importPolicies: [ALL]\n'
            printf '    timers: {holdTimeSeconds: %s, keepAliveTimeSeconds: %s}\n' "$HOLD" $((HOLD / 3))
        done
    } >"$NSLAB_DIR/router.yaml"
    nslab_run_bg dut kbgpd "$KBGPD" router --run-dir "$NSLAB_DIR" -c "$NSLAB_DIR/router.yaml"
    nslab_wait 10 "kbgpd listening" nslab_listening dut 179
    DUT_NAMES=kbgpd PROTO=bgp
}

start_bird() {
    local k merge=""
    ((WIDTH > 1)) && merge="merge paths on limit $WIDTH;"
    local conf="router id 10.0.1.1;
protocol device {}
protocol kernel {
  ipv4 { import none; export all; };
  learn off; persist off; $merge
}"
    for ((k = 1; k <= FEEDERS; k++)); do
        conf+="
protocol bgp feed$k {
  local 10.0.$k.1 as 65000; neighbor 10.0.$k.2 as $((65000 + k)); passive on;
  hold time $HOLD; keepalive time $((HOLD / 3));
  ipv4 { import all; export none; };
}"
    done
    nslab_bird dut bird "$conf"
    nslab_wait 10 "BIRD listening" nslab_listening dut 179
    DUT_NAMES=bird PROTO=bird
}

start_frr() {
    local k conf="route-map ALL permit 10
!
router bgp 65000
 bgp router-id 10.0.1.1
 no bgp network import-check
 bgp bestpath as-path multipath-relax
 timers bgp $((HOLD / 3)) $HOLD"
    for ((k = 1; k <= FEEDERS; k++)); do
        conf+="
 neighbor 10.0.$k.2 remote-as $((65000 + k))
 neighbor 10.0.$k.2 passive"
    done
    conf+="
 address-family ipv4 unicast
  maximum-paths $WIDTH"
    for ((k = 1; k <= FEEDERS; k++)); do
        conf+="
  neighbor 10.0.$k.2 route-map ALL in"
    done
    conf+="
 exit-address-family"
    nslab_frr dut frr "$conf"
    nslab_wait 10 "FRR listening" nslab_listening dut 179
    DUT_NAMES="frr frr.zebra" PROTO=bgp
}

# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------

cpu_ticks() { # PID... : utime + stime summed
    local pid total=0 f
    for pid in "$@"; do
        read -r -a f <<<"$(sed 's/.*) //' "/proc/$pid/stat")"
        total=$((total + f[11] + f[12]))
    done
    echo "$total"
}

machine_ticks() { # busy ticks of the whole machine (user nice system irq softirq steal)
    awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}

proc_name() { sed 's/^[^(]*(\(.*\)).*/\1/' "/proc/$1/stat"; }

peak_kb() { # PID... : VmHWM summed, kB
    local pid total=0
    for pid in "$@"; do
        total=$((total + $(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")))
    done
    echo "$total"
}

field() { # LOG WORD N : field N of the first line of LOG starting with WORD
    awk -v w="$2" -v n="$3" '$1 == w { print $n; exit }' "$1"
}

last_field() { # LOG WORD N : field N of the last line of LOG starting with WORD
    awk -v w="$2" -v n="$3" '$1 == w { v = $n } END { print v }' "$1"
}

# A line of a feeder's log that means its session went away.
session_broke() { grep -hE '^(hold-timer-expired|notification|closed)' "$@" 2>/dev/null | head -n 1 || true; }

# One DUT in one scenario in its own lab; writes one result line to RESULT:
#   dut scenario prefixes status install first fed_in peak_kb cpu_s max_gap fibwatch_cpu note [per-process peaks]
one_dut() {
    local dut=$1 scen=$2 n=$3 result=$4 status=ok k
    # shellcheck disable=SC2034 # read by lib.sh
    NSLAB_TIMEOUT=$((TIMEOUT + 180)) NSLAB_QUIET=${NSLAB_QUIET:-1}
    FEEDERS=1 WIDTH=1
    [[ $scen == ecmp ]] && FEEDERS=$PATHS WIDTH=$PATHS
    echo "$dut $scen $n failed - - - - - - - setup : -" >"$result"
    nslab_init "fib_${dut}_$scen"
    nslab_ns dut
    for ((k = 1; k <= FEEDERS; k++)); do
        nslab_ns "f$k"
        nslab_link "f$k" dut "10.0.$k.2/24" dut "f$k" "10.0.$k.1/24"
    done
    case $dut in
        kbgpd) PROTO=bgp ;;
        bird) PROTO=bird ;;
        frr) PROTO=bgp ;;
        *) nslab_fail "unknown DUT $dut" ;;
    esac

    # The watcher first, so that it sees the DUT's first route.
    nslab_run_bg dut fibwatch "$FIBWATCH" --expect "$n" --paths "$WIDTH" --proto "$PROTO" \
        --timeout $((TIMEOUT + 60))
    local fw_log
    fw_log=$(nslab_log fibwatch)
    nslab_wait 10 "fibwatch ready" grep -q '^ready' "$fw_log"
    # WATCHERS more of them, to see what one costs the DUT (a diagnostic).
    for ((k = 1; k <= WATCHERS; k++)); do
        nslab_run_bg dut "fibwatch$k" "$FIBWATCH" --expect "$n" --paths "$WIDTH" --proto "$PROTO" \
            --progress 0 --timeout $((TIMEOUT + 60))
        nslab_wait 10 "fibwatch$k ready" grep -q '^ready' "$(nslab_log "fibwatch$k")"
    done

    DUT_NAMES=""
    "start_$dut"
    local -a pids=() names logs=()
    read -r -a names <<<"$DUT_NAMES"
    for k in "${names[@]}"; do pids+=("$(nslab_pid "$k")"); done

    local cpu0 deadline mach0
    cpu0=$(cpu_ticks "${pids[@]}")
    mach0=$(machine_ticks)
    for ((k = 1; k <= FEEDERS; k++)); do
        nslab_run_bg "f$k" "feed$k" "$BGPBLAST" feed --local "10.0.$k.2" --peer "10.0.$k.1" \
            --hold "$HOLD" --as $((65000 + k)) --peer-as 65000 --prefixes "$n" --per-set "$PER_SET" --wait 30
        logs+=("$(nslab_log "feed$k")")
    done
    deadline=$((SECONDS + TIMEOUT))
    local seen=-1 seen_at=$SECONDS count=0 name log all_sent
    # The time comes from fibwatch's own clock: this loop only needs to notice
    # the end, so it looks often but cheaply, and checks health every 2 s.
    local tick=0
    until grep -q '^complete' "$fw_log"; do
        sleep 0.25
        ((++tick % 8 == 0)) || continue
        if [[ -n $(session_broke "${logs[@]}") ]]; then
            status=broken
            break
        fi
        for ((k = 1; k <= FEEDERS; k++)); do
            nslab_alive "feed$k" || { status=broken; break 2; }
        done
        for name in "${names[@]}"; do
            nslab_alive "$name" || { status="$name-died"; break 2; }
        done
        if ! nslab_alive fibwatch; then # it exits once complete
            grep -q '^complete' "$fw_log" || status=fibwatch-died
            break
        fi
        ((SECONDS < deadline)) || { status=timeout; break; }
        # No change in the kernel for STALL s after everything was sent: give up.
        count=$(awk '$1 == "progress" { v = $4 ":" $6 } END { print v }' "$fw_log")
        all_sent=1
        for log in "${logs[@]}"; do grep -q '^sent' "$log" || all_sent=0; done
        if [[ $count != "$seen" ]] || ((!all_sent)); then
            seen=$count seen_at=$SECONDS
        elif ((SECONDS - seen_at >= STALL)); then
            status=timeout
            break
        fi
    done
    local cpu1 peak detail="" pid mach1
    cpu1=$(cpu_ticks "${pids[@]}")
    mach1=$(machine_ticks)
    peak=$(peak_kb "${pids[@]}")
    if ((${#pids[@]} > 1)); then
        for pid in "${pids[@]}"; do
            detail+="$(proc_name "$pid")=$(($(peak_kb "$pid") / 1024))MB,"
        done
    fi

    # Feeders first (they print their gaps), then the DUT at once: it would
    # otherwise spend seconds withdrawing the table from the kernel.
    for ((k = 1; k <= FEEDERS; k++)); do
        nslab_alive "feed$k" && nslab_kill "feed$k"
    done
    for name in "${names[@]}"; do
        nslab_alive "$name" && nslab_kill "$name" KILL
    done
    nslab_alive fibwatch && nslab_kill fibwatch
    local broke note=-
    broke=$(session_broke "${logs[@]}")
    if [[ -n $broke ]]; then
        [[ $status == ok ]] && status=dropped
        note=${broke// /_}
    fi

    # Times relative to the first feeder's first UPDATE.
    local t0="" tlast="" gap=0 v install=- first=- fed_in=- fw_cpu
    for log in "${logs[@]}"; do
        v=$(field "$log" sending 2)
        [[ -n $v ]] && t0=$(awk -v a="${t0:-$v}" -v b="$v" 'BEGIN { print (b < a ? b : a) }')
        v=$(field "$log" sent 2)
        [[ -n $v ]] && tlast=$(awk -v a="${tlast:-$v}" -v b="$v" 'BEGIN { print (b > a ? b : a) }')
        v=$(field "$log" stopped 4)
        [[ -n $v ]] && gap=$(awk -v a="$gap" -v b="$v" 'BEGIN { print (b > a ? b : a) }')
    done
    rel() { [[ -n $t0 && -n $1 ]] && awk -v a="$t0" -v b="$1" 'BEGIN { printf "%.2f", b - a }' || echo -; }
    [[ $status == ok ]] && install=$(rel "$(field "$fw_log" complete 2)")
    first=$(rel "$(field "$fw_log" first 2)")
    fed_in=$(rel "$tlast")
    fw_cpu=$(field "$fw_log" stopped 12)
    if [[ $status == timeout ]]; then
        note="kernel_had_$(last_field "$fw_log" progress 6)_of_${n}_with_${WIDTH}_paths,$(last_field "$fw_log" progress 4)_routes"
    fi
    local hz
    hz=$(getconf CLK_TCK)
    echo "$dut $scen $n $status $install $first $fed_in $peak" \
        "$(awk -v t=$((cpu1 - cpu0)) -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }')" \
        "$gap ${fw_cpu:--} $note ${detail%,}:" \
        "$(awk -v t=$((mach1 - mach0 - cpu1 + cpu0)) -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }')" >"$result"
    nslab_say "$dut $scen: $status"
    [[ $status == ok ]] || nslab_say "$dut $scen: $status (NSLAB_KEEP=1 keeps the logs)"
    return 0
}

# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------

report() { # RESULT_FILE...
    awk -v hold="$HOLD" -v paths="$PATHS" '
    { dut[NR] = $1; sc[NR] = $2; n[NR] = $3; st[NR] = $4; t[NR] = $5; first[NR] = $6
      fed[NR] = $7; kb[NR] = $8; cpu[NR] = $9; gap[NR] = $10; fw[NR] = $11; note[NR] = $12
      detail[NR] = $13 == ":" ? "" : $13; sub(/:$/, "", detail[NR]); rest[NR] = $NF
      if ($1 == "bird" && $4 == "ok") { bt[$2] = $5; bkb[$2] = $8 } }
    function ratio(a, b) { return (b > 0 && a != "-") ? sprintf("%.2fx", a / b) : "-" }
    function secs(v) { return v == "-" ? "-" : v " s" }
    END {
      printf "%-6s %-7s %9s %9s %9s %8s %9s %7s %9s %8s %7s  %s\n", "DUT", "routes", "prefixes",
             "install", "1st route", "fed in", "peak RSS", "CPU s", "time/BIRD", "RSS/BIRD",
             "max gap", "status"
      for (i = 1; i <= NR; i++) {
        label = sc[i] == "ecmp" ? paths "-way" : sc[i]
        printf "%-6s %-7s %9d %9s %9s %8s %6.0f MB %7s %9s %8s %7s  %s%s\n", dut[i], label, n[i],
               st[i] == "ok" ? secs(t[i]) : st[i], secs(first[i]), secs(fed[i]), kb[i] / 1024,
               cpu[i], st[i] == "ok" ? ratio(t[i], bt[sc[i]]) : "-", ratio(kb[i], bkb[sc[i]]),
               gap[i] == "-" ? "-" : sprintf("%.2f", gap[i]), st[i], note[i] != "-" && note[i] != "" ? " (" note[i] ")" : ""
      }
      printf "max gap: longest silence of the DUT seen by its feeders, s (hold %s)\n", hold
      for (i = 1; i <= NR; i++) {
        if (detail[i] != "")
          printf "%s %s peak RSS per process: %s\n", dut[i], sc[i], detail[i]
      }
      printf "CPU s of the rest of the machine during the run (of which fibwatch), should be small:\n "
      for (i = 1; i <= NR; i++)
        printf " %s/%s %s (%s)", dut[i], sc[i], rest[i], fw[i]
      printf "\n"
    }' "$@"
}

# Wait (at most QUIET seconds) for 2 s in which the machine is less than 10%
# busy: other jobs on a shared machine skew the figures more than anything.
wait_quiet() {
    local end=$((SECONDS + QUIET)) a b hz cpus
    hz=$(getconf CLK_TCK) cpus=$(nproc)
    while ((SECONDS < end)); do
        a=$(machine_ticks)
        sleep 2
        b=$(machine_ticks)
        (((b - a) * 10 < 2 * hz * cpus)) && return 0
    done
    ((QUIET == 0)) || echo "  the machine is still busy after ${QUIET}s; running anyway" >&2
}

# fibwatch: a built one, else compile it (it needs only libmnl).
ensure_fibwatch() {
    [[ -n $FIBWATCH && -x $FIBWATCH ]] && return 0
    FIBWATCH=$RESULTS/fibwatch
    cc -std=c17 -O2 -Wall -o "$FIBWATCH" "$here/fibwatch.c" -lmnl ||
        { echo "cannot build bench/fibwatch.c (needs libmnl-dev): set FIBWATCH" >&2; exit 1; }
}

main() {
    local n=${1:-1000000} dut scen rc=0
    [[ $n =~ ^[0-9]+$ && $n -gt 0 ]] || { echo "usage: $0 [PREFIXES]" >&2; exit 2; }
    [[ $PATHS =~ ^[0-9]+$ && $PATHS -ge 2 && $PATHS -le 9 ]] || { echo "PATHS must be 2..9" >&2; exit 2; }
    nslab_require
    [[ -x $BGPBLAST ]] || { echo "bgpblast not found: build it or set BGPBLAST" >&2; exit 1; }
    RESULTS=$(mktemp -d /tmp/fib.XXXXXX)
    trap 'rm -rf "$RESULTS"' EXIT
    ensure_fibwatch
    export KBGPD BGPBLAST FIBWATCH
    echo "fib: $n prefixes, attribute sets of $PER_SET, ECMP $PATHS-way, hold $HOLD, $(nproc) CPUs, $(uname -r)"
    echo "  kbgpd:  $KBGPD ($(awk -F= '/^CMAKE_BUILD_TYPE/ { print $2 }' "$(dirname "$KBGPD")/CMakeCache.txt" 2>/dev/null))"
    echo "  bird:   $(bird --version 2>&1 | head -n 1)"
    echo "  frr:    $("$NSLAB_FRR_BIN/bgpd" --version | head -n 1)"
    local i=0
    for scen in $SCENARIOS; do
        [[ $scen == single || $scen == ecmp ]] || { echo "unknown scenario $scen" >&2; exit 2; }
        for dut in $DUTS; do
            i=$((i + 1))
            wait_quiet
            echo "running $dut, $scen, $n prefixes..." >&2
            bash "$0" --one "$dut" "$scen" "$n" "$RESULTS/$(printf %02d $i)" ||
                echo "$dut $scen $n failed - - - - - - - error : -" >"$RESULTS/$(printf %02d $i)"
        done
    done
    echo
    report "$RESULTS"/[0-9]*
    grep -qv '^[^ ]* [^ ]* [^ ]* ok ' "$RESULTS"/[0-9]* && rc=1
    return $rc
}

if [[ ${1:-} == --one ]]; then
    one_dut "$2" "$3" "$4" "$5"
else
    main "$@"
fi
