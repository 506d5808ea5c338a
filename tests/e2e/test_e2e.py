#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""End-to-end tests of sipdiag in the real tshark.

Usage: test_e2e.py PATH/TO/sipdiag.so [-k substring]

Each test function gets the TsharkEnv; tests assert facts frame by frame. The summary line at the
end is "N passed, M failed"; the exit code is non-zero when anything failed.
"""

import os
import re
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import sippcap  # noqa: E402
from tshark_env import BUNDLED_PUBLIC, public_captures, run_tests  # noqa: E402
import expectations  # noqa: E402

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


class Failure(AssertionError):
    pass


def eq(actual, expected, what):
    if actual != expected:
        raise Failure(f"{what}: expected {expected!r}, got {actual!r}")


def as_list(v):
    if v is None or v == "":
        return []
    return v if isinstance(v, list) else [v]


# Set syntax differs between releases (4.0 wants commas); plain comparisons work everywhere.
CODES_302_412_422 = "{0} == 302 || {0} == 412 || {0} == 422"


def public_capture(rel):
    """A capture bundled in captures/public (see its README.md for origin and license)."""
    p = os.path.join(BUNDLED_PUBLIC, rel)
    if not os.path.exists(p):
        raise Failure(f"captures/public/{rel} not found")
    return p


def generated_capture(env, frames, name):
    """Writes `frames` (sippcap messages) to a pcap the unprivileged tshark can read."""
    fd, tmp = tempfile.mkstemp(suffix=".pcap")
    os.close(fd)
    sippcap.write_pcap(tmp, frames)
    path = env.add_capture(tmp, name)
    os.unlink(tmp)
    return path


# ------------------------------------------------------------------------------------------
# Registration


@test
def plugin_is_listed(env):
    out = env.run(["-G", "plugins"]).stdout
    line = [l for l in out.splitlines() if l.startswith("sipdiag.so")]
    eq(len(line), 1, "sipdiag.so in tshark -G plugins")
    if env.plugin_dir not in line[0]:
        raise Failure(f"loaded from {line[0]!r}, not from the personal folder {env.plugin_dir}")


@test
def every_field_has_a_real_description(env):
    out = env.run(["-G", "fields"]).stdout
    fields = {}
    for line in out.splitlines():
        cols = line.split("\t")
        if cols[0] == "F" and cols[2].startswith("sipdiag."):
            fields[cols[2]] = cols
    for name in expectations.CONTRACT_FIELDS:
        if name not in fields:
            raise Failure(f"field {name} is not registered")
    for name, cols in fields.items():
        if cols[3] == "FT_NONE":  # expert infos are registered as label fields too
            continue
        blurb = cols[7] if len(cols) > 7 else ""
        if len(blurb) < 15 or blurb == cols[1]:
            raise Failure(f"{name} has no real description: {blurb!r}")


@test
def every_expert_info_is_registered(env):
    # Wireshark registers each expert info as a label field named by its filter name, with the
    # summary as its name (4.0 has no "-G expert").
    out = env.run(["-G", "fields"]).stdout
    labels = {l.split("\t")[2]: l.split("\t")[1] for l in out.splitlines()
              if l.startswith("F\t") and "\tFT_NONE\t" in l}
    for name, _group, _severity in expectations.CONTRACT_EXPERTS:
        if name not in labels:
            raise Failure(f"expert info {name} is not registered")
        if len(labels[name]) < 20:
            raise Failure(f"expert info {name} has no real summary: {labels[name]!r}")


# ------------------------------------------------------------------------------------------
# Real captures made with Kamailio (captures/), frame by frame against expectations.py


def check_capture(env, name, spec, two_pass):
    path = env.add_capture(os.path.join(ROOT, "captures", name))
    fields = sorted({f for exp in spec.values() for f in exp})
    rows = env.fields(path, fields, display_filter="sipdiag", two_pass=two_pass)
    for frame, exp in sorted(spec.items()):
        only_forward = all(isinstance(w, expectations.TwoPassOnly) and not w.single
                           for w in exp.values())
        if frame not in rows and (two_pass or not only_forward):
            raise Failure(f"{name}: frame {frame} not diagnosed")
        for field, want in exp.items():
            got = rows.get(frame, {}).get(field, "")
            if isinstance(want, expectations.TwoPassOnly):
                want = want.value if two_pass else want.single
            if isinstance(want, list):
                got = as_list(got)
            eq(got, want, f"{name} frame {frame} {field} ({'-2' if two_pass else 'single pass'})")


def make_capture_tests():
    for name, spec in expectations.CAPTURES.items():
        for two_pass in (False, True):
            def t(env, name=name, spec=spec, two_pass=two_pass):
                check_capture(env, name, spec, two_pass)
            t.__name__ = f"capture[{name}]{'[-2]' if two_pass else ''}"
            TESTS.append(t)


@test
def capture_expert_infos(env):
    for name, experts in expectations.CAPTURE_EXPERTS.items():
        path = env.add_capture(os.path.join(ROOT, "captures", name))
        for expert, frames in experts.items():
            rows = env.fields(path, [], display_filter=expert, two_pass=True)
            eq(sorted(rows), sorted(frames), f"{name}: frames with {expert}")


@test
def register_capture_experts_in_a_single_pass(env):
    # Without -2 nothing is known yet about the next REGISTER: the first 401 gets the plain
    # challenge note; the second already knows that its request (frame 3) carried credentials,
    # so they were refused; the 423 gets its own warning; no follow-up verdict appears.
    path = env.add_capture(os.path.join(ROOT, "captures", "register-401-423.pcapng"))
    want = {"sipdiag.challenge": [2], "sipdiag.interval_too_brief": [6],
            "sipdiag.credentials_rejected": [4], "sipdiag.challenge_answered": [],
            "sipdiag.followup_applied": []}
    for expert, frames in want.items():
        rows = env.fields(path, [], display_filter=expert)
        eq(sorted(rows), frames, f"register-401-423.pcapng: frames with {expert} (single pass)")


@test
def preferences_change_the_analysis_through_tshark_o(env):
    path = env.add_capture(os.path.join(ROOT, "captures", "redirect-302-udp.pcapng"))
    # with a follow-up window shorter than the client's reaction time nothing is a retry
    rows = env.fields(path, ["sipdiag.followup_frame", "sipdiag.outcome"],
                      display_filter="sipdiag.code == 302", two_pass=True,
                      opts=["sipdiag.followup_window:0"])
    eq(sorted(r["sipdiag.outcome"] for r in rows.values()), [expectations.NOT_FOLLOWED] * 5,
       "outcomes with a 0 s follow-up window")
    with_hints = env.fields(path, ["sipdiag.compare.code"], display_filter="sipdiag.code == 302")
    if not with_hints[2]["sipdiag.compare.code"]:
        raise Failure("no comparison hints by default")
    without = env.fields(path, ["sipdiag.compare.code"], display_filter="sipdiag.code == 302",
                         opts=["sipdiag.compare_hints:FALSE"])
    eq(without[2]["sipdiag.compare.code"], "", "comparison hints switched off")


@test
def explanation_fields_alone_in_a_filter_find_their_frames(env):
    # The explanation (reason, meaning, when, fix, rfc, comparisons) is not built when the tree
    # is hidden and nothing names its fields. A filter that names only one of them, with no -e,
    # must still see it (the check that decides must look at every field of the explanation).
    path = env.add_capture(os.path.join(ROOT, "captures", "redirect-302-udp.pcapng"))
    redirects = sorted(env.fields(path, [], display_filter="sipdiag.code == 302").keys())
    eq(len(redirects), 5, "302 responses in redirect-302-udp.pcapng")
    cases = {
        'sipdiag.reason == "Moved Temporarily"': redirects,
        "sipdiag.compare.code == 301": redirects,
        'sipdiag.compare.hint contains "301 is permanent"': redirects,
        'sipdiag.rfc contains "RFC 3261"': None,  # every response: compared with sipdiag.code
        'sipdiag.meaning contains "request"': None,
    }
    responses = sorted(env.fields(path, [], display_filter="sipdiag.code").keys())

    def matching(flt):
        # Summary lines, not -T fields: -T fields (like -V) makes tshark build a visible tree.
        out = env.run(["-r", path, "-Y", flt]).stdout
        return sorted(int(line.split()[0]) for line in out.splitlines() if line.strip())

    for flt, frames in cases.items():
        got = matching(flt)
        if frames is None:
            if not got or not set(got) <= set(responses):
                raise Failure(f"{flt}: frames {got}, responses {responses}")
        else:
            eq(got, frames, f"frames matching {flt}")


@test
def stats_tree_counts(env):
    for name, spec in expectations.STATS.items():
        path = env.add_capture(os.path.join(ROOT, "captures", name))
        out = env.run(["-2", "-q", "-r", path, "-z", "sipdiag,tree"]).stdout
        counts = {}
        for line in out.splitlines():
            parts = [c.strip() for c in line.strip().split("  ") if c.strip()]
            if len(parts) >= 2 and parts[1].isdigit():
                counts[parts[0]] = int(parts[1])
        for key, want in spec.items():
            eq(counts.get(key), want, f"{name}: stats tree line {key!r} in:\n{out}")


@test
def every_302_412_422_in_every_bundled_capture_is_diagnosed(env):
    caps = sorted(f for f in os.listdir(os.path.join(ROOT, "captures")) if f.endswith(".pcapng"))
    if not caps:
        raise Failure("no bundled captures")
    # the same call over SCTP, WebSocket and TLS (captures/transports/README.md)
    caps += sorted(os.path.join("transports", f)
                   for f in os.listdir(os.path.join(ROOT, "captures", "transports"))
                   if f.endswith(".pcapng"))
    for name in caps:
        path = env.add_capture(os.path.join(ROOT, "captures", name))
        sip = env.fields(path, ["sip.Status-Code"], display_filter=CODES_302_412_422.format("sip.Status-Code"))
        diag = env.fields(path, ["sipdiag.code", "sipdiag.meaning", "sipdiag.fix"],
                          display_filter=CODES_302_412_422.format("sipdiag.code"),
                          two_pass=True)
        eq(sorted(diag), sorted(sip), f"{name}: frames with a diagnosed 302/412/422")
        for frame, row in diag.items():
            if not row["sipdiag.meaning"] or not row["sipdiag.fix"]:
                raise Failure(f"{name} frame {frame}: no explanation")


@test
def single_pass_and_two_pass_agree_on_backward_facts(env):
    fields = ["sipdiag.code", "sipdiag.request_frame", "sipdiag.request_method",
              "sipdiag.retransmission", "sipdiag.original_frame", "sipdiag.redirect.contact",
              "sipdiag.timer.min_se", "sipdiag.publish.if_match"]
    for name in sorted(expectations.CAPTURES):
        path = env.add_capture(os.path.join(ROOT, "captures", name))
        one = env.fields(path, fields, display_filter="sipdiag.code")
        two = env.fields(path, fields, display_filter="sipdiag.code", two_pass=True)
        eq(one, two, f"{name}: single pass vs -2")


def find_key(obj, key):
    """All values of `key` anywhere in a -T json tree."""
    found = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == key:
                found += v if isinstance(v, list) else [v]
            found += find_key(v, key)
    elif isinstance(obj, list):
        for v in obj:
            found += find_key(v, key)
    return found


@test
def json_output_carries_the_analysis(env):
    path = env.add_capture(os.path.join(ROOT, "captures", "redirect-302-udp.pcapng"))
    packets = env.json(path, display_filter="frame.number == 26")
    eq(len(packets), 1, "packets in -T json for frame 26")
    eq(find_key(packets, "sipdiag.code"), ["302"], "sipdiag.code in json")
    eq(find_key(packets, "sipdiag.followup_frame"), ["28"], "sipdiag.followup_frame in json")
    eq(find_key(packets, "sipdiag.redirect.target"), ["sip:mallory@127.0.0.1:5080"],
       "retried URI in json")
    eq(len(find_key(packets, "sipdiag.redirect.contact")), 3, "contacts in json")


# ------------------------------------------------------------------------------------------
# Public captures (captures/public, plus ../shared/captures/public when present): real traffic
# of other stacks


@test
def public_register_401_links_request_and_forward_link_in_two_pass(env):
    src = public_capture("ntop__nDPI/sip.pcap")
    path = env.add_capture(src)
    one = env.fields(path, ["sipdiag.code", "sipdiag.request_frame", "sipdiag.request_method",
                            "sipdiag.response_frame"])
    eq(one[2]["sipdiag.code"], "401", "frame 2 code")
    eq(one[2]["sipdiag.request_frame"], "1", "frame 2 request")
    eq(one[2]["sipdiag.request_method"], "REGISTER", "frame 2 method")
    eq(one.get(1, {}).get("sipdiag.response_frame", ""), "", "no forward link in single pass")
    two = env.fields(path, ["sipdiag.response_frame", "sipdiag.response_code"], two_pass=True)
    eq(two[1]["sipdiag.response_frame"], "2", "frame 1 forward link with -2")
    eq(two[1]["sipdiag.response_code"], "401", "frame 1 final response code with -2")


@test
def whole_public_corpus_runs_clean(env):
    count = 0
    bundled = 0
    for src in public_captures():
        f = os.path.basename(src)
        bundled += src.startswith(BUNDLED_PUBLIC + os.sep)
        path = env.add_capture(src, name=f"pub-{count}-{f}")
        for two in (False, True):
            args = ["-r", path, "-Y", "sipdiag", "-V"]
            if two:
                args.insert(0, "-2")
            p = env.run(args, check=False)
            if p.returncode not in (0, 2) or "sipdiag" in p.stderr.lower() or \
                    "Dissector bug" in p.stdout:
                raise Failure(f"{f}: exit {p.returncode}: {p.stderr[:300]}")
        count += 1
    if bundled < 22:
        raise Failure(f"only {bundled} bundled public captures found (captures/public has 22)")


# ------------------------------------------------------------------------------------------
# Every registered code (generated capture: no single real stack sends all 75), both languages

REGISTERED = [100, 180, 181, 182, 183, 199, 200, 202, 204, 300, 301, 302, 305, 380, 400, 401, 402,
              403, 404, 405, 406, 407, 408, 410, 412, 413, 414, 415, 416, 417, 420, 421, 422, 423,
              424, 425, 428, 429, 430, 433, 436, 437, 438, 439, 440, 469, 470, 480, 481, 482, 483,
              484, 485, 486, 487, 488, 489, 491, 493, 494, 500, 501, 502, 503, 504, 505, 513, 555,
              580, 600, 603, 604, 606, 607, 608]


@test
def every_registered_code_is_explained_in_english_and_french(env):
    frames = []
    for i, code in enumerate(REGISTERED + [499, 699]):
        cid = f"all-{code}"
        frames.append(sippcap.request("INVITE", "sip:bob@example.com", cid, 1, f"z9hG4bK-{i}"))
        frames.append(sippcap.response(code, "Whatever", "INVITE", cid, 1, f"z9hG4bK-{i}"))
    path = generated_capture(env, frames, "all-codes.pcap")
    texts = ["sipdiag.meaning", "sipdiag.when", "sipdiag.fix", "sipdiag.rfc"]
    fields = ["sipdiag.code", "sipdiag.class", "sipdiag.request_frame", "sipdiag.note"] + texts
    en = env.fields(path, fields, display_filter="sipdiag.code")
    fr = env.fields(path, fields, display_filter="sipdiag.code", opts=["sipdiag.language:fr"])
    eq(len(en), len(REGISTERED) + 2, "diagnosed responses")
    for frame, row in en.items():
        code = int(row["sipdiag.code"])
        eq(row["sipdiag.class"], str(code // 100), f"{code} class")
        eq(row["sipdiag.request_frame"], str(frame - 1), f"{code} request frame")
        eq(bool(row["sipdiag.note"]), code in (499, 699), f"{code} unregistered note")
        for t in texts:
            if len(row[t]) < 5 or len(fr[frame][t]) < 5:
                raise Failure(f"{code}: {t} missing in en or fr")
        if row["sipdiag.meaning"] == fr[frame]["sipdiag.meaning"]:
            raise Failure(f"{code}: French meaning is the English one")
    # field names and expert summaries stay English whatever the language
    exp = env.fields(path, ["_ws.expert.message"], display_filter="sipdiag.code == 302",
                     opts=["sipdiag.language:fr"])
    if not any("Moved Temporarily" in m for r in exp.values() for m in as_list(r["_ws.expert.message"])):
        raise Failure("expert summary of 302 not in English under -o sipdiag.language:fr")


@test
def header_aware_diagnosis_of_other_codes(env):
    path = generated_capture(env, expectations.topic_frames(), "topics.pcap")
    fields = sorted({f for exp in expectations.TOPIC_FACTS.values() for f in exp})
    rows = env.fields(path, fields, display_filter="sipdiag.code", two_pass=True)
    for frame, exp in expectations.TOPIC_FACTS.items():
        for field, want in exp.items():
            got = rows.get(frame, {}).get(field, "")
            if isinstance(want, list):
                got = as_list(got)
            eq(got, want, f"topics frame {frame} {field}")
    for expert, frames in expectations.TOPIC_EXPERTS.items():
        got = env.fields(path, [], display_filter=expert, two_pass=True)
        eq(sorted(got), frames, f"frames with {expert}")


@test
def site_hints_from_the_preferences_table(env):
    src = public_capture("ntop__nDPI/sip.pcap")
    path = env.add_capture(src)
    rows = env.fields(path, ["sipdiag.site_hint"], display_filter="sipdiag.code == 401",
                      opts=['uat:sipdiag_site_hints:"401","Check the SIP account password in the CRM"'])
    eq(rows[2]["sipdiag.site_hint"], "Check the SIP account password in the CRM", "site hint")
    rows = env.fields(path, ["sipdiag.site_hint"], display_filter="sipdiag.code == 403",
                      opts=['uat:sipdiag_site_hints:"401","x"'])
    eq(rows[5]["sipdiag.site_hint"], "", "no site hint for another code")


# ------------------------------------------------------------------------------------------
# Tree labels: the language preference, and labels too long for Wireshark's 240 bytes


def kb_sections(lang):
    """The blocks of plugin/kb/data/<lang>.kb as {section: {key: text}} (format: kb README)."""
    sections, cur, key = {}, None, None
    with open(os.path.join(ROOT, "plugin", "kb", "data", f"{lang}.kb"), encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\r\n")
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            if line[0] in " \t":
                if cur is not None and key is not None:
                    cur[key] += " " + text
                continue
            key = None
            if text.startswith("["):
                cur = sections.setdefault(text[1:-1].strip(), {})
                continue
            k, _, v = text.partition("=")
            key = k.strip()
            cur[key] = v.strip()
    return sections


# The marker Wireshark 4.2 and later put after the caption of a label it cut itself (4.0:
# " [truncated]: ", which is also the English text of the knowledge base).
WS_CUT_SEP = " [\u2026]: "


def label_parts(lang):
    """Captions, [labels], and the separators a label puts after its caption: ': ' and
    ' [truncated]: ' in English."""
    kb = kb_sections(lang)
    labels = kb["labels"]

    def after_caption(pattern):
        return pattern.split("{2}")[0].replace("{1}", "")

    return (kb["fields"], labels, after_caption(labels["field"]),
            after_caption(labels["field_truncated"]))


def long_hint_frames():
    # One Call-ID that meets a 302 and then a 412: the tree of each shows "In this call, 302 vs
    # 412: <comparison hint>", longer than Wireshark's 240-byte label.
    cid = "labels-1"
    return [
        sippcap.request("INVITE", "sip:bob@example.com", cid, 1, "z9hG4bK-l1"),
        sippcap.response(302, "Moved Temporarily", "INVITE", cid, 1, "z9hG4bK-l1",
                         [("Contact", "<sip:bob@10.0.0.9>")]),
        sippcap.request("PUBLISH", "sip:bob@example.com", cid, 2, "z9hG4bK-l2",
                        [("Event", "presence"), ("SIP-If-Match", "dx200xyz")]),
        sippcap.response(412, "Conditional Request Failed", "PUBLISH", cid, 2, "z9hG4bK-l2"),
    ]


@test
def long_labels_are_cut_with_the_marker_after_the_caption(env):
    # Regression (issue 9): a label sipdiag formats itself (every label in French; "In this
    # call, ..." and "Problem: ..." in English) that is longer than Wireshark's 240 bytes was cut
    # by Wireshark, which marks such a label at its start: "[ [truncated]Comment corriger: ..."
    # and "[ [truncated]In this call, 302 vs 412: ...". The marker must follow the caption, as in
    # the labels Wireshark builds itself ("How to fix [truncated]: ..."), in the user's language.
    paths = [env.add_capture(os.path.join(ROOT, "captures", "redirect-302-udp.pcapng")),
             generated_capture(env, long_hint_frames(), "long-hint.pcap")]
    for lang in ("en", "fr"):
        captions, labels, _, cut_sep = label_parts(lang)
        marker = cut_sep.split("]")[0].strip() + "]"  # "[truncated]", "[tronqué]"
        # Wireshark 4.2 and later mark the labels they cut themselves with "[…]" instead.
        seps = (cut_sep, WS_CUT_SEP)
        shape = re.compile(r"\[[^\[\]]+(" + "|".join(re.escape(x) for x in seps) + ")")
        cut = []
        for path in paths:
            out = env.run(["-2", "-r", path, "-V", "-O", "sipdiag",
                           "-o", f"sipdiag.language:{lang}"]).stdout
            for line in out.splitlines():
                item = line.strip()
                if "[truncated]" not in item and marker not in item and "[…]" not in item:
                    continue
                if item.startswith("[ [") or not shape.match(item):
                    raise Failure(f"{lang}: cut label not marked after its caption: {item[:90]!r}")
                if len(item.encode()) > 2 + 239:  # the brackets of -V, and 239 bytes + NUL
                    raise Failure(f"{lang}: label longer than Wireshark's buffer: {item[:90]!r}")
                cut.append(item)
        # Seen at all (or the checks above prove nothing), including the call hint.
        for what in (captions["sipdiag.fix"], captions["sipdiag.compare.hint"],
                     labels["call_hint"].replace("{1}", "302").replace("{2}", "412")):
            if not any(item.startswith("[" + what + x) for item in cut for x in seps):
                raise Failure(f"{lang}: no cut label '{what}{cut_sep}...' among {len(cut)}")


def sipdiag_items(pdml):
    """The items of the sipdiag trees of a -T pdml output: ('field', filter name, label) and
    ('title', '', text) for subtree titles (text items that are not the wrapped lines of a long
    text). Wireshark's own items (_ws.*) are left out: expert summaries stay English by design."""
    def walk(node):
        for child in node:
            name = child.get("name")
            if name is not None and name.startswith("_ws."):  # expert infos, malformed marks
                continue
            if name == "":
                if node.tag == "proto" or node.get("name") == "":
                    yield ("title", "", child.get("show"))
            else:
                yield ("field", name, child.get("showname"))
            yield from walk(child)

    for proto in ET.fromstring(pdml).iter("proto"):
        if proto.get("name") == "sipdiag":
            yield ("field", "sipdiag", proto.get("showname"))
            yield from walk(proto)


