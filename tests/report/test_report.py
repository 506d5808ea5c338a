#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""End-to-end tests of tools/report/sipdiag-report: the real tshark with the plugin built in the
tree, the real GNU parallel, a real sshd on a loopback port for the two-"machine" run.

Usage: test_report.py PATH/TO/sipdiag.so [-k NAME]

The tool runs as an unprivileged user (uid 65534 when run as root) whose personal plugin folder
holds the plugin under test (tests/e2e/tshark_env.py). The "second machine" is a throwaway user
reached over ssh; the captures are not readable by it, so GNU parallel has to transfer them.
Prints "N passed, M failed" at the end; exit status non-zero when a test failed.
"""

import csv
import glob
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

import sippcap  # noqa: E402
from tshark_env import NOBODY, TsharkEnv  # noqa: E402

TOOL = os.path.join(ROOT, "tools", "report", "sipdiag-report")
CAPTURES = sorted(glob.glob(os.path.join(ROOT, "captures", "*.pcapng")))

# What the bundled captures hold (captures/README.md), as the report must count it: diagnosed
# responses >= 300 (first copies), per code and outcome. Checked against the captures' tables.
KNOWN = {
    302: {"responses": 16, "followed ok": 9, "wrong fix": 2, "not followed": 5},
    401: {"responses": 2, "followed ok": 1, "wrong fix": 1, "not followed": 0},
    412: {"responses": 5, "followed ok": 3, "wrong fix": 1, "not followed": 1},
    422: {"responses": 10, "followed ok": 6, "wrong fix": 1, "not followed": 3},
    423: {"responses": 1, "followed ok": 1, "wrong fix": 0, "not followed": 0},
}
KNOWN_RETRANSMISSIONS = 8

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


class Failure(AssertionError):
    pass


class Skip(Exception):
    pass


def eq(actual, expected, what):
    if actual != expected:
        raise Failure(f"{what}: expected {expected!r}, got {actual!r}")


def check(cond, what):
    if not cond:
        raise Failure(what)


class Runner:
    """Runs sipdiag-report as the unprivileged user of a TsharkEnv, in folders it owns."""

    def __init__(self, env):
        self.env = env
        self.as_root = env.as_root
        # The tool as the user can run it: the source tree may sit in a folder that user cannot
        # enter (a clone in /root, or in a mktemp -d folder). Regression: CI's clean clone in a
        # 0700 folder failed every test with "Permission denied".
        self.tool = os.path.join(env.home, "sipdiag-report")
        shutil.copy(TOOL, self.tool)
        os.chmod(self.tool, 0o755)
        self.own(self.tool)

    def folder(self, name):
        d = os.path.join(self.env.home, name)
        os.makedirs(d, exist_ok=True)
        self.own(d)
        return d

    def own(self, path):
        if self.as_root:
            for root, dirs, files in os.walk(path):
                os.chown(root, NOBODY, NOBODY)
                for f in files:
                    os.chown(os.path.join(root, f), NOBODY, NOBODY)
            if os.path.isfile(path):
                os.chown(path, NOBODY, NOBODY)

    def copy(self, src, folder, name=None):
        dst = os.path.join(folder, name or os.path.basename(src))
        shutil.copy(src, dst)
        os.chmod(dst, 0o644)
        self.own(dst)
        return dst

    def run(self, args, tty=False, timeout=300):
        cmd = ["/usr/bin/python3", self.tool] + list(args)
        env = {"HOME": self.env.home, "PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8",
               "TMPDIR": self.env.home}
        if self.env.global_override:
            env["WIRESHARK_PLUGIN_DIR"] = self.env.global_override
        if self.as_root:
            cmd = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"] + cmd
        if tty:
            # stderr on a pseudo-terminal: the progress bar appears there
            import pty
            master, slave = pty.openpty()
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=slave, env=env,
                                 cwd=self.env.home, text=True)
            os.close(slave)
            chunks = []
            while True:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    break
                if not data:
                    break
                chunks.append(data)
            out = p.stdout.read()
            p.wait(timeout=timeout)
            os.close(master)
            return p.returncode, out, b"".join(chunks).decode(errors="replace")
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=self.env.home,
                           timeout=timeout)
        return p.returncode, p.stdout, p.stderr


def read_out(out):
    with open(os.path.join(out, "records.jsonl"), encoding="utf-8") as fh:
        recs = [json.loads(ln) for ln in fh]
    with open(os.path.join(out, "files.csv"), encoding="utf-8") as fh:
        files = {r["file"]: r for r in csv.DictReader(fh)}
    with open(os.path.join(out, "summary.csv"), encoding="utf-8") as fh:
        summary = {int(r["code"]): r for r in csv.DictReader(fh)}
    return recs, files, summary


def counts(recs):
    res = {}
    for r in recs:
        c = res.setdefault(r["code"], {"responses": 0, "followed ok": 0, "wrong fix": 0,
                                       "not followed": 0})
        c["responses"] += 1
        if r["outcome"] in c:
            c[r["outcome"]] += 1
    return res


def bundled_folder(run, name="caps"):
    d = run.folder(name)
    for c in CAPTURES:
        run.copy(c, d)
    return d


def bundled_records(run):
    """Records of the bundled captures from a plain local run (made once)."""
    if not getattr(run, "last_bundled", None):
        caps = bundled_folder(run, "caps-reference")
        out = os.path.join(run.env.home, "out-reference")
        rc, _, err = run.run([caps, "-o", out])
        eq(rc, 0, f"reference run ({err[-300:]})")
        run.last_bundled = (out, read_out(out)[0])
    return run.last_bundled


def key(recs):
    """What must not depend on how the files were run (machines, reruns)."""
    return sorted((os.path.basename(r["file"]), r["frame"], r["code"], r["outcome"],
                   json.dumps(r["values"], sort_keys=True), r["client"]["agent"],
                   r["server"]["agent"], json.dumps(r["followup"], sort_keys=True),
                   json.dumps(r["edge"], sort_keys=True)) for r in recs)


# ------------------------------------------------------------------------------------------------


@test
def bundled_captures_known_totals(run):
    caps = bundled_folder(run)
    out = os.path.join(run.env.home, "out-bundled")
    rc, stdout, stderr = run.run([caps, "-o", out, "-j", "2"])
    eq(rc, 0, f"exit status (stderr: {stderr})")
    check("\r[" not in stderr, f"no progress bar when stderr is not a terminal: {stderr!r}")
    recs, files, summary = read_out(out)
    run.last_bundled = (out, recs)
    eq(len(files), len(CAPTURES), "files in files.csv")
    for f, row in files.items():
        eq(row["status"], "ok", f"status of {f}")
    eq(counts(recs), KNOWN, "responses per code and outcome")
    for code, k in KNOWN.items():
        eq(int(summary[code]["responses"]), k["responses"], f"summary.csv responses of {code}")
        eq(int(summary[code]["wrong_fix"]), k["wrong fix"], f"summary.csv wrong fix of {code}")
    check(f"retransmissions left out: {KNOWN_RETRANSMISSIONS}" in stdout,
          f"retransmissions in the terminal summary:\n{stdout}")
    # one record in detail: the 302 retried at a URI that is none of its Contacts
    r = [x for x in recs if x["file"].endswith("/redirect-302-udp.pcapng") and x["frame"] == 26]
    eq(len(r), 1, "record of redirect-302-udp.pcapng frame 26")
    r = r[0]
    eq((r["code"], r["outcome"], r["method"], r["request_frame"]), (302, "wrong fix", "INVITE", 25),
       "302 frame 26")
    eq(r["values"]["retried_uri"], "sip:mallory@127.0.0.1:5080", "retried URI")
    eq([(c["uri"], c.get("q")) for c in r["values"]["contacts"]],
       [("sip:bob-a@127.0.0.1:5080", 0.5), ("sip:bob-b@127.0.0.1:5080", 1),
        ("sip:bob-c@127.0.0.1:5080", 0.1)], "contacts with q")
    eq(r["followup"], {"frame": 28, "ok": False, "verdict": "wrong fix", "response_frame": 29,
                       "response_code": 200}, "follow-up")
    eq(r["client"]["agent"], "sipdiag-capture-client/1.0", "client agent (request's User-Agent)")
    eq(r["server"]["agent"], "kamailio (sipdiag capture rig)", "server agent (Server header)")
    eq((r["client"]["addr"], r["server"]["addr"], r["server"]["port"]),
       ("127.0.0.1", "127.0.0.1", 5060), "addresses")
    eq(r["edge"], None, "no edge mark on a verdict inside the capture")
    check("frame.number == 26" in r["wireshark"] and "redirect-302-udp.pcapng" in r["wireshark"],
          f"wireshark line: {r['wireshark']}")
    # values of the other kinds
    by = {(os.path.basename(x["file"]), x["frame"]): x for x in recs}
    v = by[("session-timer-422.pcapng", 2)]["values"] if ("session-timer-422.pcapng", 2) in by \
        else None
    check(v is not None and v.get("min_se") and v.get("session_expires"),
          f"422 values in session-timer-422.pcapng frame 2: {v}")
    p412 = [x for x in recs if x["code"] == 412 and x["values"].get("if_match")]
    check(p412 and all("entity" in x["values"] for x in p412), "412 If-Match and entity")
    c401 = [x for x in recs if x["code"] == 401]
    check(c401 and all(x["values"].get("challenge", {}).get("realm") for x in c401),
          "401 challenge realm")
    # the 302 nobody retried before the capture ends is marked at the file edge
    r34 = by[("redirect-302-udp.pcapng", 34)]
    eq((r34["outcome"], (r34["edge"] or {}).get("side")), ("not followed", "end"),
       "not followed at the end of the file")
    # the page: charts inlined, nothing fetched from the network
    with open(os.path.join(out, "report.html"), encoding="utf-8") as fh:
        page = fh.read()
    check("Chart.js v" in page, "Chart.js inlined")
    check(" src=" not in page and "<link" not in page, "no external script or stylesheet")
    check("wireshark -r" in page, "wireshark lines in the page")
    bad = [x for x in recs if x["outcome"] in ("wrong fix", "not followed")]
    with open(os.path.join(out, "bad-cases.csv"), encoding="utf-8") as fh:
        eq(len(list(csv.DictReader(fh))), len(bad), "rows of bad-cases.csv")


@test
def page_renders_charts_offline(run):
    chromium = shutil.which("chromium")
    if not chromium:
        raise Failure("chromium missing (installed by tests/report/run.sh)")
    out = bundled_records(run)[0]
    ud = tempfile.mkdtemp(prefix="sipdiag-report-chromium-")
    try:
        p = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={ud}", "--virtual-time-budget=5000",
             "--dump-dom", "file://" + os.path.join(out, "report.html")],
            capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(ud, ignore_errors=True)
    check('data-charts="4"' in p.stdout,
          f"four charts drawn (data-charts on <body>); dump: {p.stdout[:300]!r} {p.stderr[-500:]}")


@test
def bad_input_listed_batch_goes_on(run):
    d = run.folder("bad")
    good = run.copy(os.path.join(ROOT, "captures", "redirect-302-udp.pcapng"), d)
    # gzip-compressed capture: read as it is
    subprocess.run(["gzip", "-k", "-n", good], check=True)
    os.rename(good + ".gz", os.path.join(d, "compressed.pcapng.gz"))
    run.own(os.path.join(d, "compressed.pcapng.gz"))
    # corrupted: cut in the middle of a packet, after the first 302 and its retry
    src = os.path.join(ROOT, "captures", "session-timer-422.pcapng")
    with open(src, "rb") as fh:
        data = fh.read()
    with open(os.path.join(d, "cut.pcapng"), "wb") as fh:
        fh.write(data[:len(data) * 2 // 3])
    open(os.path.join(d, "empty.pcap"), "wb").close()
    with open(os.path.join(d, "notes.pcap"), "w") as fh:
        fh.write("this is a text file someone named .pcap\n" * 20)
    sippcap.write_pcap(os.path.join(d, "no-sip.pcap"),
                       [(b"not sip %d" % i, ("10.0.0.1", 9999), ("10.0.0.2", 9999))
                        for i in range(20)])
    secret = os.path.join(d, "secret.pcapng")
    shutil.copy(src, secret)
    run.own(d)
    if run.as_root:
        os.chown(secret, 0, 0)  # the unprivileged runner may not read it
    os.chmod(secret, 0o000)  # unreadable to its owner too (run without root)
    with open(os.path.join(d, "README.txt"), "w") as fh:
        fh.write("not a capture name: left out of a folder scan\n")
    out = os.path.join(run.env.home, "out-bad")
    rc, stdout, stderr = run.run([d, os.path.join(d, "missing.pcapng"), "-o", out])
    eq(rc, 1, f"exit status with bad files (stderr: {stderr[-500:]})")
    recs, files, _ = read_out(out)

    def reason(name):
        return files[os.path.join(d, name)]["reason"]

    eq(files[os.path.join(d, "redirect-302-udp.pcapng")]["status"], "ok", "good file")
    eq(files[os.path.join(d, "compressed.pcapng.gz")]["status"], "ok", "gzip file")
    check(reason("cut.pcapng").startswith("truncated"), f"cut file: {reason('cut.pcapng')}")
    check(reason("empty.pcap").startswith("empty"), f"empty: {reason('empty.pcap')}")
    check("not a capture" in reason("notes.pcap"), f"text: {reason('notes.pcap')}")
    check(reason("no-sip.pcap").startswith("no SIP"), f"no SIP: {reason('no-sip.pcap')}")
    check(reason("secret.pcapng").startswith("unreadable"), f"unreadable: {reason('secret.pcapng')}")
    check(reason("missing.pcapng").startswith("missing"), f"missing: {reason('missing.pcapng')}")
    check(os.path.join(d, "README.txt") not in files, "README.txt left out")
    per = {}
    for r in recs:
        per.setdefault(os.path.basename(r["file"]), []).append(r)
    eq(len(per.get("redirect-302-udp.pcapng", [])), 5, "records of the good file")
    eq(len(per.get("compressed.pcapng.gz", [])), 5, "records of the gzip file")
    check(per.get("cut.pcapng"), "records read before the cut are kept")
    check("Failed files (6)" in stdout, f"failed files listed on the terminal:\n{stdout}")


@test
def resumed_run_skips_unchanged_files(run):
    d = bundled_folder(run, "resume")
    out = os.path.join(run.env.home, "out-resume")
    rc, stdout, _ = run.run([d, "-o", out])
    eq(rc, 0, "first run")
    check(f"0 reused from an earlier run, {len(CAPTURES)} run now" in stdout, stdout[:300])
    first, _, _ = read_out(out)
    rc, stdout, _ = run.run([d, "-o", out])
    check(f"{len(CAPTURES)} reused from an earlier run, 0 run now" in stdout,
          f"second run reuses everything:\n{stdout[:300]}")
    second, _, _ = read_out(out)
    eq(key(second), key(first), "same records from saved results")
    # one file replaced by another capture (same name), one added: only those two run again
    changed = os.path.join(d, "mixed-call.pcapng")
    shutil.copy(os.path.join(ROOT, "captures", "publish-412.pcapng"), changed)
    run.own(changed)
    run.copy(os.path.join(ROOT, "captures", "redirect-302-udp.pcapng"), d, "new.pcapng")
    rc, stdout, _ = run.run([d, "-o", out])
    check(f"{len(CAPTURES) - 1} reused from an earlier run, 2 run now" in stdout,
          f"third run: only the changed and the new file:\n{stdout[:300]}")
    third, files, _ = read_out(out)
    mixed = [r for r in third if r["file"] == changed]
    eq(sorted(r["code"] for r in mixed), [412] * 4, "the replaced file's new content is read")
    eq(len([r for r in third if r["file"].endswith("/new.pcapng")]), 5, "the new file")
    # an interrupted run keeps what finished: kill the tool after its first saved result
    out2 = os.path.join(run.env.home, "out-interrupted")
    big = run.folder("resume-many")
    for i in range(6):
        run.copy(CAPTURES[i % len(CAPTURES)], big, f"f{i:02d}.pcapng")
    env = {"HOME": run.env.home, "PATH": "/usr/bin:/bin", "TMPDIR": run.env.home}
    if run.env.global_override:
        env["WIRESHARK_PLUGIN_DIR"] = run.env.global_override
    cmd = ["/usr/bin/python3", run.tool, big, "-o", out2, "-j", "1"]
    if run.as_root:
        cmd = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"] + cmd
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    state = os.path.join(out2, ".state")
    deadline = time.time() + 120
    while time.time() < deadline:
        done = glob.glob(os.path.join(state, "*.json")) if os.path.isdir(state) else []
        if len(done) >= 1:
            break
        time.sleep(0.05)
    os.killpg(p.pid, signal.SIGTERM)
    p.wait(timeout=30)
    saved = len(glob.glob(os.path.join(state, "*.json")))
    check(1 <= saved < 6, f"results saved before the interruption: {saved}")
    rc, stdout, _ = run.run([big, "-o", out2])
    eq(rc, 0, "run after the interruption")
    check(f"{saved} reused from an earlier run, {6 - saved} run now" in stdout,
          f"the rerun finishes the rest ({saved} saved):\n{stdout[:300]}")


@test
def progress_bar_on_a_terminal_only(run):
    d = run.folder("progress")
    for c in CAPTURES[:3]:
        run.copy(c, d)
    rc, _, err = run.run([d, "-o", os.path.join(run.env.home, "out-progress"), "--force"],
                         tty=True)
    eq(rc, 0, "exit status")
    check("\r[" in err and "3/3 files" in err, f"progress bar on the terminal: {err[-300:]!r}")


def make_ring(run, name):
    """A ring buffer as dumpcap writes it: redirect-302-udp.pcapng cut every 27 packets, so the
    302 of frame 26 is in the first file and its retry (frame 28) in the second."""
    d = run.folder(name)
    subprocess.run(["editcap", "-c", "27", os.path.join(ROOT, "captures",
                                                        "redirect-302-udp.pcapng"),
                    os.path.join(d, "ring.pcapng")], check=True, capture_output=True)
    parts = sorted(glob.glob(os.path.join(d, "ring_*.pcapng")))
    eq(len(parts), 2, "ring buffer files")
    run.own(d)
    return d, parts


@test
def ring_buffer_merge(run):
    d, parts = make_ring(run, "ring")
    out = os.path.join(run.env.home, "out-ring")
    rc, _, err = run.run([d, "-o", out])
    eq(rc, 0, f"exit status ({err[-300:]})")
    recs, _, _ = read_out(out)
    r = [x for x in recs if x["file"] == parts[0] and x["frame"] == 26]
    eq(len(r), 1, "the 302 of the first file")
    eq((r[0]["outcome"], (r[0]["edge"] or {}).get("side")), ("not followed", "end"),
       "without --merge: not followed, marked at the file edge")
    out = os.path.join(run.env.home, "out-ring-merged")
    rc, stdout, err = run.run([d, "-o", out, "--merge"])
    eq(rc, 0, f"exit status with --merge ({err[-300:]})")
    recs, _, _ = read_out(out)
    r = [x for x in recs if x["file"] == parts[0] and x["frame"] == 26]
    eq(len(r), 1, "the 302 of the first file, merged")
    eq((r[0]["outcome"], r[0]["edge"]), ("wrong fix", None), "with --merge: the retry is found")
    eq((r[0]["followup"]["frame"], r[0]["followup"].get("file")), (1, parts[1]),
       "the follow-up is frame 1 of the second file")
    # the merged run reports the same responses as the single capture, each in its own file
    whole = [x for x in bundled_records(run)[1] if x["file"].endswith("/redirect-302-udp.pcapng")]
    eq(sorted((x["code"], x["outcome"]) for x in recs),
       sorted((x["code"], x["outcome"]) for x in whole), "merged ring = the whole capture")
    eq(sorted(x["frame"] + (27 if x["file"] == parts[1] else 0) for x in recs),
       sorted(x["frame"] for x in whole), "frame numbers mapped back to each file")


@test
def agent_and_summary_fields_preferred_when_the_plugin_has_them(run):
    # The plugin may gain sipdiag.client.agent / sipdiag.server.agent / sipdiag.summary: the
    # report then takes them instead of joining the request's User-Agent. Fed one tshark row in
    # the report's own field order (the fields this plugin lacks are the only made-up part).
    import importlib.machinery
    import importlib.util
    loader = importlib.machinery.SourceFileLoader("sipdiag_report", TOOL)
    spec = importlib.util.spec_from_loader("sipdiag_report", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    fields = mod.BASE_FIELDS + mod.OPTIONAL_FIELDS
    vals = {"frame.number": "2", "frame.time_epoch": "1700000000.5", "frame.time_relative": "0.5",
            "ip.src": "192.0.2.1", "ip.dst": "192.0.2.2", "udp.srcport": "5060",
            "udp.dstport": "5070", "sip.Call-ID": "c1", "sip.Server": "header-server",
            "sipdiag.code": "302", "sipdiag.request_frame": "1", "sipdiag.outcome": "4",
            "sipdiag.retransmission": "0", "sipdiag.summary": "302 not followed by the client",
            "sipdiag.client.agent": "plugin-client", "sipdiag.server.agent": "plugin-server"}
    req = {"frame.number": "1", "frame.time_epoch": "1700000000.0", "sipdiag.response_code": "302",
           "sip.User-Agent": "header-client"}
    rows = ["\t".join(r.get(f, "") for f in fields) for r in (req, vals)]
    block = {"rows": rows, "stats": {"frames": 2, "sip_frames": 2, "duration": 100.0},
             "err": [], "rc": 0}
    recs, _ = mod.build_records("/x.pcap", block, fields, {"window": 32})
    eq([(r["client"]["agent"], r["server"]["agent"], r["summary"]) for r in recs],
       [("plugin-client", "plugin-server", "302 not followed by the client")], "plugin fields")
    # the same row without those columns: the request's User-Agent and the Server header
    rows = ["\t".join(r.get(f, "") for f in mod.BASE_FIELDS) for r in (req, vals)]
    block["rows"] = rows
    recs, _ = mod.build_records("/x.pcap", block, mod.BASE_FIELDS, {"window": 32})
    eq([(r["client"]["agent"], r["server"]["agent"], r["summary"]) for r in recs],
       [("header-client", "header-server", None)], "SIP headers")
    eq((recs[0]["outcome"], recs[0]["edge"]), ("not followed", None),
       "not followed 99.5 s before the end: no edge mark")


# ------------------------------------------------------------------------------------------------
# The second "machine": a throwaway user reached through a private sshd on a loopback port.


class SshMachine:
    def __init__(self, plugin_so, runner):
        self.dir = tempfile.mkdtemp(prefix="sipdiag-report-ssh-")
        os.chmod(self.dir, 0o755)
        self.user = "sdrep" + secrets.token_hex(4)
        self.home = os.path.join(self.dir, "home")
        self.proc = None
        subprocess.run(["useradd", "-M", "-d", self.home, "-s", "/bin/sh", self.user],
                       check=True)
        # a locked account ('!') may not log in by key without PAM; '*' is "no password"
        subprocess.run(["usermod", "-p", "*", self.user], check=True)
        pw = pwd.getpwnam(self.user)
        release = TsharkEnv._release()
        plugdir = os.path.join(self.home, ".local", "lib", "wireshark", "plugins", release,
                               "epan")
        os.makedirs(plugdir)
        shutil.copy(plugin_so, os.path.join(plugdir, "sipdiag.so"))
        ssh = os.path.join(self.home, ".ssh")
        os.makedirs(ssh)
        key = os.path.join(self.dir, "client_key")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
        shutil.copy(key + ".pub", os.path.join(ssh, "authorized_keys"))
        if runner.env.global_override:
            # sipdiag also installed globally: the remote tshark must see only the copy under test
            shadow = os.path.join(self.home, "global-plugins")
            shutil.copytree(runner.env.global_override, shadow, symlinks=True)
            with open(os.path.join(ssh, "environment"), "w") as fh:
                fh.write(f"WIRESHARK_PLUGIN_DIR={shadow}\n")
        for root, dirs, files in os.walk(self.home):
            os.chown(root, pw.pw_uid, pw.pw_gid)
            for f in files:
                os.chown(os.path.join(root, f), pw.pw_uid, pw.pw_gid)
        os.chmod(self.home, 0o700)
        os.chmod(os.path.join(ssh, "authorized_keys"), 0o600)
        runner.own(key)
        os.chmod(key, 0o600)
        hostkey = os.path.join(self.dir, "host_key")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostkey],
                       check=True)
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        cfg = os.path.join(self.dir, "sshd_config")
        with open(cfg, "w") as fh:
            fh.write(f"""Port {self.port}
