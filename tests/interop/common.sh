# Shared by the interop tests: where kbgpd is, and how to read its state from
# its log until the control socket exists.  Sourced after tests/netns/lib.sh.

KBGPD=${KBGPD:-}
if [[ -z $KBGPD ]]; then
    for candidate in "$(dirname "${BASH_SOURCE[0]}")/../../build-test/plain/kbgpd" \
        "$(dirname "${BASH_SOURCE[0]}")/../../build/kbgpd"; do
        [[ -x $candidate ]] && KBGPD=$(realpath "$candidate") && break
    done
fi
[[ -x $KBGPD ]] || { echo "kbgpd not found: set KBGPD" >&2; exit 1; }

# kbgpd_state NAME PEER : the session state kbgpd process NAME last logged for PEER.
kbgpd_state() {
    grep -F "subsys=bgp peer=$2 " "$(nslab_log "$1")" | grep -F 'msg="state changed' | tail -n 1 |
        sed -n 's/.* state=\([A-Za-z]*\) .*/\1/p'
}

# kbgpd_established NAME PEER
kbgpd_established() { [[ $(kbgpd_state "$1" "$2") == Established ]]; }

# kbgpd_received NAME PEER PREFIX : kbgpd (run with -v) logged PREFIX announced by PEER.
kbgpd_received() {
    grep -F "subsys=router peer=$2 " "$(nslab_log "$1")" | grep -qF "msg=\"announced $3\""
}

# kbgpd_logged NAME TEXT : a line of kbgpd's log contains TEXT.
kbgpd_logged() { grep -qF -- "$2" "$(nslab_log "$1")"; }