def label_captures(env):
    caps = sorted(f for f in os.listdir(os.path.join(ROOT, "captures")) if f.endswith(".pcapng"))
    paths = [env.add_capture(os.path.join(ROOT, "captures", c)) for c in caps]
    paths.append(generated_capture(env, expectations.topic_frames(), "topics.pcap"))
    paths.append(generated_capture(env, expectations.hostile_frames(), "hostile.pcap"))
    paths.append(generated_capture(env, long_hint_frames(), "long-hint.pcap"))
    return paths


# Subtree titles and remarks the bundled and generated captures must show (so that the check
# below sees each of them at least once).
TITLE_LABELS = ["compared_with", "followup", "redirect", "publication", "session_timer",
                "registration_interval", "challenge", "option_tags", "accepted_content",
                "warnings", "event_package", "glare", "security_agreement"]
REMARK_LABELS = ["capture_ends", "below_min_se", "below_min_expires", "different_tag",
                 "seconds", "retry_after", "request_item"]
# The items that carry them (values of other fields, such as sipdiag.outcome's, stay English).
REMARK_ITEMS = {"", "sipdiag", "sipdiag.timer.session_expires", "sipdiag.interval.expires",
                "sipdiag.publish.last_etag", "sipdiag.response_time"}


def literal_pieces(pattern):
    return [p for p in re.split(r"\{\d\}", pattern) if len(p.strip()) >= 5]


