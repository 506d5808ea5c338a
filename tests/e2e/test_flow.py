#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""End-to-end tests of the "SIP diagnostics" flow type (tshark -z flow,sipdiag,...).

Usage: test_flow.py PATH/TO/sipdiag.so [-k substring]

The flow items are written by the plugin into Wireshark's own flow graph structures, whose
layout sipdiag declares itself on releases without epan/sequence_analysis.h
(plugin/wireshark/ws_seq_compat.h): when a layout stops matching, the labels, comments and
conversation numbers asserted here no longer come out. Closing line: "N passed, M failed".
"""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

from tshark_env import BUNDLED_PUBLIC, run_tests  # noqa: E402

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


class Failure(AssertionError):
    pass


def eq(actual, expected, what):
    if actual != expected:
        raise Failure(f"{what}:\n  expected {expected!r}\n  got      {actual!r}")


# An item's first line: [conv] |time |...label...|comment
ITEM = re.compile(r"^(\d+)?\s*\|(\d+\.\d+)\s*(\|.*)$")


def parse_flow(text):
    """The items of tshark's ASCII flow: a list of (conv or None, label, comment)."""
    items = []
    for line in text.splitlines():
        m = ITEM.match(line)
        if not m:
            continue
        cells = m.group(3).split("|")
        label = " ".join(c.strip() for c in cells[1:-1] if c.strip())
        conv = int(m.group(1)) if m.group(1) is not None else None
        items.append((conv, label, cells[-1]))
    return items


def flow(env, capture, two_pass=True, mode="standard", flt=None, opts=()):
    path = env.add_capture(os.path.join(ROOT, "captures", capture))
    arg = f"flow,sipdiag,{mode}" + (f",{flt}" if flt else "")
    args = (["-2"] if two_pass else []) + ["-q", "-r", path, "-z", arg]
    for o in opts:
        args += ["-o", o]
    p = env.run(args)
    for bad in ("Dissector bug", "Segmentation", "free(): ", "double free", "corrupted"):
        if bad in p.stdout or bad in p.stderr:
            raise Failure(f"{bad!r} in the output of tshark {' '.join(args)}: {p.stderr[-2000:]}")
    return parse_flow(p.stdout)


def labels(items):
    return [label for _, label, _ in items]


def convs(items):
    return [conv for conv, _, _ in items]


def find(items, label, fragment):
    """The first item with `label` whose comment contains `fragment`."""
    for it in items:
        if it[1] == label and fragment in it[2]:
            return it
    raise Failure(f"no {label} item with {fragment!r}; items:\n" +
                  "\n".join(f"  {c} {lb} | {cm}" for c, lb, cm in items))


# ------------------------------------------------------------------------------------------


@test
def flow_type_is_listed_by_tshark(env):
    p = env.run(["-z", "help"], check=False)
    out = p.stdout + p.stderr
    if "flow,sipdiag" not in out:
        raise Failure("tshark -z help does not list flow,sipdiag")


MIXED_TWO_PASS = [
    (1, "INVITE", "answered with 422 in frame 2"),
    (1, "422", "asked 60 s, the server wants at least 90 s; the retry asked 90 s with Min-SE: "
               "fixed (frame 4)"),
    (1, "INVITE", "retry after the 422 in frame 2: Session-Expires 90 s with Min-SE (the 422 "
                  "wants 90 s): applies the fix"),
    (1, "302", "answer to the retry after the 422 in frame 2; 1 Contact "
               "sip:mixed-target@127.0.0.1:5080; retried at sip:mixed-target@127.0.0.1:5080, the "
               "Contact: fixed (frame 7)"),
    (1, "INVITE", "retry after the 302 in frame 5: to sip:mixed-target@127.0.0.1:5080, a Contact "
                  "of the 302: applies the fix"),
    (1, "200", "answer to the retry after the 302 in frame 5: success"),
    (2, "INVITE", "answered with 302 in frame 17"),
    (2, "100", "Trying"),
    (2, "INVITE", "copy of frame 12 relayed by a proxy; answered with 302 in frame 15"),
    (2, "302", "relayed to the client as frame 17 (verdict there)"),
    (2, "302", "copy of frame 15 relayed by a proxy; 1 Contact sip:carol@127.0.0.1:5080; retried "
               "at sip:carol@127.0.0.1:5080, the Contact: fixed (frame 19)"),
    (2, "INVITE", "retry after the 302 in frame 17: to sip:carol@127.0.0.1:5080, a Contact of the "
                  "302: applies the fix"),
    (2, "200", "answer to the retry after the 302 in frame 17: success"),
]


