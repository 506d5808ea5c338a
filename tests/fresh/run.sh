#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The README's two commands, as a new user meets them: a clean clone of the commit under test in a
# fresh Debian 12 root (mmdebstrap minbase + git + sudo, nothing else installed).
#
#   1. a normal user clones and runs `sudo scripts/setup.sh`: exit status 0, that user's
#      `tshark -G plugins` lists sipdiag from the personal folder, the demo shows a diagnosis
#      for every failure response of every bundled capture;
#   2. root clones again and runs `sudo scripts/setup.sh`: the same, global plugin folder;
#   3. root runs `sudo SIPDIAG_TEST_STEPS=<steps> scripts/test.sh` in its clone (default steps:
#      build,ctest,gui,shellcheck,clang-format): they pass with only what the scripts install.
#
#   sudo tests/fresh/run.sh [--steps LIST] [--no-cache] [--keep]
#     --steps LIST   test.sh steps to run in the root (comma-separated, see scripts/test.sh)
#     --no-cache     make the base root again even if the cached one is usable
#     --keep         keep the root after the run (its path is printed), for a look inside
#
# Only the base root is cached (a tarball, remade after 7 days or when its package set or apt
# sources change), plus the .deb files apt downloads; every run unpacks a fresh copy of the base,
# so nothing installed by an earlier run is there. Environment: SIPDIAG_FRESH_CACHE (default
# /var/cache/sipdiag-fresh), SIPDIAG_FRESH_MIRROR (default: the Debian mirror of the host's apt
# sources), SIPDIAG_FRESH_MAX_AGE_DAYS (default 7), SIPDIAG_FRESH_TMPFS (default 1: the root of a
# run lives in a tmpfs, unless --keep; 0: on disk). See tests/fresh/README.md.
set -euo pipefail

steps=build,ctest,gui,shellcheck,clang-format
use_cache=1
keep=0
usage() { sed -n '13,17s/^# \{0,1\}//p' "$0"; }
while [ $# -gt 0 ]; do
    case "$1" in
        --steps) steps=${2:?--steps needs a value}; shift 2 ;;
        --steps=*) steps=${1#*=}; shift ;;
        --no-cache) use_cache=0; shift ;;
        --keep) keep=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "fresh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${SIPDIAG_FRESH_CACHE:-/var/cache/sipdiag-fresh}
max_age_days=${SIPDIAG_FRESH_MAX_AGE_DAYS:-7}
suite=bookworm
include_pkgs=git,sudo
user=newcomer
chroot_env=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
            LANG=C.UTF-8 TERM=dumb)
user_env=(env -i PATH=/usr/local/bin:/usr/bin:/bin "HOME=/home/$user" "USER=$user" "LOGNAME=$user"
          LANG=C.UTF-8 TERM=dumb)

log() { printf 'fresh: %s\n' "$*" >&2; }
now() { date +%s; }
# excerpt FILE [ERE] [N]: matching lines (default: the last N) of FILE, indented; never fails.
excerpt() {
    local f=$1 re=${2:-} n=${3:-25}
    if [ -n "$re" ]; then
        { grep -E "$re" "$f" 2>/dev/null || true; } | awk -v n="$n" 'NR<=n' | sed 's/^/fresh:   | /' >&2
    else
        { tail -n "$n" "$f" 2>/dev/null || true; } | sed 's/^/fresh:   | /' >&2
    fi
}

if [ "$(id -u)" -ne 0 ]; then
    echo "fresh: must run as root (mmdebstrap, chroot, mounts); try: sudo $0 $*" >&2
    exit 2
fi
git -C "$top" rev-parse --verify -q HEAD >/dev/null ||
    { echo "fresh: $top is not a git clone with a commit: nothing to clone" >&2; exit 2; }

