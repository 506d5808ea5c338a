#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Regenerate captures/agents/*.pcapng: third-party SIP user agents (SIPp,
# baresip, linphonec, twinkle-console) against Kamailio and SIPp servers.
#
#   sudo captures/make-agent-captures.sh              # every capture
#   sudo captures/make-agent-captures.sh baresip-udp  # only the ones named
#   sudo KEEP_WORK=1 captures/make-agent-captures.sh  # keep the temp dir (logs)
#
# Runs as root.  Installs its packages through scripts/deps.sh, then runs
# everything inside a network namespace of its own (only "lo" in it, so only
# 127.0.0.1 and ::1 exist; nothing can leave the machine and nothing collides
# with ports used outside).  In there: Kamailio (agents/kamailio-agents.cfg)
# on 5060, SIPp servers (agents/sipp/*.xml) on 5080-5082, and per capture
# dumpcap on lo plus one user agent driven without a terminal:
#   SIPp     scenario files (agents/sipp/uac-*.xml)       port 5061
#   baresip  commands to its "cons" module (UDP), -t bound port 5062 (B2BUA 5070)
#   linphonec  commands on stdin (a FIFO)                 port 5063
#   twinkle-console  commands on stdin (a FIFO)           port 5064
# A stale SIP-If-Match is produced the way it happens in real life: Kamailio
# is restarted with an empty presence table between a PUBLISH and its refresh.
# Every process is started by this script and stopped by PID on every exit
# path; every wait is bounded.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
AG="$HERE/agents"
OUT="$AG"
CFG="$AG/kamailio-agents.cfg"
SC="$AG/sipp"
FILTER="port 5060 or portrange 5061-5064 or port 5070 or portrange 5080-5082"
ALL=(sipp-udp sipp-tcp sipp-udp6 baresip-udp baresip-tcp baresip-udp6
     linphone-udp linphone-tcp linphone-udp6 twinkle-udp twinkle-tcp
     baresip-shapes linphone-shapes twinkle-shapes shape-fork shape-b2bua)

log() { printf '[make-agent-captures] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (sudo $0)"

# ------------------------------------------------------------ outside: netns
if [ -z "${SIPDIAG_AGENT_NS:-}" ]; then
  "$ROOT/scripts/deps.sh" kamailio kamailio-presence-modules sip-tester \
    linphone-cli baresip-core twinkle-console iproute2 tshark
  for n in "$@"; do
    case " ${ALL[*]} " in *" $n "*) ;; *) die "unknown capture '$n' (known: ${ALL[*]})" ;; esac
  done
  NS="sipdiag-agents-$$"
  ip netns add "$NS"
  trap 'ip netns del "$NS" 2>/dev/null || true' EXIT
  ip netns exec "$NS" ip link set lo up
  rc=0
  ip netns exec "$NS" env SIPDIAG_AGENT_NS="$NS" bash "${BASH_SOURCE[0]}" "$@" || rc=$?
  exit "$rc"
fi

# ------------------------------------------------------------ inside the netns
[ "$(ip -o link show | wc -l)" -eq 1 ] || die "expected a namespace with only lo"
PRESENCE_SO=$(find /usr/lib -path '*/kamailio/modules/presence.so' -print -quit)
[ -n "$PRESENCE_SO" ] || die "kamailio presence module not found"
MODDIR=$(dirname "$PRESENCE_SO")