@test
def every_tree_label_follows_the_language(env):
    # With -o sipdiag.language:fr every label sipdiag adds is French: each field's label starts
    # with its French caption, each subtree title with a French title, and no English title or
    # remark is left. The same check in English proves the captions come from the same place.
    paths = label_captures(env)
    en_labels = kb_sections("en")["labels"]
    for lang in ("en", "fr"):
        captions, labels, sep, cut_sep = label_parts(lang)
        titles = {k: labels[k].split("{")[0].strip() for k in TITLE_LABELS}
        hint_head = labels["call_hint"].split("{")[0]
        seen_fields, seen_titles, texts = set(), set(), []
        for path in paths:
            pdml = env.run(["-2", "-r", path, "-T", "pdml", "-o",
                            f"sipdiag.language:{lang}"]).stdout
            for kind, name, text in sipdiag_items(pdml):
                if name in REMARK_ITEMS:
                    texts.append(text)
                if kind == "title":
                    keys = [k for k, t in titles.items() if text.startswith(t)]
                    if not keys:
                        raise Failure(f"{lang}: subtree title not from [labels]: {text!r}")
                    seen_titles.update(keys)
                    continue
                if name == "sipdiag.compare.code":  # "302 vs 301 Moved Permanently"
                    if not re.match(r"\d{3} vs \d{3}", text):
                        raise Failure(f"{lang}: {name} label {text!r}")
                    continue
                if name == "sipdiag.compare.hint" and text.startswith(hint_head):
                    continue  # "In this call, 302 vs 412: ..."
                cap = captions.get(name)
                if cap is None:
                    raise Failure(f"{lang}: {name} has no caption in [fields] of {lang}.kb")
                if not any(text.startswith(cap + x) for x in (sep, cut_sep, WS_CUT_SEP)):
                    raise Failure(f"{lang}: {name} label {text[:80]!r} does not start with "
                                  f"{cap + sep!r}")
                seen_fields.add(name)
        missing = set(TITLE_LABELS) - seen_titles
        if missing:
            raise Failure(f"{lang}: titles never shown by the test captures: {sorted(missing)}")
        if len(seen_fields) < 55:
            raise Failure(f"{lang}: only {len(seen_fields)} fields shown by the test captures")
        everything = "\n".join(texts)
        for key in REMARK_LABELS:
            for piece in literal_pieces(labels[key]):
                if piece not in everything:
                    raise Failure(f"{lang}: [labels] {key} never shown ({piece!r})")
            if lang != "en":
                for piece in literal_pieces(en_labels[key]):
                    if piece in everything:
                        raise Failure(f"{lang}: English {key} text {piece!r} in the tree")


