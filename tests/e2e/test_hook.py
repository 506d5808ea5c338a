#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The SIP hook (plugin/wireshark/sip_hook.h, docs/performance.md "Plain mode"): per path by
which Wireshark reaches its SIP dissector, the same sipdiag fields with the hook and with it
forced off (-o sipdiag.observe_sip_dissector:FALSE, the tree-based way), in one pass and in
two; plain `tshark -r` prints the same lines with and without the plugin, and does nothing for
sipdiag; SIP the hook does not see is reported (sipdiag.not_analysed), not lost. The renders that
build less than the whole tree (the protocol items alone for `-Y sipdiag`, a hidden tree for
`-T fields` on Wireshark 4.0) print what the whole tree prints.

    tests/e2e/test_hook.py PATH/TO/sipdiag.so [-k NAME_SUBSTRING]

SCTP, WebSocket and TLS (decrypted with the keys inside the pcapng) are checked on the bundled
captures/transports/ files (captures/transports/README.md); the heplify captures of the larger
public corpus (../shared/captures/public or $SIPDIAG_EXTRA_CORPUS) are compared too when present.
"""

import glob
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from expectations import CONTRACT_FIELDS  # noqa: E402
from tshark_env import BUNDLED_PUBLIC, ROOT, public_captures, run_tests  # noqa: E402
import sippcap  # noqa: E402

OFF = "sipdiag.observe_sip_dissector:FALSE"
EXTRA = os.environ.get("SIPDIAG_EXTRA_CORPUS",
                       os.path.join(ROOT, "..", "shared", "captures", "public"))
FIELDS = ["sipdiag.code", "sipdiag.request_method", "sipdiag.request_frame",
          "sipdiag.response_frame", "sipdiag.retransmission", "sipdiag.followup_frame",
          "sipdiag.redirect.contact"] + [f for f in CONTRACT_FIELDS if f.startswith("sipdiag.")]
FIELDS = list(dict.fromkeys(FIELDS))
DEBUG = re.compile(r"sipdiag hook: (?P<why>[^;]*); (?P<state>on|off); skipped (?P<skipped>\d+), "
                   r"from tree (?P<tree>\d+), from hook (?P<hook>\d+), not analysed (?P<na>\d+); "
                   r"taps [-\d ]+; item only (?P<item>\d+); fields only (?P<fields>\d+); "
                   r"first pass unseen (?P<unseen>\d+)")


class Failure(AssertionError):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def capture(env, rel, extra=False):
    for base in ([BUNDLED_PUBLIC, EXTRA] if extra else [os.path.join(ROOT, "captures"),
                                                         BUNDLED_PUBLIC]):
        path = os.path.join(base, rel)
        if os.path.exists(path):
            return env.add_capture(path)
    return None


def debug(env, args, value="1"):
    p = env.run(args, extra_env={"SIPDIAG_DEBUG_HOOK": value})
    m = DEBUG.search(p.stderr)
    check(m is not None, f"no hook report from tshark {' '.join(args)}: {p.stderr!r}")
    return p, {k: (v if k in ("why", "state") else int(v)) for k, v in m.groupdict().items()}


def same_with_and_without(env, cap, opts=()):
    """The sipdiag fields with the hook equal those of the tree-based way, single pass and -2."""
    for two in (False, True):
        args_opts = list(opts)
        on = fields(env, cap, two, args_opts)
        off = fields(env, cap, two, args_opts + ["-o", OFF])
        check(on, f"no sipdiag item in {os.path.basename(cap)} ({'-2' if two else '1 pass'})")
        check(on == off, f"{os.path.basename(cap)} ({'-2' if two else '1 pass'}): hook and tree "
                         f"differ:\n hook {on}\n tree {off}")


def fields(env, cap, two, opts):
    args = (["-2"] if two else []) + ["-r", cap, "-Y", "sipdiag"] + list(opts)
    args += ["-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-e", "frame.number"]
    for f in FIELDS:
        args += ["-e", f]
    out = env.run(args).stdout
    return {int(line.split("\t", 1)[0]): line for line in out.splitlines()}


def test_udp(env):
    same_with_and_without(env, capture(env, "redirect-302-udp.pcapng"))


def test_tcp_two_messages_in_one_segment(env):
    cap = capture(env, "redirect-302-tcp-ipv6.pcapng")
    same_with_and_without(env, cap)
    # frame 22 carries two INVITEs: both analysed, each answered by its own 302
    rows = env.fields(cap, ["sipdiag.response_frame"], two_pass=True)
    check(rows.get(22, {}).get("sipdiag.response_frame") == ["24", "25"],
          f"frame 22 should hold two analysed INVITEs: {rows.get(22)}")


def test_tcp_reassembly(env):
    cap = capture(env, "OISF__suricata-verify/sip-body-large.pcap", extra=True)
    same_with_and_without(env, cap)
    # the INVITE of 65,793 bytes, reassembled from five segments in frame 9, is the request of
    # the 100 Trying in frame 11
    rows = env.fields(cap, ["sipdiag.request_frame"])
    check(rows.get(11, {}).get("sipdiag.request_frame") == "9",
          f"the reassembled INVITE (frame 9) was not analysed: {rows.get(11)}")


TRANSPORTS = os.path.join(ROOT, "captures", "transports")


def transport_call(env, name, layer, frames, contacts, path_off):
    """One call of captures/transports/NAME (README there): INVITE -> 302 -> retry at the contact
    of highest q -> 200, BYE -> 200, every message inside LAYER. FRAMES: the frames of the
    INVITE, the 302, the retry, its 200, the BYE and its 200. PATH_OFF: tshark options that close
    the path (no SIP at all then: the capture really goes through it)."""
    path = os.path.join(TRANSPORTS, name)
    check(os.path.exists(path), f"bundled capture missing: {path}")
    cap = env.add_capture(path, name=f"transport-{name}")
    invite, redirect, retry, ok, bye, bye_ok = frames
    sip = env.fields(cap, ["frame.protocols"], display_filter="sip")
    # the six above and the two ACKs
    check(len(sip) == 8 and set(frames) <= set(sip), f"{name}: SIP frames {sorted(sip)}")
    for n, row in sip.items():
        check(f":{layer}:" in row["frame.protocols"] + ":",
              f"{name} frame {n}: SIP not inside {layer}: {row['frame.protocols']}")
    same_with_and_without(env, cap)
    for two in (False, True):
        rows = env.fields(cap, ["sipdiag.code", "sipdiag.request_frame", "sipdiag.response_frame",
                                "sipdiag.followup_frame", "sipdiag.redirect.contact"],
                          two_pass=two)
        mode = "-2" if two else "1 pass"
        # single pass: the responses (backward facts); -2: the requests too (their responses)
        want = set(frames) if two else {redirect, ok, bye_ok}
        check(want <= set(rows) <= set(frames),
              f"{name} ({mode}): sipdiag items on {sorted(rows)}, expected on {sorted(want)}")
        r = rows[redirect]
        check(r["sipdiag.code"] == "302" and r["sipdiag.request_frame"] == str(invite),
              f"{name} ({mode}): frame {redirect} should be the 302 to frame {invite}: {r}")
        check(r["sipdiag.redirect.contact"] == contacts,
              f"{name} ({mode}): contacts of the 302: {r['sipdiag.redirect.contact']}")
        for req, resp in ((invite, redirect), (retry, ok), (bye, bye_ok)):
            check(rows[resp]["sipdiag.request_frame"] == str(req),
                  f"{name} ({mode}): {resp} should answer {req}: {rows[resp]}")
            if two:  # a request's response and the 302's follow-up lie after them
                check(rows[req]["sipdiag.response_frame"] == str(resp),
                      f"{name} (-2): {req} should be answered by {resp}: {rows[req]}")
        if two:
            check(r["sipdiag.followup_frame"] == str(retry),
                  f"{name} (-2): the retry (frame {retry}) is not the 302's follow-up: {r}")
        check(rows[ok]["sipdiag.code"] == "200" and rows[bye_ok]["sipdiag.code"] == "200",
              f"{name} ({mode}): the 200s: {rows[ok]} / {rows[bye_ok]}")
    # the hook saw every SIP message, the tree-based way was not needed, nothing missed
    for two in ([], ["-2"]):
        _, st = debug(env, two + ["-r", cap, "-Y", "sipdiag"])
        check(st["state"] == "on" and st["hook"] >= len(sip) and st["tree"] == 0
              and st["na"] == 0, f"{name} {two}: the hook did not see the SIP of {layer}: {st}")
    # and the SIP is reached only through this path
    check(not fields(env, cap, True, path_off),
          f"{name}: SIP still found with {' '.join(path_off)}")
    return cap


def test_sctp(env):
    transport_call(env, "sip-sctp.pcapng", "sctp", (1, 2, 4, 5, 7, 8),
                   ["sip:bob-low@127.0.0.1:5062", "sip:bob-high@127.0.0.1:5062"],
                   ["--disable-heuristic", "sip_sctp"])
    cap = capture(env, "sipcapture__heplify/sip_sctp.pcap", extra=True)
    if cap is not None:
        same_with_and_without(env, cap)


def test_websocket(env):
    transport_call(env, "sip-websocket.pcapng", "websocket", (8, 9, 12, 14, 17, 19),
                   ["sip:bob-low@127.0.0.1:8080;transport=ws",
                    "sip:bob-high@127.0.0.1:8080;transport=ws"],
                   ["--disable-protocol", "websocket"])
    cap = capture(env, "sipcapture__heplify/sip_tcp_websocket.pcap", extra=True)
    if cap is not None:
        same_with_and_without(env, cap)


def test_tls_with_keys(env):
    # decrypted with the Decryption Secrets Block of the file; the throwaway HOME has no
    # tls.keylog_file preference
    transport_call(env, "sip-tls.pcapng", "tls", (10, 11, 14, 16, 19, 21),
                   ["sip:bob-low@127.0.0.1:5061;transport=tls",
                    "sip:bob-high@127.0.0.1:5061;transport=tls"],
                   ["--disable-protocol", "tls"])


def test_heuristic_non_default_port(env):
    cap = capture(env, "seladb__PcapPlusPlus/sip_non_default_port.pcap", extra=True)
    same_with_and_without(env, cap)


def test_decode_as(env):
    # SIP on UDP port 52380; with SIP's UDP heuristic off only Decode As makes it SIP.
    cap = capture(env, "seladb__PcapPlusPlus/sip_non_default_port.pcap", extra=True)
    no_heur = ["--disable-heuristic", "sip_udp"]
    check(not fields(env, cap, False, no_heur),
          "without Decode As and the heuristic the capture should have no SIP")
    same_with_and_without(env, cap, opts=no_heur + ["-d", "udp.port==52380,sip"])


def test_plain_output_unchanged_and_skipped(env):
    cap = capture(env, "redirect-302-tcp-ipv6.pcapng")
    with_plugin, stats = debug(env, ["-r", cap])
    check(stats["state"] == "on" and stats["why"].startswith("installed"),
          f"the hook is not active on this tshark: {stats}")
    frames = len(with_plugin.stdout.splitlines())
    check(stats["skipped"] == frames and stats["hook"] == 0 and stats["tree"] == 0,
          f"plain tshark should skip all {frames} frames: {stats}")
    without = without_plugin(env, ["-r", cap])
    check(without == with_plugin.stdout, "plain tshark output differs with the plugin")


def test_work_done_when_visible(env):
    cap = capture(env, "redirect-302-tcp-ipv6.pcapng")
    _, st = debug(env, ["-r", cap, "-q", "-z", "sipdiag,tree"])
    check(st["skipped"] == 0 and st["hook"] > 0, f"a tap listens: frames must be analysed: {st}")
    _, st = debug(env, ["-2", "-r", cap])
    check(st["skipped"] == 0 and st["hook"] > 0, f"-2 first pass must be analysed: {st}")
    _, st = debug(env, ["-r", cap, "-o", OFF])
    check(st["state"] == "off" and st["skipped"] == 0 and st["tree"] > 0,
          f"with the hook forced off the tree-based way runs: {st}")


def without_plugin(env, args):
    so = os.path.join(env.plugin_dir, "sipdiag.so")
    aside = os.path.join(env.home, "sipdiag.so.aside")
    os.rename(so, aside)
    try:
        return env.run(args).stdout
    finally:
        os.rename(aside, so)


EXPERT_COLUMN = ["-o", 'gui.column.format:"No.","%m","Info","%i","Expert","%a"']


def test_filter_that_hides_sipdiag(env):
    """tshark -Y sip (a filter naming nothing of sipdiag): nothing of it can be seen in this single
    pass, so nothing is done, and the output is the one without the plugin. Anything that shows
    sipdiag (its fields in the filter, -V, an Expert column, a tap) makes it do the work."""
    cap = capture(env, "redirect-302-tcp-ipv6.pcapng")
    for flt in ("sip", "sip.Status-Code == 302", "tcp"):
        args = ["-r", cap, "-Y", flt]
        p, st = debug(env, args)
        frames = int(env.run(["-r", cap, "-T", "fields", "-e", "frame.number"]).stdout.split()[-1])
        check(st["skipped"] == frames and st["hook"] == 0 and st["tree"] == 0,
              f"-Y {flt}: all {frames} frames should be skipped: {st}")
        check(p.stdout == without_plugin(env, args), f"-Y {flt}: output differs with the plugin")
    # two passes: the first analyses (its tree has the filter's fields), nothing is rendered
    args = ["-2", "-r", cap, "-Y", "sip"]
    check(env.run(args).stdout == without_plugin(env, args), "-2 -Y sip: output differs")
    for extra, why in ((["-Y", "sip && sipdiag.code == 302"], "a sipdiag field in the filter"),
                       (["-Y", "sip", "-V"], "-V"),
                       (["-Y", "_ws.expert"], "an expert info field"),
                       (["-Y", "sip", "-q", "-z", "sipdiag,tree"], "the sipdiag tap"),
                       (["-Y", "sip"] + EXPERT_COLUMN, "an Expert column")):
        p, st = debug(env, ["-r", cap] + extra)
        check(st["skipped"] == 0 and st["hook"] + st["tree"] > 0, f"{why}: work must be done: {st}")
    # the Expert column shows sipdiag's severities (Note on these 302s), which a skip would lose
    args = ["-r", cap, "-Y", "sip.Status-Code == 302"] + EXPERT_COLUMN
    with_col = env.run(args).stdout
    check(with_col != without_plugin(env, args) and "Note" in with_col,
          f"the Expert column should carry sipdiag's severities:\n{with_col}")


def test_item_only(env):
    """tshark -Y sipdiag: all a filter naming the protocol alone sees is whether its item is
    there, so the plugin adds the items alone (hook::item_only). The same frames as with a filter
    that also names a field under it (the whole tree then), in one pass and in two, on every
    bundled capture; anything else that looks (a field of sipdiag or of the expert infos, -V, the
    expert tap, an Expert column) gets the whole tree and its expert infos."""
    caps = sorted(glob.glob(os.path.join(ROOT, "captures", "*.pcapng")))
    fast_frames = 0
    for i, c in enumerate(caps):
        cap = env.add_capture(c, name=f"item-{i}-{os.path.basename(c)}")
        for two in ([], ["-2"]):
            fast, st = debug(env, two + ["-r", cap, "-Y", "sipdiag"])
            full, st_full = debug(env, two + ["-r", cap, "-Y", "sipdiag || sipdiag.code == 1"])
            check(fast.stdout == full.stdout,
                  f"{c} {two}: -Y sipdiag selects other frames than the whole tree does")
            check(st_full["item"] == 0, f"{c} {two}: a sipdiag field needs the whole tree: {st_full}")
            check(bool(fast.stdout.strip()) == (st["item"] > 0),
                  f"{c} {two}: frames shown but no item-only frame (or the reverse): {st}")
            fast_frames += st["item"]
    check(fast_frames > 0, "-Y sipdiag never took the item-only way")
    cap = env.add_capture(os.path.join(ROOT, "captures", "redirect-302-udp.pcapng"), name="item-x")
    for extra, why in ((["-Y", "sipdiag && sipdiag.code == 302"], "a sipdiag field"),
                       (["-Y", "sipdiag && _ws.expert"], "an expert info field"),
                       (["-Y", "sipdiag", "-V"], "-V"),
                       (["-Y", "sipdiag", "-T", "json"], "-T json"),
                       (["-Y", "sipdiag", "-q", "-z", "expert"], "the expert tap"),
                       (["-Y", "sipdiag", "-q", "-z", "sipdiag,tree"], "the sipdiag tap"),
                       (["-Y", "sipdiag"] + EXPERT_COLUMN, "an Expert column")):
        p, st = debug(env, ["-r", cap] + extra)
        check(st["item"] == 0 and p.stdout.strip(), f"{why}: the whole tree is needed: {st}")
    # the expert infos are still there for the expert tap and the Expert column
    p = env.run(["-r", cap, "-Y", "sipdiag", "-q", "-z", "expert"])
    check("302" in p.stdout, f"-Y sipdiag -z expert lost sipdiag's expert infos:\n{p.stdout}")
    p = env.run(["-r", cap, "-Y", "sipdiag"] + EXPERT_COLUMN)
    check("Note" in p.stdout, f"-Y sipdiag with an Expert column lost the severities:\n{p.stdout}")


def all_fields(env):
    """Every field the plugin registers (tshark -G fields), with the expert infos' own."""
    out = env.run(["-G", "fields"]).stdout
    names = [c[2] for c in (line.split("\t") for line in out.splitlines())
             if len(c) > 4 and c[0] == "F" and c[4] == "sipdiag"]
    check(names, "tshark -G fields lists no sipdiag field")
    return names + ["_ws.expert.message", "_ws.expert.severity", "_ws.expert.group"]


