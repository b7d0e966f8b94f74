#!/usr/bin/env bash
# netlink-seeds.sh: regenerate fuzz/corpus/fuzz_netlink from a real kernel: a scratch
# namespace with routes and nexthop objects of every kind kbgp reads, dumped
# raw, plus the error the kernel sends for a route on a missing nexthop.
# Run as root; needs iproute2 and python3 (only for this script).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=fuzz/corpus/fuzz_netlink ns=kbgp-seeds-$$
mkdir -p "$out"
ip netns add "$ns"; trap 'ip netns del "$ns"' EXIT
ipn() { ip -n "$ns" "$@"; }
ipn link add name va type veth peer name vb; ipn link set va up; ipn link set vb up
ipn addr add 10.0.0.1/24 dev va; ipn -6 addr add 2001:db8::1/64 dev va nodad
ipn nexthop add id 1 via 10.0.0.11 dev va proto bgp; ipn nexthop add id 2 via 10.0.0.12 dev va proto bgp
ipn nexthop add id 3 group 1/2 proto bgp; ipn route add 10.99.0.0/24 nhid 3 proto bgp metric 20
ipn route add 10.98.0.0/24 proto bgp metric 20 nexthop via 10.0.0.11 dev va nexthop via 10.0.0.12 dev va
ipn -6 route add 2001:db8:1::/48 via 2001:db8::11 dev va proto bgp metric 20
ip netns exec "$ns" python3 - "$out" <<'PY'
import socket, struct, sys, os
out = sys.argv[1]
NETLINK_ROUTE=0; RTM_GETROUTE=26; RTM_GETNEXTHOP=106; RTM_NEWROUTE=24
NLM_F_REQUEST=1; NLM_F_DUMP=0x300; NLM_F_ACK=4; NLM_F_CREATE=0x400
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
s.setsockopt(270, 11, 1)  # NETLINK_EXT_ACK
s.bind((0, 0))
def recv_all():
    chunks = []
    while True:
        d = s.recv(65536)
        chunks.append(d)
        # stop at DONE or ERROR
        off = 0; stop = False
        while off + 16 <= len(d):
            l, t = struct.unpack_from('IH', d, off)
            if t in (2, 3): stop = True
            off += (l + 3) & ~3
        if stop: return chunks
def dump(t, fam, name, hdrlen):
    msg = struct.pack('IHHII', 16 + hdrlen, t, NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + bytes([fam]) + bytes(hdrlen - 1)
    s.send(msg)
    for i, c in enumerate(recv_all()):
        open(f'{out}/{name}-{i}', 'wb').write(c)
dump(RTM_GETROUTE, 2, 'kernel-routes-v4', 12)
dump(RTM_GETROUTE, 10, 'kernel-routes-v6', 12)
dump(RTM_GETNEXTHOP, 0, 'kernel-nexthops', 8)
# a refused route: nhid 424242 does not exist
rtm = struct.pack('BBBBBBBBI', 2, 24, 0, 0, 254, 186, 0, 1, 0)
attrs = struct.pack('HH4B', 8, 1, 10, 88, 0, 0) + struct.pack('HHI', 8, 30, 424242)
msg = struct.pack('IHHII', 16 + len(rtm) + len(attrs), RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE, 2, 0) + rtm + attrs
s.send(msg)
open(f'{out}/kernel-error-no-nexthop', 'wb').write(s.recv(65536))
PY
