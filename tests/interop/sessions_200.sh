#!/usr/bin/env bash
# 200 concurrent sessions at hold 9 / keepalive 3 between two kbgpd routers
# in one namespace, held for SESSIONS_SECONDS (default 120): every session
# must stay Established the whole time.  Prints the CPU both processes used,
# the figure bench/README.md records.
#
#   A (AS 65000) listens on every address and takes the 200 sessions as
#   dynamic neighbours from 127.1.0.0/16; B (AS 65001) opens session k from
#   127.1.0.k to 127.2.0.k (all of 127/8 is local on lo).
set -euo pipefail
here=$(dirname "$0")
source "$here/../netns/lib.sh"
nslab_require
source "$here/common.sh"
count=${SESSIONS_COUNT:-200}
hold_for=${SESSIONS_SECONDS:-120}
NSLAB_TIMEOUT=$((hold_for + 120))
nslab_init sessions

nslab_ns box
cat >"$NSLAB_DIR/a.yaml" <<YAML
apiVersion: kbgp.io/v1alpha1
kind: BGPRouter
metadata: {name: a}
spec:
  localASN: 65000
  routerID: 10.255.0.1
  listen: {addresses: ["0.0.0.0"]}
  networks: ["10.10.0.0/24"]
  networkImportCheck: false
  peerGroups:
  - name: MANY
    remoteASN: 65001
    listenRanges: ["127.1.0.0/16"]
    timers: {holdTimeSeconds: 9, keepAliveTimeSeconds: 3}
YAML
{
    cat <<YAML
apiVersion: kbgp.io/v1alpha1
kind: BGPRouter
metadata: {name: b}
spec:
  localASN: 65001
  routerID: 10.255.0.2
  listen: {port: 0}
  networks: ["10.20.0.0/24"]
  networkImportCheck: false
  peerGroups:
YAML
    for ((k = 1; k <= count; k++)); do
        printf '  - {name: S%d, remoteASN: 65000, neighbors: ["127.2.%d.%d"], localAddress: "127.1.%d.%d",\n' \
            "$k" $((k / 250)) $((k % 250 + 1)) $((k / 250)) $((k % 250 + 1))
        printf '     timers: {holdTimeSeconds: 9, keepAliveTimeSeconds: 3, connectRetryTimeSeconds: 5}}\n'
    done
} >"$NSLAB_DIR/b.yaml"

nslab_run_bg box a "$KBGPD" router --run-dir "$NSLAB_DIR/a" -c "$NSLAB_DIR/a.yaml"
nslab_wait 10 "A listening" nslab_listening box 179
nslab_run_bg box b "$KBGPD" router --run-dir "$NSLAB_DIR/b" -c "$NSLAB_DIR/b.yaml"

established() { # NAME: sessions whose last logged state is Established
    grep -F 'msg="state changed' "$(nslab_log "$1")" |
        sed -n 's/.* peer=\([0-9.]*\) .* state=\([A-Za-z]*\) .*/\1 \2/p' |
        awk '{ last[$1] = $2 } END { n = 0; for (p in last) n += last[p] == "Established"; print n }'
}
all_up() { [[ $(established a) -eq $count && $(established b) -eq $count ]]; }
nslab_wait 60 "$count sessions Established on both sides" all_up

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$(nslab_pid "$1")/stat"; }
a0=$(cpu_ticks a)
b0=$(cpu_ticks b)
nslab_say "holding $count sessions for $hold_for s"
sleep "$hold_for"
a1=$(cpu_ticks a)
b1=$(cpu_ticks b)

all_up || nslab_fail "sessions not all Established after $hold_for s: A $(established a), B $(established b)"
for side in a b; do
    if grep -q 'msg="state changed from Established"' "$(nslab_log $side)"; then
        nslab_fail "a session of $side left Established"
    fi
done
hz=$(getconf CLK_TCK)
awk -v a=$((a1 - a0)) -v b=$((b1 - b0)) -v hz="$hz" -v s="$hold_for" -v n="$count" 'BEGIN {
    printf "sessions: %d held %d s at hold 9 / keepalive 3\n", n, s
    printf "cpu: A %.2f s (%.2f%% of a core), B %.2f s (%.2f%%), %.1f us per session-second\n",
        a / hz, 100 * a / hz / s, b / hz, 100 * b / hz / s, 1e6 * (a + b) / hz / s / (2 * n)
}'
for side in a b; do
    printf 'rss %s: %s kB\n' "$side" "$(awk '/VmRSS/ { print $2 }' "/proc/$(nslab_pid $side)/status")"
done
nslab_say "PASS"
