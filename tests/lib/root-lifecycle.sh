# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# What tests/compat/run.sh and tests/fresh/run.sh share about the Debian roots they run commands
# in: every mount made is recorded in `mounts` and undone newest first (cleanup_mounts), and the
# process group of the command running in a root (`child`) is stopped politely, then killed
# (stop_child). Source it after defining log(); both are called from the scripts' exit traps.

mounts=()
cleanup_mounts() {
    local i m
    for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
        m=${mounts[i]}
        if mountpoint -q "$m"; then
            umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "WARNING: could not unmount $m"
        fi
    done
    mounts=()
}

child=""  # the process group of the command running in a root, if any
# shellcheck disable=SC2317  # reached through the callers' traps
stop_child() {
    [ -n "$child" ] || return 0
    kill -TERM -- "-$child" 2>/dev/null || true
    local i
    for i in 1 2 3 4 5 6 7 8 9 10; do
        kill -0 -- "-$child" 2>/dev/null || break
        sleep 1
    done
    kill -KILL -- "-$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
    child=""
}
