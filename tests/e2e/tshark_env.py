# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs the real tshark with sipdiag loaded the way users load it: from the personal plugin
folder of an unprivileged user (tshark run as root ignores personal plugins)."""

import json
import os
import shutil
import subprocess
import tempfile

NOBODY = 65534
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Public captures of other projects, bundled in the repository (captures/public/README.md).
BUNDLED_PUBLIC = os.path.join(ROOT, "captures", "public")


def public_captures():
    """Every public capture: the bundled ones, then those of the larger corpus beside the clone
    (../shared/captures/public, or $SIPDIAG_EXTRA_CORPUS) that are not bundled. Paths, sorted."""
    out = {}
    extra = os.environ.get("SIPDIAG_EXTRA_CORPUS",
                           os.path.join(ROOT, "..", "shared", "captures", "public"))
    for base in (BUNDLED_PUBLIC, extra):
        if not base or not os.path.isdir(base):
            continue
        for root, _, files in os.walk(base):
            for f in files:
                if f.endswith((".pcap", ".pcapng")):
                    rel = os.path.relpath(os.path.join(root, f), base)
                    out.setdefault(rel, os.path.join(root, f))
    return [out[k] for k in sorted(out)]
# 4.0 prints FT_BOOLEAN values in -T fields as 1/0, 4.4 and later as True/False.
BOOLS = {"True": "1", "False": "0"}


class TsharkEnv:
    def __init__(self, plugin_so):
        self.home = tempfile.mkdtemp(prefix="sipdiag-e2e-home-")
        os.chmod(self.home, 0o755)
        release = self.release = self._release()
        self.plugin_dir = os.path.join(
            self.home, ".local", "lib", "wireshark", "plugins", release, "epan")
        os.makedirs(self.plugin_dir)
        shutil.copy(plugin_so, os.path.join(self.plugin_dir, "sipdiag.so"))
        self.captures = os.path.join(self.home, "captures")
        os.makedirs(self.captures)
        self.extcap_dir = os.path.join(self.home, "no-extcap")
        os.makedirs(self.extcap_dir)
        self.as_root = os.geteuid() == 0
        self.global_override = self._shadow_global_copy(release)
        for root, _, files in os.walk(self.home):
            for f in files:
                os.chmod(os.path.join(root, f), 0o644)
            os.chmod(root, 0o755)
            if self.as_root:
                os.chown(root, NOBODY, NOBODY)
                for f in files:
                    os.chown(os.path.join(root, f), NOBODY, NOBODY)

    def _shadow_global_copy(self, release):
        """If sipdiag is also installed in Wireshark's global folder (scripts/setup.sh run as
        root does that), Wireshark would meet two copies. Give tshark a copy of the global plugin
        folder without it (WIRESHARK_PLUGIN_DIR), so the copy under test is the personal one."""
        out = subprocess.run(["tshark", "-G", "folders"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Global Plugins:"):
                gdir = line.split(":", 1)[1].strip()
                if not os.path.exists(os.path.join(gdir, "epan", "sipdiag.so")):
                    return None
                shadow = os.path.join(self.home, "global-plugins")
                shutil.copytree(gdir, shadow, symlinks=True,
                                ignore=lambda d, names: [n for n in names if n == "sipdiag.so"])
                return shadow
        return None

    @staticmethod
    def _release():
        out = subprocess.run(["tshark", "--version"], capture_output=True, text=True).stdout
        # "TShark (Wireshark) 4.0.17 (Git v4.0.17 packaged as 4.0.17-0+deb12u3)"
        ver = out.split()[2]
        major, minor = ver.split(".")[:2]
        return f"{major}.{minor}"

    def add_capture(self, path, name=None):
        """Copies a capture where the unprivileged user can read it; returns the new path."""
        dst = os.path.join(self.captures, name or os.path.basename(path))
        shutil.copy(path, dst)
        os.chmod(dst, 0o644)
        if self.as_root:
            os.chown(dst, NOBODY, NOBODY)
        return dst

    def run(self, args, check=True, timeout=300, extra_env=None):
        cmd = ["tshark"] + list(args)
        env = {"HOME": self.home, "PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"}
        env.update(extra_env or {})
        if self.global_override:
            env["WIRESHARK_PLUGIN_DIR"] = self.global_override
        # A sanitized plugin needs the sanitizer runtimes preloaded into the (plain) tshark.
        if os.environ.get("SIPDIAG_PRELOAD"):
            env["LD_PRELOAD"] = os.environ["SIPDIAG_PRELOAD"]
            # tshark starts its extcap helpers (androiddump...) for -G; with the sanitizer runtime
            # preloaded into them too, they hang. Point tshark at an empty extcap folder.
            env["WIRESHARK_EXTCAP_DIR"] = self.extcap_dir
            for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
                if k in os.environ:
                    env[k] = os.environ[k]
        if self.as_root:
            cmd = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"] + cmd
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout,
                           cwd=self.home, errors="replace")
        for marker in ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer"):
            if marker in p.stderr:
                raise RuntimeError(f"sanitizer report from tshark {' '.join(args)}: {p.stderr}")
        if check and p.returncode != 0:
            raise RuntimeError(f"tshark {' '.join(args)} exited {p.returncode}: {p.stderr}")
        return p

    @staticmethod
    def _read_args(capture, display_filter, two_pass, opts):
        args = (["-2"] if two_pass else []) + ["-r", capture]
        if display_filter:
            args += ["-Y", display_filter]
        for o in opts:
            args += ["-o", o]
        return args

    def fields(self, capture, fields, display_filter="sipdiag", two_pass=False, opts=()):
        """Rows of -T fields output, one dict per frame; repeated fields come as lists."""
        args = self._read_args(capture, display_filter, two_pass, opts)
        args += ["-T", "fields", "-E", "separator=\t", "-E", "occurrence=a",
                 "-E", "aggregator=\x1f", "-e", "frame.number"]
        for f in fields:
            args += ["-e", f]
        out = self.run(args).stdout
        rows = {}
        for line in out.splitlines():
            cols = line.split("\t")
            row = {}
            for name, value in zip(["frame.number"] + list(fields), cols):
                vals = [BOOLS.get(v, v) for v in value.split("\x1f")]
                row[name] = vals if len(vals) > 1 else vals[0]
            rows[int(cols[0])] = row
        return rows

    def json(self, capture, display_filter="sipdiag", two_pass=True, opts=()):
        """The -T json packets, with only the sipdiag layer (-J sipdiag)."""
        args = self._read_args(capture, display_filter, two_pass, opts)
        # repeated fields (one per Contact...) as arrays, not as duplicate keys
        args += ["-T", "json", "-J", "sipdiag", "--no-duplicate-keys"]
        return json.loads(self.run(args).stdout or "[]")

    def cleanup(self):
        shutil.rmtree(self.home, ignore_errors=True)


def run_tests(tests, argv, label, failure, doc=""):
    """The runner of the end-to-end test files: `SCRIPT PLUGIN_SO [-k NAME_SUBSTRING]` runs every
    test function (or those whose name holds NAME_SUBSTRING) with one TsharkEnv, prints PASS/FAIL
    per test (a traceback for anything but `failure`, the file's own assertion type) and
    "LABEL: N passed, M failed". Returns the exit status."""
    import traceback
    if len(argv) < 2:
        print(doc)
        return 2
    only = argv[3] if len(argv) > 3 and argv[2] == "-k" else None
    env = TsharkEnv(argv[1])
    passed = failed = 0
    try:
        for t in tests:
            if only and only not in t.__name__:
                continue
            try:
                t(env)
                passed += 1
                print(f"PASS {t.__name__}")
            except Exception as e:  # noqa: BLE001 - report every kind of failure
                failed += 1
                print(f"FAIL {t.__name__}: {e}")
                if not isinstance(e, failure):
                    traceback.print_exc()
    finally:
        env.cleanup()
    print(f"{label}: {passed} passed, {failed} failed")
    return 1 if failed else 0
