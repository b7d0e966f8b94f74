#!/usr/bin/env bash
#
# run.sh [SECONDS_PER_TARGET]: build the libFuzzer targets and run each for a
# bounded time (default 30 s) on a copy of its seed corpus.  Exits non-zero
# on any crash, leak, timeout, out-of-memory or sanitizer report.
#
#   KBGP_FUZZ_BUILD  build directory (default: build-fuzz in the repo root)
#
# Inputs that fail are kept in $KBGP_FUZZ_BUILD/artifacts/; replay one with
# $KBGP_FUZZ_BUILD/fuzz/<target> <file>, and once fixed keep it in
# fuzz/regress/<target>/, which every run replays.  Needs clang and cmake.
set -euo pipefail

secs=${1:-30}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${KBGP_FUZZ_BUILD:-$root/build-fuzz}
targets=(fuzz_frame fuzz_open fuzz_update fuzz_notification fuzz_manifest fuzz_catalog fuzz_watch fuzz_netlink fuzz_ctl)

cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DKBGP_FUZZ=ON -DKBGP_TESTS=OFF -DKBGP_WERROR=ON >/dev/null
cmake --build "$build" --parallel "$(nproc)" --target "${targets[@]}" >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/kbgp-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$build/artifacts"
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

# final_stat NAME LOG: a number from libFuzzer's -print_final_stats block.
final_stat() { sed -n "s/^stat::$1: *//p" "$2"; }

failed=0
for t in "${targets[@]}"; do
	cp -r "$root/fuzz/corpus/$t" "$work/$t"
	regress=()
	[[ -d $root/fuzz/regress/$t ]] && regress=("$root/fuzz/regress/$t")
	log=$work/$t.log
	rc=0
	"$build/fuzz/$t" -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" "$work/$t" "${regress[@]}" \
		>"$log" 2>&1 || rc=$?
	runs=$(final_stat number_of_executed_units "$log")
	speed=$(final_stat average_exec_per_sec "$log")
	# UBSan reports that recover would not change the exit status.
	if [[ $rc -ne 0 ]] || grep -q 'runtime error:' "$log"; then
		failed=1
		echo "$t: FAILED after ${runs:-?} runs (exit $rc); log tail:"
		grep -E 'ERROR|runtime error|check failed|SUMMARY|Test unit written|#[0-9]+ 0x' "$log" |
			grep -vE 'in fuzzer::|in __libc_start|in _start|in main ' | head -30 |
			sed 's/^/    /'
	else
		echo "$t: $runs runs in $secs s ($speed exec/s), no crash"
	fi
done
exit "$failed"