@test
def mixed_call_ladder_with_two_passes(env):
    # Every arrow, its conversation (one per call), label and whole comment: the ladder of
    # docs/flow.md. ACK, BYE and its 200 are not part of a diagnosed transaction.
    eq(flow(env, "mixed-call.pcapng"), MIXED_TWO_PASS, "mixed-call.pcapng -2 flow")


@test
def endpoints_are_address_and_port(env):
    # One column per SIP endpoint: UAC, proxy and UAS share 127.0.0.1 (or ::1) in these captures.
    for capture, nodes in (("mixed-call.pcapng",
                            ["127.0.0.1:5070", "127.0.0.1:5060", "127.0.0.1:5080"]),
                           ("redirect-302-tcp-ipv6.pcapng", ["[::1]:5071", "[::1]:5060",
                                                             "[::1]:5072", "[::1]:5080"])):
        path = env.add_capture(os.path.join(ROOT, "captures", capture))
        out = env.run(["-2", "-q", "-r", path, "-z", "flow,sipdiag,standard"]).stdout
        header = " ".join(out.splitlines()[:2])
        found = re.findall(r"\|\s*(\S+:\d+)", header)
        eq(sorted(found), sorted(nodes), f"{capture}: the ladder's columns")


@test
def mixed_call_network_mode_gives_the_same_ladder(env):
    eq(flow(env, "mixed-call.pcapng", mode="network"), MIXED_TWO_PASS, "network mode")


@test
def mixed_call_single_pass_knows_the_past_only(env):
    items = flow(env, "mixed-call.pcapng", two_pass=False)
    # The requests that opened a transaction are only known to matter once its answer is read:
    # single pass shows the responses and the retries.
    eq(labels(items), ["422", "INVITE", "302", "INVITE", "200", "302", "302", "INVITE", "200"],
       "single pass labels")
    eq(convs(items), [1, 1, 1, 1, 1, 2, 2, 2, 2], "single pass conversations")
    eq(items[0][2], "asked 60 s, the server wants at least 90 s; no retry seen yet: pending, "
                    "needs the whole capture (-2)", "422 before its retry was read")
    # A retry is judged when it is read: it comes after the response.
    eq(items[1][2], MIXED_TWO_PASS[2][2], "retry after the 422, single pass")
    eq(items[3][2], MIXED_TWO_PASS[4][2], "retry after the 302, single pass")
    find(items, "302", "copy of frame 15 relayed by a proxy")


@test
def french_comments_follow_the_language_preference(env):
    items = flow(env, "mixed-call.pcapng", opts=["sipdiag.language:fr"])
    eq(labels(items), labels(MIXED_TWO_PASS), "labels do not depend on the language")
    eq(items[1][2], "demandé 60 s, le serveur veut au moins 90 s ; la relance a demandé 90 s "
                    "avec Min-SE : corrigé (trame 4)", "422 in French")
    find(items, "INVITE", "relance après le 302 de la trame 5 : vers "
                          "sip:mixed-target@127.0.0.1:5080, un Contact du 302 : applique la "
                          "correction")
    find(items, "302", "relayé au client en trame 17 (verdict là-bas)")


