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
home_dir=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt" 2>/dev/null)
if [ -n "$home_dir" ] && [ "$home_dir" != "$top" ]; then
    echo "setup.sh: $build was configured from $home_dir: starting it afresh"
    rm -rf "$build"
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
for cap in "$demo"/*.pcapng; do
    echo "== captures/$(basename "$cap")"
    run_as tshark -2 -r "$cap" -Y 'sipdiag.code >= 300' -T fields -E header=y -E occurrence=f \
        -e frame.number -e sipdiag.code -e sipdiag.request_frame -e sipdiag.outcome \
        -e sipdiag.meaning -e sipdiag.fix 2>/dev/null |
        awk -F'\t' 'NR==1 {print "frame\tcode\trequest\toutcome\tcause / fix"; next}
                     {split("pending,followed ok,wrong fix,not followed,request missing", o, ",");
                      printf "%s\t%s\t%s\t%s\t%s\n\t\t\t\tfix: %s\n", $1, $2, ($3 == "" ? "-" : $3),
                             ($4 == "" ? "-" : o[$4]), substr($5, 1, 110), substr($6, 1, 110)}'
    echo
done
echo "sipdiag is installed ($mode plugin folder). Open a capture in Wireshark and filter on sipdiag."
