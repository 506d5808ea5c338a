#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Where the extra instructions of a mode go: in sipdiag's own post-dissector, in Wireshark's
# printing of what tshark outputs (proto_tree_print for -V, write_fields_proto_tree for -T
# fields), and elsewhere. The printing share is a floor: as long as the output stays the same
# (the goldens are byte-identical), tshark spends it even if the plugin itself cost nothing.
#
# Usage (as root): tools/bench/split.sh [--dense] [--modes LIST] PLUGIN.so [FRAMES]
#   FRAMES   first frames of the capture (default 20000)
#   --dense  the capture dense in failures (dense-400000-s1.pcap) instead of the realistic mix
#   --modes  comma-separated subset of verbose,fields (default both)
# Needs the captures of run.sh (SIPDIAG_BENCH_DIR, default /var/tmp/sipdiag-bench), valgrind and
# callgrind_annotate. Runs like callgrind.sh (uid 65534, throwaway homes, start-up subtracted
# from the totals). Prints one Markdown row per mode.
set -euo pipefail
usage() {
    echo "usage: split.sh [--dense] [--modes LIST] PLUGIN.so [FRAMES]" >&2
    exit 2
}
dense=0
modes=verbose,fields
while (($#)); do
    case $1 in
        --dense) dense=1; shift ;;
        --modes) modes=${2:?}; shift 2 ;;
        -h | --help) usage ;;
        -*) usage ;;
        *) break ;;
    esac
done
plugin=${1:-}
[[ -n $plugin ]] || usage
frames=${2:-20000}
cache=${SIPDIAG_BENCH_DIR:-/var/tmp/sipdiag-bench}
if ((dense)); then sip="$cache/dense-400000-s1.pcap"; else sip="$cache/sip-1000000-s1.pcap"; fi
[ -f "$sip" ] || { echo "split.sh: $sip missing (run tools/bench/run.sh once)" >&2; exit 2; }
IFS=, read -r -a mode_list <<<"$modes"
for m in "${mode_list[@]}"; do
    [[ $m == verbose || $m == fields ]] || { echo "split.sh: unknown mode $m" >&2; exit 2; }
done
for t in valgrind callgrind_annotate; do
    command -v "$t" >/dev/null || { echo "split.sh: $t missing (apt-get install valgrind)" >&2; exit 2; }
done

work=$(mktemp -d /tmp/sipdiag-split.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
rel=$(tshark --version 2>/dev/null | awk 'NR==1{split($3,v,"."); print v[1]"."v[2]}')
mkdir -p "$work/with/.local/lib/wireshark/plugins/$rel/epan" "$work/without"
cp "$plugin" "$work/with/.local/lib/wireshark/plugins/$rel/epan/"
editcap -r "$sip" "$work/sip.pcap" "1-$frames"
editcap -r "$sip" "$work/one.pcap" 1
chown -R 65534:65534 "$work"

# profile HOME OUT ARGS...: one tshark run under callgrind, its profile in OUT.
profile() {
    local home=$1 out=$2
    shift 2
    setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$home" LC_ALL=C.UTF-8 \
        valgrind --tool=callgrind --callgrind-out-file="$out" tshark "$@" >/dev/null 2>&1
}
total() { awk '/^(summary|totals):/ {print $2; exit}' "$1"; }
# inclusive OUT REGEX: the inclusive instructions of the first function whose name matches
# (0 when none does). The names are those of callgrind_annotate: "file:function [object]".
# (The whole listing is read: stopping at the first match would end callgrind_annotate with
# SIGPIPE, which pipefail turns into a failure.)
inclusive() {
    callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null |
        awk -v re="$2" '!found && $0 ~ re { gsub(",", "", $1); v = $1; found = 1 }
                        END { print found ? v : 0 }'
}

profile "$work/without" "$work/start0.out" -r "$work/one.pcap"
profile "$work/with" "$work/start1.out" -r "$work/one.pcap"
start_without=$(total "$work/start0.out")
start_with=$(total "$work/start1.out")

# row LABEL PRINTER "ARGS WITHOUT" "ARGS WITH"
row() {
    local label=$1 printer=$2 a=$3 b=$4
    # shellcheck disable=SC2086  # the argument strings are split on purpose
    profile "$work/without" "$work/a.out" -r "$work/sip.pcap" $a
    # shellcheck disable=SC2086
    profile "$work/with" "$work/b.out" -r "$work/sip.pcap" $b
    local ta tb pa pb own
    ta=$(total "$work/a.out")
    tb=$(total "$work/b.out")
    pa=$(inclusive "$work/a.out" "[?:]$printer [[]")
    pb=$(inclusive "$work/b.out" "[?:]$printer [[]")
    own=$(inclusive "$work/b.out" ':sipdiag::ws::.*dissect_sipdiag[(]')
    awk -v l="$label" -v ta="$ta" -v tb="$tb" -v sa="$start_without" -v sb="$start_with" \
        -v pa="$pa" -v pb="$pb" -v own="$own" -v n="$frames" 'BEGIN {
            a = ta - sa; b = tb - sb; dp = pb - pa; rest = (b - a) - own - dp
            printf "| %s | %.3f | %.0f | %.0f | %.0f | %.3f |\n", l, b / a, own / n, dp / n,
                rest / n, (a + dp) / a
        }'
}

echo "callgrind, first $frames frames of $(basename "$sip"), start-up subtracted"
echo
echo "| mode | ratio | sipdiag's post-dissector, per frame | Wireshark printing the extra output, per frame | elsewhere, per frame | ratio if the plugin cost nothing but its output |"
echo "|---|---:|---:|---:|---:|---:|"
# shellcheck disable=SC2016  # the labels are Markdown: the backquotes are meant literally
for m in "${mode_list[@]}"; do
    case $m in
        verbose) row '`-V`' proto_tree_print "-V" "-V" ;;
        fields)
            row '`-T fields` (vs the SIP fields)' write_fields_proto_tree \
                "-T fields -e sip.Status-Code -e sip.response-request" \
                "-T fields -e sipdiag.code -e sipdiag.request_frame" ;;
    esac
done
