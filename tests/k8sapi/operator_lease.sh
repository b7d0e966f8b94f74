#!/usr/bin/env bash
# Two kbgpd operators with --leader-elect against the fake API server: one
# holds the Lease and writes (NodeConfigs, LB IPs, PodCIDRs), the other
# only watches; when the holder dies (SIGKILL), the other takes the Lease
# once it has not been renewed for its duration and writes what changed
# meanwhile.  Bounded; leaves nothing behind.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
KBGPD=${KBGPD:-$root/build/kbgpd}
for tool in python3 openssl curl jq; do
    command -v "$tool" >/dev/null || { echo "skip: $tool missing"; exit 77; }
done
[[ -x $KBGPD ]] || { echo "kbgpd not found: set KBGPD" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/kbgp-lease.XXXXXX")
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
say() { printf '[lease %5.1fs] %s\n' "$SECONDS" "$*"; }
fail() { say "FAIL: $*"; for f in "$work"/*.log; do echo "--- $f"; tail -n 20 "$f"; done; exit 1; }
wait_for() { # SECONDS WHAT COMMAND...
    local deadline=$((SECONDS + $1)) what=$2
    shift 2
    until "$@"; do
        ((SECONDS < deadline)) || fail "timed out waiting for: $what"
        sleep 0.3
    done
    say "ok: $what"
}

mkdir -p "$work/seed" "$work/api"
cp "$root/lab/manifests/cilium-bgp.yaml" "$work/seed/"
cat >"$work/seed/nodes.json" <<'JSON'
{"apiVersion": "v1", "kind": "List", "items": [
 {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "k8s-cp", "labels": {"enable-bgp": "true"}},
  "status": {"addresses": [{"type": "InternalIP", "address": "172.31.1.10"}]}}]}
JSON
python3 "$here/fake_apiserver.py" --port 0 --dir "$work/api" --seed "$work/seed" >"$work/api.log" 2>&1 &
pids+=($!)
wait_for 20 "the fake API server is up" test -s "$work/api/control-port"
control="http://127.0.0.1:$(cat "$work/api/control-port")"
objects() { curl -sf --max-time 5 "$control/objects"; }
holder() { objects | jq -r '.. | objects | select(.kind? == "Lease") | .spec.holderIdentity' | head -n 1; }
nodeconfig() { objects | jq -e --arg n "$1" 'any(.. | objects; .kind? == "CiliumBGPNodeConfig" and .metadata.name == $n)' >/dev/null; }
leader_metric() { curl -sf --max-time 2 "http://127.0.0.1:$1/metrics" | sed -n 's/^kbgp_operator_leader //p'; }

declare -A port=([op-a]=19963 [op-b]=19964) pid
start_operator() { # NAME
    POD_NAME=$1 POD_NAMESPACE=kube-system "$KBGPD" operator --kubeconfig "$work/api/kubeconfig" \
        --leader-elect --pod-cidr-pool 172.20.0.0/16 --metrics "127.0.0.1:${port[$1]}" \
        >"$work/$1.log" 2>&1 &
    pid[$1]=$!
    pids+=($!)
}
start_operator op-a
sleep 1
start_operator op-b

has_holder() { [[ $(holder) == op-a || $(holder) == op-b ]]; }
wait_for 15 "one operator holds the Lease" has_holder
first=$(holder)
other=op-b
[[ $first == op-b ]] && other=op-a
wait_for 15 "the leader wrote k8s-cp's NodeConfig" nodeconfig k8s-cp
one_leader() { [[ $(leader_metric "${port[$first]}") == 1 && $(leader_metric "${port[$other]}") == 0 ]]; }
wait_for 10 "$first reports itself leader, $other not" one_leader

kill -KILL "${pid[$first]}"
killed_at=$SECONDS
# A Node appears while nobody writes: the new leader must give it a NodeConfig.
curl -sf --max-time 5 -X POST -H 'Content-Type: application/json' "$control/objects" -d '{
  "apiVersion": "v1", "kind": "Node", "metadata": {"name": "k8s-w1", "labels": {"enable-bgp": "true"}},
  "status": {"addresses": [{"type": "InternalIP", "address": "172.31.1.11"}]}}' >/dev/null ||
    fail "cannot add a Node through the control API"
took_over() { [[ $(holder) == "$other" ]]; }
wait_for 30 "$other takes the Lease over" took_over
after=$((SECONDS - killed_at))
((after >= 10)) || fail "$other took the Lease after ${after}s: before the holder's lease could expire"
say "taken over ${after}s after the leader died (lease 15 s, seen from $other's clock)"
wait_for 15 "$other wrote k8s-w1's NodeConfig" nodeconfig k8s-w1
new_leader() { [[ $(leader_metric "${port[$other]}") == 1 ]]; }
wait_for 5 "$other reports itself leader" new_leader
say "PASS"
