#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Multi-point captures (issue 11, docs/multipoint.md): how sipdiag classifies every repeated
sighting of a SIP message, and where it links each response, compared with a ground truth built
from tshark's own fields alone (addresses, ports, times, sip.* headers; sipdiag is not read).

    tests/e2e/test_multipoint.py PLUGIN_SO [-k NAME]

The ground truth, message by message in capture order (a message is one Call-ID, CSeq, top Via
branch and request, or status code and To tag: the responses of two forks differ only there):
  - first sighting anywhere: the logical message;
  - seen before on the same leg (unordered pair of address:port, plus the transport): a capture
    duplicate when it has the same bytes (frame length and header text) as the previous sighting
    on that leg and comes at most 10 ms after it, else a retransmission of the first sighting on
    that leg;
  - seen before on other legs only: a copy of the first sighting anywhere.
A response answers the first sighting of its request on its own leg, else the first anywhere.
The truth is checked against Wireshark's own sip.resend (every resend it flags is a duplicate
or a retransmission here) and sip.response-request (the same request on single-leg links).
"""

import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from tshark_env import BUNDLED_PUBLIC, public_captures, run_tests  # noqa: E402

DUPLICATE_WINDOW = 0.010  # seconds, as core/multipoint.h
FAX = "ntop__nDPI/FAX-Call-t38-CA-TDM-SIP-FB-1.pcap"

TRUTH_FIELDS = [
    "frame.time_epoch", "frame.len", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
    "udp.srcport", "udp.dstport", "tcp.srcport", "tcp.dstport", "sctp.srcport", "sctp.dstport",
    "sip.Call-ID", "sip.CSeq.seq", "sip.CSeq.method", "sip.Via.branch", "sip.Method",
    "sip.Status-Code", "sip.to.tag", "sip.resend", "sip.response-request", "sip.msg_hdr",
]
SIPDIAG_FIELDS = ["sipdiag.retransmission", "sipdiag.original_frame", "sipdiag.copy.kind",
                  "sipdiag.copy.of", "sipdiag.request_frame"]


class Failure(AssertionError):
    pass


TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def values(row, name):
    v = row.get(name, "")
    if isinstance(v, list):
        return [x for x in v if x != ""]
    return [v] if v not in ("", None) else []


def last(row, *names):
    for n in names:
        vs = values(row, n)
        if vs:
            return vs[-1]  # innermost (tunnels: GRE, IP-in-IP)
    return None


def messages(env, capture):
    """The SIP messages of frames that hold exactly one, as dicts, in capture order."""
    # JSON, not -T fields: header text may hold line breaks and tabs (fuzzed captures).
    args = ["-r", capture, "-Y", "sip", "-T", "json", "-e", "frame.number"]
    for f in TRUTH_FIELDS:
        args += ["-e", f]
    rows = {}
    for pkt in json.loads(env.run(args).stdout or "[]"):
        layers = pkt["_source"]["layers"]
        rows[int(layers["frame.number"][0])] = layers
    out = []
    # Several messages in one frame (TCP) cannot be told apart in these fields: the calls they
    # belong to are left out, since the truth would miss their sightings.
    crowded = set()
    for row in rows.values():
        if len(values(row, "sip.Method")) + len(values(row, "sip.Status-Code")) > 1:
            crowded.update(values(row, "sip.Call-ID"))
    for num in sorted(rows):
        row = rows[num]
        methods, codes = values(row, "sip.Method"), values(row, "sip.Status-Code")
        if len(methods) + len(codes) != 1 or len(values(row, "sip.Call-ID")) != 1:
            continue  # several messages in one frame, or no correlatable one
        if values(row, "sip.Call-ID")[0] in crowded:
            continue
        if not values(row, "sip.CSeq.seq") or not values(row, "sip.Via.branch"):
            continue
        transport = next((t for t in ("udp", "tcp", "sctp") if values(row, t + ".srcport")),
                         None)
        src = last(row, "ipv6.src", "ip.src")
        dst = last(row, "ipv6.dst", "ip.dst")
        if transport is None or src is None or dst is None:
            continue
        a = (src, last(row, transport + ".srcport"))
        b = (dst, last(row, transport + ".dstport"))
        out.append({
            "frame": num,
            "time": float(values(row, "frame.time_epoch")[0]),
            "leg": (transport,) + tuple(sorted([a, b])),
            "tx": (values(row, "sip.Call-ID")[0], values(row, "sip.CSeq.seq")[0],
                   values(row, "sip.CSeq.method")[0], values(row, "sip.Via.branch")[0]),
            "what": methods[0] if methods else (int(codes[0]),
                                                 tuple(values(row, "sip.to.tag"))),
            "request": bool(methods),
            "bytes": (values(row, "frame.len")[0], tuple(values(row, "sip.msg_hdr"))),
            "resend": values(row, "sip.resend") in (["1"], ["True"]),
            "ws_request": int(values(row, "sip.response-request")[0])
            if values(row, "sip.response-request") else None,
        })
    return out


def truth(msgs):
    """{frame: (kind, of)} and {response frame: request frame or None}."""
    seen = {}  # (tx, what) -> list of sightings
    kinds, links = {}, {}
    for m in msgs:
        key = (m["tx"], "REQ" if m["request"] else m["what"])
        before = seen.setdefault(key, [])
        on_leg = [s for s in before if s["leg"] == m["leg"]]
        if not before:
            kinds[m["frame"]] = ("first", None)
        elif on_leg:
            prev = on_leg[-1]
            if m["time"] - prev["time"] <= DUPLICATE_WINDOW and m["bytes"] == prev["bytes"]:
                kinds[m["frame"]] = ("duplicate", prev["frame"])
            else:
                kinds[m["frame"]] = ("retransmission", on_leg[0]["frame"])
        else:
            kinds[m["frame"]] = ("copy", before[0]["frame"])
        before.append(m)
        if not m["request"]:
            reqs = seen.get((m["tx"], "REQ"), [])
            own = [s for s in reqs if s["leg"] == m["leg"]]
            links[m["frame"]] = (own or reqs or [{"frame": None}])[0]["frame"]
    return kinds, links


def check_truth_against_wireshark(msgs, kinds, links, name):
    """The ground truth agrees with Wireshark's own resend flags and request links."""
    legs_of, tx_of_request = {}, {}
    for m in msgs:
        legs_of.setdefault(m["tx"], set()).add(m["leg"])
        if m["request"]:
            tx_of_request[m["frame"]] = m["tx"]
    for m in msgs:
        if m["resend"] and kinds[m["frame"]][0] not in ("duplicate", "retransmission"):
            raise Failure(f"{name}: frame {m['frame']}: Wireshark flags a resend, the truth "
                          f"says {kinds[m['frame']]}")
        # Wireshark matches by Call-ID and CSeq number alone (a 408 to an INVITE can link to a
        # CANCEL): compared only where it links to a sighting of the same request.
        if (not m["request"] and tx_of_request.get(m["ws_request"]) == m["tx"] and
                len(legs_of[m["tx"]]) == 1 and m["ws_request"] != links[m["frame"]]):
            raise Failure(f"{name}: frame {m['frame']}: Wireshark links request "
                          f"{m['ws_request']}, the truth {links[m['frame']]}")