@test
def display_filter_of_the_flow_is_honoured(env):
    items = flow(env, "mixed-call.pcapng", flt="sipdiag.code == 302")
    eq(labels(items), ["302", "302", "302"], "only the 302s")
    eq(convs(items), [1, 2, 2], "their calls")
    items = flow(env, "mixed-call.pcapng", flt="frame.number >= 12")
    # One conversation left: tshark leaves out its Conv. column.
    eq(items, [(None, lb, cm) for _, lb, cm in MIXED_TWO_PASS[6:]], "the second call only")
    items = flow(env, "mixed-call.pcapng", flt="sip.Method == \"BYE\"")
    eq(items, [], "no BYE is part of a diagnosed transaction")


@test
def redirect_udp_verdicts(env):
    items = flow(env, "redirect-302-udp.pcapng")
    eq(labels(items), ["INVITE", "302", "INVITE", "200"] * 4 + ["INVITE", "302"], "labels")
    eq(convs(items), [1] * 4 + [2] * 4 + [3] * 4 + [4] * 4 + [5] * 2, "one conversation per call")
    find(items, "302", "; a later call went to the Contact instead of sip:redir-q-1@127.0.0.1 "
                       "(frame 20)")
    find(items, "302", "retried at sip:bob-a@127.0.0.1:5080, not the best one: fixed (frame 20)")
    find(items, "302", "retried at sip:mallory@127.0.0.1:5080, none of them: wrong fix (frame 28)")
    find(items, "INVITE", "retry after the 302 in frame 26: to sip:mallory@127.0.0.1:5080, none of "
                          "the Contacts: wrong fix")
    eq(items[-1][2], "3 Contacts, best sip:bob-d@127.0.0.1:5080 (q=0.9); no retry: not followed",
       "last 302")


@test
def redirect_tcp_ipv6_two_messages_in_one_segment(env):
    items = flow(env, "redirect-302-tcp-ipv6.pcapng")
    # Frame 22 carries two INVITEs of two calls: two arrows, two conversations.
    eq(labels(items)[4:8], ["INVITE", "INVITE", "302", "302"], "frame 22, then 24 and 25")
    eq(convs(items)[4:8], [2, 3, 2, 3], "their calls")
    find(items, "INVITE", "retry after the 302 in frame 49: to "
                          "sip:mallory@[::1]:5080;transport=tcp, none of the Contacts: wrong fix")


@test
def publish_412_tags(env):
    items = flow(env, "publish-412.pcapng")
    eq(labels(items), ["PUBLISH", "412", "PUBLISH", "200", "PUBLISH", "412", "PUBLISH", "412",
                       "PUBLISH", "412", "PUBLISH", "200"], "labels")
    i = find(items, "412", "; the retry sent If-Match again: wrong fix (frame 17)")
    if not re.match(r"If-Match \S+ is stale, the server last issued \S+ \(frame 12\); ", i[2]):
        raise Failure(f"412 comment without the stale and last-issued tags: {i[2]!r}")
    find(items, "PUBLISH", "retry after the 412 in frame 14: SIP-If-Match sent again: wrong fix")
    i = find(items, "412", ": recovered (frame 7)")
    if "(frame 4)" not in i[2]:
        raise Failure(f"412 of frame 6 does not name the tag issued in frame 4: {i[2]!r}")


@test
def session_timer_422_intervals(env):
    items = flow(env, "session-timer-422.pcapng")
    find(items, "422", "asked 30 s, the server wants at least 90 s; the retry asked 1800 s with "
                       "Min-SE: fixed (frame 18)")
    find(items, "422", "asked 60 s, the server wants at least 90 s; the retry asked 80 s with "
                       "Min-SE, refused again: wrong fix (frame 32)")
    find(items, "INVITE", "retry after the 422 in frame 30: Session-Expires 80 s with Min-SE (the "
                          "422 wants 90 s): wrong fix")
    find(items, "INVITE", "retry after the 422 in frame 16: Session-Expires 1800 s with Min-SE "
                          "(the 422 wants 90 s): applies the fix")
    find(items, "100", "answer to the retry after the 422 in frame 2")


