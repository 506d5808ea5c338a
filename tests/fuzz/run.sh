#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the libFuzzer targets with clang in a temporary directory and fuzzes each for N seconds
# (default 60), one after the other on one core. Inputs that crash, leak, time out or break an
# invariant are copied into tests/fuzz/regressions/<target>/, where the ctest replay
# (fuzz_replay_<target>) keeps running them; the exit status is 1 when there were any.
#
#   tests/fuzz/run.sh [seconds] [target...]     targets: values correlator message (default: all)
#
# Environment: SIPDIAG_FUZZ_BUILD (build and working corpus directory, default
# /tmp/sipdiag-fuzz), CXX (default clang++), SIPDIAG_FUZZ_ARGS (extra libFuzzer options).
# The seed corpus in tests/fuzz/corpus/ is read, never written: new inputs go to the working
# corpus in the build directory.
set -euo pipefail

seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(values correlator message)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="${SIPDIAG_FUZZ_BUILD:-/tmp/sipdiag-fuzz}"
cxx="${CXX:-clang++}"
case "$("$cxx" --version 2>/dev/null | head -n1)" in
    *clang*) ;;
    *) echo "run.sh: $cxx is not clang; install clang (apt-get install clang)" >&2; exit 2 ;;
esac

# shellcheck disable=SC2054  # the commas belong to -fsanitize=
flags=(-std=c++17 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
       -fno-sanitize-recover=undefined -I"$repo/plugin" -I"$here")
mkdir -p "$build"
for t in "${targets[@]}"; do
    echo "== building fuzz_$t"
    "$cxx" "${flags[@]}" "$here/fuzz_$t.cpp" "$repo"/plugin/core/*.cpp "$repo"/plugin/core/rules/*.cpp -o "$build/fuzz_$t"
done

found=0
for t in "${targets[@]}"; do
    work="$build/corpus/$t"
    artifacts="$build/artifacts/$t"
    rm -rf "$artifacts"
    mkdir -p "$work" "$artifacts"
    dict=()
    read -r -a extra <<<"${SIPDIAG_FUZZ_ARGS:-}"
    [ -f "$here/sip.dict" ] && dict=(-dict="$here/sip.dict")
    echo "== fuzzing fuzz_$t for ${seconds}s"
    # -max_len: SIP header values and short message sequences; -timeout: a slow input is a bug.
    "$build/fuzz_$t" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" \
        "${extra[@]}" "$work" "$here/corpus/$t" 2>&1 | tail -n 25 || true
    shopt -s nullglob
    for f in "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* "$artifacts"/oom-*; do
        mkdir -p "$here/regressions/$t"
        cp "$f" "$here/regressions/$t/"
        echo "!! $t: $(basename "$f") copied to tests/fuzz/regressions/$t/"
        found=1
    done
    shopt -u nullglob
done
[ "$found" -eq 0 ] && echo "== no crash found"
exit "$found"
