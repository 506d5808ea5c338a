#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark of sipdiag-report (not a test): throughput over many generated captures with 1 and 2
# workers, the fixed cost per file, and the report's own cost over bare tshark runs of the very
# same command (what the report runs for each file, without GNU parallel, the result parsing,
# the saved state and the outputs).
#
#   tools/report/bench.sh BUILD_DIR [--files 500] [--frames 9000] [--small 100] [--dir DIR] [--keep]
#
# BUILD_DIR holds the plugin (BUILD_DIR/plugin/wireshark/sipdiag.so). The captures come from
# tools/bench/gen_sip_pcap.cpp (one seed per file), written under DIR (default: a new folder in
# /var/tmp) and deleted at the end unless --keep. Everything runs under nice; as root, tshark and
# the report run as uid 65534 with the plugin in a throwaway personal plugin folder.
# Prints a Markdown table (also DIR/results.md).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: bench.sh BUILD_DIR [--files N] [--frames F] [--small N] [--dir DIR] [--keep]}
shift
files=500 frames=9000 small=100 dir="" keep=0
while [ $# -gt 0 ]; do
    case $1 in
        --files) files=$2; shift 2 ;;
        --frames) frames=$2; shift 2 ;;
        --small) small=$2; shift 2 ;;
        --dir) dir=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        *) echo "bench.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
so="$build/plugin/wireshark/sipdiag.so"
[ -f "$so" ] || { echo "bench.sh: $so not built" >&2; exit 2; }
[ -n "$dir" ] || dir=$(mktemp -d /var/tmp/sipdiag-report-bench.XXXXXX)
mkdir -p "$dir"
chmod 755 "$dir"
cleanup() {
    if [ "$keep" = 0 ]; then
        rm -rf "${dir:?}/caps" "${dir:?}/small" "${dir:?}/out" "${dir:?}/home"
    fi
}
trap cleanup EXIT

# the user that runs tshark: personal plugins only load for a non-root user
home="$dir/home"
release=$(tshark --version | awk 'NR==1{split($3,v,"."); print v[1]"."v[2]}')
mkdir -p "$home/.local/lib/wireshark/plugins/$release/epan" "$dir/caps" "$dir/small" "$dir/out"
cp "$so" "$home/.local/lib/wireshark/plugins/$release/epan/sipdiag.so"
as_user() {
    if [ "$(id -u)" -eq 0 ]; then
        nice setpriv --reuid=65534 --regid=65534 --clear-groups \
            env HOME="$home" PATH=/usr/bin:/bin TMPDIR="$home" "$@"
    else
        nice env HOME="$home" TMPDIR="$home" "$@"
    fi
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
as_user tshark -G plugins | grep -q '^sipdiag' || { echo "bench.sh: tshark does not load $so" >&2; exit 1; }
echo "bench: generator" >&2
g++ -O2 -std=c++17 -o "$dir/sipdiag_gen" "$top/tools/bench/gen_sip_pcap.cpp"
echo "bench: $files captures of $frames frames, $small of 20 frames, in $dir" >&2
for i in $(seq 1 "$files"); do
    nice "$dir/sipdiag_gen" --frames "$frames" --seed "$i" -o "$dir/caps/cap_$(printf %04d "$i").pcap" 2>/dev/null
done
for i in $(seq 1 "$small"); do
    nice "$dir/sipdiag_gen" --frames 20 --seed "$i" -o "$dir/small/s_$(printf %04d "$i").pcap" 2>/dev/null
done
if [ "$(id -u)" -eq 0 ]; then chown -R 65534:65534 "$dir/caps" "$dir/small" "$dir/out" "$home"; fi
bytes=$(du -sb "$dir/caps" | cut -f1)
tool="$top/tools/report/sipdiag-report"
# the exact tshark command of a report job
mapfile -d '' targs < <(as_user /usr/bin/python3 "$tool" "$dir/small" -o "$dir/out/dry" --dry-run |
    tail -1 | /usr/bin/python3 -c 'import shlex, sys
sys.stdout.write("\0".join(shlex.split(sys.stdin.read())[5:]))')

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", b - a}'; }
# bare J FOLDER: the report's tshark command on every file, J at a time, output thrown away
bare() {
    local j=$1 folder=$2
    find "$folder" -name '*.pcap' -print0 | sort -z |
        as_user xargs -0 -P "$j" -I{} tshark -2 -n -r {} "${targs[@]}" >/dev/null 2>&1
}
report() {
    local j=$1 folder=$2 out=$3
    as_user /usr/bin/python3 "$tool" "$folder" -o "$out" -j "$j" --force --progress never >"$out.txt"
}
report_rerun() {  # nothing changed: every file's saved result is reused
    as_user /usr/bin/python3 "$tool" "$dir/caps" -o "$dir/out/r2" -j 2 --progress never \
        >"$dir/out/rerun.txt"
}
declare -A T
run() {  # run NAME COMMAND...
    local name=$1 t0
    shift
    echo "bench: $name" >&2
    t0=$(now)
    "$@" || echo "bench: $name exited with status $?" >&2
    T[$name]=$(secs "$t0" "$(now)")
    echo "bench: $name ${T[$name]} s" >&2
}
run bare1 bare 1 "$dir/caps"
run report1 report 1 "$dir/caps" "$dir/out/r1"
run bare2 bare 2 "$dir/caps"
run report2 report 2 "$dir/caps" "$dir/out/r2"
run small_bare1 bare 1 "$dir/small"
run small_report1 report 1 "$dir/small" "$dir/out/s1"
run rerun report_rerun
records=$(wc -l <"$dir/out/r2/records.jsonl")
split1=$(sed -n 2p "$dir/out/r1.txt")
split2=$(sed -n 2p "$dir/out/r2.txt")
mb=$(awk -v b="$bytes" 'BEGIN{printf "%.0f", b / 1e6}')
tput() { awk -v b="$bytes" -v t="$1" -v n="$files" 'BEGIN{printf "%.1f MB/s, %.2f files/s", b / 1e6 / t, n / t}'; }
over() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%+.1f %%", (b / a - 1) * 100}'; }
per() { awk -v t="$1" -v n="$small" 'BEGIN{printf "%.2f", t / n}'; }
{
    echo "| run | workers | files | MB | wall (s) | throughput | report over bare tshark |"
    echo "|---|---:|---:|---:|---:|---|---:|"
    echo "| bare tshark (xargs) | 1 | $files | $mb | ${T[bare1]} | $(tput "${T[bare1]}") | |"
    echo "| sipdiag-report | 1 | $files | $mb | ${T[report1]} | $(tput "${T[report1]}") | $(over "${T[bare1]}" "${T[report1]}") |"
    echo "| bare tshark (xargs) | 2 | $files | $mb | ${T[bare2]} | $(tput "${T[bare2]}") | |"
    echo "| sipdiag-report | 2 | $files | $mb | ${T[report2]} | $(tput "${T[report2]}") | $(over "${T[bare2]}" "${T[report2]}") |"
    echo
    echo "Fixed cost per file ($small captures of 20 frames, 1 worker): bare tshark $(per "${T[small_bare1]}") s,"
    echo "sipdiag-report $(per "${T[small_report1]}") s per file."
    echo
    echo "Report's split, 1 worker: $split1"
    echo "Report's split, 2 workers: $split2"
    echo "Rerun with nothing changed (every result reused): ${T[rerun]} s."
    echo "Diagnosed responses: $records. Machine: $(nproc) cores, load average before the run: $load0."
} | tee "$dir/results.md"
