#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Command 2 of the README, and what CI runs (.ci/run): the whole test suite.
#  1. installs what is missing (Debian packages);
#  2. builds with -Werror and runs, through ctest, the unit tests (GoogleTest), the knowledge-base
#     checks, the fuzz corpus replay and the end-to-end tests (the real tshark, plugin in the
#     personal folder of an unprivileged user);
#  3. builds again with AddressSanitizer + UndefinedBehaviorSanitizer and runs the unit tests, the
#     end-to-end tests and a short robustness pass (hostile captures, mutated captures) with the
#     sanitized plugin inside the real tshark, then fuzzes the core for a short while (libFuzzer);
#  4. starts the real Wireshark GUI under Xvfb with the plugin;
#  5. builds and tests on Wireshark 4.4 (Debian trixie) and 4.6 (forky) in mmdebstrap roots;
#  6. checks formatting (clang-format) of our own sources.
# Set SIPDIAG_SKIP_COMPAT=1 to leave out step 5 on a machine without root or mirror access (the
# summary then says so; CI never sets it).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/deps.sh clang-format clang libclang-rt-dev || exit 1
jobs=$(nproc)
# Build directories belong to this source tree: the default name carries a hash of its path, and
# a directory configured from another tree is wiped before use. (CI once ran a clean clone against
# a stale /tmp/sipdiag-test configured from another checkout: cmake refused the ASan build, and
# ctest ran the other tree's old plugin against this tree's new tests.)
out=${SIPDIAG_TEST_DIR:-/tmp/sipdiag-test-$(printf '%s' "$top" | sha1sum | cut -c1-12)}
for d in "$out/release" "$out/asan"; do
    home_dir=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$d/CMakeCache.txt" 2>/dev/null)
    if [ -n "$home_dir" ] && [ "$home_dir" != "$top" ]; then
        echo "test.sh: $d was configured from $home_dir, not $top: removing it"
        rm -rf "$d"
    fi
done
echo "test.sh: build directories under $out"
passed=0
failed=0
failures=()

step() { printf '\n=== %s\n' "$*"; }
# run NAME COMMAND...: one step of the suite, counted in the summary.
run() {
    local name=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failures+=("$name")
        echo "*** step failed: $name"
    fi
}

step "build (RelWithDebInfo, -Werror)"
run "build" bash -c "cmake -S '$top' -B '$out/release' -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null && cmake --build '$out/release' -j$jobs"
step "unit, knowledge base, fuzz replay and end-to-end tests (ctest)"
run "ctest" bash -c "cd '$out/release' && ctest --output-on-failure -j$jobs"

step "build (ASan + UBSan)"
run "asan build" bash -c "cmake -S '$top' -B '$out/asan' -DCMAKE_BUILD_TYPE=Debug -DSIPDIAG_SANITIZE=ON >/dev/null && cmake --build '$out/asan' -j$jobs"
step "unit tests under ASan + UBSan"
run "asan unit" env ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    bash -c "cd '$out/asan' && ctest --output-on-failure -j$jobs -E '^e2e$'"
export SIPDIAG_PRELOAD="$(g++ -print-file-name=libasan.so):$(g++ -print-file-name=libubsan.so)"
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
step "end-to-end tests with the sanitized plugin in the real tshark"
run "asan e2e" tests/e2e/run_e2e.sh "$out/asan"
step "robustness (short): hostile and mutated captures, sanitized plugin"
run "robustness" python3 tests/robustness/run.py --quick "$out/asan/plugin/wireshark/sipdiag.so"
unset SIPDIAG_PRELOAD ASAN_OPTIONS UBSAN_OPTIONS

step "fuzzing (short): libFuzzer + ASan/UBSan on the parsers and the correlator, 30 s each"
run "fuzz" env SIPDIAG_FUZZ_BUILD="$out/fuzz" tests/fuzz/run.sh 30

step "GUI: Wireshark (Qt) under Xvfb starts with the plugin, opens a capture, exits cleanly"
run "gui" tests/gui/test_gui_starts.sh "$out/release"

if [ "${SIPDIAG_SKIP_COMPAT:-0}" = 1 ] && [ "${CI:-}" != true ]; then
    step "Wireshark 4.4 / 4.6 matrix: SKIPPED (SIPDIAG_SKIP_COMPAT=1)"
else
    step "Wireshark 4.4 (trixie) and 4.6 (forky): build -Werror, unit, e2e, .deb"
    run "compat" tests/compat/run.sh --suites trixie,forky
fi

step "clang-format"
run "clang-format" bash -c "git -C '$top' ls-files '*.cpp' '*.h' | xargs clang-format --dry-run --Werror"

echo
if [ $failed -ne 0 ]; then
    echo "failed steps: ${failures[*]}"
fi
echo "sipdiag test suite: $passed passed, $failed failed"
[ $failed -eq 0 ]
