#!/usr/bin/env bash
# Self-test of tests/k8sapi/fake_apiserver.py: starts it on a free port and checks the semantics kbgp's
# Kubernetes source relies on, with curl and jq (python3 only runs the server and decodes raw chunked
# streams).  Every request and every wait is bounded.
#
#   tests/k8sapi/test_fake_apiserver.sh          # exit 0 pass, 1 fail, 77 skipped (a tool missing)
#   KEEP=1 tests/k8sapi/test_fake_apiserver.sh   # keep the work directory (server log, streams)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)

for t in python3 curl jq openssl; do
    command -v "$t" >/dev/null || { echo "SKIP: $t is not installed" >&2; exit 77; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/fake-apiserver-test.XXXXXX")
pid=
cleanup() {
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
    fi
    if [[ ${KEEP:-0} == 1 ]]; then echo "work directory: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
# The whole test must end: a watchdog in case something hangs despite the timeouts.
( trap 'kill $s 2>/dev/null; exit 0' TERM; sleep 240 >/dev/null 2>&1 & s=$!; wait $s
  echo "FAIL: watchdog: the test took more than 240 s" >&2; kill -TERM $$ ) &
watchdog=$!
trap 'kill $watchdog 2>/dev/null; cleanup' EXIT

pass=0 fail=0
exec 3>&1  # results go to fd 3: checks redirect their command's stdout
ok()   { pass=$((pass + 1)); echo "ok   - $*" >&3; }
bad()  { fail=$((fail + 1)); echo "FAIL - $*" >&3; }
check() { # check DESCRIPTION COMMAND...: pass when the command succeeds
    local d=$1; shift
    if "$@"; then ok "$d"; else bad "$d"; fi
}

python3 "$here/fake_apiserver.py" --port 0 --dir "$work/srv" --bookmark-interval 0.5 --rng-seed 7 \
    >"$work/stdout" 2>"$work/stderr" &
pid=$!
for _ in $(seq 200); do
    grep -qx ready "$work/stdout" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if ! grep -qx ready "$work/stdout" 2>/dev/null; then
    echo "FAIL: the server did not start" >&2
    cat "$work/stderr" >&2
    exit 1
fi
S=$work/srv
PORT=$(cat "$S/port")
CTL=http://127.0.0.1:$(cat "$S/control-port")
BASE=https://127.0.0.1:$PORT

# api METHOD PATH [BODY [CONTENT-TYPE]]: the body on stdout, the HTTP code in $work/code.
api() {
    local m=$1 p=$2 data=${3-} ct=${4:-application/json}
    local args=(-sS --max-time 10 --cacert "$S/ca.crt" -H "Authorization: Bearer $(head -n1 "$S/token")"
                -X "$m" -o "$work/body" -w '%{http_code}')
    [[ -n $data ]] && args+=(-H "Content-Type: $ct" --data-binary "$data")
    curl "${args[@]}" "$BASE$p" >"$work/code" 2>"$work/curlerr"
    cat "$work/body" 2>/dev/null
}
code() { cat "$work/code"; }
ctl() { # ctl METHOD PATH [BODY]
    if [[ -n ${3-} ]]; then
        curl -sS --max-time 10 -X "$1" -H 'Content-Type: application/json' --data-binary "$3" "$CTL$2"
    else
        curl -sS --max-time 10 -X "$1" "$CTL$2"
    fi
}
rv_of() { jq -r '.metadata.resourceVersion'; }
# watch_bg FILE PATH: a watch in the background, raw chunked bytes into FILE (curl --raw).
watch_bg() {
    curl -sS --raw --max-time "${3:-8}" --cacert "$S/ca.crt" -H "Authorization: Bearer $(head -n1 "$S/token")" \
        "$BASE$2" >"$1" 2>"$1.err"
    echo $? >"$1.rc"
}
# dechunk RAW: decodes a raw chunked stream; prints the body, writes sizes to RAW.sizes, exit 1 if the
# framing is broken, 2 if the stream was cut before the last chunk (both still print what arrived).
dechunk() {
    python3 - "$1" <<'EOF'
import sys
raw = open(sys.argv[1], "rb").read()
pos, body, sizes, rc = 0, b"", [], 2
while pos < len(raw):
    eol = raw.find(b"\r\n", pos)
    if eol < 0:
        break
    try:
        n = int(raw[pos:eol], 16)
    except ValueError:
        rc = 1
        break
    if n == 0:
        rc = 0
        break
    data = raw[eol + 2:eol + 2 + n]
    body += data
    if len(data) < n or raw[eol + 2 + n:eol + 4 + n] != b"\r\n":
        break
    sizes.append(n)
    pos = eol + 4 + n
open(sys.argv[1] + ".sizes", "w").write(" ".join(map(str, sizes)) + "\n")
sys.stdout.buffer.write(body)
sys.exit(rc)
EOF
}
wait_file() { # wait_file FILE SECONDS
    for _ in $(seq $(($2 * 10))); do [[ -s $1 ]] && return 0; sleep 0.1; done
    return 1
}

echo "# fake apiserver on $BASE, control $CTL"

# ---- files, TLS and auth
check "work files written" test -s "$S/ca.crt" -a -s "$S/client.crt" -a -s "$S/client.key" -a -s "$S/kubeconfig" \
    -a -s "$S/token" -a -s "$S/serviceaccount/token" -a -s "$S/env"
check "kubeconfig names the server" grep -q "server: $BASE" "$S/kubeconfig"
check "TLS rejected without the test CA" bash -c "! curl -sS --max-time 5 '$BASE/version' >/dev/null 2>&1"
check "anonymous /version works" bash -c "curl -sS --max-time 5 --cacert '$S/ca.crt' '$BASE/version' | jq -e '.major == \"1\"' >/dev/null"
curl -sS --max-time 5 --cacert "$S/ca.crt" -o "$work/body" -w '%{http_code}' "$BASE/api/v1/nodes" >"$work/code"
check "anonymous list is 403 Forbidden" test "$(code)" = 403 -a "$(jq -r .reason "$work/body")" = Forbidden
curl -sS --max-time 5 --cacert "$S/ca.crt" -H "Authorization: Bearer wrong" -o "$work/body" -w '%{http_code}' \
    "$BASE/api/v1/nodes" >"$work/code"
check "a wrong token is 401 Unauthorized" test "$(code)" = 401 -a "$(jq -r .reason "$work/body")" = Unauthorized
curl -sS --max-time 5 --cacert "$S/ca.crt" --cert "$S/client.crt" --key "$S/client.key" -o "$work/body" \
    -w '%{http_code}' "$BASE/api/v1/nodes" >"$work/code"
check "a client certificate authenticates" test "$(code)" = 200
api GET /api/v1/nodes >/dev/null
check "the token authenticates" test "$(code)" = 200

# ---- create, list, selectors
node() { printf '{"apiVersion":"v1","kind":"Node","metadata":{"name":"%s","labels":{"role":"%s"}},"spec":{"podCIDR":"10.0.%s.0/24"},"status":{"addresses":[{"type":"InternalIP","address":"192.168.0.%s"}]}}' "$1" "$2" "$3" "$3"; }
api POST /api/v1/nodes "$(node n1 worker 1)" >"$work/n1.json"
check "create is 201 with uid, creationTimestamp, resourceVersion" \
    test "$(code)" = 201 -a "$(jq -r '.metadata | (.uid != null and .creationTimestamp != null and .resourceVersion != null)' "$work/n1.json")" = true
api POST /api/v1/nodes "$(node n2 control 2)" >/dev/null
api POST /api/v1/nodes "$(node n3 worker 3)" >/dev/null
api POST /api/v1/nodes "$(node n1 worker 1)" >"$work/dup.json"
check "create again is 409 AlreadyExists" test "$(code)" = 409 -a "$(jq -r .reason "$work/dup.json")" = AlreadyExists
api GET /api/v1/nodes >"$work/list.json"
check "list: NodeList, resourceVersion, 3 items without kind (built-in)" \
    jq -e '.kind == "NodeList" and (.metadata.resourceVersion | test("^[0-9]+$")) and (.items | length) == 3 and (.items[0] | has("kind") | not)' "$work/list.json" >/dev/null
api GET "/api/v1/nodes?labelSelector=role%3Dworker" >"$work/l.json"
check "labelSelector role=worker" jq -e '[.items[].metadata.name] == ["n1","n3"]' "$work/l.json" >/dev/null
api GET "/api/v1/nodes?labelSelector=role+notin+(worker)" >"$work/l.json"
check "labelSelector role notin (worker)" jq -e '[.items[].metadata.name] == ["n2"]' "$work/l.json" >/dev/null
api GET "/api/v1/nodes?fieldSelector=metadata.name%3Dn3" >"$work/l.json"
check "fieldSelector metadata.name=n3" jq -e '[.items[].metadata.name] == ["n3"]' "$work/l.json" >/dev/null
api GET "/api/v1/nodes?fieldSelector=spec.podCIDR%3Dx" >/dev/null
check "fieldSelector on an unsupported field is 400" test "$(code)" = 400

pool='{"apiVersion":"cilium.io/v2","kind":"CiliumLoadBalancerIPPool","metadata":{"name":"pool1"},"spec":{"blocks":[{"cidr":"10.100.0.0/24"}]},"status":{"conditions":[]}}'
api POST /apis/cilium.io/v2/ciliumloadbalancerippools "$pool" >"$work/pool.json"
check "CRD create drops status, sets generation 1" jq -e '(has("status") | not) and .metadata.generation == 1' "$work/pool.json" >/dev/null
api GET /apis/cilium.io/v2alpha1/ciliumloadbalancerippools >"$work/l.json"
check "CRD list items carry kind, apiVersion of the requested version" \
    jq -e '.items[0].kind == "CiliumLoadBalancerIPPool" and .items[0].apiVersion == "cilium.io/v2alpha1"' "$work/l.json" >/dev/null

# ---- pagination
api GET "/api/v1/nodes?limit=2" >"$work/p1.json"
cont=$(jq -r '.metadata.continue // empty' "$work/p1.json")
check "limit=2 gives 2 items, a continue token, remainingItemCount 1" \
    jq -e '(.items | length) == 2 and .metadata.remainingItemCount == 1' "$work/p1.json" >/dev/null
api DELETE /api/v1/nodes/n3 >/dev/null
api GET "/api/v1/nodes?limit=2&continue=$cont" >"$work/p2.json"
check "continue reads the first page's snapshot (n3 still there)" \
    jq -e --arg rv "$(rv_of <"$work/p1.json")" '[.items[].metadata.name] == ["n3"] and .metadata.resourceVersion == $rv' "$work/p2.json" >/dev/null
api POST /api/v1/nodes "$(node n3 worker 3)" >/dev/null

# ---- watch with bookmarks
rv0=$(api GET /api/v1/nodes | rv_of)
watch_bg "$work/w1" "/api/v1/nodes?watch=1&resourceVersion=$rv0&allowWatchBookmarks=true&timeoutSeconds=3" 8 &
wpid=$!
sleep 0.7
api PATCH /api/v1/nodes/n2 '{"metadata":{"labels":{"extra":"é✓"}}}' application/merge-patch+json >"$work/n2.json"
rv1=$(rv_of <"$work/n2.json")
api DELETE /api/v1/nodes/n1 >/dev/null
wait $wpid
dechunk "$work/w1" >"$work/w1.body"; drc=$?
check "watch ends cleanly after timeoutSeconds (curl 0, final chunk)" test "$(cat "$work/w1.rc")" = 0 -a $drc = 0
check "watch events are JSON lines" jq -e . "$work/w1.body" >/dev/null
jq -c 'select(.type != "BOOKMARK") | [.type, .object.metadata.name, .object.metadata.resourceVersion]' "$work/w1.body" >"$work/w1.ev"
check "watch from RV: MODIFIED n2 then DELETED n1, in order, with their RVs" \
    test "$(tr -d '\n' <"$work/w1.ev")" = "[\"MODIFIED\",\"n2\",\"$rv1\"][\"DELETED\",\"n1\",\"$((rv1 + 1))\"]"
check "bookmarks arrive, carry only metadata.resourceVersion" \
    jq -se '[.[] | select(.type == "BOOKMARK")] | length >= 2 and all(.object.metadata | keys == ["resourceVersion"])' "$work/w1.body" >/dev/null
check "bookmark RVs never go backwards" \
    jq -se '[.[] | .object.metadata.resourceVersion | tonumber] | . == sort' "$work/w1.body" >/dev/null

# ---- odd chunk boundaries (the watch above, from its raw bytes)
sizes=$(cat "$work/w1.sizes")
check "odd chunking: most chunks are 1..7 bytes ($(echo "$sizes" | cut -c1-60)...)" \
    python3 -c "import sys; s=list(map(int, sys.argv[1].split())); sys.exit(not (len(s) > 20 and sum(x <= 7 for x in s) * 2 > len(s)))" "$sizes"
check "odd chunking: chunk boundaries fall inside events" \
    python3 -c "
import sys
s = list(map(int, open(sys.argv[1] + '.sizes').read().split())); b = open(sys.argv[1] + '.body', 'rb').read()
pos, inside = 0, 0
for n in s:
    pos += n
    inside += pos < len(b) and b[pos - 1:pos] != b'\n'
sys.exit(inside < 5)" "$work/w1"
check "odd chunking: a chunk ends inside a multi-byte UTF-8 character" \
    python3 -c "
import sys
s = list(map(int, open(sys.argv[1] + '.sizes').read().split())); b = open(sys.argv[1] + '.body', 'rb').read()
pos, mid = 0, 0
for n in s:
    pos += n
    mid += pos < len(b) and (b[pos] & 0xC0) == 0x80
sys.exit(mid == 0)" "$work/w1"
check "the UTF-8 label survives reassembly" jq -se 'any(.[]; .object.metadata.labels.extra? == "é✓")' "$work/w1.body" >/dev/null

# ---- watch without RV: synthetic ADDED first; selector transitions
watch_bg "$work/w2" "/api/v1/nodes?watch=true&labelSelector=role%3Dworker&timeoutSeconds=2" 6 &
wpid=$!
sleep 0.5
api PATCH /api/v1/nodes/n3 '{"metadata":{"labels":{"role":"control"}}}' application/merge-patch+json >/dev/null
wait $wpid
dechunk "$work/w2" >"$work/w2.body"
check "watch without RV: ADDED n3 (current state), then DELETED when it leaves the selector" \
    test "$(jq -r '"\(.type) \(.object.metadata.name)"' "$work/w2.body" | tr '\n' ,)" = "ADDED n3,DELETED n3,"

# ---- 410 Gone after compaction
ctl POST /compact '{}' >/dev/null
watch_bg "$work/w3" "/api/v1/nodes?watch=1&resourceVersion=$rv0&allowWatchBookmarks=true" 5
dechunk "$work/w3" >"$work/w3.body"
check "watch from a compacted RV: one ERROR event, Status 410 Expired, stream ends" \
    jq -se 'length == 1 and .[0].type == "ERROR" and .[0].object.code == 410 and .[0].object.reason == "Expired" and (.[0].object.message | startswith("too old resource version"))' "$work/w3.body" >/dev/null
api GET "/api/v1/nodes?limit=2&continue=$cont" >"$work/e.json"
check "a continue token from before the compaction is 410 Expired" test "$(code)" = 410 -a "$(jq -r .reason "$work/e.json")" = Expired
api GET "/api/v1/nodes?resourceVersion=$rv0&resourceVersionMatch=Exact" >/dev/null
check "list Exact at a compacted RV is 410" test "$(code)" = 410

# ---- 409 on stale PUT, no-op updates
api GET /api/v1/nodes/n2 >"$work/n2.json"
stale=$(jq '.metadata.resourceVersion = "1001"' "$work/n2.json")
api PUT /api/v1/nodes/n2 "$stale" >"$work/c.json"
check "PUT with a stale resourceVersion is 409 Conflict" test "$(code)" = 409 -a "$(jq -r .reason "$work/c.json")" = Conflict
api PUT /api/v1/nodes/n2 "$(jq '.spec.unschedulable = true' "$work/n2.json")" >"$work/u.json"
check "PUT with the current resourceVersion is 200 and bumps it" \
    test "$(code)" = 200 -a "$(rv_of <"$work/u.json")" -gt "$(rv_of <"$work/n2.json")"
api PUT /api/v1/nodes/n2 "$(cat "$work/u.json")" >"$work/u2.json"
check "a no-op PUT keeps the resourceVersion" test "$(code)" = 200 -a "$(rv_of <"$work/u2.json")" = "$(rv_of <"$work/u.json")"

api PUT /api/v1/nodes/n2 "$(jq 'del(.metadata.resourceVersion) | .spec.unschedulable = false' "$work/u.json")" >/dev/null
check "PUT without resourceVersion on a Node is an unconditional update (200)" test "$(code)" = 200
api PUT /apis/cilium.io/v2/ciliumloadbalancerippools/pool1 "$(jq 'del(.metadata.resourceVersion)' "$work/pool.json")" >"$work/c.json"
check "PUT without resourceVersion on a custom resource is 422 (must be specified)" \
    test "$(code)" = 422 -a "$(jq -r '.details.causes[0].field' "$work/c.json")" = metadata.resourceVersion

# ---- status subresource
api GET /apis/cilium.io/v2/ciliumloadbalancerippools/pool1 >"$work/p.json"
api PUT /apis/cilium.io/v2/ciliumloadbalancerippools/pool1 \
    "$(jq '.spec.blocks = [{"cidr":"10.200.0.0/24"}] | .status = {"conditions":[{"type":"x"}]}' "$work/p.json")" >"$work/p2.json"
check "PUT on the resource: spec changes, status ignored, generation 2" \
    jq -e '.spec.blocks[0].cidr == "10.200.0.0/24" and (has("status") | not) and .metadata.generation == 2' "$work/p2.json" >/dev/null
api PUT /apis/cilium.io/v2/ciliumloadbalancerippools/pool1/status \
    "$(jq '.spec.blocks = [{"cidr":"10.99.0.0/24"}] | .status = {"conditions":[{"type":"cilium.io/IPsAvailable","status":"True"}]}' "$work/p2.json")" >"$work/p3.json"
check "PUT on /status: status changes, spec ignored, generation kept" \
    jq -e '.spec.blocks[0].cidr == "10.200.0.0/24" and .status.conditions[0].type == "cilium.io/IPsAvailable" and .metadata.generation == 2' "$work/p3.json" >/dev/null
api PUT /apis/cilium.io/v2/ciliumloadbalancerippools/pool1/status "$(cat "$work/p2.json")" >/dev/null
check "PUT on /status with a stale resourceVersion is 409" test "$(code)" = 409
api PUT /apis/cilium.io/v2/ciliumbgpadvertisements/a/status '{}' >/dev/null
check "no status subresource on advertisements (404)" test "$(code)" = 404

# ---- merge patch and JSON patch
api PATCH /apis/cilium.io/v2/ciliumloadbalancerippools/pool1/status \
    '{"status":{"conditions":[{"type":"cilium.io/IPsUsed","status":"True"}]}}' application/merge-patch+json >"$work/mp.json"
check "merge patch on /status replaces the conditions list" \
    jq -e '.status.conditions == [{"type":"cilium.io/IPsUsed","status":"True"}]' "$work/mp.json" >/dev/null
api PATCH /apis/cilium.io/v2/ciliumloadbalancerippools/pool1 \
    '{"metadata":{"labels":{"a":"1"}},"spec":{"disabled":true,"blocks":null}}' application/merge-patch+json >"$work/mp2.json"
check "merge patch: null removes, objects merge, generation bumps" \
    jq -e '.metadata.labels.a == "1" and .spec.disabled == true and (.spec | has("blocks") | not) and .metadata.generation == 3' "$work/mp2.json" >/dev/null
api PATCH /apis/cilium.io/v2/ciliumloadbalancerippools/pool1 \
    '{"metadata":{"resourceVersion":"1001"},"spec":{"disabled":false}}' application/merge-patch+json >/dev/null
check "merge patch carrying a stale resourceVersion is 409" test "$(code)" = 409
api PATCH /apis/cilium.io/v2/ciliumloadbalancerippools/pool1 \
    '[{"op":"test","path":"/spec/disabled","value":true},{"op":"replace","path":"/spec/disabled","value":false},{"op":"add","path":"/metadata/labels/b","value":"2"},{"op":"remove","path":"/metadata/labels/a"}]' \
    application/json-patch+json >"$work/jp.json"
check "JSON patch test/replace/add/remove" \
    jq -e '.spec.disabled == false and .metadata.labels == {"b":"2"}' "$work/jp.json" >/dev/null
api PATCH /apis/cilium.io/v2/ciliumloadbalancerippools/pool1 '[{"op":"test","path":"/spec/disabled","value":true}]' \
    application/json-patch+json >/dev/null
check "JSON patch with a failing test is 422" test "$(code)" = 422
api PATCH /apis/cilium.io/v2/ciliumloadbalancerippools/pool1 '{}' application/strategic-merge-patch+json >/dev/null
check "strategic merge patch on a CRD is 415" test "$(code)" = 415

# ---- Leases (leader election)
lease='{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"kbgp-operator","namespace":"kube-system"},"spec":{"holderIdentity":"a","leaseDurationSeconds":15}}'
api PUT /apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kbgp-operator "$lease" >"$work/l1.json"
check "Lease created by PUT (201)" test "$(code)" = 201
api PUT /apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kbgp-operator \
    "$(jq '.spec.renewTime = "2024-01-01T00:00:00.000000Z"' "$work/l1.json")" >"$work/l2.json"
api PUT /apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kbgp-operator \
    "$(jq '.spec.holderIdentity = "b"' "$work/l1.json")" >/dev/null
check "a second candidate with the old Lease RV gets 409" test "$(code)" = 409
api GET /apis/coordination.k8s.io/v1/leases >"$work/ll.json"
check "leases listed across namespaces" jq -e '.items[0].spec.holderIdentity == "a"' "$work/ll.json" >/dev/null

# ---- Services: defaults, status subresource
svc='{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"default"},"spec":{"type":"LoadBalancer","ports":[{"port":80}]},"status":{"loadBalancer":{"ingress":[{"ip":"1.1.1.1"}]}}}'
api POST /api/v1/namespaces/default/services "$svc" >"$work/s.json"
check "Service create: clusterIP and nodePort allocated, status dropped" \
    jq -e '(.spec.clusterIP | startswith("10.96.")) and .spec.ports[0].nodePort >= 30000 and .spec.externalTrafficPolicy == "Cluster" and (.status.loadBalancer.ingress // [] | length) == 0' "$work/s.json" >/dev/null
api PATCH /api/v1/namespaces/default/services/web/status \
    '{"status":{"loadBalancer":{"ingress":[{"ip":"10.100.0.1","ipMode":"VIP"}]},"conditions":[{"type":"io.cilium/lb-ipam-request-satisfied","status":"True","reason":"satisfied","message":"","lastTransitionTime":"2024-01-01T00:00:00Z"}]}}' \
    application/merge-patch+json >/dev/null
api GET /api/v1/services >"$work/sl.json"
check "Service status patch visible in the all-namespaces list" \
    jq -e '.items[0].status.loadBalancer.ingress[0].ip == "10.100.0.1"' "$work/sl.json" >/dev/null
r=$(ctl GET "/requests?method=PATCH&path=/services/web/status")
check "the request log holds the status patch with its body and content type" \
    jq -e '.items[0].body.status.conditions[0].type == "io.cilium/lb-ipam-request-satisfied" and .items[0].contentType == "application/merge-patch+json" and .items[0].subresource == "status"' <<<"$r" >/dev/null

# ---- finalizers and garbage collection
cc='{"apiVersion":"cilium.io/v2","kind":"CiliumBGPClusterConfig","metadata":{"name":"cc"},"spec":{"bgpInstances":[]}}'
api POST /apis/cilium.io/v2/ciliumbgpclusterconfigs "$cc" >"$work/cc.json"
uid=$(jq -r .metadata.uid "$work/cc.json")
nc=$(jq -n --arg uid "$uid" '{"apiVersion":"cilium.io/v2","kind":"CiliumBGPNodeConfig","metadata":{"name":"n2","finalizers":["kbgp.io/x"],"ownerReferences":[{"apiVersion":"cilium.io/v2","kind":"CiliumBGPClusterConfig","name":"cc","uid":$uid,"controller":true}]},"spec":{"bgpInstances":[]}}')
api POST /apis/cilium.io/v2/ciliumbgpnodeconfigs "$nc" >/dev/null
api DELETE /apis/cilium.io/v2/ciliumbgpnodeconfigs/n2 >"$work/d.json"
check "DELETE with a finalizer: 202, deletionTimestamp set, object kept" \
    test "$(code)" = 202 -a "$(jq -r '.metadata.deletionTimestamp != null' "$work/d.json")" = true
api PATCH /apis/cilium.io/v2/ciliumbgpnodeconfigs/n2 '{"metadata":{"finalizers":null}}' application/merge-patch+json >/dev/null
api GET /apis/cilium.io/v2/ciliumbgpnodeconfigs/n2 >"$work/g.json"
check "removing the last finalizer deletes it (404 NotFound)" test "$(code)" = 404 -a "$(jq -r .reason "$work/g.json")" = NotFound
api POST /apis/cilium.io/v2/ciliumbgpnodeconfigs "$(jq '.metadata.finalizers = []' <<<"$nc")" >/dev/null
api DELETE /apis/cilium.io/v2/ciliumbgpclusterconfigs/cc >/dev/null
gone=0
for _ in $(seq 30); do
    api GET /apis/cilium.io/v2/ciliumbgpnodeconfigs/n2 >/dev/null
    [[ $(code) == 404 ]] && { gone=1; break; }
    sleep 0.1
done
check "garbage collection deletes the owned NodeConfig" test $gone = 1

# ---- a connection dropped mid-event, then resumed
rv2=$(api GET /api/v1/nodes | rv_of)
watch_bg "$work/w4" "/api/v1/nodes?watch=1&resourceVersion=$rv2&allowWatchBookmarks=true&timeoutSeconds=6" 8 &
wpid=$!
sleep 0.5
ctl POST /watches/drop '{"mode":"mid-event","next":true,"resource":"nodes"}' >/dev/null
api PATCH /api/v1/nodes/n2 '{"metadata":{"annotations":{"cut":"here"}}}' application/merge-patch+json >"$work/n2c.json"
wait $wpid
dechunk "$work/w4" >"$work/w4.body"; drc=$?
check "drop mid-event: curl sees a truncated transfer (rc $(cat "$work/w4.rc"))" \
    test "$(cat "$work/w4.rc")" != 0 -a $drc != 0
check "drop mid-event: the stream ends inside a MODIFIED event (no newline after it)" \
    test "$(tail -c 1 "$work/w4.body" | od -An -tx1 | tr -d ' ')" != 0a -a \
         "$(tail -n 1 "$work/w4.body" | cut -c1-18)" = '{"type":"MODIFIED"'
last=$(grep -a '^{' "$work/w4.body" | while read -r l; do jq -r '.object.metadata.resourceVersion' <<<"$l" 2>/dev/null; done | tail -n1)
: "${last:=$rv2}"
watch_bg "$work/w5" "/api/v1/nodes?watch=1&resourceVersion=$last&timeoutSeconds=1" 5
dechunk "$work/w5" >"$work/w5.body"
check "resuming from the last complete event gets the cut event" \
    jq -se --arg rv "$(rv_of <"$work/n2c.json")" 'any(.[]; .type == "MODIFIED" and .object.metadata.resourceVersion == $rv)' "$work/w5.body" >/dev/null

# ---- token rotation
old=$(head -n1 "$S/token")
new=$(ctl POST /token '{}' | jq -r .token)
curl -sS --max-time 5 --cacert "$S/ca.crt" -H "Authorization: Bearer $old" -o /dev/null -w '%{http_code}' \
    "$BASE/api/v1/nodes" >"$work/code"
check "after rotation the old token is 401" test "$(code)" = 401
api GET /api/v1/nodes >/dev/null
check "after rotation the new token (re-read from the file) works" test "$(code)" = 200 -a "$new" = "$(head -n1 "$S/token")"
printf 'handwritten\n' >"$S/token"
curl -sS --max-time 5 --cacert "$S/ca.crt" -H "Authorization: Bearer handwritten" -o /dev/null -w '%{http_code}' \
    "$BASE/api/v1/nodes" >"$work/code"
check "a token written straight into the file is accepted on the next request" test "$(code)" = 200

# ---- outages
ctl POST /outage '{"mode":"refuse"}' >/dev/null
curl -sS --max-time 3 --cacert "$S/ca.crt" "$BASE/version" >/dev/null 2>&1; rc=$?
check "outage refuse: connection refused (curl rc $rc)" test $rc = 7
ctl POST /outage '{"mode":"http","code":503}' >/dev/null
# The port opens again asynchronously after "refuse": allow it a moment.
for _ in 1 2 3 4 5 6 7 8 9 10; do
    api GET /api/v1/nodes >/dev/null
    [[ $(code) == 503 ]] && break
    sleep 0.2
done
check "outage http: 503" test "$(code)" = 503
ctl POST /outage '{"mode":"hang"}' >/dev/null
curl -sS --max-time 1 --cacert "$S/ca.crt" "$BASE/version" >/dev/null 2>&1; rc=$?
check "outage hang: the request times out (curl rc $rc)" test $rc = 28
ctl POST /outage '{"mode":"none"}' >/dev/null
api GET /api/v1/nodes >/dev/null
check "after the outage the same port answers again" test "$(code)" = 200

# ---- faults and discovery
ctl POST /faults '{"method":"PUT","path":"/status$","code":409,"reason":"Conflict","count":1}' >/dev/null
api PUT /apis/cilium.io/v2/ciliumloadbalancerippools/pool1/status "$(api GET /apis/cilium.io/v2/ciliumloadbalancerippools/pool1)" >/dev/null
c1=$(code)
api PUT /apis/cilium.io/v2/ciliumloadbalancerippools/pool1/status "$(api GET /apis/cilium.io/v2/ciliumloadbalancerippools/pool1)" >/dev/null
check "an injected fault hits once (409 then 200)" test "$c1" = 409 -a "$(code)" = 200
ctl POST /groups '{"cilium.io":false}' >/dev/null
api GET /apis/cilium.io/v2/ciliumbgpnodeconfigs >/dev/null
c1=$(code)
api GET /apis >"$work/apis.json"
check "a disabled group is 404 and gone from discovery" \
    test "$c1" = 404 -a "$(jq '[.groups[].name] | index("cilium.io") == null and index("kbgp.io") != null' "$work/apis.json")" = true
ctl POST /groups '{"cilium.io":true}' >/dev/null

# ---- clean stop
kill -TERM "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then bad "SIGTERM stops the server"; else
    wait "$pid"; rc=$?
    check "SIGTERM stops the server cleanly (exit $rc)" test $rc = 0
fi

echo "# $pass passed, $fail failed"
[[ $fail == 0 ]]
