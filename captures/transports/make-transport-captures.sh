#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Regenerate captures/transports/*.pcapng: one SIP call (302, retry at the
# Contact of highest q, 200, ACK, BYE/200) over UDP, SIP over WebSocket, SIP
# over TLS (with its keys inside the pcapng), and the UDP messages framed into
# SCTP DATA chunks.
#
#   sudo captures/transports/make-transport-captures.sh
#   sudo KEEP_WORK=1 captures/transports/make-transport-captures.sh   # keep the temp dir
#
# Runs as root.  Installs what it needs with apt-get if missing (kamailio,
# kamailio-websocket-modules, kamailio-tls-modules, tshark, wireshark-common,
# openssl, python3, iproute2), makes a self-signed certificate with openssl,
# starts Kamailio 5.6 on 127.0.0.1 (kamailio-transports.cfg, foreground,
# children=1), and for each transport starts dumpcap on lo, runs our client
# (transclient.py) and stops dumpcap.  Kamailio, the client and dumpcap are
# stopped by PID on every exit path.
#
# Ports (127.0.0.1 only; none of them is used by captures/make-captures.sh):
#   5062  Kamailio UDP          5090  client UDP
#   8080  Kamailio WebSocket    5091  client TCP (WebSocket)
#   5061  Kamailio TLS          5092  client TCP (TLS)
#
# The kernel of the build machines has no SCTP (socket(..., IPPROTO_SCTP)
# fails with EPROTONOSUPPORT), so sip-sctp.pcapng is not captured: the SIP
# payloads of sip-udp.pcapng (as Kamailio and the client sent them, same
# addresses, ports, order and times) are put into SCTP DATA chunks by
# Wireshark's text2pcap (-4 -S).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$HERE"
CFG="$HERE/kamailio-transports.cfg"
CLIENT="$HERE/transclient.py"
PORTS=(5061 5062 8080 5090 5091 5092)

log() { printf '[make-transport-captures] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (sudo $0)"

# ---------------------------------------------------------------- install
have_module() { [ -n "$(find /usr/lib -path "*/kamailio/modules/$1.so" -print -quit 2>/dev/null)" ]; }
need_pkgs=()
command -v kamailio >/dev/null 2>&1 || need_pkgs+=(kamailio)
have_module xhttp || need_pkgs+=(kamailio)
have_module websocket || need_pkgs+=(kamailio-websocket-modules)
have_module tls || need_pkgs+=(kamailio-tls-modules)
command -v tshark >/dev/null 2>&1 || need_pkgs+=(tshark)
command -v dumpcap >/dev/null 2>&1 || need_pkgs+=(tshark)
for t in editcap mergecap text2pcap; do
  command -v "$t" >/dev/null 2>&1 || need_pkgs+=(wireshark-common)
done
command -v openssl >/dev/null 2>&1 || need_pkgs+=(openssl)
command -v python3 >/dev/null 2>&1 || need_pkgs+=(python3)
command -v ss >/dev/null 2>&1 || need_pkgs+=(iproute2)
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  mapfile -t need_pkgs < <(printf '%s\n' "${need_pkgs[@]}" | sort -u)
  log "installing: ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}"
fi
TLS_SO=$(find /usr/lib -path '*/kamailio/modules/tls.so' -print -quit)
[ -n "$TLS_SO" ] || die "kamailio tls module not found"
MODDIR=$(dirname "$TLS_SO")

# ---------------------------------------------------------------- ports free?
# (a TIME-WAIT left by a previous run does not count: the client sets SO_REUSEADDR)
for p in "${PORTS[@]}"; do
  if ss -Hanu "( sport = :$p )" | grep -q . ||
    ss -Hant "( sport = :$p )" | grep -qv '^TIME-WAIT'; then
    die "port $p is already in use on this machine (ss -anptu | grep :$p)"
  fi
done

# ---------------------------------------------------------------- work dir
WORK=$(mktemp -d /tmp/sipdiag-transport-captures.XXXXXX)
mkdir -p "$WORK/run"

KAM_PID=""
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
  if [ -n "$KAM_PID" ] && kill -0 "$KAM_PID" 2>/dev/null; then
    kill -TERM "$KAM_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$KAM_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$KAM_PID" 2>/dev/null || true
    wait "$KAM_PID" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ]; then
    log "failed (rc=$rc); last Kamailio log lines:"
    tail -n 15 "$WORK/kamailio.log" >&2 2>/dev/null || true
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

# ---------------------------------------------------------------- certificate
# Self-signed, for 127.0.0.1 (subjectAltName IP), so that the client can verify it.
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>"$WORK/openssl.log" ||
  die "openssl could not make the certificate"

# ---------------------------------------------------------------- Kamailio
log "starting Kamailio ($(kamailio -v | head -1))"
kamailio -f "$CFG" -DD -E -P "$WORK/kamailio.pid" -Y "$WORK/run" -w "$WORK" -L "$MODDIR" \
  -A "TLS_CERT=\"$WORK/cert.pem\"" -A "TLS_KEY=\"$WORK/key.pem\"" >"$WORK/kamailio.log" 2>&1 &
KAM_PID=$!
if ! { wait_port u 5062 && wait_port t 8080 && wait_port t 5061; }; then
  die "Kamailio did not start"
fi
sleep 0.5
kill -0 "$KAM_PID" 2>/dev/null || die "Kamailio exited"

