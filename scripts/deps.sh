#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs the Debian packages sipdiag needs, only those that are missing. Installing needs root:
# run it as root or through sudo (checking alone does not).
#
#   scripts/deps.sh                  what scripts/setup.sh needs (build, install, demo)
#   scripts/deps.sh --test           that, plus what every step of scripts/test.sh needs
#   scripts/deps.sh [--test] PKG...  extra packages too
set -euo pipefail

# Building the plugin (also with the unit tests, as a manual build does) and running tshark as
# the user in the setup demo (setpriv, getent).
setup_pkgs=(cmake make g++ pkg-config wireshark-dev libwireshark-dev tshark libgtest-dev python3
            util-linux
            parallel rsync openssh-client libjs-chart.js)  # sipdiag-report (tools/report)
# scripts/test.sh, by step. The end-to-end tests and the robustness run also use editcap, which
# comes with tshark (wireshark-common).
test_pkgs=(
    git                       # steps shellcheck, clang-format (tracked files) and fresh (clones)
    time                      # robustness: /usr/bin/time, CPU time and peak memory
    clang libclang-rt-dev     # fuzz: clang's libFuzzer with ASan and UBSan
    wireshark-qt xvfb xdotool # gui: the real Wireshark on a virtual X server
    mmdebstrap                # compat and fresh: minimal Debian roots
    shellcheck clang-format   # the steps of the same names
    kamailio kamailio-presence-modules sip-tester  # live: a SIP server and SIPp on loopback
    valgrind                  # ctest (tests/cost): instruction counts of tshark, with and without
)

pkgs=("${setup_pkgs[@]}")
if [ "${1:-}" = --test ]; then
    pkgs+=("${test_pkgs[@]}")
    shift
fi
pkgs+=("$@")

missing=()
for p in "${pkgs[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$p")
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
