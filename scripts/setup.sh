#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Command 1 of the README: install what is missing, build, install the plugin for the current
# user, and show what it finds in the bundled captures.
#
#   sudo scripts/setup.sh      # as a normal user through sudo: personal plugin folder of $SUDO_USER
#   scripts/setup.sh           # as root without sudo (container, CI): Wireshark's global folder,
#                              # because tshark run as root ignores personal plugins
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/deps.sh

user=${SUDO_USER:-$(id -un)}
if [ "$user" = root ]; then
    mode=global
else
    mode=personal
fi
build="$top/build"
# A build directory configured from another path (a moved or copied tree) makes cmake refuse to run.
# A fresh clone has none yet.
if [ -f "$build/CMakeCache.txt" ]; then
    home_dir=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt")
    if [ -n "$home_dir" ] && [ "$home_dir" != "$top" ]; then
        echo "setup.sh: $build was configured from $home_dir: starting it afresh"
        rm -rf "$build"
    fi
fi
home=$(getent passwd "$user" | cut -d: -f6)
cmake_args=(-S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIPDIAG_BUILD_TESTS=OFF)
if [ $mode = global ]; then
    cmake_args+=(-DSIPDIAG_INSTALL_GLOBAL=ON)
else
    release=$(tshark --version 2>/dev/null | awk 'NR==1{split($3,v,"."); print v[1]"."v[2]}')
    cmake_args+=(-DSIPDIAG_INSTALL_GLOBAL=OFF
                 "-DSIPDIAG_PLUGIN_DIR=$home/.local/lib/wireshark/plugins/$release/epan")
fi
cmake "${cmake_args[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)"
cmake --install "$build" --component plugin
if [ $mode = personal ] && [ "$(id -u)" -eq 0 ]; then
    chown -R "$user": "$home/.local/lib/wireshark"
    # Through sudo, leave the build folder to the owner of the clone, so that a later build by
    # hand in the same folder works without sudo.
    if [ "$(stat -c %U "$top")" = "$user" ]; then
        chown -R "$user": "$build"
    fi
fi

run_as() {
    if [ "$(id -un)" != "$user" ]; then
        setpriv --reuid="$(id -u "$user")" --regid="$(id -g "$user")" --init-groups \
            env HOME="$home" PATH=/usr/bin:/bin "$@"
    else
        "$@"
    fi
}
echo
run_as tshark -G plugins | grep -E '^sipdiag' || { echo "sipdiag: tshark did not load the plugin" >&2; exit 1; }
echo
# The captures may sit in a folder the user cannot read (a clone in /root): copy them.
demo=$(mktemp -d)
trap 'rm -rf "$demo"' EXIT
cp "$top"/captures/*.pcapng "$demo"/
chmod 755 "$demo"
chmod 644 "$demo"/*.pcapng

# One line per diagnosed failure response: frame, code and the plugin's one-line diagnosis of this
# response (sipdiag.summary). A plugin from before sipdiag.summary gets a shorter line made of the
# reason phrase, the outcome and the retry frame.
has_summary=$(run_as tshark -G fields 2>/dev/null | awk -F'\t' '$3 == "sipdiag.summary" {n++} END {print n + 0}')
run_as tshark -G values 2>/dev/null |
    awk -F'\t' '$1 == "V" && $2 == "sipdiag.outcome" {print $3 "\t" $4}' >"$demo/outcomes"
if [ "$has_summary" -gt 0 ]; then
    fields=(-e sipdiag.summary)
else
    echo "(this build has no sipdiag.summary field: showing the reason phrase and the outcome)"
    fields=(-e sipdiag.reason -e sipdiag.outcome -e sipdiag.followup_frame
            -e sipdiag.retransmission -e sipdiag.original_frame)
fi
# Rows of tshark -T fields ($1 frame, $2 code, then the summary, or: reason, outcome, retry frame,
# retransmission, original frame) to lines of the demo.
print_rows() {
    awk -F'\t' -v summary="$has_summary" '
        FILENAME == ARGV[1] { name[$1] = $2; next }
        {
            if (summary > 0) {
                text = $3
            } else {
                text = $2 " " $3
                if ($6 == "1" || $6 == "True") text = text ": retransmission of frame " $7
                else if ($4 != "") text = text ": " name[$4] ($5 != "" ? " (retry in frame " $5 ")" : "")
            }
            printf "%6s  %-4s  %s\n", $1, $2, (text == "" ? "-" : text)
            n++
        }
        END { if (n == 0) print "     (no failure response)" }' "$demo/outcomes" "$1"
}
for cap in "$demo"/*.pcapng; do
    echo "== captures/$(basename "$cap")"
    echo " frame  code  diagnosis"
    if ! run_as tshark -2 -r "$cap" -Y 'sipdiag.code >= 300' -T fields -E occurrence=f \
            -e frame.number -e sipdiag.code "${fields[@]}" >"$demo/rows" 2>"$demo/err"; then
        cat "$demo/err" >&2
        echo "sipdiag: tshark could not read $(basename "$cap")" >&2
        exit 1
    fi
    print_rows "$demo/rows"
    echo
done
echo "sipdiag is installed ($mode plugin folder). Open a capture in Wireshark and filter on sipdiag;"
echo "the README's five-minute tour goes on from here."