# ---------------------------------------------------------------------------------------------
# Mounts and processes: everything made here is undone on every exit path (as tests/compat).
root=""  # the root of this run
work=""  # its folder under $cache/runs
# mounts, cleanup_mounts, child, stop_child:
# shellcheck source=tests/lib/root-lifecycle.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/root-lifecycle.sh"
# Whatever still runs inside the root (a daemon a package started, a stray tshark) ends with it.
stop_root_processes() {
    [ -n "$root" ] || return 0
    local sig p
    for sig in TERM KILL; do
        for p in /proc/[0-9]*; do
            [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && kill "-$sig" "${p#/proc/}" 2>/dev/null
        done
        [ $sig = TERM ] && sleep 1
    done
    return 0
}
# Refuses to delete a folder with anything mounted below it (a bound /dev would be wiped).
safe_rm() {
    local d=$1
    [ -n "$d" ] && [ -e "$d" ] || return 0
    if findmnt -rn -o TARGET | grep -qF "$d/"; then
        log "ERROR: refusing to delete $d: something is mounted below it"; return 1
    fi
    rm -rf --one-file-system "$d"
}
# shellcheck disable=SC2317  # the EXIT trap
on_exit() {
    local rc=$?
    stop_child
    stop_root_processes
    cleanup_mounts
    local left
    left=$(findmnt -rn -o TARGET | grep -F "$cache/runs/" || true)
    if [ -n "$left" ]; then
        log "ERROR: mounts left behind under $cache/runs:"; printf '%s\n' "$left" | sed 's/^/  /' >&2
        while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(printf '%s\n' "$left" | sort -r)
        [ "$rc" -eq 0 ] && rc=1
    fi
    if [ -n "$work" ]; then
        if [ $keep -eq 1 ]; then
            log "kept the root: $root"
        else
            safe_rm "$work" || rc=1
        fi
    fi
    exit "$rc"
}
trap on_exit EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM HUP

# ---------------------------------------------------------------------------------------------
# The Debian mirrors of the host's apt sources (deb822 .sources or one-line .list), as in
# tests/compat/run.sh: the main archive, and the security archive beside it.
host_debian_uris() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        if [[ $f == *.sources ]]; then
            awk 'BEGIN{RS=""; FS="\n"}
                 { en=1; deb=0; uris="";
                   for (i=1;i<=NF;i++) {
                     if ($i ~ /^Enabled:[ \t]*no/) en=0;
                     if ($i ~ /^Types:.*(^|[ \t])deb([ \t]|$)/) deb=1;
                     if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); uris=$i } }
                   if (en && deb) { n=split(uris, a, /[ \t]+/); for (j=1;j<=n;j++) print a[j] } }' "$f"
        else
            awk '$1=="deb" { inb=0; for (i=2;i<=NF;i++) { if ($i ~ /^\[/) inb=1;
                                                        if (!inb) { print $i; break }
                                                        if ($i ~ /\]$/) inb=0 } }' "$f"
        fi
    done | sed 's|/*$||'
}
uris=$(host_debian_uris || true)
mirror=${SIPDIAG_FRESH_MIRROR:-$(grep -E '/debian$' <<<"$uris" | grep -v security | head -n1 || true)}
security=$(grep -E '/debian-security$' <<<"$uris" | head -n1 || true)
if [ -z "$mirror" ]; then
    mirror=http://deb.debian.org/debian
    log "no Debian mirror found in /etc/apt/sources.list*, using $mirror"
fi
[ -n "$security" ] || security=${mirror%/debian}/debian-security
# A Debian 12 installation: the release, its updates and its security updates.
sources=("deb $mirror $suite main" "deb $mirror $suite-updates main"
         "deb $security $suite-security main")