def test_fields_only(env):
    """tshark -T fields on Wireshark 4.0 builds a visible tree, yet prints only the -e fields: the
    plugin renders into it as into a hidden tree (dissector.cpp, hide_for_fields). Every field,
    its expert infos' included, must come out the same as with the whole tree
    (SIPDIAG_KEEP_FIELDS_TREE=1), in one pass and in two, on every bundled capture; a command line
    that prints anything else keeps the whole tree. 4.4 and 4.6 hide the tree themselves: there
    the two ways are compared and nothing is counted."""
    names = all_fields(env)
    fields_args = ["-T", "fields", "-E", "header=y", "-E", "separator=\t", "-E", "occurrence=a",
                   "-E", "aggregator=|", "-e", "frame.number"]
    for n in names:
        fields_args += ["-e", n]
    ws40 = env.release == "4.0"
    hidden = 0
    caps = sorted(glob.glob(os.path.join(ROOT, "captures", "*.pcapng")))
    for i, c in enumerate(caps):
        cap = env.add_capture(c, name=f"fields-{i}-{os.path.basename(c)}")
        for two in ([], ["-2"]):
            args = two + ["-r", cap, "-o", "sipdiag.language:fr"] + fields_args
            fast, st = debug(env, args)
            keep = env.run(args, extra_env={"SIPDIAG_KEEP_FIELDS_TREE": "1",
                                            "SIPDIAG_DEBUG_HOOK": "1"})
            check(fast.stdout == keep.stdout,
                  f"{c} {two}: -T fields differs between the hidden and the whole tree")
            check("fields only 0" in keep.stderr, f"{c}: SIPDIAG_KEEP_FIELDS_TREE not honoured")
            check((st["fields"] > 0) == ws40,
                  f"{c} {two}: fields-only render {'not ' if ws40 else ''}taken: {st}")
            hidden += st["fields"]
    check(hidden > 0 or not ws40, "-T fields never took the fields-only way")
    cap = env.add_capture(os.path.join(ROOT, "captures", "redirect-302-udp.pcapng"), name="fo-x")
    base = ["-r", cap, "-T", "fields", "-e", "frame.number", "-e", "sipdiag.code"]
    # What is printed from labels (the protocol items), or printed or read another way.
    for extra, why in ((["-e", "sipdiag"], "the sipdiag protocol item"),
                       (["-e", "_ws.expert"], "the Expert Info item"),
                       (["-V"], "-V"), (["-P"], "-P"), (["-z", "sipdiag,tree"], "a tap"),
                       (["-o", "gui.column.format:\"No.\",\"%m\""], "a column preference")):
        fast, st = debug(env, base + extra)
        keep = env.run(base + extra, extra_env={"SIPDIAG_KEEP_FIELDS_TREE": "1"})
        check(st["fields"] == 0, f"{why}: the whole tree is needed: {st}")
        check(fast.stdout == keep.stdout, f"{why}: output differs from the whole tree's")
    # A filter on fields that are not printed still sees them (the filter marks them itself).
    for flt in ("sipdiag.code == 302", "sipdiag.redirect_not_followed || _ws.expert.severity",
                "sipdiag.outcome"):
        for two in ([], ["-2"]):
            args = two + ["-r", cap, "-Y", flt, "-T", "fields", "-e", "frame.number"]
            fast, st = debug(env, args)
            keep = env.run(args, extra_env={"SIPDIAG_KEEP_FIELDS_TREE": "1"})
            check(fast.stdout.strip() and fast.stdout == keep.stdout,
                  f"-Y {flt} {two}: other frames than with the whole tree")
    # Written after tshark rewrote its arguments (-E header=y): read at registration.
    _, st = debug(env, ["-E", "header=y"] + base)
    check((st["fields"] > 0) == ws40, f"-E before -T fields: not recognised: {st}")


