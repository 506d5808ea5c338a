#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark of the sipdiag plugin inside the real tshark: the same capture is read with and without
# the plugin, runs alternate (without/with, then with/without) to cancel drift, and the medians of
# wall time and peak RSS are compared. Prints a Markdown table per capture (see
# tools/bench/README.md).
#
#   tools/bench/run.sh [--frames N] [--reps R] [--quick] [--cache DIR] [--plugin FILE.so]
#                      [--modes LIST] [--seed S] [--captures mix,dense] [--dense]
#                      [--dense-frames N]
#
# As root, tshark ignores personal plugins: every tshark run then goes through
# `setpriv --reuid=65534` (nobody) with HOME pointing at a prepared home, with the plugin in
# ~/.local/lib/wireshark/plugins/<release>/epan ("with") or an empty home ("without"). The
# "without" side never loads the plugin (checked with tshark -G plugins): disabling the protocol
# would not do, a loaded plugin that wants fields makes tshark build a tree for every frame.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
frames=1000000
dense_frames=400000
captures="mix"
reps=5
cut_frames=10000
cache=${SIPDIAG_BENCH_DIR:-/var/tmp/sipdiag-bench}
plugin=""
seed=1
modes="plain,y_sip,y_sipdiag,fields,two_pass,v_cut,nosip"
report=""

usage() {
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
    cat <<'EOF'

Options:
  --frames N      frames of the realistic SIP capture and the no-SIP one (default 1000000)
  --captures LIST comma-separated subset of: mix (the realistic mix, and the no-SIP capture for
                  the nosip mode), dense (dense in failures: short UDP messages, a third of the
                  transactions ending in 302/412/422; sipdiag_gen --dense). Default: mix
  --dense         the same as --captures mix,dense
  --dense-frames N  frames of the dense capture (default 400000)
  --reps R        repetitions of every with/without pair (default 5)
  --quick         --frames 100000 --dense-frames 100000 --reps 3
  --cache DIR     captures, homes, generator and plugin build (default /var/tmp/sipdiag-bench,
                  or $SIPDIAG_BENCH_DIR)
  --plugin FILE   benchmark this sipdiag.so instead of building the working tree
  --modes LIST    comma-separated subset of: plain,y_sip,y_sipdiag,fields,two_pass,v_cut,nosip
                  (nosip runs with the mix only)
  --seed S        generator seed (default 1)
  --report CSV    no runs: print the tables again from the raw results of an earlier run
                  (give the same --frames, --dense-frames and --seed)
EOF
}

while (($#)); do
    case $1 in
        --frames) frames=$2; shift 2 ;;
        --reps) reps=$2; shift 2 ;;
        --quick) frames=100000; dense_frames=100000; reps=3; shift ;;
        --captures) captures=$2; shift 2 ;;
        --dense) captures=mix,dense; shift ;;
        --dense-frames) dense_frames=$2; shift 2 ;;
        --cache) cache=$2; shift 2 ;;
        --plugin) plugin=$(realpath "$2"); shift 2 ;;
        --modes) modes=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --report) report=$(realpath "$2"); shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done
[[ $frames =~ ^[0-9]+$ && $frames -gt 0 && $reps =~ ^[0-9]+$ && $reps -gt 0 &&
    $dense_frames =~ ^[0-9]+$ && $dense_frames -gt 0 ]] || {
    echo "run.sh: --frames, --dense-frames and --reps take positive integers" >&2
    exit 2
}
IFS=, read -r -a capture_list <<<"$captures"
for c in "${capture_list[@]}"; do
    [[ $c == mix || $c == dense ]] || {
        echo "run.sh: unknown capture: $c (mix, dense)" >&2
        exit 2
    }
done

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

# --- tools -----------------------------------------------------------------------------------------
command -v tshark >/dev/null || die "tshark is not installed (apt-get install tshark)"
command -v editcap >/dev/null || die "editcap is not installed (apt-get install wireshark-common)"
if [[ ! -x /usr/bin/time ]]; then
    if ((EUID == 0)); then
        log "installing GNU time"
        apt-get install -y -qq time >/dev/null
    else
        die "GNU time (/usr/bin/time) is missing: sudo apt-get install time"
    fi