# ---------------------------------------------------------------------------------------------
# The base root, cached as a tarball.
base=$cache/$suite-base.tar
stamp=$cache/$suite-base.stamp
stamp_text() { printf 'include=%s\n' "$include_pkgs"; printf 'source=%s\n' "${sources[@]}"; }
base_usable() {
    [ -f "$base" ] && [ -f "$stamp" ] || return 1
    [ "$(cat "$stamp")" = "$(stamp_text)" ] || { log "cached base root: other packages or sources"; return 1; }
    if [ -n "$(find "$base" -mtime +"$((max_age_days - 1))" 2>/dev/null)" ]; then
        log "cached base root is older than $max_age_days days"; return 1
    fi
}
t_all=$(now)
mkdir -p "$cache/debs/partial" "$cache/runs" "$cache/logs"
logs=$cache/logs
rm -f "$logs"/*.log
base_note=cached
if [ $use_cache -eq 0 ] || ! base_usable; then
    command -v mmdebstrap >/dev/null || "$top/scripts/deps.sh" mmdebstrap
    log "making the base root: mmdebstrap --variant=minbase --include=$include_pkgs $suite (log: $logs/mmdebstrap.log)"
    t0=$(now)
    new=$cache/.$suite-base.new.tar
    rm -f "$new"
    opts=(--variant=minbase --format=tar "--include=$include_pkgs")
    # A snapshot mirror serves Release files past their Valid-Until date (as tests/compat does).
    case "$mirror" in *snapshot.debian.org*) opts+=('--aptopt=Acquire::Check-Valid-Until "false"') ;; esac
    if ! mmdebstrap "${opts[@]}" "$suite" "$new" "${sources[@]}" >"$logs/mmdebstrap.log" 2>&1; then
        rm -f "$new"
        log "mmdebstrap failed (mirror $mirror); last lines of $logs/mmdebstrap.log:"
        excerpt "$logs/mmdebstrap.log" "" 15
        exit 1
    fi
    mv "$new" "$base"
    stamp_text >"$stamp"
    base_note="made in $(($(now) - t0)) s"
fi

# ---------------------------------------------------------------------------------------------
# This run's root: a fresh copy of the base.
t0=$(now)
work=$(mktemp -d "$cache/runs/run.XXXXXX")
root=$work/root
mkdir "$root"
# In memory unless kept: dpkg's many fsyncs cost nothing there, and removing the root (some
# 3 GB once the test packages and builds are in) is one umount instead of minutes of rm.
if [ $keep -eq 0 ] && [ "${SIPDIAG_FRESH_TMPFS:-1}" = 1 ] &&
   mount -t tmpfs -o size=12G,mode=755 tmpfs "$root"; then
    mounts+=("$root")
fi
tar -C "$root" -xf "$base"
mount -t proc proc "$root/proc"
mounts+=("$root/proc")
mount -t sysfs -o ro sysfs "$root/sys"
mounts+=("$root/sys")
mount --bind /dev "$root/dev"
mounts+=("$root/dev")
mount --make-private "$root/dev" 2>/dev/null || true
# Pseudo-terminals of the root's own (apt and dpkg log through one).
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$root/dev/pts"
mounts+=("$root/dev/pts")
# apt's downloads are kept between runs (what they install is not).
mount --bind "$cache/debs" "$root/var/cache/apt/archives"
mounts+=("$root/var/cache/apt/archives")
# The machine's network settings, as an installed system has its own.
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp /etc/hosts "$root/etc/hosts"
# No service starts inside the root (there is no init system to stop it again).
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
commit=$(git -C "$top" rev-parse HEAD)
if [ -n "$(git -C "$top" status --porcelain --untracked-files=no)" ]; then
    log "NOTE: $top has uncommitted changes; the root tests the commit $commit only"
fi
git -C "$top" bundle create "$root/srv/sipdiag.bundle" HEAD >/dev/null 2>&1
chmod 644 "$root/srv/sipdiag.bundle"
t_root=$(($(now) - t0))
log "root ready in ${t_root} s (base $base_note): $root; testing commit $commit"

# in_root LOG COMMAND: a shell command line run by root in the root, in its own process group,
# waited for in the background so that a signal to this script stops it at once.
in_root() {
    local logf=$1 rc=0
    shift
    setsid -w chroot "$root" "${chroot_env[@]}" /bin/bash -c "$*" </dev/null >>"$logf" 2>&1 &
    child=$!
    wait "$child" || rc=$?
    child=""
    return $rc
}
# as_user LOG COMMAND: the same, as the normal user.
as_user() {
    local logf=$1 rc=0
    shift
    setsid -w chroot "$root" setpriv --reuid="$user" --regid="$user" --init-groups \
        "${user_env[@]}" /bin/bash -c "cd && $*" </dev/null >>"$logf" 2>&1 &
    child=$!
    wait "$child" || rc=$?
    child=""
    return $rc
}

pass=0
fail=0
ok() { pass=$((pass + 1)); log "ok: $*"; }
ko() { fail=$((fail + 1)); log "FAIL: $*"; }

# check_demo LOG CLONE AS: the demo printed, for every bundled capture, one line with a diagnosis
# for each response tshark (run AS the user or root) finds with sipdiag.code >= 300, and the
# known wrong retry of the 302 example (frame 26 of redirect-302-udp, retried at a URI that is
# none of the Contacts) is said to be a wrong fix.
check_demo() {
    local logf=$1 clone=$2 who=$3 cap name want got bad=0 runner=in_root
    [ "$who" = root ] || runner=as_user
    for cap in "$root$clone"/captures/*.pcapng; do
        name=$(basename "$cap")
        : >"$work/frames"
        "$runner" "$work/frames" "tshark -2 -r $clone/captures/$name -Y 'sipdiag.code >= 300' -T fields -e frame.number 2>/dev/null" || true
        want=$(sort -n "$work/frames" | tr '\n' ' ')
        got=$(awk -v cap="== captures/$name" '
                $0 == cap { on = 1; next }
                /^== / || /^$/ { on = 0 }
                on && $1 ~ /^[0-9]+$/ && $2 ~ /^[0-9][0-9][0-9]$/ && NF >= 3 && $3 != "-" { print $1 }' "$logf" |
              sort -n | tr '\n' ' ')
        if [ -z "$want" ] || [ "$want" != "$got" ]; then
            ko "$who: demo for $name shows frames [${got% }], tshark finds [${want% }]"
            bad=1
        fi
    done
    if ! awk '$0 == "== captures/redirect-302-udp.pcapng" { on = 1; next } /^== / { on = 0 }
              on && $1 == "26" && /wrong fix/ { found = 1 } END { exit !found }' "$logf"; then
        ko "$who: the demo does not call frame 26 of redirect-302-udp a wrong fix"
        bad=1
    fi
    [ $bad -eq 0 ] && ok "$who: the demo diagnoses every failure response of every bundled capture"
    return 0
}

# ---------------------------------------------------------------------------------------------
# 1. A normal user, through sudo.
t0=$(now)
in_root "$logs/root-prep.log" "useradd -m -s /bin/bash $user &&
    echo '$user ALL=(ALL:ALL) NOPASSWD: ALL' >/etc/sudoers.d/$user && chmod 440 /etc/sudoers.d/$user"
ulog=$logs/user-setup.log
if as_user "$ulog" "git -c advice.detachedHead=false clone -q /srv/sipdiag.bundle sipdiag && cd sipdiag && git checkout -q $commit" &&
   { echo "\$ sudo scripts/setup.sh"; } >>"$ulog" &&
   as_user "$ulog" "cd sipdiag && sudo scripts/setup.sh"; then
    ok "$user: sudo scripts/setup.sh exited 0"
    if as_user "$logs/user-plugins.log" "tshark -G plugins" &&
       grep -qE "^sipdiag\.so.*/home/$user/\.local/lib/wireshark/plugins/[0-9.]+/epan/sipdiag\.so" "$logs/user-plugins.log"; then
        ok "$user: tshark -G plugins lists sipdiag from the personal folder"
    else
        ko "$user: tshark -G plugins does not list sipdiag from the personal folder"
        excerpt "$logs/user-plugins.log" 'sipdiag|rror'
    fi
    owner=$(chroot "$root" stat -c %U "/home/$user/sipdiag/build" 2>/dev/null || echo "?")
    if [ "$owner" = "$user" ]; then ok "$user: the build folder is the user's"; else ko "$user: the build folder belongs to $owner"; fi
    check_demo "$ulog" "/home/$user/sipdiag" "$user"
