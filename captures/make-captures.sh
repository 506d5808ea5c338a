#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Regenerate the genuine SIP captures in captures/*.pcapng.
#
#   sudo captures/make-captures.sh            # all captures
#   sudo KEEP_WORK=1 captures/make-captures.sh  # keep the temp dir (logs, db)
#
# Runs as root.  Installs what it needs with apt-get if missing (kamailio,
# kamailio-presence-modules, tshark, python3), starts Kamailio 5.6 on loopback
# (captures/kamailio/kamailio.cfg, foreground, children=1) and our UAS
# (captures/client/sipclient.py uas), then for every capture starts dumpcap on
# lo, runs one scenario of our UAC (captures/client/sipclient.py run NAME) and
# stops dumpcap.  Kamailio, the UAS and dumpcap are stopped on every exit path.
#
# Ports (all loopback, 127.0.0.1 and [::1]):
#   5060      Kamailio, UDP+TCP
#   5080      our UAS, UDP+TCP
#   5070      our UAC, UDP
#   5071/5072 our UAC, TCP to Kamailio / to the UAS (redirect-302-tcp-ipv6)
#   5073      our UAC, TCP to Kamailio (publish-412)
#   5074      our UAC, TCP to Kamailio (session-timer-422)
#   5075      our UAC, UDP (register-401-423)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$HERE"
CFG="$HERE/kamailio/kamailio.cfg"
CLIENT="$HERE/client/sipclient.py"
PORTS=(5060 5070 5071 5072 5073 5074 5075 5080)
FILTER="port 5060 or port 5070 or port 5071 or port 5072 or port 5073 or port 5074 or port 5075 or port 5080"

log() { printf '[make-captures] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (sudo $0)"

# ---------------------------------------------------------------- install
need_pkgs=()
command -v kamailio >/dev/null 2>&1 || need_pkgs+=(kamailio)
# auth, usrloc and registrar (route[REGISTRAR]) come with the kamailio package
for m in auth usrloc registrar; do
  [ -n "$(find /usr/lib -path "*/kamailio/modules/$m.so" -print -quit 2>/dev/null)" ] ||
    need_pkgs+=(kamailio)
done
[ -n "$(find /usr/lib -path '*/kamailio/modules/presence.so' -print -quit 2>/dev/null)" ] ||
  need_pkgs+=(kamailio-presence-modules)
command -v tshark >/dev/null 2>&1 || need_pkgs+=(tshark)
command -v dumpcap >/dev/null 2>&1 || need_pkgs+=(tshark)
command -v editcap >/dev/null 2>&1 || need_pkgs+=(wireshark-common)
command -v mergecap >/dev/null 2>&1 || need_pkgs+=(wireshark-common)
command -v python3 >/dev/null 2>&1 || need_pkgs+=(python3)
command -v ss >/dev/null 2>&1 || need_pkgs+=(iproute2)
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  mapfile -t need_pkgs < <(printf '%s\n' "${need_pkgs[@]}" | sort -u)
  log "installing: ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}"
fi
PRESENCE_SO=$(find /usr/lib -path '*/kamailio/modules/presence.so' -print -quit)
[ -n "$PRESENCE_SO" ] || die "kamailio presence module not found"
MODDIR=$(dirname "$PRESENCE_SO")

# ---------------------------------------------------------------- ports free?
for p in "${PORTS[@]}"; do
  if ss -Hlnu "( sport = :$p )" | grep -q . || ss -Hlnt "( sport = :$p )" | grep -q .; then
    die "port $p is already in use on this machine (ss -lnptu | grep :$p)"
  fi
done

# ---------------------------------------------------------------- work dir
WORK=$(mktemp -d /tmp/sipdiag-captures.XXXXXX)
mkdir -p "$WORK/db" "$WORK/run"
# presence needs the presentity table (+ version, watchers ...): fresh copies
# of Kamailio's own db_text schema files for every run
for t in version presentity active_watchers watchers xcap pua; do
  cp /usr/share/kamailio/dbtext/kamailio/$t "$WORK/db/"
done

KAM_PID=""
UAS_PID=""
DC_PID=""
CL_PID=""
cleanup() {
  rc=$?
  trap - EXIT INT TERM
  if [ -n "$CL_PID" ] && kill -0 "$CL_PID" 2>/dev/null; then
    kill -TERM "$CL_PID" 2>/dev/null || true
    wait "$CL_PID" 2>/dev/null || true
  fi
  if [ -n "$DC_PID" ] && kill -0 "$DC_PID" 2>/dev/null; then
    kill -INT "$DC_PID" 2>/dev/null || true
    wait "$DC_PID" 2>/dev/null || true
  fi
  if [ -n "$UAS_PID" ] && kill -0 "$UAS_PID" 2>/dev/null; then
    kill -TERM "$UAS_PID" 2>/dev/null || true
    wait "$UAS_PID" 2>/dev/null || true
  fi
  if [ -n "$KAM_PID" ] && kill -0 "$KAM_PID" 2>/dev/null; then
    kill -TERM "$KAM_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$KAM_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$KAM_PID" 2>/dev/null || true
    wait "$KAM_PID" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ]; then
    log "failed (rc=$rc); last Kamailio / UAS log lines:"
    tail -n 15 "$WORK/kamailio.log" >&2 2>/dev/null || true
    tail -n 15 "$WORK/uas.log" >&2 2>/dev/null || true
  fi
  if [ "${KEEP_WORK:-0}" = 1 ] || [ "$rc" -ne 0 ]; then
    log "work dir kept: $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_port() { # proto port
  for _ in $(seq 1 100); do
    if ss -Hln"$1" "( sport = :$2 )" | grep -q .; then return 0; fi
    sleep 0.1
  done
  return 1
}

