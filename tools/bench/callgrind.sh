#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Instruction counts (valgrind --tool=callgrind) of tshark with and without the plugin, per mode,
# on the first N frames of the benchmark captures. Deterministic, unlike wall times on a shared
# machine: use it to compare builds; run.sh gives the wall-time and memory ratios.
#
# Usage: tools/bench/callgrind.sh [--dense] [--split] [--modes LIST] [--sip FILE] [--nosip FILE]
#                                 [--check LIMITS] PLUGIN.so [FRAMES]
#   FRAMES   first frames of the capture (default 50000)
#   --dense  the capture dense in failures (dense-400000-s1.pcap, run.sh --dense) instead of the
#            realistic mix (sip-1000000-s1.pcap)
#   --modes  comma-separated subset of plain,y_sip,y_sipdiag,fields,two_pass,verbose,nosip (default all;
#            nosip, the no-SIP capture, only with the mix)
#   --sip FILE, --nosip FILE  these captures instead of the benchmark's (--nosip: for the nosip mode)
#   --check LIMITS  comma-separated MODE=MAX (e.g. plain=1.05,nosip=1.02): exit 1 when a mode's
#            ratio is above its MAX (the cost guard of the test suite, tests/cost)
# Needs the captures of run.sh (SIPDIAG_BENCH_DIR, default /var/tmp/sipdiag-bench: run run.sh
# once, or sipdiag_gen) and valgrind. As root, tshark runs as uid 65534 (otherwise as the user
# running this) with the plugin in a throwaway personal plugin folder, like the tests; the "without"
# runs have an empty plugin folder (the plugin is not loaded at all). Start-up (a run on a
# one-frame cut) is subtracted. Wireshark's hash seed is fixed on both sides (see seed.so below).
# Prints one Markdown row per mode: without, with, ratio, plugin instructions per frame.
#
# --split (modes verbose, fields and y_sipdiag, whose output grows with the plugin): splits
# each mode's extra instructions into sipdiag's post-dissector, Wireshark printing what the
# plugin adds (proto_tree_print for -V, write_fields_proto_tree for -T fields) and the rest, and
# prints the ratio the mode would have if the plugin cost nothing but printed the same output:
# a floor for any build whose output is unchanged. y_sipdiag has a table of its own: reading the
# messages (extract_messages), correlating them (the rest of analyse_frame), rendering (the rest
# of the post-dissector, of which Wireshark creating the items: proto_tree_add_item), printing
# the lines only the plugin's side prints (both sides run again with -q), the rest; then what the
# 5 % target leaves for the plugin's own code once Wireshark's work for the output is paid.
# Needs callgrind_annotate and a plugin with its symbols (not stripped).
set -euo pipefail
usage() {
    echo "usage: callgrind.sh [--dense] [--split] [--modes LIST] PLUGIN.so [FRAMES]" >&2
    exit 2
}
dense=0
split=0
modes=""
sip_arg=""
nosip_arg=""
check=""
while (($#)); do
    case $1 in
        --dense) dense=1; shift ;;
        --split) split=1; shift ;;
        --modes) modes=${2:?}; shift 2 ;;
        --sip) sip_arg=${2:?}; shift 2 ;;
        --nosip) nosip_arg=${2:?}; shift 2 ;;
        --check) check=${2:?}; shift 2 ;;
        -h | --help) usage ;;
        -*) usage ;;
        *) break ;;
    esac
done
plugin=${1:-}
[[ -n $plugin ]] || usage
frames=${2:-50000}
if ((split)); then
    modes=${modes:-verbose,fields}
    command -v callgrind_annotate >/dev/null || { echo "callgrind.sh: callgrind_annotate missing (apt-get install valgrind)" >&2; exit 2; }
else
    modes=${modes:-plain,y_sip,y_sipdiag,fields,two_pass,verbose,nosip}
fi
cache=${SIPDIAG_BENCH_DIR:-/var/tmp/sipdiag-bench}
if ((dense)); then
    sip="$cache/dense-400000-s1.pcap"
    nosip=""
    modes=$(tr , '\n' <<<"$modes" | grep -vx nosip | paste -sd, -)
else
    sip="$cache/sip-1000000-s1.pcap"
    nosip="$cache/nosip-1000000-s1.pcap"
