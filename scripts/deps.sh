#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs the Debian packages sipdiag needs, only those that are missing (apt-get needs root).
# Usage: scripts/deps.sh [extra packages...]
set -euo pipefail
pkgs=(cmake make g++ pkg-config wireshark-dev libwireshark-dev tshark libgtest-dev python3
      util-linux "$@")
pkgs+=(parallel rsync openssh-client libjs-chart.js)  # sipdiag-report (tools/report)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "sipdiag: missing packages: ${missing[*]}" >&2
    echo "sipdiag: run this command with sudo (or as root) so it can install them" >&2
    exit 1
fi
echo "sipdiag: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; the answer does not matter here.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
