#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end tests: the real tshark with the plugin built in BUILD_DIR, loaded from the personal
# plugin folder of an unprivileged user (uid 65534 when run as root).
# Usage: tests/e2e/run_e2e.sh BUILD_DIR [-k NAME_SUBSTRING]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: run_e2e.sh BUILD_DIR [-k NAME]}
shift
so="$build/plugin/wireshark/sipdiag.so"
[ -f "$so" ] || { echo "run_e2e.sh: $so not built" >&2; exit 2; }
exec python3 "$here/test_e2e.py" "$so" "$@"