fi
[[ -z $sip_arg ]] || sip=$sip_arg
[[ -z $nosip_arg ]] || nosip=$nosip_arg
# The limits, by mode (--check).
declare -A limit=()
if [[ -n $check ]]; then
    ((!split)) || { echo "callgrind.sh: --check goes without --split" >&2; exit 2; }
    IFS=, read -r -a checks <<<"$check"
    for c in "${checks[@]}"; do
        [[ $c =~ ^([a-z_]+)=([0-9]+([.][0-9]+)?)$ ]] ||
            { echo "callgrind.sh: --check takes MODE=MAX pairs, not '$c'" >&2; exit 2; }
        limit[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
    done
fi
[[ ,$modes, == *,nosip,* ]] || nosip=""  # only the nosip mode reads it
for f in "$sip" $nosip; do
    [ -f "$f" ] || { echo "callgrind.sh: $f missing (run tools/bench/run.sh$( ((dense)) && echo ' --dense') once)" >&2; exit 2; }
done
IFS=, read -r -a mode_list <<<"$modes"
for m in "${mode_list[@]}"; do
    case $m in
        plain | y_sip | y_sipdiag | fields | two_pass | verbose | nosip) ;;
        *) echo "callgrind.sh: unknown mode $m" >&2; exit 2 ;;
    esac
    ((!split)) || [[ $m == verbose || $m == fields || $m == y_sipdiag ]] ||
        { echo "callgrind.sh: --split takes the modes verbose, fields and y_sipdiag" >&2; exit 2; }
done
for m in "${!limit[@]}"; do
    [[ ,$modes, == *,$m,* ]] || { echo "callgrind.sh: --check names $m, which is not among the modes run ($modes)" >&2; exit 2; }
done
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind missing (apt-get install valgrind)" >&2; exit 2; }

work=$(mktemp -d /tmp/sipdiag-callgrind.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
as_root=0
[[ $(id -u) != 0 ]] || as_root=1
rel=$(tshark --version 2>/dev/null | awk 'NR==1{split($3,v,"."); print v[1]"."v[2]}')
mkdir -p "$work/with/.local/lib/wireshark/plugins/$rel/epan" "$work/without"
cp "$plugin" "$work/with/.local/lib/wireshark/plugins/$rel/epan/"
editcap -r "$sip" "$work/sip.pcap" "1-$frames"
[[ -z $nosip ]] || editcap -r "$nosip" "$work/nosip.pcap" "1-$frames"
editcap -r "$sip" "$work/one.pcap" 1
# Wireshark's hash maps (wmem_map) seed their hashing from GLib's random numbers at start-up
# (wmem_init_hashing: g_random_int()), so two runs of the same tshark on the same frames differed
# by up to 0.5 % of their instructions (wmem_map_lookup, g_direct_equal): as much as the changes
# measured here. Both sides run with a preloaded g_random_int() that returns a constant: repeated
# runs then agree to within 0.001 %. Nothing else in tshark's work changes.
printf '%s\n' '// fixed seed for wmem hashing (callgrind.sh)' \
    'extern "C" unsigned int g_random_int(void) { return 0x9e3779b1u; }' >"$work/seed.cpp"
"${CXX:-c++}" -O2 -shared -fPIC -o "$work/seed.so" "$work/seed.cpp" ||
    { echo "callgrind.sh: cannot build the seed shim (needs a C++ compiler)" >&2; exit 2; }
((!as_root)) || chown -R 65534:65534 "$work"

# profile HOME OUT ARGS...: one tshark run under callgrind, its profile in OUT. Fails (with
# tshark's error output) when tshark does not exit 0 or leaves no count: a run that died early
# would otherwise count as a cheap one.
profile() {
    local home=$1 out=$2
    shift 2
    local as=()
    ((!as_root)) || as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    if ! "${as[@]}" env HOME="$home" LC_ALL=C.UTF-8 LD_PRELOAD="$work/seed.so" \
        valgrind --tool=callgrind --callgrind-out-file="$out" tshark "$@" >/dev/null 2>"$out.err" ||
        [[ -z $(total "$out") ]]; then
        echo "callgrind.sh: tshark $* (HOME $(basename "$home")) failed under valgrind:" >&2
        grep -v '^==[0-9]*==' "$out.err" | tail -5 >&2  # tshark's own lines, not valgrind's
        return 1
    fi
    rm -f "$out.err"
}
total() { [[ -s $1 ]] && awk '/^(summary|totals):/ {print $2; exit}' "$1"; }
# instructions HOME ARGS...: total instructions of one tshark run (fails as profile does; the
# callers exit then, since command substitutions do not inherit set -e).
instructions() {
    local home=$1
    shift
    local out="$work/cg.$RANDOM.out"
    profile "$home" "$out" "$@" || return 1
    total "$out"
    rm -f "$out"
}
# inclusive OUT REGEX: the inclusive instructions of the first function whose name matches
# (0 when none does); names as callgrind_annotate prints them, "file:function [object]". The
# whole listing is read: stopping at the first match would end callgrind_annotate with SIGPIPE,
# which pipefail turns into a failure.
inclusive() {
    callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null |
        awk -v re="$2" '!found && $0 ~ re { gsub(",", "", $1); v = $1; found = 1 }
                        END { print found ? v : 0 }'
}

start_without=$(instructions "$work/without" -r "$work/one.pcap") || exit 1
start_with=$(instructions "$work/with" -r "$work/one.pcap") || exit 1

# The fields mode, in both tables: the same two columns, from the SIP dissector or from sipdiag.
fields_without="-T fields -e sip.Status-Code -e sip.response-request"
fields_with="-T fields -e sipdiag.code -e sipdiag.request_frame"

# split_row LABEL PRINTER "ARGS WITHOUT" "ARGS WITH" (--split)
split_row() {
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
    [[ $own != 0 ]] || echo "callgrind.sh: no dissect_sipdiag in the profile (a stripped plugin?): its share is counted as elsewhere" >&2
    rm -f "$work/a.out" "$work/b.out"
    awk -v l="$label" -v ta="$ta" -v tb="$tb" -v sa="$start_without" -v sb="$start_with" \
        -v pa="$pa" -v pb="$pb" -v own="$own" -v n="$frames" 'BEGIN {
            a = ta - sa; b = tb - sb; dp = pb - pa; rest = (b - a) - own - dp
            printf "| %s | %.3f | %.0f | %.0f | %.0f | %.3f |\n", l, b / a, own / n, dp / n,
                rest / n, (a + dp) / a
        }'
}