def sipdiag_view(env, capture, two_pass):
    rows = env.fields(capture, SIPDIAG_FIELDS, display_filter="sip", two_pass=two_pass)
    kinds, links = {}, {}
    for num, row in rows.items():
        retrans = values(row, "sipdiag.retransmission")
        copy_kind = values(row, "sipdiag.copy.kind")
        if retrans and retrans[0] == "1":
            kinds[num] = ("retransmission", int(values(row, "sipdiag.original_frame")[0]))
        elif copy_kind:
            kinds[num] = ({"1": "duplicate", "2": "copy"}[copy_kind[0]],
                          int(values(row, "sipdiag.copy.of")[0]))
        else:
            kinds[num] = ("first", None)
        req = values(row, "sipdiag.request_frame")
        links[num] = int(req[0]) if req else None
    return kinds, links


def compare(env, path, two_pass=True):
    """(facts that agree, facts, disagreements, truth kinds) for one capture."""
    name = os.path.basename(path)
    capture = env.add_capture(path, name="mp-" + name)
    msgs = messages(env, capture)
    kinds, links = truth(msgs)
    check_truth_against_wireshark(msgs, kinds, links, name)
    got_kinds, got_links = sipdiag_view(env, capture, two_pass)
    agree, total, wrong = 0, 0, []
    for m in msgs:
        f = m["frame"]
        total += 1
        if got_kinds.get(f, ("first", None)) == kinds[f]:
            agree += 1
        else:
            wrong.append(f"frame {f}: {got_kinds.get(f)} instead of {kinds[f]}")
        if not m["request"]:
            total += 1
            if got_links.get(f) == links[f]:
                agree += 1
            else:
                wrong.append(f"frame {f}: request link {got_links.get(f)} instead of {links[f]}")
    return agree, total, wrong, kinds