@test
def every_field_has_a_caption_in_the_knowledge_base(env):
    # The English caption is the registered name: that is what lets Wireshark build English
    # labels itself, at no cost. Every field has one in every language, and no caption is left
    # for a field that is gone.
    out = env.run(["-G", "fields"]).stdout
    registered = {}
    for line in out.splitlines():
        cols = line.split("\t")
        if cols[0] == "P" and cols[2] == "sipdiag":
            registered["sipdiag"] = cols[1]
        elif cols[0] == "F" and cols[4] == "sipdiag" and cols[3] != "FT_NONE":  # not experts
            registered[cols[2]] = cols[1]
    en, fr = kb_sections("en")["fields"], kb_sections("fr")["fields"]
    for name, title in sorted(registered.items()):
        if name not in en or name not in fr:
            raise Failure(f"{name} ('{title}') has no caption in [fields] of en.kb and fr.kb")
        eq(en[name], title, f"English caption of {name} (en.kb [fields])")
    eq(sorted(set(en) - set(registered)), [], "captions in en.kb [fields] for no registered field")
    eq(sorted(set(fr) - set(registered)), [], "captions in fr.kb [fields] for no registered field")

# ------------------------------------------------------------------------------------------
# Hostile and malformed input (generated: no real stack sends these)


def hostile_capture(env):
    return generated_capture(env, expectations.hostile_frames(), "hostile.pcap")


