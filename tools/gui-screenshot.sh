#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Drives the real Wireshark GUI (Qt) on a virtual X server with the sipdiag plugin loaded from the
# personal plugin folder of an unprivileged user, and
#   * by default: filters a capture down to the 302 responses whose client did not apply the fix,
#     selects the first one, expands the "SIP Response Diagnostics" tree (with its Redirect and
#     Follow-up subtrees) and saves a screenshot of the main window (docs/screenshot-followup.png);
#   * with --flow: opens Statistics > Flow Graph, picks the flow type "SIP diagnostics", points at
#     the client's wrong retry after a 302 (its diagnosis shows in full under the diagram) and saves
#     a screenshot of that dialog (docs/screenshot-flow.png);
#   * with --check-only: starts the GUI, checks that the plugin is loaded (tshark -G plugins as the
#     same user, and the GUI opening the capture with a display filter that only the plugin's fields
#     make valid), and quits Wireshark through its own Quit shortcut; exit code 0 when all is well.
#
# Usage: tools/gui-screenshot.sh [--check-only | --flow] [--install-only] [--plugin SO] [--capture PCAP]
#                                [--filter DFILTER] [--output PNG] [--keep-raw]
#   --install-only  only install what is missing (with --check-only: only what that mode needs)
#   --keep-raw      also keep the uncropped screen next to the output (NAME-raw.png)
# Environment: SIPDIAG_PLUGIN (the plugin to load; default: the newest plugin/wireshark/sipdiag.so of
# /tmp/build, $SIPDIAG_TEST_DIR/release, ./build, /tmp/guibuild, else it is built in /tmp/guibuild),
# SIPDIAG_GUI_TIMEOUT (seconds to wait for the window, default 40), SIPDIAG_GUI_DEBUG_DIR (save a
# screenshot after every GUI step there).
# Exit codes: 0 ok, 1 failure, 2 usage, 77 the GUI tools are missing and cannot be installed.
#
# Wireshark never loads personal plugins when it runs as root, so as root the GUI runs as uid/gid
# 65534 (setpriv) with HOME in a fresh temporary folder; as another user it runs as that user.
# Wireshark, Xvfb and the temporary folder are removed on every exit path (trap).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
check_only=0
flow=0
plugin=${SIPDIAG_PLUGIN:-}
capture="$top/captures/redirect-302-udp.pcapng"
# Two-pass facts (did the client retry, and where) are only known once the whole capture has been
# read, so the filter is applied again from the filter bar after loading (see below).
filter='sipdiag.redirect_not_followed || sipdiag.redirect_off_contact'
output="$top/docs/screenshot-followup.png"
keep_raw=0
install_only=0
timeout_s=${SIPDIAG_GUI_TIMEOUT:-40}
width=1400 height=900          # main window; the virtual screen is 1600x1000x24

usage() { sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0"; }
while [ $# -gt 0 ]; do
    case "$1" in
        --check-only) check_only=1; shift ;;
        --flow) flow=1; shift ;;
        --plugin) plugin=${2:?--plugin needs a file}; shift 2 ;;
        --capture) capture=${2:?--capture needs a file}; shift 2 ;;
        --filter) filter=${2:?--filter needs a display filter}; shift 2 ;;
        --output) output=${2:?--output needs a file}; shift 2 ;;
        --keep-raw) keep_raw=1; shift ;;
        --install-only) install_only=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "gui-screenshot: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done

if [ $flow -eq 1 ]; then
    # The flow graph shows every call of the capture whatever the display filter; this one only
    # has to match in the check below. The fourth call of this capture retries at a non-Contact.
    output_default="$top/docs/screenshot-flow.png"
    [ "$output" = "$top/docs/screenshot-followup.png" ] && output=$output_default
fi

