#!/usr/bin/env bash
# bench/fulltable.sh [PREFIXES] : full-table propagation through one router.
#
#   feed (AS 65001) --10.0.1.0/24-- dut (AS 65000) --10.0.2.0/24-- sink (AS 65002)
#
# For each DUT (kbgpd, BIRD 2, FRR, GoBGP; DUTS="kbgpd bird" picks some) a
# fresh three-namespace lab: the DUT is a plain eBGP transit (no policy, no
# FIB, passive towards both peers, hold 9 / keepalive 3), bench/bgpblast is
# the sink and then the feeder.  The feeder sends PREFIXES distinct /24s in
# attribute sets of 10..50 prefixes, the sink counts what the DUT passes on.
#
# Measured per DUT:
#   propagate  feeder's first UPDATE written -> sink holds every prefix
#              (both CLOCK_MONOTONIC, same kernel)
#   fed in     feeder's first UPDATE -> last byte taken by the DUT's socket
#   peak RSS   VmHWM of the DUT (FRR: bgpd + zebra)
#   CPU s      utime + stime of the DUT (FRR: bgpd + zebra), just before
#              the feeder starts to the moment the sink is complete
#   max gap    longest silence of the DUT towards the feeder / the sink,
#              measured by bgpblast over the run and SETTLE seconds after;
#              above the hold time the session would have dropped
# GoBGP gets min(PREFIXES, 100000), as it is too slow for a full table.
#
# Environment: KBGPD, BGPBLAST (binaries), DUTS, TIMEOUT (per DUT, 120 s),
# SETTLE (seconds the sessions stay up after completion, 10), HOLD (9),
# PER_SET (10..50), ORDER=shuffled (the feeder scatters its /24s over the
# range instead of sending them in address order), FRR_FIB=1 (let FRR install into zebra, default no-rib),
# PERF=DIR (perf record the DUT from feeder start to completion into
# DIR/DUT.data; PERF_CALLGRAPH=fp|dwarf|lbr, default fp; PERF_FREQ in Hz,
# default 1999), ROUNDS=N (run
# the DUTS list N times over, interleaved: each row's ratios are to BIRD of
# its own round, and a summary gives each DUT's medians; this VM's speed
# moves by half between runs minutes apart, for every DUT alike).
# Run as root.  Exit status 0 when every DUT finished with its sessions up.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
source "$root/tests/netns/lib.sh"

: "${TIMEOUT:=120}" "${SETTLE:=10}" "${HOLD:=9}" "${PER_SET:=10..50}" "${FRR_FIB:=0}" "${ROUNDS:=1}" "${ORDER:=sorted}"
: "${DUTS:=kbgpd bird frr gobgp}"
GOBGP_MAX=100000

find_bin() { # NAME : $ENV override, else build/NAME, else any build*/NAME
    local c
    for c in "$root/build/$1" "$root/build-rel/$1" "$root"/build*/"$1"; do
        [[ -x $c ]] && { echo "$c"; return 0; }
    done
    return 1
}
KBGPD=${KBGPD:-$(find_bin kbgpd || true)}
BGPBLAST=${BGPBLAST:-$(find_bin bgpblast || true)}

# ---------------------------------------------------------------------------
# DUT configurations: feeder 10.0.1.2 AS 65001, sink 10.0.2.2 AS 65002.
# ---------------------------------------------------------------------------

start_kbgpd() {
    [[ -x $KBGPD ]] || nslab_fail "kbgpd not found: set KBGPD"
    local peer
    {
        printf 'apiVersion: kbgp.io/v1alpha1\nkind: BGPRouter\nmetadata: {name: dut}\nspec:\n'
        printf '  localASN: 65000\n  routerID: 10.0.1.1\n  ebgpRequiresPolicy: false\n'
        printf '  fib: {install: false}\n  peerGroups:\n'
        for peer in FEED:65001:10.0.1.2 SINK:65002:10.0.2.2; do
            IFS=: read -r name asn addr <<<"$peer"
            printf '  - name: %s\n    remoteASN: %s\n    neighbors: ["%s"]\n    passive: true\n' \
                "$name" "$asn" "$addr"
            printf '    timers: {holdTimeSeconds: %s, keepAliveTimeSeconds: %s}\n' "$HOLD" $((HOLD / 3))
        done
    } >"$NSLAB_DIR/router.yaml"
    nslab_run_bg dut kbgpd "$KBGPD" router --run-dir "$NSLAB_DIR" -c "$NSLAB_DIR/router.yaml"
    nslab_wait 10 "kbgpd listening" nslab_listening dut 179
    DUT_PIDS=$(nslab_pid kbgpd)
}