# split_filter_row (--split, y_sipdiag): where -Y sipdiag's extra instructions go, against
# -Y sip.Status-Code, per frame.
split_filter_row() {
    local ta tb tqa tqb own analyse reading ia ib
    # Called in a || list, where set -e does not apply: each failure returns by itself.
    profile "$work/without" "$work/a.out" -r "$work/sip.pcap" -Y sip.Status-Code || return 1
    profile "$work/with" "$work/b.out" -r "$work/sip.pcap" -Y sipdiag || return 1
    ta=$(total "$work/a.out")
    tb=$(total "$work/b.out")
    own=$(inclusive "$work/b.out" ':sipdiag::ws::.*dissect_sipdiag[(]')
    analyse=$(inclusive "$work/b.out" ':sipdiag::ws::.*analyse_frame[(]')
    reading=$(inclusive "$work/b.out" ':sipdiag::ws::extract_messages[(]')
    ia=$(inclusive "$work/a.out" '[?:]proto_tree_add_item [[]')
    ib=$(inclusive "$work/b.out" '[?:]proto_tree_add_item [[]')
    rm -f "$work/a.out" "$work/b.out"
    [[ $own != 0 && $analyse != 0 && $reading != 0 ]] ||
        { echo "callgrind.sh: the plugin's functions are not in the profile (a stripped plugin?)" >&2; return 1; }
    tqa=$(instructions "$work/without" -r "$work/sip.pcap" -q -Y sip.Status-Code) || return 1
    tqb=$(instructions "$work/with" -r "$work/sip.pcap" -q -Y sipdiag) || return 1
    awk -v ta="$ta" -v tb="$tb" -v tqa="$tqa" -v tqb="$tqb" -v sa="$start_without" \
        -v sb="$start_with" -v own="$own" -v an="$analyse" -v rd="$reading" -v ia="$ia" -v ib="$ib" \
        -v n="$frames" 'BEGIN {
            a = ta - sa; b = tb - sb; pr = (tb - tqb) - (ta - tqa); items = ib - ia
            rest = (b - a) - own - pr; out = items + pr + rest
            printf "| `-Y sipdiag` (vs `-Y sip.Status-Code`) | %.3f | %.0f | %.0f | %.0f (%.0f) | %.0f | %.0f | %.3f | %.0f | %.0f |\n",
                b / a, rd / n, (an - rd) / n, (own - an) / n, items / n, pr / n, rest / n,
                (a + out) / a, 0.05 * a / n, (0.05 * a - out) / n
        }'
}