t0=$(date +%s)
log() { printf 'gui-screenshot: [%3ss] %s\n' "$(( $(date +%s) - t0 ))" "$*"; }
die() { printf 'gui-screenshot: FAILED: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- 1. what the GUI run needs
need_pkgs() {
    # command -> Debian package
    local -a want=(wireshark:wireshark-qt tshark:tshark Xvfb:xvfb xdotool:xdotool)
    [ $check_only -eq 1 ] || want+=(import:imagemagick identify:imagemagick)
    local -a missing=()
    local pair
    for pair in "${want[@]}"; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
    done
    # /usr/local/bin may hold a stand-in "convert"; cropping needs ImageMagick's own.
    if [ $check_only -eq 0 ] && [ ! -x /usr/bin/convert ]; then missing+=(imagemagick); fi
    [ ${#missing[@]} -eq 0 ] && return 0
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "gui-screenshot: SKIP: missing ${missing[*]} and there is no apt-get to install them" >&2
        exit 77
    fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "gui-screenshot: SKIP: missing ${missing[*]}; run as root (or sudo) to install them" >&2
        exit 77
    fi
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    echo "wireshark-common wireshark-common/install-setuid boolean false" |
        debconf-set-selections 2>/dev/null || true
    if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } \
        >/tmp/gui-screenshot-apt.log 2>&1; then
        tail -5 /tmp/gui-screenshot-apt.log >&2
        echo "gui-screenshot: SKIP: apt-get could not install ${missing[*]}" >&2
        exit 77
    fi
}
need_pkgs
if [ $install_only -eq 1 ]; then log "everything needed is installed"; exit 0; fi

# ---------------------------------------------------------------- 2. the plugin and the capture
if [ -z "$plugin" ]; then   # the most recently built of the usual build folders
    # shellcheck disable=SC2012  # fixed paths without odd characters
    plugin=$(ls -t /tmp/build/plugin/wireshark/sipdiag.so \
                   "${SIPDIAG_TEST_DIR:-/tmp/sipdiag-test-$(printf %s "$top" | sha1sum | cut -c1-12)}/release/plugin/wireshark/sipdiag.so" \
                   "$top/build/plugin/wireshark/sipdiag.so" /tmp/guibuild/plugin/wireshark/sipdiag.so \
                   2>/dev/null | head -1 || true)
fi
if [ -z "$plugin" ]; then
    log "no built plugin found: building it in /tmp/guibuild"
    if ! { cmake -S "$top" -B /tmp/guibuild >/dev/null &&
           cmake --build /tmp/guibuild -j"$(nproc)" --target sipdiag >/dev/null; }; then
        die "could not build the plugin"
    fi
    plugin=/tmp/guibuild/plugin/wireshark/sipdiag.so
fi
[ -f "$plugin" ] || die "plugin not found: $plugin"
log "plugin: $plugin"
[ -f "$capture" ] || die "capture not found: $capture"

# ---------------------------------------------------------------- 3. cleanup on every exit path
xvfb_pid="" ws_pid="" tmphome=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    if [ -n "$ws_pid" ] && kill -0 "$ws_pid" 2>/dev/null; then
        kill -TERM "$ws_pid" 2>/dev/null || true
        for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$ws_pid" 2>/dev/null || break; sleep 0.3; done
        kill -KILL "$ws_pid" 2>/dev/null || true
        wait "$ws_pid" 2>/dev/null || true
    fi
    if [ -n "$xvfb_pid" ] && kill -0 "$xvfb_pid" 2>/dev/null; then
        kill -TERM "$xvfb_pid" 2>/dev/null || true
        for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$xvfb_pid" 2>/dev/null || break; sleep 0.3; done
        kill -KILL "$xvfb_pid" 2>/dev/null || true
        wait "$xvfb_pid" 2>/dev/null || true
    fi
    [ -n "$tmphome" ] && rm -rf "$tmphome"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# ---------------------------------------------------------------- 4. the unprivileged user's home
tmphome=$(mktemp -d /tmp/sipdiag-gui.XXXXXX)
chmod 755 "$tmphome"
if [ "$(id -u)" -eq 0 ]; then
    as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    owner=65534:65534
else
    as_user=()
    owner=""
fi
run_user() { "${as_user[@]}" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$tmphome" \
    XDG_RUNTIME_DIR="$tmphome/run" XDG_CONFIG_HOME="$tmphome/.config" LANG=C.UTF-8 \
    ${DISPLAY:+DISPLAY=$DISPLAY} QT_QPA_PLATFORM=xcb QT_ACCESSIBILITY=0 "$@"; }

cfg="$tmphome/.config/wireshark"
mkdir -p "$cfg" "$tmphome/run" "$tmphome/.local/lib/wireshark/plugins/4.0/epan"
chmod 700 "$tmphome/run"
cp "$capture" "$tmphome/"
cap="$tmphome/$(basename "$capture")"

global_plugins=$(run_user tshark -G folders 2>/dev/null | sed -n 's/^Global Plugins:[[:space:]]*//p')
if [ -n "$global_plugins" ] && [ -f "$global_plugins/epan/sipdiag.so" ]; then
    # A second copy in the personal folder would make Wireshark report a duplicate plugin.
    log "note: a sipdiag.so is installed globally ($global_plugins/epan); using that one, not $plugin"
else
    cp "$plugin" "$tmphome/.local/lib/wireshark/plugins/4.0/epan/sipdiag.so"
fi

# Preferences: packet list over packet details, no bytes pane, a Follow-up column.
cat >"$cfg/preferences" <<'EOF'
gui.layout_type: 2
gui.layout_content_1: PLIST
gui.layout_content_2: PDETAILS
gui.layout_content_3: NONE
gui.column.format: "No.", "%m", "Time", "%t", "Source", "%s", "Destination", "%d", "Protocol", "%p", "Length", "%L", "Follow-up", "%Cus:sipdiag.outcome:0:R", "Info", "%i"
gui.update.enabled: FALSE
EOF
cat >"$cfg/recent_common" <<EOF
gui.geometry_main_x: 0
gui.geometry_main_y: 0
gui.geometry_main_width: $width
gui.geometry_main_height: $height
gui.geometry_main_maximized: FALSE
privs.warn_if_elevated: FALSE
sys.warn_if_no_capture: FALSE
EOF
cat >"$cfg/recent" <<'EOF'
gui.byte_view_show: FALSE
gui.packet_diagram_show: FALSE
gui.geometry_main_upper_pane: 120
column.width:
        %m, 50,
        %t, 100,
        %s, 90,
        %d, 90,
        %p, 65,
        %L, 55,
        "%Cus:sipdiag.outcome", 115,
        %i, 600
EOF
[ -n "$owner" ] && chown -R "$owner" "$tmphome"

# ---------------------------------------------------------------- 5. is the plugin loaded?
plugins=$(run_user tshark -G plugins 2>&1) || die "tshark -G plugins failed: $plugins"
line=$(grep -E '^sipdiag\.so[[:space:]]' <<<"$plugins" || true)
[ -n "$line" ] || die "tshark (as uid $(run_user id -u)) does not list sipdiag.so: $(grep -iE 'sipdiag|error|couldn|warn' <<<"$plugins" | head -5)"
log "plugin loaded for uid $(run_user id -u): $(tr -s '\t ' ' ' <<<"$line")"
frames=$(run_user tshark -2 -r "$cap" -Y "$filter" -T fields -e frame.number 2>&1 | tr "\n" " " | sed "s/ *$//") ||
    die "tshark rejects the filter: $frames"
log "frames matching '$filter' (tshark -2): ${frames:-none}"
[ -n "${frames// /}" ] || die "no frame of $(basename "$capture") matches '$filter'"

# ---------------------------------------------------------------- 6. virtual X server
display=""
for n in $(seq 99 160); do
    [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ] && continue
    Xvfb ":$n" -screen 0 1600x1000x24 -nolisten tcp -noreset >"$tmphome/xvfb.log" 2>&1 &
    xvfb_pid=$!
    for _ in $(seq 1 50); do
        [ -S "/tmp/.X11-unix/X$n" ] && break
        kill -0 "$xvfb_pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$xvfb_pid" 2>/dev/null && [ -S "/tmp/.X11-unix/X$n" ]; then display=":$n"; break; fi
    wait "$xvfb_pid" 2>/dev/null || true
    xvfb_pid=""
done
[ -n "$display" ] || die "could not start Xvfb on any display from :99 to :160"
export DISPLAY=$display
log "Xvfb on $DISPLAY (pid $xvfb_pid)"

# ---------------------------------------------------------------- 7. Wireshark
run_user wireshark -r "$cap" -Y "$filter" >"$tmphome/wireshark.log" 2>&1 &
ws_pid=$!
title=$(basename "$cap")
win=""
deadline=$(( $(date +%s) + timeout_s ))
while [ "$(date +%s)" -lt "$deadline" ]; do
    kill -0 "$ws_pid" 2>/dev/null || { cat "$tmphome/wireshark.log" >&2; die "wireshark exited early"; }
    for w in $(xdotool search --onlyvisible --class wireshark 2>/dev/null); do
        [ "$(xdotool getwindowname "$w" 2>/dev/null)" = "$title" ] && { win=$w; break; }
    done
    [ -n "$win" ] && break
    sleep 0.5
done
if [ -z "$win" ]; then
    for w in $(xdotool search --onlyvisible --class wireshark 2>/dev/null); do
        echo "  visible window: $(xdotool getwindowname "$w" 2>/dev/null)" >&2
    done
    cat "$tmphome/wireshark.log" >&2
    die "no Wireshark window showing $title within ${timeout_s}s (an invalid filter, i.e. no plugin, shows an error instead)"
fi
sleep 1.5   # let the packet list settle
# An error dialog (e.g. a plugin that fails to register) is a second visible top-level window.
others=()
for w in $(xdotool search --onlyvisible --class wireshark 2>/dev/null); do
    [ "$w" = "$win" ] || others+=("$(xdotool getwindowname "$w" 2>/dev/null)")
done
[ ${#others[@]} -eq 0 ] || die "Wireshark shows other windows: ${others[*]}"
log "Wireshark window $win '$title' is up, no error dialog"

debug_dir=${SIPDIAG_GUI_DEBUG_DIR:-}
step_no=0
snap() {  # with SIPDIAG_GUI_DEBUG_DIR set: one screenshot per GUI step, to see where a run went wrong
    [ -n "$debug_dir" ] || return 0
    step_no=$((step_no + 1))
    mkdir -p "$debug_dir"
    import -window root "$debug_dir/$(printf %02d "$step_no")-$1.png" 2>/dev/null || true
}
key() { xdotool key --clearmodifiers --delay 80 "$@"; sleep 0.4; snap "$(tr ' +' '__' <<<"$*")"; }
focus_main() { xdotool windowfocus --sync "$win" 2>/dev/null || xdotool windowfocus "$win"; sleep 0.3; }

quit_wireshark() {
    focus_main
    key ctrl+q
    local rc=0
    for _ in $(seq 1 50); do kill -0 "$ws_pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$ws_pid" 2>/dev/null; then die "Wireshark did not quit within 10 s of Ctrl+Q"; fi
    wait "$ws_pid" || rc=$?
    ws_pid=""
    [ $rc -eq 0 ] || { cat "$tmphome/wireshark.log" >&2; die "Wireshark exited with status $rc on Quit"; }
    log "Wireshark quit cleanly (status 0)"
}

if [ $check_only -eq 1 ]; then
    quit_wireshark
    log "check-only: OK"
    exit 0
fi

# ---------------------------------------------------------------- 8b. the flow graph (--flow)
flow_screenshot() {
    focus_main
    # Statistics menu; "Flow Graph" is its 17th entry in Debian's 4.0 build (no mnemonic to type).
    # The dialog's title tells whether it was that entry.
    key alt+s
    for _ in $(seq 1 16); do xdotool key --delay 40 Down; done
    key Return
    local dlg="" deadline=$(( $(date +%s) + 15 ))
    while [ -z "$dlg" ] && [ "$(date +%s)" -lt "$deadline" ]; do
        dlg=$(xdotool search --onlyvisible --name "Flow · $title" 2>/dev/null | head -1 || true)
        [ -n "$dlg" ] || sleep 0.3
    done
    [ -n "$dlg" ] || die "Statistics > Flow Graph did not open (menu entries moved?)"
    log "flow graph dialog $dlg is up"
    xdotool windowfocus --sync "$dlg" 2>/dev/null || true
    eval "$(xdotool getwindowgeometry --shell "$dlg")"
    local dx=${X:?} dy=${Y:?} dw=${WIDTH:?} dh=${HEIGHT:?}
    sleep 1
    # The "Flow type" combo box sits in the middle of the bottom row (55 px above the dialog's
    # lower edge in 4.0); its list is searched by typing.
    xdotool mousemove --sync $((dx + dw * 525 / 1000)) $((dy + dh - 55)) click 1
    sleep 0.8
    snap flow-type-list
    xdotool type --delay 80 "SIP diag"
    key Return
    sleep 2
    # The SIP diagnostics flow colours each call (conversation) on its own, "All Flows" draws
    # every row in one colour: the colour runs down the left edge of the diagram are the calls.
    local raw="$tmphome/raw.png" top=50 runs
    import -window root "$raw" 2>/dev/null || { xwd -root -silent | /usr/bin/convert xwd:- "$raw"; }
    # Runs of one colour, at least 4 px high (the 1 px rows between two bands are blended).
    runs=$(/usr/bin/convert "$raw" -crop "1x$((dh - 220))+$((dx + dw * 9 / 100))+$((dy + top))" \
               +repage -depth 8 txt:- |
           awk 'NR > 1 { split($1, p, /[,:]/); y = p[2]; c = $3
                         if (c != prev) { if (NR > 2) print start, y - 1, prev; start = y; prev = c } }
                END { print start, y, prev }' |
           awk '$2 - $1 >= 3 && $3 != "#FFFFFF" { print $1, $2 }')
    local bands
    bands=$(grep -c . <<<"$runs" || true)
    [ "$bands" -ge 4 ] || { quit_wireshark; die "the flow graph shows $bands colour band(s), expected one per call (>= 4): the flow type was not switched to SIP diagnostics (rerun with SIPDIAG_GUI_DEBUG_DIR=DIR)"; }
    log "conversation colour bands in the flow graph: $bands"
    # Hover the client's retry to a URI that is not a Contact: the third of the four arrows of the
    # fourth call. The hint line under the diagram then shows its whole comment.
    local s e
    read -r s e < <(sed -n 4p <<<"$runs")
    xdotool mousemove --sync $((dx + dw / 3)) $((dy + top + s + (e - s) * 5 / 8))
    sleep 1.2
    snap flow-hover
    mkdir -p "$(dirname "$output")"
    import -window root "$raw" 2>/dev/null || { xwd -root -silent | /usr/bin/convert xwd:- "$raw"; }
    /usr/bin/convert "$raw" -crop "${dw}x${dh}+${dx}+${dy}" +repage -strip "$output"
    if [ "$(stat -c %s "$output")" -ge 400000 ]; then
        /usr/bin/convert "$raw" -crop "${dw}x${dh}+${dx}+${dy}" +repage -strip -colors 256 \
            "PNG8:$output"
    fi
    [ $keep_raw -eq 1 ] && cp "$raw" "${output%.png}-raw.png"
    log "screenshot: $output ($(identify -format '%wx%h' "$output"), $(stat -c %s "$output") bytes)"
    key Escape
    sleep 0.5
    quit_wireshark
}
if [ $flow -eq 1 ]; then
    flow_screenshot
    exit 0
fi

# ---------------------------------------------------------------- 8. drive the GUI
eval "$(xdotool getwindowgeometry --shell "$win")"   # sets X Y WIDTH HEIGHT (and SCREEN, WINDOW)
X=${X:?} Y=${Y:?} WIDTH=${WIDTH:?} HEIGHT=${HEIGHT:?}
focus_main
# Re-apply the filter now that every frame has been dissected once (the GUI filters during its
# single reading pass, when no follow-up is known yet): Ctrl+/ focuses the filter bar, Return applies.
key ctrl+slash
key End Return
sleep 1.5
# Select the first displayed packet: click into the packet list, then Home (first row).
xdotool mousemove --sync $((X + 300)) $((Y + 170)) click 1
snap click-list
sleep 0.5
key ctrl+Home
sleep 1
# Details pane: click an empty spot in its lower part (focus, but no current item yet: the first
# key would only make the first item current, hence Home). End = the last top-level item, i.e. the
# post-dissector's "SIP Response Diagnostics"; Right expands it one level; End = its last child,
# Follow-up; Up = Redirect, Shift+Right expands it with its contacts; End = Follow-up again,
# Shift+Right expands it with its expert info; three Downs select "Follow-up applied the fix", so
# the status bar shows its filter field (sipdiag.followup_ok).
xdotool mousemove --sync $((X + WIDTH - 60)) $((Y + HEIGHT - 60)) click 1
snap click-details
sleep 0.5
key Home
key End
key Right
key End
key Up
key shift+Right
key End
key shift+Right
key Down Down Down
xdotool mousemove --sync $((X + WIDTH + 50)) $((Y + HEIGHT + 50))   # off the window: no hover
sleep 1.5

mkdir -p "$(dirname "$output")"
raw="$tmphome/raw.png"
import -window root "$raw" 2>/dev/null || { xwd -root -silent | /usr/bin/convert xwd:- "$raw"; }
/usr/bin/convert "$raw" -crop "${WIDTH}x${HEIGHT}+${X}+${Y}" +repage -strip "$output"
if [ "$(stat -c %s "$output")" -ge 400000 ]; then
    /usr/bin/convert "$raw" -crop "${WIDTH}x${HEIGHT}+${X}+${Y}" +repage -strip -colors 256 \
        "PNG8:$output"
fi
[ $keep_raw -eq 1 ] && cp "$raw" "${output%.png}-raw.png"
log "screenshot: $output ($(identify -format '%wx%h' "$output"), $(stat -c %s "$output") bytes)"
# Sanity check without OCR: rows coloured by expert severity (warning yellow, note cyan, error red,
# chat blue) form separate bands only when the diagnostics tree is expanded: the collapsed tree
# shows one band (the "SIP Response Diagnostics" line), the expanded one also the Follow-up line.
bands=$(/usr/bin/convert "$output" -fill black -opaque white -fuzz 3% -fill white \
            -opaque '#F7F253' -opaque '#A0FFFF' -opaque '#FF5C5C' -opaque '#80B7F7' -fuzz 0 \
            -fill black +opaque white -scale "1x${HEIGHT}!" -colorspace gray -depth 8 txt:- |
        awk 'NR > 1 { split($2, a, /[(),]/); if (a[2] + 0 > 128) { if (!on) { n++; on = 1 } }
                      else on = 0 } END { print n + 0 }')
quit_wireshark
if [ "$bands" -lt 2 ]; then
    die "the screenshot shows $bands expert-coloured band(s), expected >= 2: the diagnostics tree does not look expanded (rerun with SIPDIAG_GUI_DEBUG_DIR=DIR to see each step)"
fi
log "expert-coloured bands in the details pane: $bands (expanded tree)"