def test_first_pass_unseen(env):
    """tshark -2 builds a tree on its first pass but prints nothing from it; the display filter's
    result there only marks the frames a matching frame depends on (reassembly), which the second
    pass prints or writes too. So that pass renders only frames that depend on others
    (dissector.cpp, unseen_first_pass). Output must be what it is with the render on every frame
    (SIPDIAG_KEEP_FIRST_PASS=1), for every bundled capture and several outputs; a read filter
    (it decides on the first pass which frames are kept) keeps the render."""
    caps = sorted(glob.glob(os.path.join(ROOT, "captures", "*.pcapng")))
    caps += sorted(glob.glob(os.path.join(TRANSPORTS, "*.pcapng")))
    outputs = (["-Y", "sipdiag"], ["-Y", "sipdiag.code == 302 || sipdiag.retry_of"],
               ["-V", "-Y", "sipdiag", "-o", "sipdiag.language:fr"],
               ["-T", "fields", "-e", "frame.number", "-e", "sipdiag.code", "-e",
                "sipdiag.outcome", "-e", "_ws.expert.message"],
               ["-q", "-z", "expert"])
    unseen = 0
    for i, c in enumerate(caps):
        cap = env.add_capture(c, name=f"fp-{i}-{os.path.basename(c)}")
        for out in outputs:
            args = ["-2", "-r", cap] + list(out)
            fast, st = debug(env, args)
            keep = env.run(args, extra_env={"SIPDIAG_KEEP_FIRST_PASS": "1",
                                            "SIPDIAG_DEBUG_HOOK": "1"})
            check(fast.stdout == keep.stdout,
                  f"{c} {out}: -2 prints other things when its first pass is not rendered")
            check("first pass unseen 0" in keep.stderr,
                  f"{c}: SIPDIAG_KEEP_FIRST_PASS not honoured")
            unseen += st["unseen"]
    check(unseen > 0, "the first pass of -2 was rendered everywhere")
    cap = env.add_capture(os.path.join(ROOT, "captures", "redirect-302-udp.pcapng"), name="fp-x")
    for args in (["-2", "-R", "sipdiag", "-r", cap], ["-2", "-R", "sipdiag.code == 302", "-r", cap],
                 ["-r", cap, "-Y", "sipdiag"]):
        p, st = debug(env, args)
        check(st["unseen"] == 0 and p.stdout.strip(), f"{args}: the first pass is needed: {st}")

    # A frame that depends on another: a real INVITE and its 302 (redirect-302-udp.pcapng), the
    # 302 sent as two IPv4 fragments. The 302 passes -Y sipdiag on the first pass already, so
    # tshark -2 -w also writes its first fragment; without the 302's items on that pass the
    # fragment was left out.
    rows = env.run(["-r", cap, "-Y", "sip.Method == INVITE || sip.Status-Code == 302",
                    "-T", "fields", "-e", "sip.Status-Code", "-e", "udp.payload"]).stdout
    invite = next(bytes.fromhex(r.split("\t")[1].replace(":", ""))
                  for r in rows.splitlines() if not r.split("\t")[0])
    redirect = next(bytes.fromhex(r.split("\t")[1].replace(":", ""))
                    for r in rows.splitlines() if r.split("\t")[0] == "302")
    a, b = ("10.0.0.1", 5060), ("10.0.0.2", 5060)
    frames = [sippcap.udp_frame(invite, a, b)] + sippcap.udp_fragments(redirect, 64, b, a)
    path = os.path.join(env.home, "fragmented-302.pcap")
    sippcap.write_frames(path, frames)
    frag = env.add_capture(path)
    written, unseen = {}, {}
    for keep in (False, True):
        out = os.path.join(env.home, f"written-{keep}.pcap")
        extra = {"SIPDIAG_DEBUG_HOOK": "1"}
        if keep:
            extra["SIPDIAG_KEEP_FIRST_PASS"] = "1"
        p = env.run(["-2", "-r", frag, "-Y", "sipdiag", "-w", out], extra_env=extra)
        st = DEBUG.search(p.stderr)
        check(st is not None, f"no hook report: {p.stderr!r}")
        unseen[keep] = int(st["unseen"])
        written[keep] = env.run(["-r", out, "-T", "fields", "-e", "frame.number"]).stdout
    # tshark 4.4 and 4.6 write no frame a written frame depends on (checked without the plugin:
    # the 302 alone, and 8 of the 9 frames 4.0 writes of a TCP capture): there both ways agree.
    want = 3 if env.release == "4.0" else 2
    check(written[False] == written[True] and len(written[True].split()) == want,
          f"-2 -w: the fragment the 302 depends on must be written ({env.release}): {written}")
    # the INVITE and the first fragment unrendered; the 302, which depends on it, rendered
    check(unseen == {False: 2, True: 0}, f"fragmented 302: first-pass frames unrendered {unseen}")


