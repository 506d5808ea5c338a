#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Golden outputs: what tshark prints with sipdiag loaded, for a fixed set of captures and output
modes, stored under tests/golden/expected/ and compared byte for byte (tests/golden/README.md).

    tests/golden/golden.py BUILD_DIR            # compare (the ctest test 'golden')
    tests/golden/golden.py --update BUILD_DIR   # regenerate every golden file

Exit status: 0 all equal, 1 differences (a unified diff of the first ones is printed), 2 usage or
tshark error, 77 skipped (tshark is not of the release line the goldens were made with).
"""

import argparse
import concurrent.futures
import difflib
import glob
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
import tshark_env  # noqa: E402

EXPECTED = os.path.join(HERE, "expected")
# The goldens are made with, and compared on, this Wireshark release line only.
GOLDEN_RELEASE = "4.0"
SKIP = 77

# Public captures (captures/public/), chosen for variety; every captures/*.pcapng is used too.
PUBLIC = [
    "ntop__nDPI/sip.pcap",  # real calls: 401, 403, 407, 408, 480, CANCEL
    "ntop__nDPI/gre_sip.pcapng",  # SIP in GRE in VLAN, CANCEL/487
    "OISF__suricata-verify/sip-body-large.pcap",  # one INVITE reassembled from TCP segments
    "OISF__suricata-verify/sip_compact_form.pcap",  # compact headers (v:, f:, t:, c:, l:)
    "seladb__PcapPlusPlus/sip_resp.pcap",  # lone responses: 401 x2, 503 with Retry-After, TCP
    # Two capture points: copies on another leg, capture duplicates (docs/multipoint.md)
    "ntop__nDPI/FAX-Call-t38-CA-TDM-SIP-FB-1.pcap",
]
# Display filter of the captures that are mostly something else (1,460 of the fax call's 1,552
# frames are MEGACO, RTP and T.38, whose -V header lines would make most of its goldens).
DISPLAY_FILTER = {"public__ntop__nDPI__FAX-Call-t38-CA-TDM-SIP-FB-1": "sip"}

# name -> (tshark arguments after -r FILE, language or None, postprocessing)
# "fields" output is reshaped (see fields_lines); the others are stored as tshark prints them.
MODES = {}
for passes, two in (("1p", []), ("2p", ["-2"])):
    for lang in ("en", "fr"):
        MODES[f"fields-{passes}-{lang}"] = (two, lang, "fields")
        MODES[f"V-{passes}-{lang}"] = (two + ["-V", "-O", "sipdiag"], lang, None)
    MODES[f"tree-{passes}"] = (two + ["-q", "-z", "sipdiag,tree"], "en", None)
# Expert summaries are English whatever the language. With -2 the second pass has no tree: the
# plugin adds its expert infos to no item when the expert tap listens (it once added none).
MODES["expert-1p"] = (["-q", "-z", "expert"], "en", None)
MODES["expert-2p"] = (["-2", "-q", "-z", "expert"], "en", None)


def captures():
    """(golden folder name, path) of every capture with goldens."""
    out = []
    for p in sorted(glob.glob(os.path.join(ROOT, "captures", "*.pcapng"))):
        out.append((os.path.splitext(os.path.basename(p))[0], p))
    for rel in PUBLIC:
        name = "public__" + os.path.splitext(rel)[0].replace("/", "__")
        out.append((name, os.path.join(tshark_env.BUNDLED_PUBLIC, rel)))
    return out


def sipdiag_fields(env):
    """Every field the loaded plugin registers (tshark -G fields), in registration order."""
    out = env.run(["-G", "fields"]).stdout
    names = [c[2] for c in (line.split("\t") for line in out.splitlines())
             if len(c) > 4 and c[0] == "F" and c[4] == "sipdiag"]
    if not names:
        raise RuntimeError("tshark -G fields lists no sipdiag field: is the plugin loaded?")
    return names


def fields_lines(stdout, fields):
    """-T fields output (header line, one row per frame, occurrences joined by \\x1f) as one
    line per value: 'FRAME<TAB>FIELD<TAB>VALUE', frames and fields in order, empty values left
    out. A field that is added changes only the goldens of frames where it has a value."""
    lines = stdout.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    header = ["frame.number"] + fields
    if not lines or lines[0].split("\t") != header:
        raise RuntimeError("-T fields: unexpected header line")
    out = []
    for row in lines[1:]:
        cols = row.split("\t")
        if len(cols) != len(header):
            raise RuntimeError(f"-T fields: {len(cols)} columns instead of {len(header)}: {row!r}")
        for name, value in zip(fields, cols[1:]):
            if value == "":
                continue
            for v in value.split("\x1f"):
                out.append(f"{cols[0]}\t{name}\t{v}\n")
    return "".join(out)


def produce(env, capture, mode, fields, name="", opts=()):
    args, lang, post = MODES[mode]
    cmd = ["-r", capture] + list(args)
    for o in opts:
        cmd += ["-o", o]
    if name in DISPLAY_FILTER:
        cmd += ["-Y", DISPLAY_FILTER[name]]
    if lang:
        cmd += ["-o", f"sipdiag.language:{lang}"]
    if post == "fields":
        cmd += ["-T", "fields", "-E", "header=y", "-E", "separator=\t", "-E", "occurrence=a",
                "-E", "aggregator=\x1f", "-e", "frame.number"]
        for f in fields:
            cmd += ["-e", f]
    p = env.run(cmd)
    if p.stderr.strip():
        raise RuntimeError(f"tshark {mode} on {os.path.basename(capture)} wrote to stderr: "
                           f"{p.stderr.strip()[:500]}")
    return fields_lines(p.stdout, fields) if post == "fields" else p.stdout


def sanitized(build_dir):
    """True for a build made with -DSIPDIAG_SANITIZE=ON (scripts/test.sh's ASan step)."""
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt"), encoding="utf-8") as f:
            return any(line.strip() == "SIPDIAG_SANITIZE:BOOL=ON" for line in f)
    except OSError:
        return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("build_dir")
    ap.add_argument("--update", action="store_true", help="rewrite the golden files")
    ap.add_argument("--jobs", type=int, default=2, help="parallel tshark runs (default 2)")
    ap.add_argument("--max-diff-lines", type=int, default=60,
                    help="diff lines printed per differing file (default 60)")
    ap.add_argument("-o", dest="opts", action="append", default=[], metavar="PREF:VALUE",
                    help="a tshark preference for every run, e.g. "
                         "sipdiag.observe_sip_dissector:FALSE (the same goldens must come out)")
    a = ap.parse_args()
    if a.update and a.opts:
        ap.error("--update with -o: the goldens are made with the default preferences")
    so = os.path.join(a.build_dir, "plugin", "wireshark", "sipdiag.so")
    if not os.path.isfile(so):
        print(f"golden: {so} not built", file=sys.stderr)
        return 2
    if sanitized(a.build_dir) and not os.environ.get("SIPDIAG_PRELOAD"):
        print("golden: SKIPPED: sanitized build (SIPDIAG_SANITIZE=ON) and SIPDIAG_PRELOAD not "
              "set: the plain tshark cannot load this plugin without the sanitizer runtimes")
        return SKIP if not a.update else 2
    release = tshark_env.TsharkEnv._release()
    if release != GOLDEN_RELEASE:
        print(f"golden: SKIPPED: the goldens are tshark {GOLDEN_RELEASE} output, this tshark is "
              f"{release}: its output format differs (booleans, -V layout), so no byte-for-byte "
              "comparison is possible here (tests/golden/README.md)")
        return SKIP if not a.update else 2

    t0 = time.monotonic()
    env = tshark_env.TsharkEnv(so)
    try:
        fields = sipdiag_fields(env)
        jobs = []
        for name, path in captures():
            if not os.path.isfile(path):
                print(f"golden: capture missing: {path}", file=sys.stderr)
                return 2
            local = env.add_capture(path, name + os.path.splitext(path)[1])
            for mode in MODES:
                jobs.append((name, mode, local))
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as ex:
            futs = [ex.submit(produce, env, local, mode, fields, name, a.opts)
                    for name, mode, local in jobs]
            results = [f.result() for f in futs]
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        print(f"golden: {e}", file=sys.stderr)
        return 2
    finally:
        env.cleanup()

    wanted = {os.path.join(EXPECTED, name, mode + ".txt"): text
              for (name, mode, _), text in zip(jobs, results)}
    present = set(glob.glob(os.path.join(EXPECTED, "*", "*.txt")))
    stale = sorted(present - set(wanted))
    secs = time.monotonic() - t0

    if a.update:
        changed = 0
        for path, text in wanted.items():
            os.makedirs(os.path.dirname(path), exist_ok=True)
            old = None
            if os.path.exists(path):
                with open(path, "rb") as f:
                    old = f.read()
            data = text.encode("utf-8")
            if old != data:
                changed += 1
                with open(path, "wb") as f:
                    f.write(data)
        for path in stale:
            os.remove(path)
            d = os.path.dirname(path)
            if not os.listdir(d):
                os.rmdir(d)
        print(f"golden: {len(wanted)} files ({len(captures())} captures x {len(MODES)} modes), "
              f"{changed} written, {len(stale)} stale removed, {secs:.1f}s")
        return 0

    differ = []
    missing = []
    for path, text in wanted.items():
        if not os.path.exists(path):
            missing.append(path)
            continue
        with open(path, "rb") as f:
            old = f.read()
        if old != text.encode("utf-8"):
            differ.append((path, old.decode("utf-8", errors="replace"), text))
    shown = 0
    for path, old, new in differ:
        if shown >= 5:
            break
        shown += 1
        rel = os.path.relpath(path, ROOT)
        diff = list(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                         f"{rel} (golden)", f"{rel} (this build)"))
        sys.stdout.write("".join(diff[:a.max_diff_lines]))
        if len(diff) > a.max_diff_lines:
            print(f"... {len(diff) - a.max_diff_lines} more diff lines")
        if diff and not diff[-1].endswith("\n"):
            print()
    for path in missing:
        print(f"golden: no golden file {os.path.relpath(path, ROOT)}")
    for path in stale:
        print(f"golden: stale golden file {os.path.relpath(path, ROOT)} (no such capture/mode)")
    bad = len(differ) + len(missing) + len(stale)
    print(f"golden: {len(wanted)} files compared ({len(captures())} captures x {len(MODES)} "
          f"modes), {len(differ)} differ, {len(missing)} missing, {len(stale)} stale, "
          f"{secs:.1f}s")
    if bad:
        print("golden: if the change is intended, regenerate with: "
              "tests/golden/golden.py --update BUILD_DIR  and review the diff")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
