#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Live capture: sipdiag's verdicts appear while tshark is still capturing.

    sudo tests/live/test_live.py PATH/TO/sipdiag.so

Kamailio (captures/agents/kamailio-agents.cfg, on random free ports) and SIPp (Debian
sip-tester) exchange a 302, a 412 and a 422 on the loopback interface, each followed once by a
client that applies the fix (captures/agents/sipp/uac-*.xml) and once by one that does not
(tests/live/sipp/uac-*-wrong.xml). Meanwhile `tshark -i lo -l` runs as an unprivileged user
(uid 65534, the plugin in a throwaway personal plugin folder, capture rights through ambient
capabilities) and prints sipdiag.retry_ok and the expert infos of every retry. The test reads
that output as it comes and passes only if every retry's verdict arrived before it stops tshark;
then the statistics tree tshark prints when stopped must count the six outcomes.

Needs root (capabilities, Kamailio); packages: scripts/deps.sh --test. Exit status: 0 passed,
1 failed, 77 skipped (not root, or a tool missing; never skipped when CI=true). Every process is
started in its own process group and stopped by it; everything lives in mktemp directories.
"""

import glob
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from tshark_env import BOOLS, NOBODY, TsharkEnv  # noqa: E402
from test_stats import OUTCOME, parse_tree  # noqa: E402

SKIP = 77
AGENT_SIPP = os.path.join(ROOT, "captures", "agents", "sipp")
LIVE_SIPP = os.path.join(HERE, "sipp")
KAMAILIO_CFG = os.path.join(ROOT, "captures", "agents", "kamailio-agents.cfg")
# The clients, in order: (scenario, service, code retried, whether the retry applies the fix,
# words of the expert info expected on the retry).
CLIENTS = [
    (os.path.join(AGENT_SIPP, "uac-302.xml"), "redir-q-live", "302", "1", None),
    (os.path.join(AGENT_SIPP, "uac-412.xml"), "pub-live", "412", "1", None),
    (os.path.join(AGENT_SIPP, "uac-422.xml"), "st-live", "422", "1", None),
    (os.path.join(LIVE_SIPP, "uac-302-wrong.xml"), "redir-q-live", "302", "0",
     "not a Contact of the 302"),
    (os.path.join(LIVE_SIPP, "uac-412-wrong.xml"), "pub-live", "412", "0",
     "SIP-If-Match again"),
    (os.path.join(LIVE_SIPP, "uac-422-wrong.xml"), "st-live", "422", "0",
     "below Min-SE"),
]
ALERT_WAIT = 15  # seconds after the last client for the last verdict to be printed


class Failure(Exception):
    pass


class Skip(Exception):
    pass


def log(msg):
    print(f"[live] {msg}", flush=True)


def free_ports(n):
    """n distinct ports free for both UDP and TCP on 127.0.0.1 (the kernel's choice)."""
    out = []
    while len(out) < n:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        port = u.getsockname()[1]
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            t.bind(("127.0.0.1", port))
            if port not in out:
                out.append(port)
        except OSError:
            pass
        finally:
            t.close()
            u.close()
    return out


def udp_bound(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(("127.0.0.1", port))
        return False
    except OSError:
        return True
    finally:
        s.close()


class Processes:
    """Background processes, each the leader of its own process group."""

    def __init__(self):
        self.procs = []

    def start(self, name, cmd, **kw):
        p = subprocess.Popen(cmd, start_new_session=True, **kw)
        self.procs.append((name, p))
        return p

    @staticmethod
    def stop_one(p, sig=signal.SIGTERM, timeout=5):
        for s in (sig, signal.SIGKILL):
            try:
                os.killpg(p.pid, s)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout=timeout)
                break
            except subprocess.TimeoutExpired:
                continue

    def stop_all(self):
        for _, p in reversed(self.procs):
            if p.poll() is None:
                self.stop_one(p)
        leftovers = []
        for name, p in self.procs:
            # Anything left in the group (children still exiting get 3 s)?
            for _ in range(30):
                try:
                    os.killpg(p.pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)
            else:
                os.killpg(p.pid, signal.SIGKILL)
                leftovers.append(name)
        return leftovers


def reader(stream, lines, q):
    for line in iter(stream.readline, ""):
        stamp = time.monotonic()
        lines.append((stamp, line.rstrip("\n")))
        q.put((stamp, line.rstrip("\n")))
    q.put(None)


def kamailio_config(work, kam_port, uas_port):
    """The agent rig's configuration on our ports, IPv4 only (a CI container may lack ::1)."""
    with open(KAMAILIO_CFG) as f:
        text = f.read()
    lines = [line for line in text.splitlines() if "[::1]:5060" not in line]
    text = "\n".join(lines) + "\n"
    text = text.replace("5060", str(kam_port)).replace("5080", str(uas_port))
    path = os.path.join(work, "kamailio.cfg")
    with open(path, "w") as f:
        f.write(text)
    return path


def run(plugin_so):
    for tool in ("kamailio", "sipp", "tshark", "dumpcap", "setpriv"):
        if shutil.which(tool) is None:
            raise Skip(f"{tool} not installed (scripts/deps.sh --test)")
    presence = glob.glob("/usr/lib/*/kamailio/modules/presence.so") + glob.glob(
        "/usr/lib/kamailio/modules/presence.so")
    if not presence:
        raise Skip("Kamailio's presence module is not installed (kamailio-presence-modules)")
    if not os.path.isfile(plugin_so):
        raise Failure(f"no plugin at {plugin_so}")

    work = tempfile.mkdtemp(prefix="sipdiag-live-")
    os.chmod(work, 0o755)
    env = TsharkEnv(plugin_so)
    procs = Processes()
    tshark = None
    try:
        kam_port, uas_port, client_port = free_ports(3)
        log(f"Kamailio on {kam_port}, SIPp callee on {uas_port}, SIPp clients on {client_port}")
        db = os.path.join(work, "db")
        os.makedirs(db)
        for t in ("version", "presentity", "active_watchers", "watchers", "xcap", "pua"):
            shutil.copy(os.path.join("/usr/share/kamailio/dbtext/kamailio", t), db)
        os.makedirs(os.path.join(work, "run"))
        cfg = kamailio_config(work, kam_port, uas_port)
        kam_log = open(os.path.join(work, "kamailio.log"), "w")
        procs.start("kamailio", ["kamailio", "-f", cfg, "-DD", "-E", "-Y",
                                 os.path.join(work, "run"), "-w", work, "-L",
                                 os.path.dirname(presence[0]), "-A",
                                 f'DBURL="text://{db}"'],
                    stdout=kam_log, stderr=subprocess.STDOUT)
        uas_log = open(os.path.join(work, "uas.log"), "w")
        procs.start("sipp callee", ["sipp", "-sf", os.path.join(AGENT_SIPP, "uas.xml"), "-i",
                                    "127.0.0.1", "-p", str(uas_port), "-t", "u1", "-nostdin"],
                    stdout=uas_log, stderr=subprocess.STDOUT, cwd=work)
        deadline = time.monotonic() + 15
        while not (udp_bound(kam_port) and udp_bound(uas_port)):
            if time.monotonic() > deadline or any(p.poll() is not None for _, p in procs.procs):
                raise Failure("Kamailio or the SIPp callee did not start: "
                              + open(os.path.join(work, "kamailio.log")).read()[-2000:])
            time.sleep(0.1)

        # tshark as the unprivileged user, capturing through an ambient capability (dumpcap,
        # which tshark runs, inherits it; net_raw is enough on lo, and a container has it);
        # its temporary capture file goes to a folder of ours.
        tmp = os.path.join(env.home, "tmp")
        os.makedirs(tmp)
        os.chown(tmp, NOBODY, NOBODY)
        cmd = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
               "--inh-caps=+net_raw", "--ambient-caps=+net_raw",
               "tshark", "-i", "lo", "-n", "-l",
               "-f", f"udp port {kam_port} or udp port {uas_port} or udp port {client_port}",
               "-Y", "sipdiag.retry_of",
               "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=|",
               "-e", "frame.number", "-e", "sipdiag.retry_of_code", "-e", "sipdiag.retry_ok",
               "-e", "_ws.expert.message", "-z", "sipdiag,tree"]
        tenv = {"HOME": env.home, "PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "LC_ALL": "C.UTF-8",
                "TMPDIR": tmp}
        if env.global_override:
            tenv["WIRESHARK_PLUGIN_DIR"] = env.global_override
        if os.environ.get("SIPDIAG_PRELOAD"):  # a sanitized plugin (as in tshark_env.py)
            tenv["LD_PRELOAD"] = os.environ["SIPDIAG_PRELOAD"]
            tenv["WIRESHARK_EXTCAP_DIR"] = env.extcap_dir
            for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
                if k in os.environ:
                    tenv[k] = os.environ[k]
        tshark = procs.start("tshark", cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=tenv, cwd=env.home, bufsize=1)
        out_lines, err_lines = [], []
        out_q, err_q = queue.Queue(), queue.Queue()
        for stream, lines, q in ((tshark.stdout, out_lines, out_q),
                                 (tshark.stderr, err_lines, err_q)):
            threading.Thread(target=reader, args=(stream, lines, q), daemon=True).start()
        deadline = time.monotonic() + 20
        while True:
            try:
                item = err_q.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                item = None
            if item is not None and "Capturing on" in item[1]:
                break
            if item is None or time.monotonic() > deadline:
                raise Failure("tshark did not start capturing: "
                              + " / ".join(line for _, line in err_lines)[:800])
        time.sleep(0.3)

        # The clients, one after the other.
        sent = []
        for scenario, service, code, ok, _ in CLIENTS:
            name = os.path.basename(scenario)
            client_log = os.path.join(work, name + ".log")
            with open(client_log, "w") as lf:
                p = procs.start(name, ["sipp", "-sf", scenario, "-s", service, "-t", "u1",
                                       "-i", "127.0.0.1", "-p", str(client_port), "-m", "1",
                                       "-nostdin", "-timeout", "10s", "-timeout_error",
                                       f"127.0.0.1:{kam_port}"],
                                stdout=lf, stderr=subprocess.STDOUT, cwd=work)
                try:
                    rc = p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    Processes.stop_one(p)
                    rc = "timeout"
            if rc != 0:
                raise Failure(f"SIPp {name} ({service}) ended with {rc}: "
                              + open(client_log).read()[-1500:])
            sent.append(time.monotonic())
            log(f"client {name}: done")

        # Every retry's verdict, read from tshark while it still captures.
        want = {i: c for i, c in enumerate(CLIENTS)}
        seen = {}
        rows = []
        deadline = time.monotonic() + ALERT_WAIT
        while want and time.monotonic() < deadline:
            try:
                item = out_q.get(timeout=0.2)
            except queue.Empty:
                continue
            if item is None:
                raise Failure("tshark stopped by itself: "
                              + " / ".join(line for _, line in err_lines)[-2000:])
            stamp, line = item
            cols = line.split("\t")
            if len(cols) < 4 or not cols[0].isdigit():
                continue
            rows.append(line)
            code, ok = cols[1], BOOLS.get(cols[2], cols[2])
            for i, (scenario, _, wcode, wok, words) in sorted(want.items()):
                if code == wcode and ok == wok and (words is None or words in cols[3]):
                    seen[i] = (stamp, cols[0])
                    del want[i]
                    break
        stopped_at = time.monotonic()
        if want:
            missing = [f"{os.path.basename(c[0])} (retry of a {c[2]}, retry_ok={c[3]})"
                       for c in want.values()]
            raise Failure(f"no verdict while capturing for: {', '.join(missing)}; "
                          f"rows seen: {rows}; tshark stderr: "
                          + " / ".join(line for _, line in err_lines)[-1500:])
        for i, (stamp, frame) in sorted(seen.items()):
            if stamp >= stopped_at:
                raise Failure("a verdict was read after tshark was stopped")
            log(f"{os.path.basename(CLIENTS[i][0])}: verdict on frame {frame}, "
                f"{stamp - sent[i]:+.2f} s after the client ended, while capturing")

        # Stop tshark the way a user does (Ctrl-C): it stops dumpcap and prints the tree.
        os.killpg(tshark.pid, signal.SIGINT)
        try:
            tshark.wait(timeout=15)
        except subprocess.TimeoutExpired:
            raise Failure("tshark did not stop on SIGINT")
        time.sleep(0.2)  # the readers drain the pipes
        text = "\n".join(line for _, line in out_lines)
        errors = "\n".join(line for _, line in err_lines)
        for marker in ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer"):
            if marker in errors:
                raise Failure(f"sanitizer report from tshark: {errors[-3000:]}")
        tree = parse_tree(text)
        counts = {p[1]: n for p, n in tree.items() if len(p) == 2 and p[0] == OUTCOME}
        log(f"statistics tree when stopped: {counts}")
        if counts.get("followed ok", 0) < 3 or counts.get("wrong fix", 0) < 3:
            raise Failure(f"the live statistics tree does not count the six outcomes: {counts}")
    finally:
        leftovers = procs.stop_all()
        env.cleanup()
        if os.environ.get("SIPDIAG_KEEP_LIVE"):
            log(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if leftovers:
        raise Failure(f"processes left behind in the groups of: {leftovers}")


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    t0 = time.monotonic()
    ci = os.environ.get("CI") == "true"
    try:
        if os.geteuid() != 0:
            raise Skip("needs root (capture capabilities, Kamailio)")
        run(argv[1])
    except Skip as e:
        log(f"{'FAIL (CI=true)' if ci else 'SKIPPED'}: {e}")
        return 1 if ci else SKIP
    except Failure as e:
        log(f"FAIL: {e}")
        return 1
    log(f"PASS in {time.monotonic() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
