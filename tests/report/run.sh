#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end tests of tools/report/sipdiag-report with the plugin built in BUILD_DIR: the real
# tshark and GNU parallel, a private sshd on a loopback port for the two-"machine" run (as root),
# headless Chromium to check that the page draws its charts offline.
# Usage: tests/report/run.sh BUILD_DIR [-k NAME_SUBSTRING]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:?usage: run.sh BUILD_DIR [-k NAME]}
shift
so="$build/plugin/wireshark/sipdiag.so"
[ -f "$so" ] || { echo "run.sh: $so not built" >&2; exit 2; }
# what the tool needs (parallel, rsync, ssh client, Chart.js) and what the test needs besides
"$top/scripts/deps.sh" parallel rsync openssh-client libjs-chart.js openssh-server chromium
exec /usr/bin/python3 "$here/test_report.py" "$so" "$@"