fi
ws_version=$(tshark --version 2>/dev/null | head -1 | sed -E 's/.*\(Wireshark\) ([0-9.]+).*/\1/')
ws_release=$(cut -d. -f1,2 <<<"$ws_version")

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
chmod 755 "$cache"  # our own directory: tshark runs as nobody and reads the captures from here

# --- generator -------------------------------------------------------------------------------------
gen=$cache/bin/sipdiag_gen
src=$top/tools/bench/gen_sip_pcap.cpp
if [[ ! -x $gen || $src -nt $gen ]]; then
    log "building the generator"
    mkdir -p "$cache/bin"
    "${CXX:-c++}" -std=c++17 -O2 -o "$gen" "$src"
fi

if [[ -z $report ]]; then
# --- plugin ----------------------------------------------------------------------------------------
if [[ -z $plugin ]]; then
    log "building the plugin (RelWithDebInfo) in $cache/build"
    cmake -S "$top" -B "$cache/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DSIPDIAG_BUILD_TESTS=OFF >"$cache/build.log" 2>&1 || die "cmake failed: $cache/build.log"
    cmake --build "$cache/build" -j"$(nproc)" --target sipdiag >>"$cache/build.log" 2>&1 ||
        die "build failed: $cache/build.log"
    plugin=$cache/build/plugin/wireshark/sipdiag.so
fi
[[ -f $plugin ]] || die "no plugin at $plugin"

# --- homes -----------------------------------------------------------------------------------------
home_with=$cache/home-with
home_without=$cache/home-without
rm -rf "$home_with" "$home_without"
mkdir -p "$home_with/.local/lib/wireshark/plugins/$ws_release/epan" "$home_without"
cp "$plugin" "$home_with/.local/lib/wireshark/plugins/$ws_release/epan/sipdiag.so"
if ((EUID == 0)); then
    chown -R 65534:65534 "$home_with" "$home_without"
    runas=(setpriv --reuid=65534 --regid=65534 --clear-groups)
else
    runas=()
fi
chmod -R a+rX "$home_with" "$home_without"

ts() { # HOME tshark-args... (stdout to the caller)
    local home=$1
    shift
    "${runas[@]}" env HOME="$home" tshark "$@"
}

ts "$home_with" -G plugins 2>/dev/null | grep -q '^sipdiag' ||
    die "tshark does not load $plugin from $home_with (see tshark -G plugins)"
if ts "$home_without" -G plugins 2>/dev/null | grep -q '^sipdiag'; then
    die "sipdiag is installed globally: the 'without' runs would load it too"
fi
fi  # not --report

if [[ -n $report ]]; then
    # Results of runs made before the dense capture name their modes without a capture: the mix.
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    raw=$tmp/results.csv
    { head -1 "$report"; tail -n +2 "$report" | sed -E '/^[a-z_]+\//! s|^|mix/|'; } >"$raw"
    mapfile -t capture_list < <(tail -n +2 "$raw" | cut -d/ -f1 | awk '!seen[$0]++')
fi

# --- captures --------------------------------------------------------------------------------------
# Per capture: the SIP file, its first cut_frames frames (for -V), its frame count and statistics.
declare -A c_file c_cut c_frames c_gen_args c_title
c_file[mix]=$cache/sip-$frames-s$seed.pcap
c_frames[mix]=$frames
c_gen_args[mix]="--frames $frames --seed $seed"
c_title[mix]="realistic mix"
c_file[dense]=$cache/dense-$dense_frames-s$seed.pcap
c_frames[dense]=$dense_frames
c_gen_args[dense]="--dense --frames $dense_frames --seed $seed"
c_title[dense]="dense in failures"
for c in mix dense; do
    n=$cut_frames
    ((n > c_frames[$c])) && n=${c_frames[$c]}
    c_cut[$c]=${c_file[$c]%.pcap}-cut$n.pcap
done
nosip=$cache/nosip-$frames-s$seed.pcap
stat_of() { sed -n "s/^$2=//p" "$1"; }

