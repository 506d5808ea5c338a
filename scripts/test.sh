#!/usr/bin/env bash
# Command 2 of the README, and what CI runs (.ci/run): the whole test suite.
#  1. installs what is missing (Debian packages);
#  2. builds with -Werror and runs unit tests (GoogleTest) and end-to-end tests (the real tshark,
#     plugin in the personal folder of an unprivileged user) through ctest;
#  3. builds again with AddressSanitizer + UndefinedBehaviorSanitizer and runs the unit tests and
#     the end-to-end tests with the sanitized plugin inside the real tshark;
#  4. checks formatting (clang-format) of our own sources.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/deps.sh clang-format
jobs=$(nproc)
out=${SIPDIAG_TEST_DIR:-/tmp/sipdiag-test}
fail=0

step() { printf '\n=== %s\n' "$*"; }

step "build (RelWithDebInfo, -Werror)"
cmake -S "$top" -B "$out/release" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$out/release" -j"$jobs"
step "unit + end-to-end tests"
(cd "$out/release" && ctest --output-on-failure -j1) || fail=1

step "build (ASan + UBSan)"
cmake -S "$top" -B "$out/asan" -DCMAKE_BUILD_TYPE=Debug -DSIPDIAG_SANITIZE=ON >/dev/null
cmake --build "$out/asan" -j"$jobs"
step "unit tests under ASan + UBSan"
(cd "$out/asan" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --output-on-failure -E '^e2e$') || fail=1
step "end-to-end tests with the sanitized plugin in the real tshark"
SIPDIAG_PRELOAD="$(g++ -print-file-name=libasan.so):$(g++ -print-file-name=libubsan.so)" \
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    tests/e2e/run_e2e.sh "$out/asan" || fail=1

step "GUI: Wireshark (Qt) under Xvfb starts with the plugin, opens a capture, exits cleanly"
tests/gui/test_gui_starts.sh "$out/release" || fail=1

step "clang-format"
if git -C "$top" ls-files '*.cpp' '*.h' | xargs clang-format --dry-run --Werror 2>&1 | head -20 | grep .; then
    echo "clang-format: files above need formatting"; fail=1
else
    echo "clang-format: clean"
fi

if [ $fail -ne 0 ]; then
    echo; echo "sipdiag tests: FAILED"; exit 1
fi
echo; echo "sipdiag tests: all passed"
