#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs Debian's shellcheck, at its default severity (style and up), on every shell script of the
# repository (tracked, or untracked and not ignored): the files named *.sh and those whose first
# line starts a sh or bash interpreter (.ci/run). Fails on any finding. A finding that is wrong
# for a given line is silenced there with a "shellcheck disable=SCxxxx" directive saying why.
#
#   tests/lint/shellcheck.sh          prints the files checked and "shellcheck: N files, clean"
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
command -v shellcheck >/dev/null || { echo "shellcheck: not installed (scripts/deps.sh --test)" >&2; exit 2; }

scripts=()
while IFS= read -r -d '' f; do
    [ -f "$f" ] || continue
    case "$f" in
        *.sh) scripts+=("$f"); continue ;;
    esac
    first=""
    IFS= read -r first <"$f" 2>/dev/null || true
    if [[ $first =~ ^'#!'[[:space:]]*[^[:space:]]*/(env[[:space:]]+)?(ba|da)?sh([[:space:]]|$) ]]; then
        scripts+=("$f")
    fi
done < <(git ls-files -z --cached --others --exclude-standard 2>/dev/null || find . -path ./.git -prune -o -type f -print0)

[ ${#scripts[@]} -gt 0 ] || { echo "shellcheck: no shell script found" >&2; exit 1; }
printf 'shellcheck: %s\n' "${scripts[@]}"
if shellcheck --format=gcc "${scripts[@]}"; then
    echo "shellcheck: ${#scripts[@]} files, clean ($(shellcheck --version | sed -n 's/^version: //p'))"
else
    echo "shellcheck: findings above (${#scripts[@]} files checked)" >&2
    exit 1
fi
