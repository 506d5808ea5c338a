#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# One valgrind memcheck pass of `tshark -2 -V` with sipdiag over bundled captures, tshark run the
# way users run it (uid 65534 under setpriv when started as root, the plugin in a throwaway
# personal plugin folder: the environment comes from tests/e2e/tshark_env.py).
#
#   tests/robustness/valgrind.sh PLUGIN_SO [CAPTURE...]
#
# PLUGIN_SO must be a plain build (not the sanitized one). Default captures: mixed-call,
# redirect-302-tcp-ipv6 and publish-412, concatenated with mergecap -a into one file (one tshark
# start-up under valgrind instead of three; the plugin also meets time going backwards at the
# joins).
#
# Verdict: valgrind runs with --error-exitcode=99 --errors-for-leak-kinds=definite and writes
# XML. tshark and GLib have errors and definite leaks of their own (the baseline is printed), so
# the script fails only on errors whose stack holds a frame of sipdiag.so: invalid reads/writes,
# uses of uninitialised values, invalid frees, overlaps and definite leaks allocated on a path
# through the plugin. An error the plugin causes elsewhere without being on the stack (a bad
# pointer it hands to Wireshark that Wireshark uses later) would show up as tshark's own: they are
# all listed, so read them when the count differs from the run without the plugin
# (VALGRIND_BASELINE=1 runs that too, for comparison).
# Exit status: 0 clean, 1 errors in sipdiag.so, 2 usage or setup problem.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
so="${1:?usage: valgrind.sh PLUGIN_SO [CAPTURE...]}"
shift
[ -f "$so" ] || { echo "valgrind.sh: $so: no such file" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind.sh: apt-get install valgrind" >&2; exit 2; }
if readelf -d "$so" | grep -q 'libasan\|libubsan'; then
    echo "valgrind.sh: $so is the sanitized build; give valgrind a plain one" >&2
    exit 2
fi
unset SIPDIAG_PRELOAD
captures=("$@")
if [ ${#captures[@]} -eq 0 ]; then
    captures=("$repo/captures/mixed-call.pcapng" "$repo/captures/redirect-302-tcp-ipv6.pcapng"
              "$repo/captures/publish-412.pcapng")
fi

exec python3 - "$so" "$here" "${captures[@]}" <<'PY'
import os, shutil, subprocess, sys, time
import xml.etree.ElementTree as ET

so, here, captures = sys.argv[1], sys.argv[2], sys.argv[3:]
sys.path.insert(0, here)
import run as rob  # noqa: E402  (puts tests/e2e on the path)
from tshark_env import TsharkEnv, NOBODY  # noqa: E402

VG = ["valgrind", "--tool=memcheck", "--error-exitcode=99", "--leak-check=full",
      "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite", "--num-callers=50",
      "--child-silent-after-fork=yes", "--xml=yes"]


def frames(err):
    out = []
    for st in err.findall("stack"):
        for fr in st.findall("frame"):
            out.append({k: (fr.findtext(k) or "") for k in ("obj", "fn", "file", "line")})
    return out


def one_run(env, merged, label):
    prefix, penv, cwd = rob.launch_recipe(env)
    # prefix is [setpriv ... ] tshark: valgrind goes between setpriv and tshark
    i = prefix.index("tshark")
    xml = os.path.join(env.home, f"valgrind-{label}.xml")
    penv = dict(penv, G_SLICE="always-malloc", G_DEBUG="gc-friendly")
    cmd = prefix[:i] + VG + [f"--xml-file={xml}"] + prefix[i:] + ["-2", "-V", "-r", merged]
    t0 = time.monotonic()
    p = subprocess.run(cmd, env=penv, cwd=cwd, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                       errors="replace")
    took = time.monotonic() - t0
    try:
        root = ET.parse(xml).getroot()
    except (ET.ParseError, FileNotFoundError) as e:
        print(f"valgrind.sh: no valgrind XML ({e}); exit {p.returncode}: {p.stderr[-2000:]}")
        sys.exit(2)
    errors = root.findall("error")
    return p.returncode, took, errors, p.stderr


def describe(err):
    kind = err.findtext("kind")
    what = err.findtext("what") or (err.find("xwhat").findtext("text") if err.find("xwhat")
                                    is not None else "")
    return kind, what


env = TsharkEnv(so)
base = None
try:
    merged = os.path.join(env.captures, "valgrind-input.pcapng")
    subprocess.run(["mergecap", "-a", "-w", merged] + captures, check=True)
    os.chmod(merged, 0o644)
    if env.as_root:
        os.chown(merged, NOBODY, NOBODY)
    n = subprocess.run(["capinfos", "-c", "-M", merged], capture_output=True,
                       text=True).stdout.split()[-1]
    print(f"valgrind.sh: memcheck of tshark -2 -V over {len(captures)} capture(s) "
          f"({n} frames): {', '.join(os.path.basename(c) for c in captures)}", flush=True)
    rc, took, errors, stderr = one_run(env, merged, "plugin")
    print(f"valgrind exit {rc} after {took:.0f} s; {len(errors)} error record(s) in all")
    ours, theirs = [], {}
    for e in errors:
        fr = frames(e)
        if any(f["obj"].endswith("sipdiag.so") for f in fr):
            ours.append(e)
        else:
            kind, _ = describe(e)
            theirs[kind] = theirs.get(kind, 0) + 1
    if theirs:
        print("  tshark/GLib's own (no sipdiag.so frame, not counted): "
              + ", ".join(f"{k} x{v}" for k, v in sorted(theirs.items())))
    for e in ours:
        kind, what = describe(e)
        print(f"  SIPDIAG {kind}: {what}")
        for f in frames(e)[:25]:
            loc = f"{os.path.basename(f['file'])}:{f['line']}" if f["file"] else ""
            print(f"      {f['fn'] or '?'} {loc} ({os.path.basename(f['obj'])})")
    if os.environ.get("VALGRIND_BASELINE"):
        base = TsharkEnv(so)
        os.remove(os.path.join(base.plugin_dir, "sipdiag.so"))
        bmerged = base.add_capture(merged)
        brc, btook, berrors, _ = one_run(base, bmerged, "baseline")
        kinds = {}
        for e in berrors:
            kinds[describe(e)[0]] = kinds.get(describe(e)[0], 0) + 1
        print(f"  without the plugin: valgrind exit {brc} after {btook:.0f} s, "
              + (", ".join(f"{k} x{v}" for k, v in sorted(kinds.items())) or "no errors"))
    if rc not in (0, 99):
        print(f"valgrind.sh: tshark under valgrind exited {rc}: {stderr[-3000:]}")
        sys.exit(1)
    if ours:
        print(f"valgrind.sh: {len(ours)} error(s) with sipdiag.so on the stack")
        sys.exit(1)
    print("valgrind.sh: no error with sipdiag.so on the stack")
finally:
    env.cleanup()
    if base:
        base.cleanup()
PY