def test_parts_by_field(env):
    """In a hidden tree (tshark -T fields, -Y with a sipdiag field) the render builds only the parts
    of a message's tree whose fields something names, and leaves out the items Wireshark would
    fake (render.cpp, needs; labels.cpp, faked). Each field of the plugin alone (the fields of a
    dotted group such as sipdiag.redirect.* together), each expert info field alone, must print
    what the whole render prints (SIPDIAG_RENDER_ALL=1), on all bundled captures at once; filters
    on each group select the same frames. A field missing from its part's list in render.cpp
    comes out empty here."""
    caps = sorted(glob.glob(os.path.join(ROOT, "captures", "*.pcapng")))
    merged = os.path.join(env.home, "all-bundled.pcapng")
    subprocess.run(["mergecap", "-a", "-w", merged] + caps, check=True)
    cap = env.add_capture(merged)
    groups = {}
    for name in all_fields(env):
        parts = name.split(".")
        key = ".".join(parts[:2]) + "." if parts[0] == "sipdiag" and len(parts) > 2 else name
        groups.setdefault(key, []).append(name)
    check(len(groups) > 40, f"too few field groups: {sorted(groups)}")
    base = ["-r", cap, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|",
            "-e", "frame.number"]
    seen = 0
    for key, names in sorted(groups.items()):
        args = base + [a for n in names for a in ("-e", n)]
        fast = env.run(args).stdout
        whole = env.run(args, extra_env={"SIPDIAG_RENDER_ALL": "1"}).stdout
        check(fast == whole, f"{key}: fields differ from the whole render's")
        seen += any(line.count("\t") > 0 and line.split("\t", 1)[1].strip("\t")
                    for line in fast.splitlines())
        if key.endswith("."):
            flt = " || ".join(names)
            for two in ([], ["-2"]):
                a = two + ["-r", cap, "-Y", flt, "-T", "fields", "-e", "frame.number"]
                fast = env.run(a).stdout
                check(fast == env.run(a, extra_env={"SIPDIAG_RENDER_ALL": "1"}).stdout,
                      f"-Y {flt} {two}: other frames than with the whole render")
    check(seen > 30, f"only {seen} field groups have a value in the bundled captures")