WORK=$(mktemp -d /tmp/sipdiag-agent-captures.XXXXXX)
chmod 0755 "$WORK"
PIDS=()      # every background process we started (servers, agents)
KAM_PID=""
DC_PID=""
cleanup() {
  local rc=$? p
  trap - EXIT INT TERM
  if [ -n "$DC_PID" ]; then kill -INT "$DC_PID" 2>/dev/null || true; wait "$DC_PID" 2>/dev/null || true; fi
  for p in "${PIDS[@]}" "$KAM_PID"; do
    [ -n "$p" ] || continue
    kill -TERM "$p" 2>/dev/null || true
  done
  for p in "${PIDS[@]}" "$KAM_PID"; do
    [ -n "$p" ] || continue
    for _ in $(seq 1 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
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

wait_port() { # proto(u|t) port
  for _ in $(seq 1 100); do
    if ss -Hln"$1" "( sport = :$2 )" | grep -q .; then return 0; fi
    sleep 0.1
  done
  return 1
}
forget_pid() { # drop a finished PID from PIDS
  local keep=() p
  for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}

# ------------------------------------------------------------ Kamailio
start_kamailio() {
  rm -rf "$WORK/db"
  mkdir -p "$WORK/db" "$WORK/run"
  for t in version presentity active_watchers watchers xcap pua; do
    cp "/usr/share/kamailio/dbtext/kamailio/$t" "$WORK/db/"
  done
  kamailio -f "$CFG" -DD -E -Y "$WORK/run" -w "$WORK" -L "$MODDIR" \
    -A "DBURL=\"text://$WORK/db\"" >>"$WORK/kamailio.log" 2>&1 &
  KAM_PID=$!
  if ! { wait_port u 5060 && wait_port t 5060; }; then die "Kamailio did not start"; fi
  sleep 0.3
  kill -0 "$KAM_PID" 2>/dev/null || die "Kamailio exited"
}
stop_kamailio() {
  kill -TERM "$KAM_PID" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$KAM_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$KAM_PID" 2>/dev/null || true
  wait "$KAM_PID" 2>/dev/null || true
  KAM_PID=""
}
restart_kamailio() { # forgets every publication (and registration)
  log "  restarting Kamailio (presence state lost)"
  stop_kamailio
  start_kamailio
}
log "starting $(kamailio -v | head -1)"
start_kamailio

# ------------------------------------------------------------ SIPp servers
sipp_server() { # scenario ip port transport
  sipp -sf "$SC/$1.xml" -i "$2" -p "$3" -t "$4" -nostdin -trace_err \
    -error_file "$WORK/$1-$2-$3-$4.err" >"$WORK/sipp-$1-$2-$4.log" 2>&1 &
  PIDS+=($!)
}
sipp_server uas 127.0.0.1 5080 u1
sipp_server uas 127.0.0.1 5080 t1
sipp_server uas ::1 5080 u1
sipp_server fork-a 127.0.0.1 5081 u1
sipp_server fork-b 127.0.0.1 5082 u1
if ! { wait_port u 5080 && wait_port t 5080 && wait_port u 5081 && wait_port u 5082; }; then
  die "SIPp servers did not start"
fi

# ------------------------------------------------------------ capture frame
capture() { # name function
  local name=$1 fn=$2 f="$OUT/$1.pcapng"
  rm -f "$f"
  dumpcap -q -i lo -f "$FILTER" -w "$WORK/$name.pcapng" 2>"$WORK/dumpcap-$name.log" &
  DC_PID=$!
  for _ in $(seq 1 100); do
    grep -q 'File:' "$WORK/dumpcap-$name.log" 2>/dev/null && break
    [ -s "$WORK/$name.pcapng" ] && break
    sleep 0.1
  done
  sleep 0.5
  log "capture $name"
  "$fn"
  sleep 0.5
  kill -INT "$DC_PID"
  wait "$DC_PID" || true
  DC_PID=""
  cp "$WORK/$name.pcapng" "$f"
  chmod 0644 "$f"
  log "  -> $(basename "$f"): $(stat -c %s "$f") bytes, $(tshark -r "$f" -Y sip 2>/dev/null | wc -l) SIP frames"
  # a fresh Kamailio (no registrations, no publications) for the next one
  restart_kamailio >/dev/null 2>&1
}

# ------------------------------------------------------------ SIPp client
sipp_uac() { # scenario service transport local-ip remote [more sipp options]
  local rc=0
  timeout 30 sipp -sf "$SC/$1.xml" -s "$2" -t "$3" -i "$4" -p 5061 -m 1 \
    -nostdin -timeout 20s -trace_err -error_file "$WORK/uac-$1-$2.err" "${@:6}" "$5" \
    >"$WORK/uac-$1-$2.log" 2>&1 || rc=$?
  [ "$rc" -eq 0 ] || log "  WARNING: SIPp $1 ($2) exited with $rc"
  sleep 0.5
}
sipp_all() { # transport local-ip remote
  sipp_uac uac-302 redir-q-sipp "$1" "$2" "$3"
  sipp_uac uac-422 st-sipp "$1" "$2" "$3"
  sipp_uac uac-412 pub-sipp "$1" "$2" "$3"
}
cap_sipp_udp() { sipp_all u1 127.0.0.1 127.0.0.1:5060; }
cap_sipp_tcp() { sipp_all t1 127.0.0.1 127.0.0.1:5060; }
cap_sipp_udp6() { sipp_all u1 ::1 '[::1]:5060'; }
cap_shape_fork() { sipp_uac uac-302 fork-sipp u1 127.0.0.1 127.0.0.1:5060; }

# ------------------------------------------------------------ baresip
BS_PID=""
baresip_start() { # dir seconds
  baresip -f "$1" -n "$BS_ADDR" -t "$2" >"$1/baresip.log" 2>&1 &
  BS_PID=$!
  PIDS+=("$BS_PID")
  wait_port u 5555 || die "baresip did not start"
}
baresip_cmd() { printf '%s\n' "$1" >/dev/udp/127.0.0.1/5555; }
baresip_wait() { # bounded by its own -t
  wait "$BS_PID" 2>/dev/null || true
  forget_pid "$BS_PID"
  BS_PID=""
}
baresip_conf() { # dir listen account-line
  mkdir -p "$1"
  cat >"$1/config" <<EOF
poll_method		epoll
sip_listen		$2
rtp_ports		10000-10999
audio_player		aufile,/dev/null
audio_alert		aufile,/dev/null
audio_source		ausine,440
ausrc_srate		48000
auplay_srate		48000
ausrc_channels		2
module_path		/usr/lib/baresip/modules
module			g711.so
module			ausine.so
module			aufile.so
module			cons.so
cons_listen		127.0.0.1:5555
module_tmp		account.so
module_app		menu.so
module_app		presence.so
EOF
  printf '%s\n' "$3" >"$1/accounts"
}
baresip_main() { # host(uri form) transport-param listen
  local d="$WORK/baresip-$BS_TAG"
  baresip_conf "$d" "$3" \
    "<sip:baresip@$1$2>;auth_pass=agent-pw;regint=3600;pubint=10;outbound=\"sip:$1:5060$2\""
  baresip_start "$d" 14
  sleep 1.5
  baresip_cmd "/dial sip:redir-q-bs@$1"
  sleep 2
  baresip_cmd "/dial sip:st-req-bs@$1"
  sleep 1.5
  restart_kamailio
  # baresip refreshes its publication after 0.9 * 10 s (SIP-If-Match) -> 412
  sleep 8
  baresip_cmd "/quit"
  baresip_wait
}
cap_baresip_udp() { BS_ADDR=127.0.0.1 BS_TAG=udp baresip_main 127.0.0.1 "" 127.0.0.1:5062; }
cap_baresip_tcp() { BS_ADDR=127.0.0.1 BS_TAG=tcp baresip_main 127.0.0.1 ";transport=tcp" 127.0.0.1:5062; }
cap_baresip_udp6() { BS_ADDR=::1 BS_TAG=udp6 baresip_main "[::1]" "" "[::1]:5062"; }
cap_baresip_shapes() {
  local d="$WORK/baresip-shapes" u
  BS_ADDR=127.0.0.1
  baresip_conf "$d" 127.0.0.1:5062 \
    '<sip:baresip@127.0.0.1>;auth_pass=agent-pw;regint=0;outbound="sip:127.0.0.1:5060"'
  baresip_start "$d" 20
  sleep 1
  for u in loop-bs exp0-bs retry-bs fork-bs; do
    baresip_cmd "/dial sip:$u@127.0.0.1"
    sleep 4
  done
  baresip_cmd "/quit"
  baresip_wait
}
cap_shape_b2bua() {
  # client (SIPp) -> baresip b2bua (5070) -> Kamailio (redirect server: 302)
  # the b2bua module calls, from its "outbound" account, the Request-URI the
  # client used; Kamailio is that account's outbound proxy
  local d="$WORK/b2bua"
  BS_ADDR=127.0.0.1
  baresip_conf "$d" 127.0.0.1:5070 \
    '<sip:b2b-in@127.0.0.1:5070>;regint=0;b2bua=inbound'
  printf '%s\n' '<sip:b2b-out@127.0.0.1>;regint=0;outbound="sip:127.0.0.1:5060";b2bua=outbound' >>"$d/accounts"
  # b2bua connects the two calls' audio through aubridge devices named after
  # the calls: both legs must use the aubridge player and source
  sed -i '/presence.so/d; s/^module_app.*//; s/^audio_player.*/audio_player\t\taubridge,nil/; s/^audio_source.*/audio_source\t\taubridge,nil/; /^ausrc_srate/d; /^auplay_srate/d; /^ausrc_channels/d' "$d/config"
  printf 'module\t\t\taubridge.so\nmodule_app\t\tb2bua.so\n' >>"$d/config"
  baresip_start "$d" 12
  sleep 1
  # Request-URI sip:redir-q-b2b@127.0.0.1 (Kamailio's), sent to the B2BUA
  sipp_uac uac-call redir-q-b2b u1 127.0.0.1 127.0.0.1:5070 -key target_host 127.0.0.1
  sleep 1
  baresip_cmd "/quit"
  baresip_wait
}

# ------------------------------------------------------------ stdin-driven agents
AG_PID=""
AG_FD=""
agent_start() { # logfile command...
  local logf=$1 fifo
  shift
  fifo="$WORK/fifo.$RANDOM"
  mkfifo "$fifo"
  "$@" <"$fifo" >"$logf" 2>&1 &
  AG_PID=$!
  PIDS+=("$AG_PID")
  exec {AG_FD}>"$fifo"
  rm -f "$fifo"
}
agent_cmd() { printf '%s\n' "$1" >&"$AG_FD"; }
agent_stop() { # seconds to wait for a clean exit after "quit"
  agent_cmd quit || true
  exec {AG_FD}>&-
  for _ in $(seq 1 $(($1 * 10))); do kill -0 "$AG_PID" 2>/dev/null || break; sleep 0.1; done
  kill -TERM "$AG_PID" 2>/dev/null || true
  wait "$AG_PID" 2>/dev/null || true
  forget_pid "$AG_PID"
  AG_PID=""
}

# ------------------------------------------------------------ linphonec
linphone_conf() { # dir host transport(udp|tcp) ipv6(0|1) session-timers(0|1)
  local udp=5063 tcp=0 tp=""
  if [ "$3" = tcp ]; then udp=0; tcp=5063; tp=";transport=tcp"; fi
  mkdir -p "$1/.local/share/linphone"
  cat >"$1/linphonerc" <<EOF
[sip]
auto_net_state_mon=0
register_only_when_network_is_up=0
sip_port=$udp
sip_tcp_port=$tcp
sip_tls_port=0
use_ipv6=$4
default_proxy=0
contact=sip:linphone@$2
session_expires_enabled=$5
session_expires_value=60
[rtp]
audio_rtp_port=7200
[sound]
echocancellation=0
[proxy_0]
reg_proxy=<sip:$2:5060$tp>
reg_identity=sip:linphone@$2
reg_expires=3600
reg_sendregister=1
publish=1
publish_expires=10
[auth_info_0]
username=linphone
passwd=agent-pw
realm=sipdiag.test
EOF
}
linphone_main() { # host transport ipv6
  local d="$WORK/linphone-$2-$3"
  linphone_conf "$d" "$1" "$2" "$3" 1
  HOME="$d" agent_start "$d/linphonec.log" linphonec -c "$d/linphonerc" -d 0
  sleep 2
  agent_cmd "call sip:redir-q-lp@$1"
  sleep 2
  agent_cmd "call sip:st-lp@$1"
  sleep 1.5
  restart_kamailio
  if [ "$2" = tcp ]; then
    # over TCP linphone loses its connection with the restart, stops
    # refreshing, registers again about 60 s later and then publishes
    # afresh (no stale SIP-If-Match, so no 412): wait for that
    sleep 68
  else
    sleep 8
  fi
  agent_stop 3
}
cap_linphone_udp() { linphone_main 127.0.0.1 udp 0; }
cap_linphone_tcp() { linphone_main 127.0.0.1 tcp 0; }
cap_linphone_udp6() { linphone_main "[::1]" udp 1; }
cap_linphone_shapes() {
  local d="$WORK/linphone-shapes" u
  linphone_conf "$d" 127.0.0.1 udp 0 0
  # registered (the callee's BYE reaches it through its GRUU) but no PUBLISH
  sed -i 's/^publish=1/publish=0/' "$d/linphonerc"
  HOME="$d" agent_start "$d/linphonec.log" linphonec -c "$d/linphonerc" -d 0
  sleep 1.5
  for u in loop-lp exp0-lp retry-lp fork-lp; do
    agent_cmd "call sip:$u@127.0.0.1"
    sleep 4
    agent_cmd "terminate all"
    sleep 0.5
  done
  agent_stop 3
}

# ------------------------------------------------------------ twinkle-console
twinkle_conf() { # home transport publish(yes|no) register(yes|no)
  mkdir -p "$1/.twinkle"
  printf '%s\n' 'pcm.!default { type null }' >"$1/.asoundrc"
  cat >"$1/.twinkle/twinkle.sys" <<EOF
dev_ringtone=alsa:default
dev_speaker=alsa:default
dev_mic=alsa:default
validate_audio_dev=no
log_show_sip=yes
sip_port=5064
rtp_port=8100
play_ringtone=no
play_ringback=no
EOF
  # no outbound_proxy: with one set, twinkle 1.10.2 answers itself
  # "404 Not Found" ("Cannot resolve destination") on this loopback rig
  cat >"$1/.twinkle/twinkle.cfg" <<EOF
user_name=twinkle
user_domain=127.0.0.1
auth_realm=sipdiag.test
auth_name=twinkle
auth_pass=agent-pw
registration_time=3600
register_at_startup=$4
sip_transport=$2
allow_redirection=yes
ask_user_to_redirect=no
max_redirections=5
pres_publish_startup=$3
pres_publication_time=10
EOF
}
twinkle_main() { # transport
  local d="$WORK/twinkle-$1"
  twinkle_conf "$d" "$1" yes yes
  HOME="$d" agent_start "$d/twinkle.log" twinkle-console twinkle.cfg
  sleep 2
  agent_cmd "call sip:redir-q-tw@127.0.0.1"
  sleep 2
  agent_cmd "call sip:st-req-tw@127.0.0.1"
  sleep 1.5
  restart_kamailio
  sleep 8
  agent_stop 5
}
cap_twinkle_udp() { twinkle_main udp; }
cap_twinkle_tcp() { twinkle_main tcp; }
cap_twinkle_shapes() {
  local d="$WORK/twinkle-shapes" u
  twinkle_conf "$d" udp no no
  HOME="$d" agent_start "$d/twinkle.log" twinkle-console twinkle.cfg
  sleep 1.5
  for u in loop-tw exp0-tw retry-tw fork-tw; do
    agent_cmd "call sip:$u@127.0.0.1"
    sleep 4
    agent_cmd "bye"
    sleep 0.5
  done
  agent_stop 5
}

# ------------------------------------------------------------ run
todo=("$@")
[ "${#todo[@]}" -gt 0 ] || todo=("${ALL[@]}")
for n in "${todo[@]}"; do
  capture "$n" "cap_${n//-/_}"
done

for n in "${todo[@]}"; do
  echo "== $n.pcapng"
  tshark -r "$OUT/$n.pcapng" -Y sip -T fields -E separator=' ' \
    -e frame.number -e sip.Method -e sip.Status-Code -e sip.CSeq -e sip.Call-ID 2>/dev/null
done
log "done"
