#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Compatibility matrix: builds (-Werror), unit-tests, end-to-end-tests and packages sipdiag against
# the Wireshark of other Debian releases, each in a minimal root made with mmdebstrap and cached.
#
#   sudo tests/compat/run.sh                         # trixie (4.4) and forky (4.6)
#   sudo tests/compat/run.sh --suites forky          # one line only
#   sudo tests/compat/run.sh --suites bookworm,trixie,forky --no-cache
#
# One summary line per release line, e.g.
#   compat: 4.4.18 trixie build=ok unit=668/668 e2e=26/26 deb=ok
# then 'compat: N passed, M failed' counting release lines, and a non-zero exit status when any
# line failed or could not run. See tests/compat/README.md.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: tests/compat/run.sh [--suites S1,S2] [--no-cache] [--jobs N]
  --suites      Debian suites to test (default: trixie,forky; bookworm = the 4.0 line)
  --no-cache    recreate the roots even when a cached one is usable
  --jobs N      parallel build jobs (default: 2)
Environment: SIPDIAG_COMPAT_CACHE (default /var/cache/sipdiag-compat), SIPDIAG_COMPAT_MIRROR
(default: the Debian mirror of the host's apt sources), SIPDIAG_COMPAT_MAX_AGE_DAYS (default 7).
EOF
}

suites="trixie,forky"
use_cache=1
jobs=2
while [ $# -gt 0 ]; do
    case "$1" in
        --suites) suites=${2:?--suites needs a value}; shift 2 ;;
        --suites=*) suites=${1#*=}; shift ;;
        --no-cache) use_cache=0; shift ;;
        --jobs) jobs=${2:?--jobs needs a value}; shift 2 ;;
        --jobs=*) jobs=${1#*=}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "compat: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${SIPDIAG_COMPAT_CACHE:-/var/cache/sipdiag-compat}
max_age_days=${SIPDIAG_COMPAT_MAX_AGE_DAYS:-7}
# The package set of every root. Changing it invalidates the cached roots (see the stamp file).
include_pkgs="g++,cmake,make,wireshark-dev,libwireshark-dev,tshark,libgtest-dev,python3,ca-certificates,util-linux,file"
stamp_name=.sipdiag-compat-stamp
chroot_env=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 TERM=dumb)

log() { printf 'compat: %s\n' "$*" >&2; }
# excerpt FILE [ERE]: the lines of FILE matching ERE (default: the last ones), indented; never fails.
excerpt() {
    local f=$1 re=${2:-} n=${3:-20}
    if [ -n "$re" ]; then
        { grep -E "$re" "$f" 2>/dev/null || true; } | awk -v n="$n" 'NR<=n' | sed 's/^/compat:   | /' >&2
    else
        { tail -n "$n" "$f" 2>/dev/null || true; } | sed 's/^/compat:   | /' >&2
    fi
}
loud() {
    printf '\ncompat: ************************************************************\n' >&2
    printf 'compat: %s\n' "$@" >&2
    printf 'compat: ************************************************************\n\n' >&2
}

if [ "$(id -u)" -ne 0 ]; then
    echo "compat: must run as root (mmdebstrap, chroot, mounts); try: sudo $0 $*" >&2
    exit 2
fi

# ---------------------------------------------------------------------------------------------
# Mounts: every mount made is recorded and undone on every exit path, newest first.
# shellcheck source=tests/lib/root-lifecycle.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/root-lifecycle.sh"
# shellcheck disable=SC2317  # the EXIT trap
on_exit() {
    local rc=$?
    stop_child
    cleanup_mounts
    # Last line of defence: nothing of ours may stay mounted.
    local left
    left=$(findmnt -rn -o TARGET | grep -F "$cache/" || true)
    if [ -n "$left" ]; then
        log "ERROR: mounts left behind under $cache:"; printf '%s\n' "$left" | sed 's/^/  /' >&2
        while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(echo "$left" | sort -r)
        [ "$rc" -eq 0 ] && rc=1
    fi
    exit "$rc"
}
trap on_exit EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM HUP

