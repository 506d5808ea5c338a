#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The cost guard: what the plugin costs where nothing of it is shown must stay within the
# product's promise (issue 13, docs/performance.md): tshark reading a capture (`-r F`), filtering
# on SIP (`-Y sip`), and a capture without SIP, with the plugin installed, at most 5 % (2 % without
# SIP) more instructions than without it. Instruction counts (callgrind, start-up subtracted),
# not times: the same build gives the same counts on a busy machine.
#
# Usage: tests/cost/run.sh BUILD_DIR [hidden|shown]
#   hidden (default): the promise above, where nothing of sipdiag is shown, and `-T fields`.
#   shown: ceilings for the modes that show sipdiag, `-Y sipdiag` and `-2 -Y sipdiag` (ctest
#   cost_shown). Their targets are not met (docs/performance.md, eleventh round: the output alone
#   costs Wireshark most of the 5 %); the ceilings keep what the rounds gained: today's ratio at
#   5,000 frames plus 0.003 (mix: 1.075 and 1.050; dense: 1.111 and 1.071; runs of one build
#   differ by 0.001), about 340 instructions per frame on the mix, 4 % of the plugin's cost.
#   This part fails with tshark -2's first pass rendered (SIPDIAG_KEEP_FIRST_PASS=1: 1.057 and
#   1.081) and with the protocol item's subtree built for `-Y sipdiag` (hook::item_only() always
#   false, 400 instructions more per frame: 1.079 and 1.117). Ceilings 0.015 above today's let
#   both pass.
# Captures: the benchmark's generator (sipdiag_gen, built in BUILD_DIR), the realistic mix, the
# capture dense in failures and the one without SIP, SIPDIAG_COST_FRAMES frames each (default
# 5000). The "without" runs do not load the plugin at all (tools/bench/callgrind.sh).
#
# What it catches: work done for frames where nothing asks for it. With the plain-mode check of
# dissect_sipdiag (hook::nothing_visible) switched off, `-Y sip` measured 1.087 (mix) and 1.125
# (dense) and this test failed; as it is, 1.008 and 1.013 (plain 1.009 and 0.994, no SIP 1.012).
# A tshark run that fails or leaves no count fails it too (callgrind.sh's profile): before, a
# run that died early counted as a cheap one (a broken plugin read -0.916 and passed).
#
# `-T fields -e sipdiag.code -e sipdiag.request_frame` is guarded too (5 % on the mix, 6 % on the
# dense capture, whose 5,000 frames read 1.049): on Wireshark 4.0 the plugin renders into a
# hidden tree for it (dissector.cpp, hide_for_fields); with the whole tree
# (SIPDIAG_KEEP_FIELDS_TREE=1) the mix read 1.072 and this test failed.
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [hidden|shown]}
part=${2:-hidden}
[[ $part == hidden || $part == shown ]] || { echo "usage: run.sh BUILD_DIR [hidden|shown]" >&2; exit 2; }
top=$(cd "$(dirname "$0")/../.." && pwd)
plugin=$build/plugin/wireshark/sipdiag.so
gen=$build/tools/bench/sipdiag_gen
frames=${SIPDIAG_COST_FRAMES:-5000}
for f in "$plugin" "$gen"; do
    [[ -x $f || -f $f ]] || { echo "cost: $f missing (build first)" >&2; exit 1; }
done
command -v valgrind >/dev/null || { echo "cost: valgrind missing (scripts/deps.sh --test installs it)" >&2; exit 1; }

work=$(mktemp -d /tmp/sipdiag-cost.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
"$gen" --frames "$frames" --seed 1 -o "$work/mix.pcap" 2>/dev/null
"$gen" --dense --frames "$frames" --seed 1 -o "$work/dense.pcap" 2>/dev/null
chmod a+r "$work"/*.pcap

status=0
if [[ $part == shown ]]; then
    "$top/tools/bench/callgrind.sh" --sip "$work/mix.pcap" --modes y_sipdiag,two_pass \
        --check y_sipdiag=1.078,two_pass=1.053 "$plugin" "$frames" ||
        status=1
    echo
    "$top/tools/bench/callgrind.sh" --dense --sip "$work/dense.pcap" --modes y_sipdiag,two_pass \
        --check y_sipdiag=1.114,two_pass=1.074 "$plugin" "$frames" ||
        status=1
    exit $status
fi
"$gen" --no-sip --frames "$frames" --seed 1 -o "$work/nosip.pcap" 2>/dev/null
chmod a+r "$work"/*.pcap
"$top/tools/bench/callgrind.sh" --sip "$work/mix.pcap" --nosip "$work/nosip.pcap" \
    --modes plain,y_sip,nosip,fields --check plain=1.05,y_sip=1.05,nosip=1.02,fields=1.05 \
    "$plugin" "$frames" ||
    status=1
echo
"$top/tools/bench/callgrind.sh" --dense --sip "$work/dense.pcap" \
    --modes plain,y_sip,fields --check plain=1.05,y_sip=1.05,fields=1.06 "$plugin" "$frames" ||
    status=1
exit $status