else
    ko "$user: sudo scripts/setup.sh failed; last lines of $ulog:"
    excerpt "$ulog"
fi
t_user=$(($(now) - t0))

# 2. Root, in a clone of its own (README command as written: root has sudo too).
t0=$(now)
rlog=$logs/root-setup.log
if in_root "$rlog" "cd /root && git -c advice.detachedHead=false clone -q /srv/sipdiag.bundle sipdiag && cd sipdiag && git checkout -q $commit" &&
   { echo "\$ sudo scripts/setup.sh"; } >>"$rlog" &&
   in_root "$rlog" "cd /root/sipdiag && sudo scripts/setup.sh"; then
    ok "root: sudo scripts/setup.sh exited 0"
    if in_root "$logs/root-plugins.log" "tshark -G plugins 2>/dev/null" &&
       grep -qE '^sipdiag\.so.*/usr/lib/[^/]+/wireshark/plugins/[0-9.]+/epan/sipdiag\.so' "$logs/root-plugins.log"; then
        ok "root: tshark -G plugins lists sipdiag from the global folder"
    else
        ko "root: tshark -G plugins does not list sipdiag from the global folder"
        excerpt "$logs/root-plugins.log" 'sipdiag|rror'
    fi
    check_demo "$rlog" /root/sipdiag root
else
    ko "root: sudo scripts/setup.sh failed; last lines of $rlog:"
    excerpt "$rlog"
fi
t_rootsetup=$(($(now) - t0))

# 3. Command 2's steps, by root as CI runs them, in the README's form for a subset, with only
# what the scripts install.
t0=$(now)
tlog=$logs/test.log
echo "\$ sudo SIPDIAG_TEST_STEPS=$steps scripts/test.sh" >"$tlog"
if in_root "$tlog" "cd /root/sipdiag && sudo SIPDIAG_TEST_STEPS='$steps' scripts/test.sh"; then
    ok "root: scripts/test.sh passed with SIPDIAG_TEST_STEPS=$steps"
else
    ko "root: scripts/test.sh failed with SIPDIAG_TEST_STEPS=$steps; from $tlog:"
    excerpt "$tlog" '^\*\*\* step failed|^failed steps|passed, [0-9]+ failed|rror|FAIL' 30
fi
excerpt "$tlog" '^sipdiag test suite:' 1
t_test=$(($(now) - t0))
# Drop the downloaded .debs that no longer match the archive (the cache stays the size of one set).
in_root "$logs/autoclean.log" "apt-get autoclean -qq" || true

# Undo the root now, so that its time counts (on_exit has nothing left to do then).
t0=$(now)
stop_root_processes
cleanup_mounts
if [ $keep -eq 1 ]; then
    log "kept the root: $root"
else
    safe_rm "$work" || fail=$((fail + 1))
fi
work=""
t_clean=$(($(now) - t0))

echo "fresh: timings: root=${t_root}s (base $base_note) user-setup=${t_user}s root-setup=${t_rootsetup}s test(${steps})=${t_test}s cleanup=${t_clean}s total=$(($(now) - t_all))s (logs: $logs)"
echo "fresh: $pass passed, $fail failed"
[ $fail -eq 0 ]