start_bird() {
    local conf="router id 10.0.1.1;
protocol device {}"
    for peer in feed:65001:10.0.1.1:10.0.1.2 sink:65002:10.0.2.1:10.0.2.2; do
        IFS=: read -r name asn local addr <<<"$peer"
        conf+="
protocol bgp $name {
  local $local as 65000; neighbor $addr as $asn; passive on;
  hold time $HOLD; keepalive time $((HOLD / 3));
  ipv4 { import all; export all; };
}"
    done
    nslab_bird dut bird "$conf"
    DUT_PIDS=$(nslab_pid bird)
}

start_frr() {
    local norib="bgp no-rib"
    [[ $FRR_FIB == 1 ]] && norib="!"
    nslab_frr dut frr "$norib
router bgp 65000
 bgp router-id 10.0.1.1
 no bgp ebgp-requires-policy
 no bgp network import-check
 timers bgp $((HOLD / 3)) $HOLD
 neighbor 10.0.1.2 remote-as 65001
 neighbor 10.0.1.2 passive
 neighbor 10.0.2.2 remote-as 65002
 neighbor 10.0.2.2 passive"
    DUT_PIDS="$(nslab_pid frr) $(nslab_pid frr.zebra)"
}

start_gobgp() {
    local conf='[global.config]
  as = 65000
  router-id = "10.0.1.1"
[global.apply-policy.config]
  default-import-policy = "accept-route"
  default-export-policy = "accept-route"'
    for peer in 65001:10.0.1.2 65002:10.0.2.2; do
        conf+="
[[neighbors]]
  [neighbors.config]
    neighbor-address = \"${peer#*:}\"
    peer-as = ${peer%%:*}
  [neighbors.timers.config]
    hold-time = $HOLD
    keepalive-interval = $((HOLD / 3))
  [neighbors.transport.config]
    passive-mode = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = \"ipv4-unicast\""
    done
    nslab_gobgp dut gobgp "$conf"
    DUT_PIDS=$(nslab_pid gobgp)
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

# A line of the sink's or feeder's log that means the session went away.
session_broke() { grep -hE '^(hold-timer-expired|notification|closed)' "$@" 2>/dev/null | head -n 1 || true; }

# One DUT in its own lab; writes one result line to RESULT:
#   dut prefixes status propagate fed_in peak_kb cpu_s gap_feed gap_sink note [per-process peaks]
one_dut() {
    local dut=$1 n=$2 result=$3 status=ok
    # shellcheck disable=SC2034 # read by lib.sh
    NSLAB_TIMEOUT=$((TIMEOUT + SETTLE + 120)) NSLAB_QUIET=${NSLAB_QUIET:-1}
    nslab_init "fulltable_$dut"
    echo "$dut $n failed - - - - - - setup" >"$result"
    nslab_ns feed
    nslab_ns dut
    nslab_ns sink
    nslab_link feed dut 10.0.1.2/24 dut feed 10.0.1.1/24
    nslab_link dut sink 10.0.2.1/24 sink dut 10.0.2.2/24
    DUT_PIDS=""
    "start_$dut"
    local -a pids
    read -r -a pids <<<"$DUT_PIDS"

    local common=(--hold "$HOLD" --as)
    nslab_run_bg sink sink "$BGPBLAST" sink --local 10.0.2.2 --peer 10.0.2.1 "${common[@]}" 65002 \
        --peer-as 65000 --expect "$n" --stay --wait 30
    local sink_log feed_log
    sink_log=$(nslab_log sink) feed_log=$(nslab_log feed)
    nslab_wait 30 "sink session with $dut" grep -q '^established' "$sink_log"
    local cpu0 t0 deadline
    cpu0=$(cpu_ticks "${pids[@]}")
    local perf_pid=""
    if [[ -n ${PERF:-} ]]; then
        mkdir -p "$PERF"
        perf record -q -e cpu-clock -F "${PERF_FREQ:-1999}" --call-graph "${PERF_CALLGRAPH:-fp}" -o "$PERF/$dut.data" \
            -p "$(tr ' ' , <<<"$DUT_PIDS")" >/dev/null 2>&1 &
        perf_pid=$!
        sleep 0.5 # perf needs a moment to attach
    fi
    nslab_run_bg feed feed "$BGPBLAST" feed --local 10.0.1.2 --peer 10.0.1.1 "${common[@]}" 65001 \
        --peer-as 65000 --prefixes "$n" --per-set "$PER_SET" --wait 30 \
        $([[ $ORDER == shuffled ]] && echo --shuffle)
    t0=$SECONDS
    deadline=$((SECONDS + TIMEOUT))
    until grep -q '^complete' "$sink_log"; do
        if [[ -n $(session_broke "$sink_log" "$feed_log") ]] || ! nslab_alive sink || ! nslab_alive feed; then
            status=broken
            break
        fi
        ((SECONDS < deadline)) || { status=timeout; break; }
        sleep 0.1
    done
    local cpu1 peak detail="" pid
    cpu1=$(cpu_ticks "${pids[@]}")
    peak=$(peak_kb "${pids[@]}")
    if ((${#pids[@]} > 1)); then
        for pid in "${pids[@]}"; do
            detail+="$(proc_name "$pid")=$(($(peak_kb "$pid") / 1024))MB,"
        done
    fi
    if [[ -n $perf_pid ]]; then
        { kill -INT "$perf_pid"; wait "$perf_pid"; } || true
    fi
    nslab_say "$dut: $status after $((SECONDS - t0)) s"

    # Sessions stay up for SETTLE more seconds, then the blasters report their gaps.
    [[ $status == ok ]] && sleep "$SETTLE"
    # The sink first: once the feeder goes the DUT withdraws everything.
    nslab_alive sink && nslab_kill sink
    nslab_alive feed && nslab_kill feed
    local broke note=-
    broke=$(session_broke "$sink_log" "$feed_log")
    if [[ -n $broke ]]; then
        [[ $status == ok ]] && status=dropped
        note=${broke// /_}
    fi
    local sending complete sent propagate=- fed_in=-
    sending=$(field "$feed_log" sending 2)
    sent=$(field "$feed_log" sent 2)
    complete=$(field "$sink_log" complete 2)
    [[ -n $sending && -n $complete ]] && propagate=$(awk -v a="$sending" -v b="$complete" 'BEGIN { printf "%.2f", b - a }')
    [[ -n $sending && -n $sent ]] && fed_in=$(awk -v a="$sending" -v b="$sent" 'BEGIN { printf "%.2f", b - a }')
    if [[ $status == timeout ]]; then
        note="sink_had_$(field "$sink_log" stopped 10)_of_$n"
    fi
    echo "$dut $n $status $propagate $fed_in $peak" \
        "$(awk -v t=$((cpu1 - cpu0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }')" \
        "$(field "$feed_log" stopped 4) $(field "$sink_log" stopped 4) $note ${detail%,}" >"$result"
    [[ $status == ok ]] || nslab_say "$dut: $status (NSLAB_KEEP=1 keeps the logs)"
    return 0
}

# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------

report() { # REQUESTED_PREFIXES RESULT_FILE... (named rROUND-SEQ)
    local want=$1
    shift
    awk -v hold="$HOLD" -v want="$want" -v rounds="$ROUNDS" '
    { dut[NR] = $1; n[NR] = $2; st[NR] = $3; t[NR] = $4; fed[NR] = $5; kb[NR] = $6; cpu[NR] = $7
      gf[NR] = $8; gs[NR] = $9; note[NR] = $10; detail[NR] = $11
      file = FILENAME; sub(/.*\/r/, "", file); sub(/-.*/, "", file); rnd[NR] = file
      if ($1 == "bird" && $3 == "ok") { bt[file] = $4; bkb[file] = $6; bn = $2 } }
    function ratio(a, b) { return (b > 0 && a != "-") ? sprintf("%.2fx", a / b) : "-" }
    function median(list,    v, k, i, j, x) { # list: values joined by spaces
      k = split(list, v, " ")
      for (i = 2; i <= k; i++)
        for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { x = v[j]; v[j] = v[j - 1]; v[j - 1] = x }
      return k == 0 ? "-" : (k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2)
    }
    END {
      printf "%-6s %9s %10s %8s %9s %7s %8s %8s %11s  %s\n", "DUT", "prefixes", "propagate", "fed in",
             "peak RSS", "CPU s", "time/BIRD", "RSS/BIRD", "max gap f/s", "status"
      for (i = 1; i <= NR; i++) {
        same = (n[i] == bn)
        tt = st[i] == "ok" ? t[i] " s" : st[i]
        printf "%-6s %9d %10s %8s %6.0f MB %7s %8s %8s %5s/%-5s  %s%s\n", dut[i], n[i], tt,
               fed[i] == "-" ? "-" : fed[i] " s", kb[i] / 1024, cpu[i],
               same && st[i] == "ok" ? ratio(t[i], bt[rnd[i]]) : "-",
               same ? ratio(kb[i], bkb[rnd[i]]) : "-",
               gf[i] == "" ? "-" : gf[i], gs[i] == "" ? "-" : gs[i], st[i],
               note[i] != "-" && note[i] != "" ? " (" note[i] ")" : ""
        if (st[i] == "ok") {
          if (!(dut[i] in times)) order[++n_duts] = dut[i]
          times[dut[i]] = times[dut[i]] " " t[i]; cpus[dut[i]] = cpus[dut[i]] " " cpu[i]
          rss[dut[i]] = rss[dut[i]] " " kb[i]; count[dut[i]] = n[i]
        }
      }
      printf "max gap: longest silence of the DUT seen by feeder/sink in s (hold %s)\n", hold
      for (i = 1; i <= NR; i++) {
        if (n[i] != want)
          printf "%s: %d prefixes only (min(PREFIXES, %d)), no ratio to BIRD\n", dut[i], n[i], n[i]
        if (detail[i] != "")
          printf "%s peak RSS per process: %s\n", dut[i], detail[i]
      }
      if (rounds > 1) {
        printf "\nmedians over %d rounds (ok runs only):\n", rounds
        printf "%-6s %5s %10s %7s %9s %8s %8s\n", "DUT", "runs", "propagate", "CPU s", "peak RSS",
               "time/BIRD", "RSS/BIRD"
        mb = ("bird" in times) ? median(times["bird"]) : 0
        mk = ("bird" in times) ? median(rss["bird"]) : 0
        for (d = 1; d <= n_duts; d++) {
          x = order[d]
          same = count[x] == bn
          printf "%-6s %5d %8.2f s %7.2f %6.0f MB %8s %8s\n", x, split(times[x], tmp, " "),
                 median(times[x]), median(cpus[x]), median(rss[x]) / 1024,
                 same ? ratio(median(times[x]), mb) : "-", same ? ratio(median(rss[x]), mk) : "-"
        }
      }
    }' "$@"
}

main() {
    local n=${1:-1000000} dut rc=0
    [[ $n =~ ^[0-9]+$ && $n -gt 0 ]] || { echo "usage: $0 [PREFIXES]" >&2; exit 2; }
    nslab_require jq
    [[ -x $BGPBLAST ]] || { echo "bgpblast not found: build it or set BGPBLAST" >&2; exit 1; }
    RESULTS=$(mktemp -d /tmp/fulltable.XXXXXX)
    trap 'rm -rf "$RESULTS"' EXIT
    echo "fulltable: $n prefixes ($ORDER), attribute sets of $PER_SET, hold $HOLD, $(nproc) CPUs, $(uname -r)"
    echo "  kbgpd:  $KBGPD ($(awk -F= '/^CMAKE_BUILD_TYPE/ { print $2 }' "$(dirname "$KBGPD")/CMakeCache.txt" 2>/dev/null))"
    echo "  bird:   $(bird --version 2>&1 | head -n 1)"
    echo "  frr:    $("$NSLAB_FRR_BIN/bgpd" --version | head -n 1)$([[ $FRR_FIB == 1 ]] && echo ", zebra installs" || echo ", bgp no-rib")"
    echo "  gobgp:  $(gobgpd --version) (min(PREFIXES, $GOBGP_MAX) prefixes)"
    [[ $ROUNDS =~ ^[0-9]+$ && $ROUNDS -gt 0 ]] || { echo "ROUNDS must be a positive number" >&2; exit 2; }
    local i=0 round out
    for ((round = 1; round <= ROUNDS; round++)); do
        for dut in $DUTS; do
            local count=$n
            [[ $dut == gobgp && $count -gt $GOBGP_MAX ]] && count=$GOBGP_MAX
            i=$((i + 1))
            out=$(printf '%s/r%03d-%03d' "$RESULTS" "$round" "$i")
            echo "running $dut with $count prefixes (round $round of $ROUNDS)..." >&2
            bash "$0" --one "$dut" "$count" "$out" || echo "$dut $count failed - - - - - - error" >"$out"
        done
    done
    echo
    report "$n" "$RESULTS"/*
    grep -qv ' ok ' "$RESULTS"/* && rc=1
    return $rc
}

if [[ ${1:-} == --one ]]; then
    one_dut "$2" "$3" "$4"
else
    main "$@"
fi