ListenAddress 127.0.0.1
HostKey {hostkey}
PidFile {self.dir}/sshd.pid
AuthorizedKeysFile .ssh/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin no
PermitUserEnvironment yes
AllowUsers {self.user}
StrictModes yes
LogLevel ERROR
""")
        self.client_cfg = os.path.join(self.dir, "ssh_config")
        with open(self.client_cfg, "w") as fh:
            fh.write(f"""Host 127.0.0.1
    Port {self.port}
    User {self.user}
    IdentityFile {key}
    IdentitiesOnly yes
    UserKnownHostsFile {self.dir}/known_hosts
    StrictHostKeyChecking no
    BatchMode yes
    LogLevel ERROR
""")
        open(os.path.join(self.dir, "known_hosts"), "w").close()
        runner.own(os.path.join(self.dir, "known_hosts"))
        os.chmod(self.client_cfg, 0o644)
        os.makedirs("/run/sshd", exist_ok=True)  # sshd's privilege separation folder
        self.proc = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", cfg],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                if self.proc.poll() is not None:
                    raise Failure(f"sshd exited: {self.proc.stderr.read().decode()}")
                time.sleep(0.05)

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        # the user's processes (sshd sessions) end with sshd; then the account goes
        subprocess.run(["userdel", self.user], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


@test
def two_machines_over_ssh(run):
    if not run.as_root:
        raise Skip("needs root (a throwaway user and sshd); run as root to include it")
    m = SshMachine(run.so, run)
    try:
        d = run.folder("ssh-caps")
        for c in CAPTURES:
            run.copy(c, d)
        # the remote user cannot read the captures: GNU parallel must transfer them
        os.chmod(d, 0o700)
        logins = os.path.join(run.env.home, "sshlogins")
        with open(logins, "w") as fh:
            fh.write(f"1/:\n1/{m.user}@127.0.0.1\n")
        run.own(logins)
        out = os.path.join(run.env.home, "out-ssh")
        rc, stdout, err = run.run([d, "-o", out, "--sshloginfile", logins,
                                   "--ssh", f"ssh -F {m.client_cfg}"])
        eq(rc, 0, f"exit status (stderr: {err[-800:]})")
        recs, files, _ = read_out(out)
        workers = {row["worker"].split("@")[0] for row in files.values()}
        eq(workers, {pwd.getpwuid(NOBODY).pw_name, m.user}, "users that ran jobs")
        eq(key(recs), key(bundled_records(run)[1]), "same records as the local run")
        leftover = glob.glob(os.path.join(m.home, ".parallel", "tmp", "*", "*.pcapng"))
        eq(leftover, [], "transferred captures removed from the remote machine")
        # --merge over ssh: the neighbours' edges travel with each file
        ring, parts = make_ring(run, "ssh-ring")
        os.chmod(ring, 0o700)
        out = os.path.join(run.env.home, "out-ssh-ring")
        rc, _, err = run.run([ring, "-o", out, "--merge", "--sshlogin", f"1/{m.user}@127.0.0.1",
                              "--ssh", f"ssh -F {m.client_cfg}"])
        eq(rc, 0, f"exit status, --merge over ssh (stderr: {err[-800:]})")
        recs, files, _ = read_out(out)
        eq({row["worker"].split("@")[0] for row in files.values()}, {m.user},
           "the remote user ran the merged jobs")
        r = [x for x in recs if x["file"] == parts[0] and x["frame"] == 26]
        eq((len(r), r[0]["outcome"] if r else None, (r[0]["followup"] or {}).get("file")
            if r else None), (1, "wrong fix", parts[1]),
           "the retry in the next file is found on the remote machine")
    finally:
        m.cleanup()


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    so, only = args[0], None
    if len(args) >= 3 and args[1] == "-k":
        only = args[2]
    env = TsharkEnv(so)
    run = Runner(env)
    run.so = so
    passed = failed = skipped = 0
    t0 = time.time()
    try:
        for fn in TESTS:
            if only and only not in fn.__name__:
                continue
            t = time.time()
            try:
                fn(run)
                passed += 1
                print(f"PASS {fn.__name__} ({time.time() - t:.1f} s)", flush=True)
            except Skip as e:
                skipped += 1
                print(f"SKIP {fn.__name__}: {e}", flush=True)
            except Exception:  # noqa: BLE001 - report every failure and go on
                failed += 1
                print(f"FAIL {fn.__name__} ({time.time() - t:.1f} s)", flush=True)
                traceback.print_exc()
    finally:
        env.cleanup()
    print(f"report tests: {time.time() - t0:.0f} s")
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
