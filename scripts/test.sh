#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Command 2 of the README, and what CI runs (.ci/run): the whole test suite. Its steps, by name:
#   * build       RelWithDebInfo build, -Werror
#   * ctest       through ctest: unit tests (GoogleTest), knowledge-base checks, fuzz corpus
#                 replay, docs freshness, the end-to-end tests (the real tshark, plugin in the
#                 personal folder of an unprivileged user) and the cost guard (callgrind counts
#                 where nothing of sipdiag is shown, and ceilings where it is, tests/cost)
#   * asan-build  the same with AddressSanitizer + UndefinedBehaviorSanitizer
#   * asan-unit   unit tests under ASan + UBSan
#   * asan-e2e    end-to-end tests with the sanitized plugin inside the real tshark
#   * robustness  short robustness pass (hostile and mutated captures), sanitized plugin
#   * fuzz        libFuzzer + ASan/UBSan on the parsers and the correlator, 30 s each
#   * gui         the real Wireshark GUI under Xvfb starts with the plugin
#   * live        tshark -i lo (unprivileged, plugin in its personal folder) while Kamailio and
#                 SIPp exchange 302/412/422 and retries: the verdicts appear while capturing
#   * fresh       both README commands from a clean clone in a fresh Debian 12 root
#                 (tests/fresh/run.sh)
#   * compat      build and tests on Wireshark 4.4 (trixie) and 4.6 (forky) in mmdebstrap roots
#   * shellcheck  every shell script of the repository is shellcheck-clean
#   * clang-format  formatting of our own C++ sources
# It first installs what is missing (scripts/deps.sh --test).
#
# Environment:
#   SIPDIAG_TEST_STEPS=build,ctest,...  run only these steps, in the order above (the summary
#                                       names the others as not run)
#   SIPDIAG_SKIP_COMPAT=1               leave out compat on a machine without root or mirror access
#                                       (ignored when CI=true)
#   SIPDIAG_TEST_DIR                    where the build directories go
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

all_steps=(build ctest asan-build asan-unit asan-e2e robustness fuzz gui live fresh compat
           shellcheck clang-format)
selected=${SIPDIAG_TEST_STEPS:-}
selected=${selected// /}
if [ -n "$selected" ]; then
    IFS=, read -r -a wanted <<<"$selected"
    for w in "${wanted[@]}"; do
        if [[ " ${all_steps[*]} " != *" $w "* ]]; then
            echo "test.sh: unknown step '$w' in SIPDIAG_TEST_STEPS; steps: ${all_steps[*]}" >&2
            exit 2
        fi
    done
    echo "test.sh: only the steps $selected (SIPDIAG_TEST_STEPS)"
fi
# want STEP: whether the step is selected.
want() { [ -z "$selected" ] || [[ ",$selected," == *",$1,"* ]]; }

scripts/deps.sh --test || exit 1
jobs=$(nproc)
# Build directories belong to this source tree: the default name carries a hash of its path, and
# a directory configured from another tree is wiped before use. (CI once ran a clean clone against
# a stale /tmp/sipdiag-test configured from another checkout: cmake refused the ASan build, and
# ctest ran the other tree's old plugin against this tree's new tests.)
out=${SIPDIAG_TEST_DIR:-/tmp/sipdiag-test-$(printf '%s' "$top" | sha1sum | cut -c1-12)}
for d in "$out/release" "$out/asan"; do
    [ -f "$d/CMakeCache.txt" ] || continue
    home_dir=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$d/CMakeCache.txt")
    if [ -n "$home_dir" ] && [ "$home_dir" != "$top" ]; then
        echo "test.sh: $d was configured from $home_dir, not $top: removing it"
        rm -rf "$d"
    fi
done
echo "test.sh: build directories under $out"
passed=0
failed=0
failures=()
not_run=()
times=()

# run NAME TITLE COMMAND...: one step of the suite, counted in the summary (when selected).
run() {
    local name=$1 title=$2
    shift 2
    if ! want "$name"; then
        not_run+=("$name")
        return 0
    fi
    printf '\n=== %s: %s\n' "$name" "$title"
    local t0=$SECONDS
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failures+=("$name")
        echo "*** step failed: $name"
    fi
    times+=("$name $((SECONDS - t0))s")
}

run build "RelWithDebInfo, -Werror" \
    bash -c "cmake -S '$top' -B '$out/release' -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null && cmake --build '$out/release' -j$jobs"
run ctest "unit, knowledge base, fuzz replay, docs and end-to-end tests" \
    bash -c "cd '$out/release' && ctest --output-on-failure -j$jobs"

run asan-build "ASan + UBSan" \
    bash -c "cmake -S '$top' -B '$out/asan' -DCMAKE_BUILD_TYPE=Debug -DSIPDIAG_SANITIZE=ON >/dev/null && cmake --build '$out/asan' -j$jobs"
run asan-unit "unit tests under ASan + UBSan" \
    env ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    bash -c "cd '$out/asan' && ctest --output-on-failure -j$jobs -E '^e2e$'"
if want asan-e2e || want robustness; then
    SIPDIAG_PRELOAD="$(g++ -print-file-name=libasan.so):$(g++ -print-file-name=libubsan.so)"
    export SIPDIAG_PRELOAD
    export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
run asan-e2e "end-to-end tests with the sanitized plugin in the real tshark" \
    tests/e2e/run_e2e.sh "$out/asan"
run robustness "short pass: hostile and mutated captures, sanitized plugin" \
    python3 tests/robustness/run.py --quick "$out/asan/plugin/wireshark/sipdiag.so"
unset SIPDIAG_PRELOAD ASAN_OPTIONS UBSAN_OPTIONS

run fuzz "libFuzzer + ASan/UBSan on the parsers and the correlator, 30 s each" \
    env SIPDIAG_FUZZ_BUILD="$out/fuzz" tests/fuzz/run.sh 30

run gui "Wireshark (Qt) under Xvfb starts with the plugin, opens a capture, exits cleanly" \
    tests/gui/test_gui_starts.sh "$out/release"

run live "tshark -i lo while Kamailio and SIPp exchange 302/412/422: verdicts while capturing" \
    python3 tests/live/test_live.py "$out/release/plugin/wireshark/sipdiag.so"

run fresh "both README commands from a clean clone in a fresh Debian 12 root" \
    tests/fresh/run.sh

if [ "${SIPDIAG_SKIP_COMPAT:-0}" = 1 ] && [ "${CI:-}" != true ] && want compat; then
    printf '\n=== compat: SKIPPED (SIPDIAG_SKIP_COMPAT=1)\n'
    not_run+=(compat)
else
    run compat "Wireshark 4.4 (trixie) and 4.6 (forky): build -Werror, unit, e2e, .deb" \
        tests/compat/run.sh --suites trixie,forky
fi

run shellcheck "every shell script" tests/lint/shellcheck.sh
run clang-format "our C++ sources" \
    bash -c "git -C '$top' ls-files '*.cpp' '*.h' | xargs clang-format --dry-run --Werror"

echo
if [ ${#times[@]} -ne 0 ]; then
    printf -v line '%s, ' "${times[@]}"
    echo "step times: ${line%, } (total ${SECONDS}s)"
fi
if [ $failed -ne 0 ]; then
    echo "failed steps: ${failures[*]}"
fi
if [ ${#not_run[@]} -ne 0 ]; then
    echo "steps not run: ${not_run[*]}"
fi
echo "sipdiag test suite: $passed passed, $failed failed"
[ $failed -eq 0 ] && [ $passed -gt 0 ]
