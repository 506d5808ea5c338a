#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Robustness run of sipdiag in the real tshark: hostile captures, bounded work and memory,
mutated captures.

Usage: run.py [--quick] [options] PLUGIN_SO

1. Hostile captures (hostile_tcp.py): single pass and -2 with -T fields, every expectation of the
   capture (expert infos, the trailing ordinary exchange); -V and -2 -V (output streamed and
   scanned, never stored): exit code 0, no "Dissector bug", no malformed SIPDIAG, no sanitizer
   report; and the plugin may cost at most --max-ratio (3x) the CPU time (user+sys) of the same
   tshark -2 -V without it.
2. Bounded memory: N distinct Call-IDs, one unanswered INVITE each (UDP), single pass with and
   without the plugin: peak RSS (/usr/bin/time %M), plugin cost per request, bounded, CPU ratio;
   the trailing exchange is still diagnosed (single pass and -2). Full mode also runs N/2 and
   bounds the marginal cost per request between N/2 and N. Then the memory per diagnosed response
   (REGISTER/401 pairs; 302s with more and longer Contacts than the plugin keeps).
3. Mutations: editcap -E (random byte errors, several probabilities and seeds, with and without
   -o to spare the link/IP/UDP headers), editcap -s (snap lengths) and raw file cuts of the
   bundled captures, the public corpus and the small hostile captures; tshark -2 -V over each:
   exit code 0 (or 2 with tshark's own complaint about the file), no crash signal, no sanitizer
   report, no Dissector bug / malformed packet in SIPDIAG.

With SIPDIAG_PRELOAD set (sanitized plugin, see tests/e2e/tshark_env.py) the time ratios and the
memory bounds are printed but not enforced (the sanitizer itself costs 2-4x in time and adds
redzones and a quarantine to every allocation). Exit status: 0 when everything passed.
Prints "robustness: N passed, M failed" at the end.
"""

import argparse
import concurrent.futures
import glob
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
sys.path.insert(0, HERE)

import tshark_env  # noqa: E402
from tshark_env import BOOLS, TsharkEnv, public_captures  # noqa: E402
import hostile_tcp  # noqa: E402

SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer")
# tshark exits 2 (INVALID_FILE) when the capture file itself is bad; these are its messages.
FILE_ERRORS = re.compile(r"appears to have been cut short|appears to be damaged or corrupt|"
                         r"isn't a capture file|bigger than the maximum|unknown file format|"
                         r"is not a capture file|has a packet larger than")
DECODE_AS = {"sip_ipv4_tcp_fragmented.pcap": ["-d", "tcp.port==6060,sip"]}
STOP = threading.Event()  # set on SIGTERM / ^C: runs still going are not judged
ACTIVE = set()  # tshark process groups running now


def kill_group(p):
    try:
        os.killpg(p.pid, 9)
    except (ProcessLookupError, PermissionError):
        pass


def stop_all():
    STOP.set()
    for p in list(ACTIVE):
        kill_group(p)


# ---------------------------------------------------------------------------------------------
# Results


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = []
        self.notes = []
        self.lock = threading.Lock()

    def ok(self, what, detail=""):
        with self.lock:
            self.passed += 1
        if detail:
            print(f"  ok    {what}: {detail}", flush=True)

    def fail(self, what, detail):
        with self.lock:
            self.failed.append((what, detail))
        print(f"  FAIL  {what}: {detail}", flush=True)

    def check(self, cond, what, detail=""):
        (self.ok if cond else self.fail)(what, detail)
        return cond

    def note(self, text):
        with self.lock:
            self.notes.append(text)
        print(f"  note  {text}", flush=True)


# ---------------------------------------------------------------------------------------------
# Running tshark like TsharkEnv.run, plus CPU time / peak RSS and a streamed scan of stdout


class Run:
    def __init__(self):
        self.rc = None
        self.signal = None
        self.stderr = ""
        self.cpu = None   # user + sys seconds
        self.wall = None
        self.rss_kb = None
        self.bugs = []    # "Dissector bug" lines of the output
        self.sipdiag_malformed = []  # malformed / exception lines that name SIPDIAG
        self.timed_out = False
        self.stdout = b""

    def sanitizer(self):
        return [m for m in SANITIZER_MARKERS if m in self.stderr]


_LAUNCH = {}


def launch_recipe(env):
    """The command prefix, environment and working directory TsharkEnv.run uses (setpriv to uid
    65534, HOME with the personal plugin folder, sanitizer preload, extcap and global-plugin
    overrides...), asked from TsharkEnv itself so that this file follows tests/e2e/tshark_env.py.
    Called once per env from the main thread, before any parallel run."""
    if id(env) not in _LAUNCH:
        seen = {}

        def record(cmd, **kw):
            seen.update(cmd=list(cmd), env=dict(kw.get("env") or {}), cwd=kw.get("cwd"))
            return subprocess.CompletedProcess(cmd, 0, "", "")

        real = tshark_env.subprocess.run
        tshark_env.subprocess.run = record
        try:
            env.run(["@ARGS@"], check=False)
        finally:
            tshark_env.subprocess.run = real
        assert seen["cmd"][-1] == "@ARGS@" and "tshark" in seen["cmd"], seen
        _LAUNCH[id(env)] = (seen["cmd"][:-1], seen["env"], seen["cwd"])
    return _LAUNCH[id(env)]


def run_tshark(env, args, keep_stdout=False, timeout=600, measure=False):
    """Runs tshark as TsharkEnv.run would. keep_stdout: return the output; otherwise it is
    streamed and only scanned for exception lines (so -V of a huge capture costs nothing)."""
    prefix, penv, cwd = launch_recipe(env)
    cmd = prefix + list(args)
    tfile = None
    if measure:
        fd, tfile = tempfile.mkstemp(prefix="sipdiag-time-")
        os.close(fd)
        cmd = ["/usr/bin/time", "-f", "%U %S %e %M", "-o", tfile] + cmd
    r = Run()
    with tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        # its own process group, so that a timeout also ends what tshark started (extcap
        # helpers: with a sanitizer preloaded they used to hang and outlive a killed tshark)
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err,
                             env=penv, cwd=cwd or env.home, start_new_session=True)
        ACTIVE.add(p)
        timer = threading.Timer(timeout, lambda: (setattr(r, "timed_out", True), kill_group(p)))
        timer.start()
        chunks = []
        carry = b""
        try:
            while True:
                chunk = p.stdout.read(1 << 20)
                if not chunk:
                    break
                if keep_stdout:
                    chunks.append(chunk)
                data = carry + chunk
                cut = data.rfind(b"\n") + 1
                body, carry = data[:cut], data[cut:]
                _scan(body, r)
            _scan(carry, r)
            rc = p.wait()
        finally:
            timer.cancel()
            ACTIVE.discard(p)
        r.wall = time.monotonic() - t0
        err.seek(0)
        r.stderr = err.read().decode("utf-8", "replace")
    r.stdout = b"".join(chunks)
    if tfile:
        with open(tfile) as f:
            lines = [l.strip() for l in f if l.strip()]
        os.remove(tfile)
        for l in lines:
            m = re.match(r"Command terminated by signal (\d+)", l)
            if m:
                r.signal = int(m.group(1))
            m = re.match(r"Command exited with non-zero status (\d+)", l)
            if m:
                rc = int(m.group(1))
        if lines and re.match(r"^[\d.]+ [\d.]+ [\d.]+ \d+$", lines[-1]):
            u, s, e, kb = lines[-1].split()
            r.cpu, r.rss_kb = float(u) + float(s), int(kb)
    if rc < 0:
        r.signal = -rc
    r.rc = rc
    return r


def _scan(body, r):
    if b"Dissector bug" not in body and b"SIPDIAG" not in body and b"sipdiag" not in body:
        return
    for line in body.split(b"\n"):
        if b"Dissector bug" in line:
            r.bugs.append(line.strip().decode("utf-8", "replace")[:300])
        if (b"Malformed Packet: SIPDIAG" in line or b"protocol SIPDIAG" in line
                or b"Dissector bug, protocol sipdiag" in line.lower()):
            r.sipdiag_malformed.append(line.strip().decode("utf-8", "replace")[:300])


def run_problems(r, allow_rc=(0,), baseline=None):
    """What is wrong with a run (empty list when fine)."""
    probs = []
    if r.timed_out:
        probs.append("timed out")
    if r.signal:
        probs.append(f"killed by signal {r.signal}")
    elif r.rc not in allow_rc:
        probs.append(f"exit code {r.rc}: {r.stderr.strip()[-500:]}")
    elif r.rc == 2 and not FILE_ERRORS.search(r.stderr):
        probs.append(f"exit code 2 without a file error: {r.stderr.strip()[-500:]}")
    san = r.sanitizer()
    if san:
        probs.append(f"sanitizer report ({', '.join(san)}): {r.stderr[-3000:]}")
    if r.sipdiag_malformed:
        probs.append(f"exception in SIPDIAG: {r.sipdiag_malformed[:3]}")
    bugs = set(r.bugs) - set(baseline.bugs if baseline else [])
    if bugs:
        probs.append(f"Dissector bug: {sorted(bugs)[:3]}")
    return probs


def parse_fields(out, fields):
    rows = {}
    for line in out.decode("utf-8", "replace").splitlines():
        cols = line.split("\t")
        try:
            frame = int(cols[0])
        except ValueError:
            continue
        row = {}
        for name, value in zip(fields, cols[1:]):
            row[name] = [BOOLS.get(v, v) for v in value.split("\x1f")] if value != "" else []
        rows[frame] = row
    return rows


def fields_run(env, path, fields, two_pass, display_filter="sipdiag", extra=(), measure=False):
    args = ["-r", path, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a",
            "-E", "aggregator=\x1f", "-e", "frame.number"]
    for f in fields:
        args += ["-e", f]
    if display_filter:
        args += ["-Y", display_filter]
    if two_pass:
        args.insert(0, "-2")
    args += list(extra)
    r = run_tshark(env, args, keep_stdout=True, measure=measure)
    return r, parse_fields(r.stdout, fields)


def check_expects(res, label, rows, expects, two_pass):
    want = "2" if two_pass else "1"
    bad = []
    n = 0
    for e in expects:
        if want not in e.passes:
            continue
        n += 1
        frames = e.frame if isinstance(e.frame, tuple) else (e.frame,)
        candidates = [rows.get(f, {}).get(e.field, []) for f in frames]
        values = next((v for v in candidates if e.check(v)), candidates[-1])
        if e.check(values):
            res.ok(f"{label}: {e}")
        else:
            got = e.explain(values) if hasattr(e, "explain") else \
                f"{values[:6]!r}{' ...' if len(values) > 6 else ''}"
            bad.append(f"{e} -> got {got}")
            res.fail(f"{label}", f"{e} -> got {got}")
    return n, bad


# ---------------------------------------------------------------------------------------------
# 1. Hostile captures


def hostile(res, env, base, cases, max_ratio, enforce_ratio):
    print("\n== hostile captures (hostile_tcp.py)", flush=True)
    table = []
    for name, case in cases.items():
        if name.startswith("callids_"):
            continue
        print(f"-- {name}: {case.what}", flush=True)
        fields = sorted({e.field for e in case.expects})
        for two_pass in (False, True):
            label = f"{name} {'-2' if two_pass else 'single pass'}"
            r, rows = fields_run(env, case.path, fields, two_pass)
            probs = run_problems(r)
            if not res.check(not probs, f"{label} run", "; ".join(probs)):
                continue
            n, bad = check_expects(res, label, rows, case.expects, two_pass)
            if not bad:
                print(f"  ok    {label}: {n} expectations", flush=True)
        # -2 -V, with and without the plugin: exceptions, sanitizer, CPU time.
        vargs = ["-2", "-V", "-r", case.path]
        rb = run_tshark(base, vargs, measure=True)
        rp = run_tshark(env, vargs, measure=True)
        if rp.cpu and rb.cpu and rp.cpu / rb.cpu > max_ratio:  # noisy machine: measure again
            rb2 = run_tshark(base, vargs, measure=True)
            rp2 = run_tshark(env, vargs, measure=True)
            rb.cpu, rp.cpu = min(rb.cpu, rb2.cpu or 1e9), min(rp.cpu, rp2.cpu or 1e9)
        res.check(not run_problems(rb), f"{name} -2 -V without the plugin",
                  "; ".join(run_problems(rb)))
        probs = run_problems(rp, baseline=rb)
        res.check(not probs, f"{name} -2 -V with the plugin", "; ".join(probs))
        # single pass -V: the trees rendered before the capture is complete ("pending")
        r1 = run_tshark(env, ["-V", "-r", case.path])
        probs = run_problems(r1, baseline=rb)
        res.check(not probs, f"{name} -V (single pass) with the plugin", "; ".join(probs))
        if rb.bugs:
            res.note(f"{name}: Wireshark's own Dissector bug without the plugin: {rb.bugs[:2]}")
        if rp.cpu is not None and rb.cpu:
            ratio = rp.cpu / rb.cpu
            table.append((name, rb.cpu, rp.cpu, ratio))
            detail = f"CPU {rb.cpu:.2f} s without, {rp.cpu:.2f} s with the plugin: x{ratio:.2f}"
            if enforce_ratio:
                res.check(ratio <= max_ratio, f"{name} bounded work (<= x{max_ratio})", detail)
            else:
                print(f"  info  {name}: {detail} (sanitized: not enforced)", flush=True)
    print("\n  bounded work, tshark -2 -V (CPU user+sys seconds):")
    print(f"  {'capture':<22} {'without':>9} {'with':>9} {'ratio':>7}")
    for name, b, p, ratio in table:
        print(f"  {name:<22} {b:>9.2f} {p:>9.2f} {ratio:>7.2f}")
    return table


# ---------------------------------------------------------------------------------------------
# 2. Bounded memory


def measure_pair(res, size, rb, rp, measured, bytes_per_request, table_mib, max_ratio):
    ok = res.check(not run_problems(rb), f"callids {size} single pass without the plugin",
                   "; ".join(run_problems(rb)))
    probs = run_problems(rp)
    ok &= res.check(not probs, f"callids {size} single pass with the plugin", "; ".join(probs))
    if not ok or rb.rss_kb is None or rp.rss_kb is None:
        return False
    extra = (rp.rss_kb - rb.rss_kb) * 1024
    per = extra / size
    bound = bytes_per_request * size + table_mib * 1024 * 1024
    ratio = rp.cpu / rb.cpu
    measured[size] = (rb.rss_kb, rp.rss_kb)
    print(f"  peak RSS {rb.rss_kb / 1024:.0f} MiB without, {rp.rss_kb / 1024:.0f} MiB with the "
          f"plugin: +{extra / 2**20:.0f} MiB = {per:.0f} bytes per request", flush=True)
    res.check(extra <= bound,
              f"callids {size} plugin memory <= {bytes_per_request} B x requests + "
              f"{table_mib} MiB of bounded tables ({bound / 2**20:.0f} MiB)",
              f"+{extra / 2**20:.0f} MiB")
    res.check(ratio <= max_ratio, f"callids {size} bounded work (<= x{max_ratio})",
              f"CPU {rb.cpu:.1f} s without, {rp.cpu:.1f} s with the plugin: x{ratio:.2f}")
    return True


def million(res, env, base, workdir, n, full, max_ratio, enforce_ratio, bytes_per_request,
            table_mib, max_marginal):
    print(f"\n== bounded memory: {n:,} distinct Call-IDs, one unanswered INVITE each", flush=True)
    # sanitized (nothing enforced): one size, only the -T fields runs (crashes, reports)
    sizes = [n // 2, n] if full and enforce_ratio else [n]
    measured = {}
    for size in sizes:
        t0 = time.monotonic()
        case = hostile_tcp.write_million(workdir, size)
        print(f"-- {os.path.basename(case.path)}: {os.path.getsize(case.path):,} bytes, written in "
              f"{time.monotonic() - t0:.1f} s", flush=True)
        if enforce_ratio:
            # Plain "tshark -r F" (summary lines, streamed and dropped), the default invocation:
            # without the plugin tshark builds no protocol tree at all, with it it must (the
            # post-dissector wants SIP fields), so this is the plugin's full cost.
            rb = run_tshark(base, ["-r", case.path], measure=True)
            rp = run_tshark(env, ["-r", case.path], measure=True)
            if not measure_pair(res, size, rb, rp, measured, bytes_per_request, table_mib,
                                max_ratio):
                os.remove(case.path)
                continue
        if size == n:
            flt = f"frame.number > {size}"
            fields = sorted({e.field for e in case.expects})
            for two_pass in (False, True):
                label = f"callids {size} {'-2' if two_pass else 'single pass'}"
                r2, rows2 = fields_run(env, case.path, fields, two_pass, display_filter=flt,
                                       measure=True)
                probs = run_problems(r2)
                if res.check(not probs, f"{label} fields run", "; ".join(probs)):
                    n_exp, bad = check_expects(res, label, rows2, case.expects, two_pass)
                    print(f"  {'ok  ' if not bad else 'FAIL'}  {label} -T fields -Y '{flt}': "
                          f"{n_exp} expectations, CPU {r2.cpu:.1f} s, peak RSS "
                          f"{r2.rss_kb / 1024:.0f} MiB", flush=True)
        os.remove(case.path)
    if len(measured) == 2:
        (s1, m1), (s2, m2) = sorted(measured.items())  # (rss without, rss with) in KiB
        marginal = (m2[1] - m1[1] - (m2[0] - m1[0])) * 1024 / (s2 - s1)
        print(f"  marginal plugin cost between {s1:,} and {s2:,} requests: {marginal:.0f} bytes "
              f"per request", flush=True)
        if enforce_ratio:
            res.check(marginal <= max_marginal,
                      f"marginal memory per request (<= {max_marginal} B)", f"{marginal:.0f} bytes")
    return measured


def per_response(res, env, base, workdir, quick, max_ratio, enforce):
    """Memory per diagnosed response (a Detail each, not bounded by the tables): a registration
    scanner's REGISTER/401 pairs, and 302s with more and longer Contacts than the plugin keeps
    (96 of 600 bytes: it keeps 64, URIs cut at 512). Bounds: 2 KiB per 401 (measured ~1.7 KiB at
    100,000 with tables not yet full); 48 KiB per 302 (64 x (160-byte ContactEntry + 513-byte
    URI) + the 896-byte Detail = ~45 KiB, measured ~46 KiB)."""
    n401 = 100_000 if quick else 300_000
    n302 = 1_000 if quick else 3_000
    runs = [("REGISTER/401 pairs", "401", n401, 2048, True,
             lambda: hostile_tcp.write_challenges(workdir, n401)),
            ("INVITE/302 pairs, 96 Contacts of 600 bytes each", "302", n302, 48 * 1024, False,
             lambda: hostile_tcp.write_fat_redirects(workdir, n302, contacts=96, uri_len=600))]
    for what, unit, n, bound, plain_enforced, write in runs:
        print(f"\n== memory per diagnosed response: {n:,} {what}", flush=True)
        path = write()
        if not enforce:  # sanitized: only the plugin run (crashes, reports), nothing measured
            rp = run_tshark(env, ["-r", path])
            probs = run_problems(rp)
            res.check(not probs, f"{unit} x {n} run with the plugin", "; ".join(probs))
            os.remove(path)
            continue
        rb = run_tshark(base, ["-r", path], measure=True)
        rp = run_tshark(env, ["-r", path], measure=True)
        probs = run_problems(rb) + run_problems(rp)
        if not res.check(not probs, f"{unit} x {n} runs", "; ".join(probs)):
            os.remove(path)
            continue
        per = (rp.rss_kb - rb.rss_kb) * 1024 / n
        print(f"  peak RSS {rb.rss_kb / 1024:.0f} MiB without, {rp.rss_kb / 1024:.0f} MiB with the "
              f"plugin: {per:.0f} bytes per {unit}", flush=True)
        label = f"{unit} x {n} plugin memory per {unit} (<= {bound} B)"
        if enforce:
            res.check(per <= bound, label, f"{per:.0f} bytes")
        ratio = rp.cpu / rb.cpu
        detail = (f"tshark -r: CPU {rb.cpu:.2f} s without, {rp.cpu:.2f} s with the plugin: "
                  f"x{ratio:.2f}")
        if enforce and plain_enforced:
            res.check(ratio <= max_ratio, f"{unit} x {n} bounded work (<= x{max_ratio})", detail)
        else:
            print(f"  info  {detail}{'' if enforce else ' (sanitized: not enforced)'}", flush=True)
            if enforce and ratio > max_ratio:
                res.note(f"{n:,} {what}: plain tshark -r is x{ratio:.1f} slower with the plugin "
                         f"(Wireshark must build the wanted SIP field values; -2 -V below)")
            vb = run_tshark(base, ["-2", "-V", "-r", path], measure=True)
            vp = run_tshark(env, ["-2", "-V", "-r", path], measure=True)
            probs = run_problems(vb) + run_problems(vp, baseline=vb)
            if res.check(not probs, f"{unit} x {n} -2 -V runs", "; ".join(probs)) and enforce:
                res.check(vp.cpu / vb.cpu <= max_ratio,
                          f"{unit} x {n} bounded work, -2 -V (<= x{max_ratio})",
                          f"CPU {vb.cpu:.2f} s without, {vp.cpu:.2f} s with the plugin: "
                          f"x{vp.cpu / vb.cpu:.2f}")
        os.remove(path)


# ---------------------------------------------------------------------------------------------
# 3. Mutations


def seeds(workdir, hostile_cases):
    out = sorted(glob.glob(os.path.join(ROOT, "captures", "*.pcapng")))
    out += public_captures()
    # the small hostile captures are SIP-dense seeds too (not the multi-megabyte ones)
    out += [c.path for c in hostile_cases.values()
            if not c.name.startswith("callids_") and os.path.getsize(c.path) < 200_000]
    return out


def make_variant(seed, out, rng):
    """Writes one mutated variant of `seed`; returns the recipe (for the report)."""
    kind = rng.random()
    if kind < 0.70:
        p = rng.choice([0.002, 0.005, 0.01, 0.02, 0.02, 0.05])
        s = rng.randrange(1, 1 << 30)
        cmd = ["editcap", "-E", str(p), "--seed", str(s)]
        if rng.random() < 0.5:
            cmd += ["-o", "42"]  # spare Ethernet/IPv4/UDP: the errors land in SIP
        cmd += [seed, out]
    elif kind < 0.90:
        cmd = ["editcap", "-s", str(rng.choice([54, 60, 80, 120, 200, 300, 400, 600, 1000])),
               seed, out]
    else:
        size = os.path.getsize(seed)
        cut = rng.randrange(24, max(25, size))
        with open(seed, "rb") as src, open(out, "wb") as dst:
            dst.write(src.read(cut))
        os.chmod(out, 0o644)
        return f"head -c {cut} {seed}"
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {p.stderr}")
    os.chmod(out, 0o644)
    return " ".join(cmd[:-2] + [seed, "OUT"])


def mutations(res, env, workdir, seed_files, count, jobs, rng_seed, timeout):
    print(f"\n== mutations: {count} variants of {len(seed_files)} captures, tshark -2 -V, "
          f"{jobs} at a time", flush=True)
    rng = random.Random(rng_seed)
    mdir = os.path.join(workdir, "mutations")
    fdir = os.path.join(workdir, "failures")
    os.makedirs(mdir, exist_ok=True)
    os.chmod(mdir, 0o755)
    plan = [(i, seed_files[i % len(seed_files)], rng.randrange(1 << 30)) for i in range(count)]
    stats = {"rc0": 0, "rc2": 0, "ws_bugs": 0}
    lock = threading.Lock()

    def one(item):
        i, seed, vseed = item
        if STOP.is_set():
            return i
        out = os.path.join(mdir, f"v{i:05d}-{os.path.basename(seed)}")
        if not out.endswith((".pcap", ".pcapng")):
            out += ".pcap"
        recipe = make_variant(seed, out, random.Random(vseed))
        args = ["-2", "-V", "-r", out] + DECODE_AS.get(os.path.basename(seed), [])
        r = run_tshark(env, args, timeout=timeout)
        if STOP.is_set():  # interrupted: the signal may have reached this tshark too
            os.remove(out)
            return i
        probs = run_problems(r, allow_rc=(0, 2))
        # Wireshark's own dissector bugs are not ours, but are worth knowing.
        ws_bugs = [b for b in r.bugs if "SIPDIAG" not in b]
        probs = [p for p in probs if not p.startswith("Dissector bug")] + \
            ([f"Dissector bug: {[b for b in r.bugs if 'SIPDIAG' in b][:3]}"]
             if any("SIPDIAG" in b for b in r.bugs) else [])
        key = {0: "rc0", 2: "rc2"}.get(r.rc, "other")
        with lock:
            stats[key] = stats.get(key, 0) + 1
            if ws_bugs:
                stats["ws_bugs"] += 1
                for b in ws_bugs:
                    m = re.search(r"Dissector bug, protocol ([^:]+)", b)
                    proto = m.group(1) if m else "?"
                    stats.setdefault("ws_protos", {}).setdefault(proto, os.path.basename(out))
        if probs:
            os.makedirs(fdir, exist_ok=True)
            kept = os.path.join(fdir, os.path.basename(out))
            shutil.copy(out, kept)
            res.fail(f"mutation {os.path.basename(out)}",
                     f"{'; '.join(probs)} [recipe: {recipe}; kept as {kept}]")
        else:
            res.ok(f"mutation {os.path.basename(out)}")
            os.remove(out)
        return i

    t0 = time.monotonic()
    done = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        for _ in ex.map(one, plan):
            done += 1
            if done % 50 == 0 or done == count:
                print(f"  {done}/{count} variants, {time.monotonic() - t0:.0f} s", flush=True)
    print(f"  exit codes: {stats.get('rc0', 0)} x 0, {stats.get('rc2', 0)} x 2 (file errors), "
          f"{stats.get('other', 0)} other; {stats['ws_bugs']} variant(s) with a Dissector bug of "
          f"Wireshark's own (not counted)"
          + (f": {', '.join(f'{p} (e.g. {v})' for p, v in stats['ws_protos'].items())}"
             if stats.get("ws_protos") else ""), flush=True)
    return stats


# ---------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("plugin_so")
    ap.add_argument("--quick", action="store_true",
                    help="a few minutes: smaller captures, 200 mutated variants")
    ap.add_argument("--variants", type=int, help="mutated variants (quick 200, full 3000)")
    ap.add_argument("--million", type=int, help="Call-IDs for the memory check (quick 300000, "
                                                "full 1000000; 0 skips it)")
    ap.add_argument("--jobs", type=int, default=2, help="parallel tshark runs for the mutations")
    ap.add_argument("--seed", type=int, default=20240501, help="seed of the mutation plan")
    ap.add_argument("--max-ratio", type=float, default=3.0,
                    help="allowed CPU time with / without the plugin")
    ap.add_argument("--bytes-per-request", type=int, default=160,
                    help="allowed plugin peak-RSS cost per request in the Call-ID capture, on top "
                         "of --table-mib (a 48-byte Record, vector growth: up to 1.5x2x)")
    ap.add_argument("--table-mib", type=int, default=128,
                    help="allowance for the bounded tables (262,144 transactions, ...)")
    ap.add_argument("--max-marginal", type=int, default=128,
                    help="allowed marginal cost per request between N/2 and N (full mode)")
    ap.add_argument("--skip", action="append", default=[],
                    choices=["hostile", "memory", "mutations"], help="leave a part out")
    ap.add_argument("--workdir", help="write and keep the captures here (default: a temp dir, "
                                      "removed at the end but for failing mutated captures)")
    a = ap.parse_args()
    if not os.path.isfile(a.plugin_so):
        ap.error(f"{a.plugin_so}: no such file")
    full = not a.quick
    variants = a.variants if a.variants is not None else (3000 if full else 200)
    n_million = a.million if a.million is not None else (1_000_000 if full else 300_000)
    sanitized = bool(os.environ.get("SIPDIAG_PRELOAD"))
    timeout = 600 if sanitized else 300

    workdir = a.workdir or tempfile.mkdtemp(prefix="sipdiag-robustness-")
    os.makedirs(workdir, exist_ok=True)
    os.chmod(workdir, 0o755)
    env = TsharkEnv(a.plugin_so)
    base = TsharkEnv(a.plugin_so)
    os.remove(os.path.join(base.plugin_dir, "sipdiag.so"))
    res = Results()
    t_start = time.monotonic()
    launch_recipe(env)
    launch_recipe(base)
    # A SIGTERM (a CI timeout) ends the run like ^C: the temporary files go, the summary is printed.
    def on_term(*_):
        stop_all()
        raise KeyboardInterrupt()
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    interrupted = False
    try:
        listed = run_tshark(env, ["-G", "plugins"], keep_stdout=True).stdout.decode()
        if not res.check(env.plugin_dir in listed and "sipdiag.so" in listed,
                         "plugin loaded from the personal folder", env.plugin_dir):
            raise SystemExit(2)
        listed = run_tshark(base, ["-G", "plugins"], keep_stdout=True).stdout.decode()
        if not res.check("sipdiag" not in listed, "baseline tshark runs without sipdiag",
                         "a sipdiag.so in a global plugin folder would spoil the comparison"):
            raise SystemExit(2)
        print(f"robustness: {'quick' if a.quick else 'full'} mode, plugin {a.plugin_so}"
              f"{' (sanitized)' if sanitized else ''}, work dir {workdir}", flush=True)
        cases = hostile_tcp.build_all(workdir, million=0, quick=a.quick, light=sanitized)
        if "hostile" not in a.skip:
            t0 = time.monotonic()
            hostile(res, env, base, cases, a.max_ratio, not sanitized)
            print(f"  hostile captures: {time.monotonic() - t0:.0f} s", flush=True)
        if "memory" not in a.skip:
            t0 = time.monotonic()
            if n_million:
                million(res, env, base, workdir, n_million, full, a.max_ratio, not sanitized,
                        a.bytes_per_request, a.table_mib, a.max_marginal)
            per_response(res, env, base, workdir, a.quick, a.max_ratio, not sanitized)
            print(f"  bounded memory: {time.monotonic() - t0:.0f} s", flush=True)
        if "mutations" not in a.skip and variants:
            t0 = time.monotonic()
            mutations(res, env, workdir, seeds(workdir, cases), variants, a.jobs, a.seed, timeout)
            print(f"  mutations: {time.monotonic() - t0:.0f} s", flush=True)
    except KeyboardInterrupt:
        stop_all()
        interrupted = True
        res.fail("run", "interrupted")
    finally:
        env.cleanup()
        base.cleanup()
    print(f"\ntotal {time.monotonic() - t_start:.0f} s")
    for what, detail in res.failed:
        print(f"FAILED {what}: {detail[:2000]}")
    if a.workdir:
        print(f"work dir kept: {workdir}")
    elif os.path.isdir(os.path.join(workdir, "failures")):
        # only the failing mutated captures are worth keeping: the hostile ones come back with
        # hostile_tcp.py OUTDIR [--quick]
        for f in os.listdir(workdir):
            if f != "failures":
                path = os.path.join(workdir, f)
                shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
        print(f"failing captures kept: {os.path.join(workdir, 'failures')}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"robustness: {res.passed} passed, {len(res.failed)} failed")
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