# ---------------------------------------------------------------- Kamailio
log "starting Kamailio ($(kamailio -v | head -1))"
kamailio -f "$CFG" -DD -E -P "$WORK/kamailio.pid" -Y "$WORK/run" -w "$WORK" \
  -L "$MODDIR" -A "DBURL=\"text://$WORK/db\"" >"$WORK/kamailio.log" 2>&1 &
KAM_PID=$!
if ! { wait_port u 5060 && wait_port t 5060; }; then die "Kamailio did not start"; fi
sleep 0.5
kill -0 "$KAM_PID" 2>/dev/null || die "Kamailio exited"

# ---------------------------------------------------------------- UAS
python3 "$CLIENT" uas >"$WORK/uas.log" 2>&1 &
UAS_PID=$!
if ! { wait_port u 5080 && wait_port t 5080; }; then die "UAS did not start"; fi

# ---------------------------------------------------------------- captures
capture() { # name scenario
  local name=$1 scen=$2 f="$OUT/$1.pcapng"
  rm -f "$f"
  dumpcap -i lo -f "$FILTER" -w "$f" 2>"$WORK/dumpcap-$name.log" &
  DC_PID=$!
  for _ in $(seq 1 100); do
    grep -q '^File:' "$WORK/dumpcap-$name.log" 2>/dev/null && break
    sleep 0.1
  done
  grep -q '^File:' "$WORK/dumpcap-$name.log" || die "dumpcap did not start"
  sleep 0.5
  log "capture $name: scenario $scen"
  # in the background + wait, so that a signal interrupts the wait at once
  python3 "$CLIENT" run "$scen" >"$WORK/client-$name.log" 2>&1 &
  CL_PID=$!
  if ! wait "$CL_PID"; then
    CL_PID=""
    cat "$WORK/client-$name.log" >&2
    die "scenario $scen failed"
  fi
  CL_PID=""
  sleep 0.5
  kill -INT "$DC_PID"
  wait "$DC_PID" || true
  DC_PID=""
  chmod 0644 "$f"
  log "  -> $f ($(stat -c %s "$f") bytes, $(tshark -r "$f" -Y sip 2>/dev/null | wc -l) SIP frames)"
}

capture redirect-302-udp        redirect-udp
capture redirect-302-tcp-ipv6   redirect-tcp-ipv6
capture publish-412             publish
capture session-timer-422       session-timer
capture mixed-call              mixed
capture retransmissions         retransmissions
capture register-401-423        register

# ---------------------------------------------------------------- no-request
# Built from three genuine captures with editcap: for each one call is kept
# and its request frame(s) removed, then the three pieces are concatenated.
frames() { # file display-filter -> space separated frame numbers
  tshark -r "$1" -Y "$2" -T fields -e frame.number 2>/dev/null | tr '\n' ' '
}
piece() { # src call-id request-filter out
  local src=$1 cid=$2 reqf=$3 out=$4 keep=() drop
  drop=$(frames "$src" "sip.Call-ID == \"$cid\" && ($reqf)")
  [ -n "$drop" ] || die "no request frame found in $src for $cid"
  for n in $(frames "$src" "sip.Call-ID == \"$cid\""); do
    case " $drop " in *" $n "*) ;; *) keep+=("$n") ;; esac
  done
  editcap -r "$src" "$out" "${keep[@]}"
  echo "$(basename "$src"): kept frames ${keep[*]} of Call-ID $cid; removed request frame(s) ${drop}" \
    >>"$WORK/no-request.txt"
}
: >"$WORK/no-request.txt"
piece "$OUT/redirect-302-udp.pcapng" "redir-1@sipdiag.test" \
  'sip.Method == "INVITE" && sip.CSeq.seq == 1' "$WORK/nr-302.pcapng"
piece "$OUT/session-timer-422.pcapng" "st-1@sipdiag.test" \
  'sip.Method == "INVITE" && sip.CSeq.seq == 1' "$WORK/nr-422.pcapng"
piece "$OUT/publish-412.pcapng" "pub-alice@sipdiag.test" \
  'sip.Method == "PUBLISH" && sip.CSeq.seq == 3' "$WORK/nr-412.pcapng"
mergecap -a -F pcapng -w "$OUT/no-request.pcapng" \
  "$WORK/nr-302.pcapng" "$WORK/nr-422.pcapng" "$WORK/nr-412.pcapng"
chmod 0644 "$OUT/no-request.pcapng"
log "no-request.pcapng:"
sed 's/^/  /' "$WORK/no-request.txt" >&2

# ---------------------------------------------------------------- summary
for f in redirect-302-udp redirect-302-tcp-ipv6 publish-412 session-timer-422 \
         retransmissions no-request mixed-call register-401-423; do
  echo "== $f.pcapng ($(stat -c %s "$OUT/$f.pcapng") bytes)"
  tshark -r "$OUT/$f.pcapng" -Y sip -T fields -E separator=' ' \
    -e frame.number -e sip.Method -e sip.Status-Code -e sip.CSeq -e sip.Call-ID 2>/dev/null
done
log "done"