for c in "${capture_list[@]}"; do
    f=${c_file[$c]}
    if [[ -n $report ]]; then
        [[ -s $f.stats ]] || die "no $f.stats: give the --frames, --dense-frames and --seed of that run"
        continue
    fi
    if [[ ! -s $f || ! -s $f.stats || $gen -nt $f ]]; then
        log "generating $f"
        read -r -a ga <<<"${c_gen_args[$c]}"
        "$gen" "${ga[@]}" -o "$f" 2>"$f.stats"
        rm -f "${c_cut[$c]}"
    fi
    if [[ ! -s ${c_cut[$c]} ]]; then
        n=$cut_frames
        ((n > c_frames[$c])) && n=${c_frames[$c]}
        editcap -r "$f" "${c_cut[$c]}" "1-$n"
    fi
    chmod a+r "$f" "${c_cut[$c]}"
    # Sanity: the plugin really diagnoses this capture.
    n=$(ts "$home_with" -r "${c_cut[$c]}" -Y sipdiag 2>/dev/null | wc -l)
    ((n > 0)) || die "the plugin diagnosed nothing in ${c_cut[$c]}"
done
if [[ -z $report && " ${capture_list[*]} " == *" mix "* && ,$modes, == *,nosip,* ]] &&
    [[ ! -s $nosip || $gen -nt $nosip ]]; then
    log "generating $nosip"
    "$gen" --no-sip --frames "$frames" --seed "$seed" -o "$nosip" 2>"$nosip.stats"
fi
[[ -n $report || ! -s $nosip ]] || chmod a+r "$nosip"

# --- modes -----------------------------------------------------------------------------------------
# Mode ids are capture/mode (mix/plain, dense/y_sip, ...).
# name | frames | target | description | args with | args without (baseline)
# Filters on sipdiag.* do not exist without the plugin: the baseline asks for the nearest SIP
# field, selecting (almost) the same frames, so that both runs build a tree and print alike.
declare -A m_frames m_target m_desc m_with m_without
add_mode() {
    m_frames[$1]=$2
    m_target[$1]=$3
    m_desc[$1]=$4
    m_with[$1]=$5
    m_without[$1]=$6
}
# The descriptions are Markdown: the backquotes are meant literally.
# shellcheck disable=SC2016
for c in mix dense; do
    sip=${c_file[$c]} cut=${c_cut[$c]} n=${c_frames[$c]}
    ncut=$cut_frames
    ((ncut > n)) && ncut=$n
    add_mode "$c/plain" "$n" 1.05 '`-r F`' "-r $sip" "-r $sip"
    add_mode "$c/y_sip" "$n" 1.05 '`-Y sip`' "-r $sip -Y sip" "-r $sip -Y sip"
    add_mode "$c/y_sipdiag" "$n" 1.05 '`-Y sipdiag` (vs `-Y sip.Status-Code`)' \
        "-r $sip -Y sipdiag" "-r $sip -Y sip.Status-Code"
    add_mode "$c/fields" "$n" 1.05 \
        '`-T fields -e sipdiag.code -e sipdiag.request_frame` (vs `sip.Status-Code`, `sip.response-request`)' \
        "-r $sip -T fields -e sipdiag.code -e sipdiag.request_frame" \
        "-r $sip -T fields -e sip.Status-Code -e sip.response-request"
    add_mode "$c/two_pass" "$n" 1.05 '`-2 -Y sipdiag` (vs `-2 -Y sip.Status-Code`)' \
        "-r $sip -2 -Y sipdiag" "-r $sip -2 -Y sip.Status-Code"
    add_mode "$c/v_cut" "$ncut" 1.05 "\`-V\`, first $ncut frames" "-r $cut -V" "-r $cut -V"
done
# shellcheck disable=SC2016  # Markdown backquotes
add_mode mix/nosip "$frames" 1.02 '`-r F`, no-SIP capture' "-r $nosip" "-r $nosip"

IFS=, read -r -a plain_modes <<<"$modes"
mode_list=()
for c in "${capture_list[@]}"; do
    for m in "${plain_modes[@]}"; do
        [[ $c == dense && $m == nosip ]] && continue
        [[ -n ${m_target[$c/$m]:-} ]] || die "unknown mode: $m"
        mode_list+=("$c/$m")
    done
done

if [[ -n $report ]]; then
    mapfile -t mode_list < <(tail -n +2 "$raw" | cut -d, -f1 | awk '!seen[$0]++')
    reps=$(tail -n +2 "$raw" | cut -d, -f2 | sort -n | tail -1)
    load_start="n/a" load_end="n/a"