@test
def hostile_values_get_expert_infos_and_the_rest_is_analysed(env):
    path = hostile_capture(env)
    for two in (False, True):
        for expert, frames in expectations.HOSTILE_EXPERTS.items():
            rows = env.fields(path, [], display_filter=expert, two_pass=two)
            eq(sorted(rows), sorted(frames), f"frames with {expert} ({'-2' if two else '1'})")
        rows = env.fields(path, ["sipdiag.code", "sipdiag.request_frame",
                                 "sipdiag.redirect.contact", "sipdiag.timer.min_se"], two_pass=two)
        for frame, exp in expectations.HOSTILE_FACTS.items():
            for field, want in exp.items():
                got = rows.get(frame, {}).get(field, "")
                if isinstance(want, int):  # a count of repeated values
                    got = len(as_list(got))
                eq(got, want, f"hostile frame {frame} {field}")
    # -V must render without a dissector bug or crash
    p = env.run(["-r", path, "-V", "-2"], check=False)
    eq(p.returncode, 0, "tshark -V exit code on hostile input")
    if "Dissector bug" in p.stdout or "Malformed Packet: SIPDIAG" in p.stdout:
        raise Failure("dissector bug reported on hostile input")


# ------------------------------------------------------------------------------------------


def main():
    make_capture_tests()
    return run_tests(TESTS, sys.argv, "e2e", Failure, __doc__)


if __name__ == "__main__":
    sys.exit(main())