# row MODE LABEL FILE "ARGS WITHOUT" "ARGS WITH": the mode's row; with --check, a line for each
# mode above its limit in $work/over.
row() {
    local mode=$1 label=$2 file=$3 a=$4 b=$5
    local without with
    # shellcheck disable=SC2086  # the argument strings are split on purpose
    without=$(instructions "$work/without" -r "$file" $a) || exit 1
    # shellcheck disable=SC2086
    with=$(instructions "$work/with" -r "$file" $b) || exit 1
    awk -v l="$label" -v a="$without" -v b="$with" -v sa="$start_without" -v sb="$start_with" \
        -v n="$frames" -v m="$mode" -v max="${limit[$mode]:-}" -v over="$work/over" 'BEGIN {
            a -= sa; b -= sb
            printf "| %s | %.2f G | %.2f G | %.3f | %.0f |\n", l, a / 1e9, b / 1e9, b / a, (b - a) / n
            if (max != "" && b / a > max + 0)
                printf "%s: %.3f, above its limit %s\n", m, b / a, max >> over
        }'
}

echo "callgrind, first $frames frames of $(basename "$sip"), start-up subtracted ($start_without / $start_with instructions)"
echo
if ((split)); then
    if [[ ,$modes, == *,y_sipdiag,* ]]; then
        echo "| mode | ratio | reading, per frame | correlating | rendering (Wireshark creating the items) | printing the extra lines | elsewhere | ratio if the plugin cost nothing but its output | 5 % of tshark's work | what 5 % leaves for the plugin's own code |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        split_filter_row || exit 1
        [[ ,$modes, == *,verbose,* || ,$modes, == *,fields,* ]] || exit 0
        echo
    fi
    echo "| mode | ratio | sipdiag's post-dissector, per frame | Wireshark printing the extra output, per frame | elsewhere, per frame | ratio if the plugin cost nothing but its output |"
    echo "|---|---:|---:|---:|---:|---:|"
    # shellcheck disable=SC2016  # the labels are Markdown: the backquotes are meant literally
    for m in "${mode_list[@]}"; do
        case $m in
            verbose) split_row '`-V`' proto_tree_print "-V" "-V" ;;
            fields)
                split_row '`-T fields` (vs the SIP fields)' write_fields_proto_tree \
                    "$fields_without" "$fields_with" ;;
        esac
    done
    exit 0
fi
echo "| mode | without | with | ratio | plugin instructions per frame |"
echo "|---|---:|---:|---:|---:|"
# The labels are Markdown: the backquotes are meant literally.
# shellcheck disable=SC2016
for m in "${mode_list[@]}"; do
    case $m in
        plain) row plain '`-r F`' "$work/sip.pcap" "" "" ;;
        y_sip) row y_sip '`-Y sip`' "$work/sip.pcap" "-Y sip" "-Y sip" ;;
        y_sipdiag)
            row y_sipdiag '`-Y sipdiag` (vs `-Y sip.Status-Code`)' "$work/sip.pcap" "-Y sip.Status-Code" "-Y sipdiag" ;;
        fields)
            row fields '`-T fields` (vs the SIP fields)' "$work/sip.pcap" "$fields_without" "$fields_with" ;;
        two_pass)
            row two_pass '`-2 -Y sipdiag` (vs `-2 -Y sip.Status-Code`)' "$work/sip.pcap" \
                "-2 -Y sip.Status-Code" "-2 -Y sipdiag" ;;
        verbose) row verbose '`-V`' "$work/sip.pcap" "-V" "-V" ;;
        nosip) row nosip '`-r F`, no-SIP frames' "$work/nosip.pcap" "" "" ;;
    esac
done
if [[ -s $work/over ]]; then
    echo
    echo "callgrind.sh: above the limits of --check:"
    sed 's/^/  /' "$work/over"
    exit 1
fi