mount_root() {
    local r=$1
    # Private mounts: nothing mounted below them can propagate back to the host's /dev.
    mount -t proc proc "$r/proc" || return 1
    mounts+=("$r/proc")
    mount -t sysfs -o ro sysfs "$r/sys" || return 1
    mounts+=("$r/sys")
    mount --bind /dev "$r/dev" || return 1
    mounts+=("$r/dev")
    mount --make-private "$r/dev" 2>/dev/null || true
    # The host's ptys too (a non-recursive bind leaves /dev/pts empty): the report tests run the
    # tool on a pseudo-terminal for its progress bar.
    mount --bind /dev/pts "$r/dev/pts" || return 1
    mounts+=("$r/dev/pts")
}

# Refuses to delete a folder with anything mounted below it (a bound /dev would be wiped).
safe_rm_root() {
    local r=$1
    [ -e "$r" ] || return 0
    if findmnt -rn -o TARGET | grep -qF "$r/"; then
        log "ERROR: refusing to delete $r: something is mounted below it"; return 1
    fi
    rm -rf --one-file-system "$r"
}

# ---------------------------------------------------------------------------------------------
# The Debian mirror the host uses (deb822 .sources or one-line .list), not the security one.
host_mirror() {
    local f u
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        if [[ $f == *.sources ]]; then
            # Only stanzas that are enabled and of Types deb.
            awk 'BEGIN{RS=""; FS="\n"}
                 { en=1; deb=0; uris="";
                   for (i=1;i<=NF;i++) {
                     if ($i ~ /^Enabled:[ \t]*no/) en=0;
                     if ($i ~ /^Types:.*(^|[ \t])deb([ \t]|$)/) deb=1;
                     if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); uris=$i } }
                   if (en && deb) { n=split(uris, a, /[ \t]+/); for (j=1;j<=n;j++) print a[j] } }' "$f"
        else
            # deb [opt=v ...] URI suite components: the first word after the options.
            awk '$1=="deb" { inb=0; for (i=2;i<=NF;i++) { if ($i ~ /^\[/) inb=1;
                                                        if (!inb) { print $i; break }
                                                        if ($i ~ /\]$/) inb=0 } }' "$f"
        fi
    done | while read -r u; do
        u=${u%/}
        case "$u" in
            *debian-security*|*security.debian.org*) ;;
            */debian) echo "$u" ;;  # also .../debian-archive/debian
        esac
    done | head -n1
}
mirror=${SIPDIAG_COMPAT_MIRROR:-$(host_mirror || true)}
if [ -z "$mirror" ]; then
    mirror=http://deb.debian.org/debian
    log "no Debian mirror found in /etc/apt/sources.list*, using $mirror"
fi

ensure_mmdebstrap() {
    command -v mmdebstrap >/dev/null && return 0
    log "installing mmdebstrap"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null 2>&1 ||
        { apt-get update -qq && apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null; }
}

# ---------------------------------------------------------------------------------------------
# Roots

now() { date +%s; }
stamp_text() { printf 'suite=%s\ninclude=%s\n' "$1" "$include_pkgs"; }

# A cached root is reused when it was made with this package set, is younger than
# $max_age_days days (then the suite gets its updates) and its tshark runs.
root_usable() {
    local suite=$1 r=$cache/$1
    [ -d "$r" ] && [ -f "$r/$stamp_name" ] || return 1
    [ "$(sed -n '1,2p' "$r/$stamp_name")" = "$(stamp_text "$suite")" ] || { log "$suite: cached root has another package set"; return 1; }
    if [ -n "$(find "$r/$stamp_name" -mtime +"$((max_age_days - 1))" 2>/dev/null)" ]; then
        log "$suite: cached root is older than $max_age_days days"; return 1
    fi
    chroot "$r" "${chroot_env[@]}" tshark --version >/dev/null 2>&1 || { log "$suite: cached root's tshark does not run"; return 1; }
}