# ---------------------------------------------------------------- captures
capture() { # file filter client-args...
  local name=$1 filter=$2 f="$WORK/$1.pcapng"
  shift 2
  dumpcap -i lo -f "$filter" -w "$f" 2>"$WORK/dumpcap-$name.log" &
  DC_PID=$!
  for _ in $(seq 1 100); do
    grep -q '^File:' "$WORK/dumpcap-$name.log" 2>/dev/null && break
    sleep 0.1
  done
  grep -q '^File:' "$WORK/dumpcap-$name.log" || die "dumpcap did not start"
  sleep 0.5
  log "capture $name: transclient.py $*"
  python3 "$CLIENT" "$@" >"$WORK/client-$name.log" 2>&1 &
  CL_PID=$!
  if ! wait "$CL_PID"; then
    CL_PID=""
    cat "$WORK/client-$name.log" >&2
    die "client $* failed"
  fi
  CL_PID=""
  sleep 0.5
  kill -INT "$DC_PID"
  wait "$DC_PID" || true
  DC_PID=""
}

capture sip-udp "udp port 5062" udp
capture sip-websocket "tcp port 8080" ws
capture sip-tls-raw "tcp port 5061" tls --cafile "$WORK/cert.pem" --keylog "$WORK/tls-keys.txt"

install -m 0644 "$WORK/sip-udp.pcapng" "$OUT/sip-udp.pcapng"
install -m 0644 "$WORK/sip-websocket.pcapng" "$OUT/sip-websocket.pcapng"

# ---------------------------------------------------------------- TLS keys
# The client's key log goes into a Decryption Secrets Block: the capture
# decrypts with no preference set.
[ -s "$WORK/tls-keys.txt" ] || die "the client wrote no TLS keys"
editcap --inject-secrets "tls,$WORK/tls-keys.txt" "$WORK/sip-tls-raw.pcapng" "$WORK/sip-tls.pcapng"
install -m 0644 "$WORK/sip-tls.pcapng" "$OUT/sip-tls.pcapng"

# ---------------------------------------------------------------- SCTP
# One line per SIP message of the UDP capture: time, direction, payload.
tshark -r "$OUT/sip-udp.pcapng" -Y sip -T fields -E separator=' ' \
  -e frame.time_epoch -e udp.srcport -e udp.payload >"$WORK/udp-messages.txt" 2>/dev/null
[ -s "$WORK/udp-messages.txt" ] || die "no SIP message in sip-udp.pcapng"
# text2pcap gives all packets of one run the same SCTP ports: one run per
# direction (each direction numbers its own TSNs and stream sequence numbers,
# as in an association), then mergecap sorts the two by time.  The input is a
# plain hex dump (offset 000000 starts a message, so every DATA chunk gets the
# B and E bits: one whole message each), the epoch time on the line before it.
sctp_dir() { # srcport dstport out
  awk -v p="$1" '$2 == p { print $1, $3 }' "$WORK/udp-messages.txt" | python3 -c '
import sys
for line in sys.stdin:
    t, payload = line.split()
    data = bytes.fromhex(payload)
    print(t)
    for o in range(0, len(data), 16):
        print("%06x %s" % (o, " ".join("%02x" % b for b in data[o:o + 16])))
' >"$WORK/sctp-$1.txt"
  [ -s "$WORK/sctp-$1.txt" ] || die "no SIP message from port $1 in sip-udp.pcapng"
  text2pcap -q -t '%s.%f' -4 127.0.0.1,127.0.0.1 -S "$1,$2,0" -N lo "$WORK/sctp-$1.txt" "$3" 2>>"$WORK/text2pcap.log"
}
sctp_dir 5090 5062 "$WORK/sctp-up.pcapng"
sctp_dir 5062 5090 "$WORK/sctp-down.pcapng"
mergecap -F pcapng -w "$WORK/sip-sctp.pcapng" "$WORK/sctp-up.pcapng" "$WORK/sctp-down.pcapng"
install -m 0644 "$WORK/sip-sctp.pcapng" "$OUT/sip-sctp.pcapng"

# ---------------------------------------------------------------- checks + summary
payloads() { # file -> the bytes of every SIP message, one hex line each
  tshark -r "$1" -Y sip -T json -x 2>/dev/null | python3 -c '
import json, sys
for p in json.load(sys.stdin):
    raw = p["_source"]["layers"]["sip_raw"]
    print(raw[0] if isinstance(raw[0], str) else raw[0][0])
'
}
[ "$(payloads "$OUT/sip-udp.pcapng")" = "$(payloads "$OUT/sip-sctp.pcapng")" ] ||
  die "the SIP messages of sip-sctp.pcapng differ from those of sip-udp.pcapng"
for f in sip-udp sip-sctp sip-websocket sip-tls; do
  n=$(tshark -r "$OUT/$f.pcapng" -Y sip 2>/dev/null | wc -l)
  [ "$n" -eq 8 ] || die "$f.pcapng: $n SIP frames, 8 expected"
  echo "== $f.pcapng ($(stat -c %s "$OUT/$f.pcapng") bytes)"
  tshark -r "$OUT/$f.pcapng" -Y sip -T fields -E separator=' ' \
    -e frame.number -e _ws.col.Protocol -e sip.Method -e sip.Status-Code -e sip.CSeq -e sip.Call-ID \
    2>/dev/null
done
log "done"