else
# --- measurement -----------------------------------------------------------------------------------
stamp=$(date -u +%Y%m%dT%H%M%SZ)
raw=$cache/results-$stamp.csv
echo "mode,rep,variant,wall_s,user_s,sys_s,maxrss_kb" >"$raw"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

measure() { # mode rep variant home args...
    local mode=$1 rep=$2 variant=$3 home=$4
    shift 4
    if ! /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "${runas[@]}" env HOME="$home" \
        tshark "$@" >/dev/null 2>"$tmp/err"; then
        cat "$tmp/err" >&2
        die "tshark failed ($mode, $variant): tshark $*"
    fi
    local wall user sys rss
    read -r wall user sys rss <"$tmp/time"
    echo "$mode,$rep,$variant,$wall,$user,$sys,$rss" >>"$raw"
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
log "captures=$captures frames=$frames dense_frames=$dense_frames reps=$reps modes=$modes (raw results: $raw)"
for ((r = 1; r <= reps; r++)); do
    for m in "${mode_list[@]}"; do
        read -r -a aw <<<"${m_with[$m]}"
        read -r -a ao <<<"${m_without[$m]}"
        if ((r % 2)); then
            measure "$m" "$r" without "$home_without" "${ao[@]}"
            measure "$m" "$r" with "$home_with" "${aw[@]}"
        else
            measure "$m" "$r" with "$home_with" "${aw[@]}"
            measure "$m" "$r" without "$home_without" "${ao[@]}"
        fi
        log "rep $r/$reps $m: $(grep "^$m,$r,without," "$raw" | cut -d, -f4)s without, $(grep "^$m,$r,with," "$raw" | cut -d, -f4)s with"
    done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
fi  # not --report

# --- report ----------------------------------------------------------------------------------------
median() { # column values on stdin
    sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else printf "%.6g\n", (v[NR/2]+v[NR/2+1])/2}'
}
col() { # mode variant column-number
    grep "^$1,[0-9]*,$2," "$raw" | cut -d, -f"$3"
}
spread() { # mode variant: (max-min)/median of wall time, percent
    col "$1" "$2" 4 | sort -g | awk '{v[NR] = $1}
        END {
            if (NR % 2) m = v[(NR + 1) / 2]; else m = (v[NR / 2] + v[NR / 2 + 1]) / 2;
            s = 0; if (m > 0) s = 100 * (v[NR] - v[1]) / m;
            printf "%.0f", s
        }'
}

cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)
mem=$(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo)
echo
echo "### sipdiag benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "Machine: $(nproc) CPUs ($cpu), $mem RAM, $(uname -sr); TShark $ws_version."
echo "Medians of $reps alternating runs; load average $load_start at start, $load_end at end" \
    "(1, 5, 15 min; $(nproc) CPUs). \"Without\" runs load no plugin at all (empty personal plugin" \
    "folder, checked with \`tshark -G plugins\`)."