# Sets root_secs (0 when reused) and root_note. Returns non-zero when no root could be had.
make_root() {
    local suite=$1 r=$cache/$1 t0
    root_secs=0; root_note=""
    if [ $use_cache -eq 1 ] && root_usable "$suite"; then
        root_note="cached"; return 0
    fi
    ensure_mmdebstrap || { loud "cannot install mmdebstrap"; return 1; }
    mkdir -p "$cache"
    local tmp=$cache/.$suite.new.$$ logf=$cache/$suite.mmdebstrap.log
    safe_rm_root "$tmp"
    local opts=(--variant=minbase "--include=$include_pkgs")
    # Testing's Release file expires after a week; a mirror snapshot is often older than that.
    case "$suite" in bookworm|trixie) ;; *) opts+=('--aptopt=Acquire::Check-Valid-Until "false"') ;; esac
    log "$suite: creating root with mmdebstrap from $mirror (log: $logf)"
    t0=$(now)
    if ! mmdebstrap "${opts[@]}" "$suite" "$tmp" "$mirror" >"$logf" 2>&1; then
        safe_rm_root "$tmp" || true
        if grep -qiE 'Could not resolve|Failed to fetch|Connection (refused|failed|timed out)|Unable to connect|Temporary failure|does not have a Release file|404  Not Found|NO_PUBKEY|is not signed|Release file .* is expired' "$logf"; then
            loud "$suite: mmdebstrap could NOT reach the Debian mirror $mirror (or its Release is unusable)." \
                 "No root, so nothing of the $suite line was tested. Last lines of $logf:"
        else
            loud "$suite: mmdebstrap failed. Last lines of $logf:"
        fi
        excerpt "$logf" "" 15
        return 1
    fi
    stamp_text "$suite" >"$tmp/$stamp_name"
    safe_rm_root "$r"
    mv "$tmp" "$r"
    root_secs=$(($(now) - t0)); root_note="created in ${root_secs}s"
}

# ---------------------------------------------------------------------------------------------
# The source tree: what git tracks plus untracked files that are not ignored (no build dirs).
copy_source() {
    local dst=$1
    mkdir -p "$dst"
    if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        (cd "$top" && git ls-files -z --cached --others --exclude-standard |
            while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
            tar --null -T - -cf -) | tar -C "$dst" -xf -
    else
        tar -C "$top" --exclude=./build --exclude='./build-*' --exclude=./out --exclude=./.git -cf - . |
            tar -C "$dst" -xf -
    fi
    # The public captures the e2e tests need are bundled (captures/public): the roots test
    # exactly what a clean clone has, as CI does.
}

# in_root ROOT COMMAND...: a shell command line, run in /build/src of the root. In its own process
# group, waited for in the background, so that a signal to this script stops it at once.
in_root() {
    local r=$1 rc=0; shift
    setsid -w chroot "$r" "${chroot_env[@]}" /bin/bash -c "cd /build/src && $*" </dev/null &
    child=$!
    wait "$child" || rc=$?
    child=""
    return $rc
}

# "N passed, M failed" (our e2e runner) -> "N/(N+M)"; ctest's "x% tests passed, M tests failed
# out of T" -> "(T-M)/T". Empty when nothing like it was printed.
count_ctest() {
    { sed -n 's/.*tests passed, \([0-9]*\) tests\{0,1\} failed out of \([0-9]*\).*/\1 \2/p' "$1" || true; } |
        tail -n1 | awk '{ printf "%d/%d", $2 - $1, $2 }'
}
count_plain() {
    { grep -E '^([A-Za-z0-9_-]+: )?[0-9]+ passed, [0-9]+ failed' "$1" || true; } | tail -n1 |
        sed -E 's/^([A-Za-z0-9_-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2 \3/' |
        awk '{ printf "%d/%d", $1, $1 + $2 }'
}
all_passed() { [[ $1 =~ ^([0-9]+)/([0-9]+)$ ]] && [ "${BASH_REMATCH[2]}" -gt 0 ] && [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]; }