PDML_PROTO = re.compile(r'<proto name="(sip|sipdiag)" showname="[^"]*" size="(\d+)" pos="(\d+)"')


def test_item_bytes_every_pass(env):
    """A sipdiag protocol item covers the bytes of its SIP message, on every pass: the second pass
    of -2 (like the GUI's when a packet is shown) renders from stored results and gets the
    messages' places from the hook again (sip_hook.cpp, want). Regression: there every item had
    an empty range at offset 0 (pdml/json, and no bytes highlighted in the GUI)."""
    caps = sorted(glob.glob(os.path.join(ROOT, "captures", "*.pcapng")))
    caps += sorted(glob.glob(os.path.join(TRANSPORTS, "*.pcapng")))
    caps += sorted(glob.glob(os.path.join(BUNDLED_PUBLIC, "*", "*.pcap*")))
    items = 0
    for i, c in enumerate(caps):
        cap = env.add_capture(c, name=f"bytes-{i}-{os.path.basename(c)}")
        ranges = {}
        for two in ([], ["-2"]):
            out = env.run(two + ["-r", cap, "-Y", "sipdiag", "-T", "pdml"]).stdout
            ranges[bool(two)] = seen = set()
            for packet in out.split("<packet>")[1:]:
                found = [(name, int(size), int(pos)) for name, size, pos in
                         PDML_PROTO.findall(packet)]
                sip = [(pos, pos + size) for name, size, pos in found if name == "sip"]
                for name, size, pos in found:
                    if name != "sipdiag":
                        continue
                    items += 1
                    seen.add((size, pos))
                    check(size > 0 and any(a <= pos and pos + size <= b for a, b in sip),
                          f"{c} {two}: a sipdiag item (size {size}, pos {pos}) is not within a "
                          f"SIP message: {sip}")
        # -2 knows more (links to later frames): it has at least the items of one pass
        check(ranges[False] <= ranges[True],
              f"{c}: items of one pass not found in -2: {sorted(ranges[False] - ranges[True])}")
    check(items > 0, "no sipdiag item in any capture")