declare -A med_m_with med_m_without
fail=0
fixed_kb=0  # what the plugin costs without any SIP (code, knowledge base): the no-SIP delta
for c in "${capture_list[@]}"; do
    st=${c_file[$c]}.stats
    transactions=$(stat_of "$st" transactions)
    sip_messages=$(stat_of "$st" sip_messages)
    echo
    echo "#### Capture: ${c_title[$c]} ($(basename "${c_file[$c]}"))"
    echo
    echo "${c_frames[$c]} frames, $sip_messages SIP messages, $transactions transactions" \
        "($(stat_of "$st" transactions_no_ack) without ACKs), responses 302/412/422:" \
        "$(stat_of "$st" responses_302)/$(stat_of "$st" responses_412)/$(stat_of "$st" responses_422)" \
        "(share of the non-ACK transactions: $(stat_of "$st" failure_share));" \
        "$(stat_of "$st" tcp_segments) TCP segments; $(stat_of "$st" peak_concurrent) scenarios" \
        "alive at once at the peak; seed $seed."
    echo
    echo "| mode | frames | without (s) | with (s) | ratio | target | plugin ns/frame | spread with/without | CPU ratio | RSS without (MB) | RSS with (MB) | RSS ratio |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    rss_max=0
    for m in "${mode_list[@]}"; do
        [[ $m == "$c"/* ]] || continue
        tw=$(col "$m" with 4 | median)
        to=$(col "$m" without 4 | median)
        mw=$(col "$m" with 7 | median)
        mo=$(col "$m" without 7 | median)
        cw=$(grep "^$m,[0-9]*,with," "$raw" | awk -F, '{print $5 + $6}' | median)
        co=$(grep "^$m,[0-9]*,without," "$raw" | awk -F, '{print $5 + $6}' | median)
        med_m_with[$m]=$mw med_m_without[$m]=$mo
        row=$(awk -v tw="$tw" -v to="$to" -v mw="$mw" -v mo="$mo" -v n="${m_frames[$m]}" \
            -v tg="${m_target[$m]}" -v sw="$(spread "$m" with)" -v so="$(spread "$m" without)" \
            -v cw="$cw" -v co="$co" \
            'BEGIN {
                # (no bare ">" inside print/printf arguments: awk reads it as a redirection)
                r = 0; if (to > 0) r = tw / to;
                rr = 0; if (mo > 0) rr = mw / mo;
                over_t = ""; if (r > tg + 0) over_t = " **over**";
                over_m = ""; if (rr > 1.05) over_m = " **over**";
                rc = 0; if (co > 0) rc = cw / co;
                printf "%d | %.2f | %.2f | %.3f%s | %.2f | %.0f | %s%%/%s%% | %.3f | %.1f | %.1f | %.3f%s",
                       n, to, tw, r, over_t, tg, (tw - to) * 1e9 / n, sw, so, rc,
                       mo / 1024, mw / 1024, rr, over_m
            }')
        grep -q over <<<"$row" && fail=1
        echo "| ${m_desc[$m]} | $row |"
        # The -V cut is too short to say anything about memory.
        [[ $m == */v_cut ]] || rss_max=$(awk -v a="$rss_max" -v w="$mw" -v o="$mo" \
            'BEGIN { r = (o > 0) ? w / o : 0; print (r > a) ? r : a }')
    done
    echo
    awk -v r="$rss_max" -v t="${c_title[$c]}" 'BEGIN {
        printf "**Peak RSS ratio with/without the plugin, %s: %.3f** (highest over the modes on the whole capture; target <= 1.05).\n", t, r }'
    if [[ $c == mix && -n ${med_m_with[mix/nosip]:-} ]]; then
        fixed_kb=$(awk -v a="${med_m_with[mix/nosip]}" -v b="${med_m_without[mix/nosip]}" 'BEGIN {print a - b}')
        awk -v d="$fixed_kb" -v n="$frames" 'BEGIN {
            printf "No-SIP capture: RSS with - without = %.1f MB after %d non-SIP frames (%.2f bytes per frame): nothing is kept per non-SIP frame.\n",
                   d / 1024, n, d * 1024 / n }'
    fi
    fixed_note="minus the no-SIP delta"
    [[ -n ${med_m_with[mix/nosip]:-} ]] || fixed_note="no no-SIP run, so the fixed cost (under 1 MB) is included"
    for m in plain two_pass; do
        [[ -n ${med_m_with[$c/$m]:-} ]] || continue
        awk -v m="$m" -v mw="${med_m_with[$c/$m]}" -v mo="${med_m_without[$c/$m]}" -v fx="$fixed_kb" \
            -v tx="$transactions" -v msg="$sip_messages" -v note="$fixed_note" 'BEGIN {
            d = (mw - mo - fx) * 1024;
            printf "Plugin memory, %s mode (RSS with - without, %s): %.1f MB = %.0f bytes per SIP transaction, %.0f bytes per SIP message.\n",
                   m, note, d / 1048576, d / tx, d / msg }'
    done
done
echo
echo "Targets: ratio <= 1.05 for plain \`-r\` and for the modes that build a tree, <= 1.02 on"
echo "the no-SIP capture; peak RSS ratio <= 1.05 (issue 13). Ratios are of median wall times; CPU ratio is the"
echo "ratio of median user+sys times, steadier when other jobs share the cores. Raw runs: ${report:-$raw}"
exit "$fail"
