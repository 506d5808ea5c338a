#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# GUI smoke test: the real Wireshark (Qt) starts on a virtual X server with the sipdiag plugin
# loaded from an unprivileged user's personal plugin folder, opens a capture with a display filter
# made only of sipdiag fields (invalid without the plugin), and quits cleanly through Ctrl+Q.
# It runs tools/gui-screenshot.sh --check-only.
#
# Usage: tests/gui/test_gui_starts.sh [PLUGIN.so | BUILD_DIR]
#   (default: $SIPDIAG_PLUGIN, else the newest plugin the screenshot tool finds, else it builds one)
# Prints "gui: 1 passed, 0 failed" (exit 0) or "gui: 0 passed, 1 failed" (exit 1); when the GUI
# packages (wireshark-qt, xvfb, xdotool) are missing and cannot be installed (no apt-get, not root,
# or apt-get fails) it prints "gui: 0 passed, 0 failed, 1 skipped" and exits 0.
# Installing the packages, when needed, happens before the timed part; the GUI check itself is
# limited to 80 s.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
tool="$top/tools/gui-screenshot.sh"

if [ $# -gt 0 ]; then
    if [ -d "$1" ]; then export SIPDIAG_PLUGIN="$1/plugin/wireshark/sipdiag.so"; else export SIPDIAG_PLUGIN="$1"; fi
fi

start=$(date +%s)
summary() {
    echo "test_gui_starts: $1 ($(( $(date +%s) - start )) s)"
    echo "gui: $2"
}

# 1. the packages (apt-get may take a while on a fresh machine: not part of the 80 s budget)
timeout -k 10 600 "$tool" --check-only --install-only
rc=$?
if [ $rc -eq 77 ]; then
    summary "SKIPPED: wireshark-qt/xvfb/xdotool are not installed and cannot be installed here" \
        "0 passed, 0 failed, 1 skipped"
    exit 0
fi
if [ $rc -ne 0 ]; then
    summary "FAILED: installing the GUI packages failed (exit $rc)" "0 passed, 1 failed"
    exit 1
fi

# 2. the GUI check
timeout -k 10 80 "$tool" --check-only
rc=$?
case $rc in
    0) summary "ok: Wireshark GUI started with sipdiag loaded and quit cleanly" "1 passed, 0 failed"
       exit 0 ;;
    124|137) summary "FAILED: the GUI check took more than 80 s" "0 passed, 1 failed" ;;
    *) summary "FAILED: tools/gui-screenshot.sh --check-only exited $rc" "0 passed, 1 failed" ;;
esac
exit 1
