#!/usr/bin/env bash
#
# make-corpus.sh: regenerate the seed corpora fuzz/corpus/<target>/ of the
# four BGP message targets from the captured vectors tests/vectors/*.hex and
# the hand-made fuzz/seeds/*.hex.
# Each .hex file holds one whole message in hex; '#' lines are comments.
#
#   fuzz_frame         each message, and per sender one stream of all its
#                      messages, OPEN first (stream-<sender>)
#   fuzz_open          OPEN bodies
#   fuzz_update        UPDATE bodies after the session byte: 03 (four-octet
#                      AS, eBGP, as the captures are) unless the file has a
#                      "# fuzz-ctx: XX" line
#   fuzz_notification  00 + NOTIFICATION bodies, 01 + ROUTE-REFRESH bodies,
#                      02 + RFC 9003 shutdown texts
#
# Needs bash and xxd.
set -euo pipefail
cd "$(dirname "$0")/.."

out=fuzz/corpus
targets=(fuzz_frame fuzz_open fuzz_update fuzz_notification)
# Only these targets' corpora: other targets keep theirs.
for t in "${targets[@]}"; do
	rm -rf "${out:?}/$t"
	mkdir -p "$out/$t"
done

bytes() { grep -v '^#' "$1" | xxd -r -p; }
body() { bytes "$1" | tail -c +20; }
msg_type() { bytes "$1" | xxd -s 18 -l 1 -p; }
# The session byte for fuzz_update, in hex.
update_ctx() { sed -n 's/^# fuzz-ctx: \([0-9a-f][0-9a-f]\).*/\1/p' "$1" | grep . || echo 03; }

add() { # FILE NAME
	local f=$1 name=$2 type
	type=$(msg_type "$f")
	bytes "$f" >"$out/fuzz_frame/$name"
	case $type in
	01) body "$f" >"$out/fuzz_open/$name" ;;
	02) { update_ctx "$f" | xxd -r -p; body "$f"; } >"$out/fuzz_update/$name" ;;
	03)
		{ printf '\x00'; body "$f"; } >"$out/fuzz_notification/$name"
		# Cease/2 and Cease/4 carry a length-prefixed shutdown text.
		if [[ $(body "$f" | xxd -l 2 -p) == 060[24] ]]; then
			{ printf '\x02'; body "$f" | tail -c +4; } >"$out/fuzz_notification/$name-text"
		fi
		;;
	05) { printf '\x01'; body "$f"; } >"$out/fuzz_notification/$name" ;;
	esac
}

# stream GROUP FILE...: the group's messages in session order.
stream() {
	local group=$1 type f
	shift
	for type in 01 04 02 05 03; do
		for f in "$@"; do
			if [[ $(msg_type "$f") == "$type" ]]; then
				bytes "$f"
			fi
		done
	done >"$out/fuzz_frame/stream-$group"
}

shopt -s nullglob
declare -A groups=()
for f in tests/vectors/*.hex fuzz/seeds/*.hex; do
	name=$(basename "$f" .hex)
	add "$f" "$name"
	case $f in
	fuzz/seeds/*) group=seeds ;;
	*) group=${name%%-*} ;;
	esac
	groups[$group]+="$f "
done
for group in "${!groups[@]}"; do
	# shellcheck disable=SC2086 # the list is space-separated paths
	stream "$group" ${groups[$group]}
done

# A shutdown text past the RFC 9003 limit, cut inside a two-byte character.
{ printf '\x02'; for _ in $(seq 200); do printf '\xc3\xa9'; done; } \
	>"$out/fuzz_notification/long-shutdown-text"

for t in "${targets[@]}"; do
	echo "$t: $(find "$out/$t" -type f | wc -l) seeds"
done