def test_every_capture(env):
    """Beyond the paths above: every bundled capture (and the larger public corpus when it is
    beside the clone) gives the same fields with the hook and with it off."""
    caps = sorted(glob.glob(os.path.join(ROOT, "captures", "*.pcapng")))
    caps += sorted(glob.glob(os.path.join(ROOT, "captures", "agents", "*.pcapng")))
    caps += sorted(glob.glob(os.path.join(TRANSPORTS, "*.pcapng")))
    caps += public_captures()
    rows = 0
    for i, c in enumerate(caps):
        cap = env.add_capture(c, name=f"all-{i}-{os.path.basename(c)}")
        for two in (False, True):
            on = fields(env, cap, two, [])
            off = fields(env, cap, two, ["-o", OFF])
            check(on == off, f"{c} ({'-2' if two else '1 pass'}): hook and tree differ")
            rows += len(on)
    check(rows > 0, "no sipdiag item in any capture")


def test_not_analysed_is_reported(env):
    cap = capture(env, "redirect-302-udp.pcapng")
    for two in ([], ["-2"]):
        p, st = debug(env, two + ["-r", cap, "-Y", "sipdiag.not_analysed"], value="blind")
        check(st["na"] > 0 and p.stdout.strip(),
              f"blind trampolines: SIP frames must carry sipdiag.not_analysed ({two}): {st}")
        p = env.run(two + ["-r", cap, "-Y", "sipdiag.not_analysed"])
        check(not p.stdout.strip(), f"sipdiag.not_analysed without reason ({two}): {p.stdout}")


TESTS = [test_udp, test_tcp_two_messages_in_one_segment, test_tcp_reassembly, test_sctp,
         test_websocket, test_tls_with_keys, test_heuristic_non_default_port, test_decode_as,
         test_plain_output_unchanged_and_skipped, test_work_done_when_visible,
         test_filter_that_hides_sipdiag, test_item_only, test_fields_only, test_first_pass_unseen,
         test_parts_by_field, test_item_bytes_every_pass, test_every_capture,
         test_not_analysed_is_reported]

if __name__ == "__main__":
    sys.exit(run_tests(TESTS, sys.argv, "hook", Failure, __doc__))
