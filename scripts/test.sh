#!/usr/bin/env bash
# Runs every test kbgp has, the way CI does: install dependencies, build with
# warnings as errors, run the tests (unit tests, and real peers in network
# namespaces when run as root), run each fuzz target for a bounded time, then
# the tests again under ASan+UBSan.
#
#   scripts/test.sh            everything
#   FUZZ_SECONDS=0 scripts/test.sh   skip fuzzing
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build-test}
fuzz_seconds=${FUZZ_SECONDS:-20}
jobs=$(nproc)

step() { printf '\n==> %s\n' "$*"; }

step "dependencies"
"$top/scripts/install-deps.sh"

step "build (-Wall -Wextra -Werror)"
cmake -S "$top" -B "$build/plain" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKBGP_WERROR=ON >/dev/null
ninja -C "$build/plain" -j "$jobs"

step "tests"
ctest --test-dir "$build/plain" --output-on-failure -j "$jobs" 2>&1

if [ "$fuzz_seconds" -gt 0 ]; then
	step "fuzzing, ${fuzz_seconds}s per target"
	KBGP_FUZZ_BUILD="$build/fuzz" "$top/fuzz/run.sh" "$fuzz_seconds"
fi

step "tests under AddressSanitizer + UndefinedBehaviorSanitizer"
cmake -S "$top" -B "$build/asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DKBGP_WERROR=ON \
	-DKBGP_SANITIZE=ON >/dev/null
ninja -C "$build/asan" -j "$jobs"
# The seed lab (label lab) runs once, in the plain build: minutes of
# namespaces and timers that the sanitizers would only slow down.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	ctest --test-dir "$build/asan" --output-on-failure -j "$jobs" -LE lab 2>&1