# The checks used while tests/e2e/run_e2e.sh does not exist: the plugin from the personal folder
# of uid 65534 is listed, registers fields, and diagnoses something in every bundled capture.
# shellcheck disable=SC2016  # a script for the root, expanded there
SMOKE_E2E='
set -u
build=$1; pass=0; fail=0
ok() { pass=$((pass+1)); echo "ok: $*"; }
ko() { fail=$((fail+1)); echo "FAIL: $*"; }
home=$(mktemp -d /tmp/sipdiag-home.XXXXXX)
rel=$(tshark --version | awk "NR==1{split(\$3,v,\".\"); print v[1]\".\"v[2]}")
dir=$home/.local/lib/wireshark/plugins/$rel/epan
mkdir -p "$dir" "$home/caps" && cp "$build/plugin/wireshark/sipdiag.so" "$dir/"
for c in captures/*.pcapng; do [ -e "$c" ] && cp "$c" "$home/caps/"; done
chown -R 65534:65534 "$home"; chmod -R a+rX "$home"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME="$home" PATH=/usr/bin:/bin LC_ALL=C.UTF-8 "$@"; }
if as_nobody tshark -G plugins 2>&1 | grep -q "^sipdiag\.so.*$dir"; then ok "tshark -G plugins lists sipdiag from $dir"; else ko "tshark -G plugins does not list sipdiag from the personal folder"; fi
n=$(as_nobody tshark -G fields 2>/dev/null | grep -c "^F.*sipdiag\." || true)
if [ "$n" -gt 0 ]; then ok "$n sipdiag fields registered"; else ko "no sipdiag field registered"; fi
for c in "$home"/caps/*.pcapng; do
    [ -e "$c" ] || continue
    k=$(as_nobody tshark -2 -r "$c" -Y sipdiag.code -T fields -e sipdiag.code 2>/dev/null | grep -c . || true)
    if [ "$k" -gt 0 ]; then ok "$(basename "$c"): $k frames with sipdiag.code"; else ko "$(basename "$c"): no sipdiag.code"; fi
done
rm -rf "$home"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
'

# ---------------------------------------------------------------------------------------------
# One release line.
summary=()
timings=()
overall=0
nfailed=0  # release lines that failed or could not run

run_suite() {
    local suite=$1 r=$cache/$1 logd=$cache/logs/$1
    local ver="?" build="not-run" unit="not-run" e2e="not-run" deb="not-run" t0 tb=0 tu=0 te=0 td=0
    mkdir -p "$logd"; rm -f "$logd"/*.log
    if ! make_root "$suite"; then
        summary+=("compat: $ver $suite build=not-run unit=not-run e2e=not-run deb=not-run (no root: see above)")
        overall=1; nfailed=$((nfailed + 1)); return
    fi
    ver=$(chroot "$r" "${chroot_env[@]}" tshark --version 2>/dev/null | awk 'NR==1{sub(/\.$/, "", $3); print $3}')
    log "$suite: Wireshark $ver, root $root_note"

    safe_rm_root "$r/build"
    copy_source "$r/build/src"
    if ! mount_root "$r"; then
        cleanup_mounts
        loud "$suite: cannot mount /proc, /sys, /dev in $r"
        summary+=("compat: $ver $suite build=not-run unit=not-run e2e=not-run deb=not-run (mounts failed)")
        overall=1; nfailed=$((nfailed + 1)); return
    fi

    # One build per root: RelWithDebInfo, -Werror, global install folder (for the package).
    local cm_args="-DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIPDIAG_WERROR=ON -DSIPDIAG_INSTALL_GLOBAL=ON -DCMAKE_INSTALL_PREFIX=/usr"
    if ! grep -q 'cmake/Packaging.cmake' "$r/build/src/CMakeLists.txt" && [ -f "$r/build/src/cmake/Packaging.cmake" ]; then
        cm_args+=" -DCMAKE_PROJECT_INCLUDE=/build/src/cmake/Packaging.cmake"
    fi
    log "$suite: build"
    t0=$(now)
    # -k: when one target fails, the others (the plugin above all) still get built and tested,
    # and the line still says build=FAIL.
    if in_root "$r" "cmake -S . -B /build/out $cm_args && cmake --build /build/out -j$jobs -- -k" >"$logd/build.log" 2>&1; then
        build=ok
    else
        build=FAIL
        log "$suite: build failed, errors in $logd/build.log:"
        excerpt "$logd/build.log" 'error:|Error|CMake Error' 30
    fi
    tb=$(($(now) - t0))

    if [ -f "$r/build/out/CMakeCache.txt" ]; then
        log "$suite: unit tests"
        t0=$(now)
        # Not e2e (run below, with its own count) nor cost (callgrind counts of 4.0's tshark, and
        # no valgrind in these roots).
        in_root "$r" "cd /build/out && ctest --output-on-failure -j$jobs -E '^(e2e|cost|cost_shown)\$'" >"$logd/unit.log" 2>&1 || true
        unit=$(count_ctest "$logd/unit.log"); [ -n "$unit" ] || unit="FAIL(no count)"
        all_passed "$unit" || { unit="$unit FAIL"; excerpt "$logd/unit.log" '\((Failed|SEGFAULT|Not Run|Timeout|Subprocess aborted|Exception)\)|tests passed|No tests' 30; }
        [ $build = ok ] || unit="$unit(partial-build)"
        tu=$(($(now) - t0))

        log "$suite: end-to-end tests"
        t0=$(now)
        if [ ! -f "$r/build/out/plugin/wireshark/sipdiag.so" ]; then
            echo "sipdiag.so was not built" >"$logd/e2e.log"
        elif [ -x "$r/build/src/tests/e2e/run_e2e.sh" ]; then
            in_root "$r" "tests/e2e/run_e2e.sh /build/out" >"$logd/e2e.log" 2>&1 || true
        else
            log "$suite: tests/e2e/run_e2e.sh not there: running the smoke checks instead"
            printf '%s\n' "$SMOKE_E2E" >"$r/build/smoke_e2e.sh"
            in_root "$r" "bash /build/smoke_e2e.sh /build/out" >"$logd/e2e.log" 2>&1 || true
        fi
        e2e=$(count_plain "$logd/e2e.log"); [ -n "$e2e" ] || e2e="FAIL(no count)"
        all_passed "$e2e" || { e2e="$e2e FAIL"; excerpt "$logd/e2e.log" 'FAIL|Error|error|passed, ' 30; }
        te=$(($(now) - t0))

        log "$suite: .deb"
        t0=$(now)
        if [ ! -f "$r/build/out/plugin/wireshark/sipdiag.so" ]; then
            deb="not-run"
        elif in_root "$r" "$(cat <<'EOS'
set -e
cd /build/out
rm -f ./*.deb
cpack -G DEB >/build/cpack.log 2>&1 || { cat /build/cpack.log; exit 1; }
deb=$(ls ./*.deb)
echo "package: $deb"
dpkg-deb -f "$deb" Package Version Depends
dpkg-deb -c "$deb"
# The dependency must be the libwireshark this build linked.
lib=$(readlink -f /usr/lib/*/libwireshark.so)
owner=$(dpkg-query -S "$lib" | cut -d: -f1)
dpkg-deb -f "$deb" Depends | grep -q "\b$owner (" || { echo "Depends lacks $owner"; exit 1; }
dpkg-deb -f "$deb" Version | grep -q "~ws$(tshark --version | awk 'NR==1{split($3,v,"."); print v[1]"."v[2]}')\$" || { echo "bad version"; exit 1; }
dpkg -i "$deb"
so=$(dpkg -L wireshark-plugin-sipdiag | grep '/sipdiag\.so$')
echo "installed: $so"
case "$so" in /usr/lib/*/wireshark/plugins/*/epan/sipdiag.so) ;; *) echo "not in the global folder"; exit 1 ;; esac
# As root: only the global folder counts.
tshark -G plugins | grep "^sipdiag\.so" | tee /build/plugins.txt
grep -q "$so" /build/plugins.txt
n=$(tshark -G fields | grep -c '^F.*sipdiag\.')
echo "fields: $n"
[ "$n" -gt 0 ]
dpkg -r wireshark-plugin-sipdiag
[ ! -e "$so" ]
EOS
)" >"$logd/deb.log" 2>&1; then
            deb=ok
        else
            deb=FAIL
            excerpt "$logd/deb.log" "" 20
            in_root "$r" "dpkg -r wireshark-plugin-sipdiag" >/dev/null 2>&1 || true
        fi
        td=$(($(now) - t0))
    fi
    cleanup_mounts

    local line="compat: $ver $suite build=$build unit=$unit e2e=$e2e deb=$deb"
    summary+=("$line")
    timings+=("compat: $suite timings: root=${root_secs}s(${root_note%% *}) build=${tb}s unit=${tu}s e2e=${te}s deb=${td}s (logs: $logd)")
    if [ $build != ok ] || ! all_passed "${unit%% *}" || ! all_passed "${e2e%% *}" || [ $deb != ok ]; then
        overall=1; nfailed=$((nfailed + 1))
    fi
}

IFS=, read -r -a suite_list <<<"$suites"
[ ${#suite_list[@]} -gt 0 ] || { echo "compat: no suite given" >&2; exit 2; }
t_all=$(now)
for s in "${suite_list[@]}"; do
    [[ $s =~ ^[a-z]+$ ]] || { echo "compat: bad suite name: $s" >&2; exit 2; }
    run_suite "$s"
done

echo
[ ${#timings[@]} -eq 0 ] || printf '%s\n' "${timings[@]}"
printf '%s\n' "${summary[@]}"
echo "compat: total $(($(now) - t_all))s"
echo "compat: $((${#summary[@]} - nfailed)) passed, $nfailed failed"
exit $overall