def fax_path():
    for base in (BUNDLED_PUBLIC, os.path.join(ROOT, "..", "shared", "captures", "public")):
        p = os.path.join(base, FAX)
        if os.path.exists(p):
            return p
    raise Failure(f"{FAX} is neither in captures/public nor in ../shared/captures/public")


@test
def fax_call_seen_on_two_legs(env):
    # The public T.38 fax call: every message seen on the 10.35.60.x and 10.35.40.x legs (same
    # Via branch), some twice within a millisecond on one leg.
    for two_pass in (False, True):
        agree, total, wrong, kinds = compare(env, fax_path(), two_pass)
        print(f"  {FAX} ({'-2' if two_pass else 'one pass'}): {agree} of {total} facts agree")
        counts = {}
        for k, _ in kinds.values():
            counts[k] = counts.get(k, 0) + 1
        print(f"  truth: {sorted(counts.items())}")
        # The capture really is multi-point, so the test cannot pass by flagging nothing.
        if counts.get("copy", 0) < 20 or counts.get("duplicate", 0) < 20:
            raise Failure(f"{FAX}: the truth has too few copies or duplicates: {counts}")
        if wrong:
            raise Failure(f"{FAX}: {len(wrong)} of {total} facts differ: " + "; ".join(wrong[:10]))


def tree_count(text, topic):
    for line in text.splitlines():
        if line.startswith(topic):
            return int(line[len(topic):].split()[0])
    return 0


@test
def fax_call_statistics_count_logical_messages(env):
    # -z sipdiag,tree counts each response once: its duplicates and copies are counted apart.
    path = fax_path()
    capture = env.add_capture(path, name="tree-" + os.path.basename(path))
    msgs = messages(env, capture)
    kinds, _ = truth(msgs)
    responses = [m for m in msgs if not m["request"]]
    logical = sum(1 for m in responses if kinds[m["frame"]][0] in ("first", "retransmission"))
    repeats = len(responses) - logical
    for two_pass in (False, True):
        out = env.run((["-2"] if two_pass else []) + ["-q", "-r", capture, "-z",
                                                      "sipdiag,tree"]).stdout
        got = (tree_count(out, "Responses by code"),
               tree_count(out, "Duplicates and copies (not counted above)"))
        print(f"  tree ({'-2' if two_pass else 'one pass'}): {got[0]} responses, "
              f"{got[1]} duplicates and copies; truth: {logical}, {repeats}")
        if got != (logical, repeats) or repeats == 0:
            raise Failure(f"tree counts {got}, truth {(logical, repeats)}")


def every_capture():
    """The project's own captures (captures/, captures/agents/), then every public one."""
    own = sorted(glob.glob(os.path.join(ROOT, "captures", "*.pcapng")) +
                 glob.glob(os.path.join(ROOT, "captures", "agents", "*.pcapng")))
    return own + public_captures()


@test
def every_capture_agrees(env):
    # Single-leg captures too: their retransmissions stay retransmissions, their links unchanged;
    # any other capture with copies or duplicates is compared the same way.
    agree_all = total_all = 0
    bad = []
    for path in every_capture():
        agree, total, wrong, kinds = compare(env, path, two_pass=False)
        agree_all += agree
        total_all += total
        repeats = sum(1 for k, _ in kinds.values() if k in ("copy", "duplicate"))
        if repeats:
            print(f"  {os.path.relpath(path, ROOT)}: {repeats} copies/duplicates; "
                  f"{agree} of {total} facts agree")
        if wrong:
            bad.append(f"{os.path.basename(path)}: " + "; ".join(wrong[:5]))
    print(f"  all captures: {agree_all} of {total_all} facts agree")
    if total_all < 1000:  # the bundled captures alone give well over a thousand
        raise Failure(f"only {total_all} facts: are the captures there?")
    if bad:
        raise Failure(" | ".join(bad))


def main():
    return run_tests(TESTS, sys.argv, "multipoint", Failure, __doc__)


if __name__ == "__main__":
    sys.exit(main())