@test
def register_401_423_credentials(env):
    items = flow(env, "register-401-423.pcapng")
    eq(labels(items), ["REGISTER", "401", "REGISTER", "401", "REGISTER", "423", "REGISTER", "200"],
       "labels")
    eq(items[1][2], 'Digest realm "sipdiag.test"; the retry carried credentials, refused again: '
                    "wrong fix (frame 3)", "first 401")
    # The retry did what the 401 asked (credentials); the verdict on the 401 says they were
    # refused.
    eq(items[2][2], "retry after the 401 in frame 2: with credentials: applies the fix",
       "first retry")
    eq(items[4][2], "retry after the 401 in frame 4: with credentials: applies the fix",
       "second retry")
    eq(items[5][2], "answer to the retry after the 401 in frame 4; asked 30 s, the server wants at "
                    "least 60 s; the retry asked 60 s: fixed (frame 7)", "423")
    eq(items[7][2], "answer to the retry after the 423 in frame 6: success", "final 200")


@test
def retransmissions_are_marked(env):
    for two_pass in (True, False):
        items = flow(env, "retransmissions.pcapng", two_pass=two_pass)
        retx = [(c, lb, cm) for c, lb, cm in items if cm.startswith("retransmission of frame")]
        eq([(lb, cm) for _, lb, cm in retx],
           [("302", "retransmission of frame 2")] * 3 + [("422", "retransmission of frame 7")] * 3
           + [("302", "retransmission of frame 12"), ("INVITE", "retransmission of frame 11"),
              ("302", "retransmission of frame 12")], f"retransmissions (two_pass={two_pass})")
        eq([c for c, _, _ in retx], [1, 1, 1, 2, 2, 2, 3, 3, 3],
           "a copy shares the conversation of its original")


@test
def no_request_capture(env):
    items = flow(env, "no-request.pcapng")
    eq(labels(items)[:3], ["302", "INVITE", "200"], "302 without its INVITE")
    find(items, "412", "entity sip:alice@127.0.0.1; a fresh PUBLISH got a new tag ")
    find(items, "422", "the server wants at least 90 s; the retry asked 90 s with Min-SE: fixed "
                       "(frame 10)")


@test
def every_bundled_capture_gives_a_flow_in_both_modes(env):
    names = sorted(f for f in os.listdir(os.path.join(ROOT, "captures")) if f.endswith(".pcapng"))
    for name in names:
        for two_pass in (True, False):
            items = flow(env, name, two_pass=two_pass)
            if not items:
                raise Failure(f"{name} (two_pass={two_pass}): empty flow")
            for conv, label, comment in items:
                if not (label.isdigit() or label.isalpha()):
                    raise Failure(f"{name}: label {label!r} is neither a method nor a code")
                if not comment.strip():
                    raise Failure(f"{name}: {label} without a comment")
                if conv is not None and not 0 <= conv < 65536:
                    raise Failure(f"{name}: conversation {conv}")


@test
def public_captures_run_clean(env):
    # Real captures of other projects: other codes (403, 487, 503...) and hostile input.
    seen = set()
    for root, _, files in os.walk(BUNDLED_PUBLIC):
        for f in sorted(files):
            if not f.endswith((".pcap", ".pcapng")):
                continue
            path = env.add_capture(os.path.join(root, f), name="pub-" + f)
            p = env.run(["-2", "-q", "-r", path, "-z", "flow,sipdiag,standard"], check=False)
            if p.returncode != 0 or "Dissector bug" in p.stdout + p.stderr:
                raise Failure(f"{f}: exit {p.returncode}: {p.stderr[-1000:]}")
            seen.update(label for _, label, _ in parse_flow(p.stdout))
    for expected in ("REGISTER", "401", "INVITE", "487", "503"):
        if expected not in seen:
            raise Failure(f"no {expected} arrow in the public captures (seen: {sorted(seen)})")


# ------------------------------------------------------------------------------------------


def main():
    return run_tests(TESTS, sys.argv, "flow", Failure, __doc__)


if __name__ == "__main__":
    sys.exit(main())
