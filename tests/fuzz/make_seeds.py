#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the seed corpus of the fuzz targets into tests/fuzz/corpus/.

values/      SIP header values as they appear in real messages (one parser input per file; for
             the URI comparison, two URIs separated by a newline).
correlator/  short message sequences (302, 412, 422 flows, retransmissions, traps) encoded in
             the byte format that fuzz_correlator.cpp decodes; the pools below must stay equal
             to the ones there.

Run it again after changing the pools or the format: python3 tests/fuzz/make_seeds.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

VALUES = {
    "delta_1800": "1800",
    "delta_spaces": " 42 ",
    "delta_max": "4294967295",
    "delta_overflow": "4294967296",
    "delta_garbage": "12abc",
    "session_expires_refresher": "1800;refresher=uac",
    "session_expires_quoted": '90 ; Refresher="UAS";x=1',
    "qvalue": "0.5",
    "qvalue_quoted": '"0.125"',
    "qvalue_bad": "1.001",
    "contact_two_q": "<sip:a@x>;q=0.5, <sip:b@x>;q=1.0",
    "contact_display_comma": '"Doe, \\"J\\"" <sip:j@x>;q=0.3, <sip:k@x>',
    "contact_addr_spec": "sip:c@x;expires=60",
    "contact_star": "*",
    "contact_unbalanced": "<sip:a@x",
    "contact_kamailio": '"Bob" <sip:bob@192.0.2.4:5060;transport=udp>;expires=3600;'
                        '+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"',
    "contact_utf8": "\"J\u00e9r\u00f4me \u20ac\" <sip:j%C3%A9r%C3%B4me@example.com>;q=0.9",
    "etag": "dx200xyz",
    "etag_bad": "abc def",
    "event_presence": "presence",
    "event_dialog_id": "Dialog;id=1234",
    "uri_rfc_equal": "sip:%61lice@atlanta.com;transport=TCP\nsip:alice@AtLanTa.CoM;Transport=tcp",
    "uri_rfc_port": "sip:bob@biloxi.com\nsip:bob@biloxi.com:5060",
    "uri_rfc_transport": "sip:bob@biloxi.com\nsip:bob@biloxi.com;transport=udp",
    "uri_params": "sip:carol@chicago.com;security=on\nsip:carol@chicago.com;newparam=5",
    "uri_ipv6": "sip:[2001:DB8::10]:5070;transport=tcp\nsip:[2001:db8::10]:5070;Transport=TCP",
    "uri_tel": "tel:+1-201-555-0123\ntel:+1-201-555-0123;phone-context=example.com",
    "uri_headers": "sip:alice@atlanta.com?subject=project%20x&priority=urgent\n"
                   "<sip:alice@atlanta.com>",
    "uri_user_phone": "sip:+1-212-555-1212:1234@gateway.com;user=phone\n"
                      "sip:+1-212-555-1212:1234@gateway.com",
    "uri_name_addr": '"Alice" <sip:alice@atlanta.com>;tag=88sja8x\nsip:alice@atlanta.com',
}

# --- fuzz_correlator.cpp pools (same order) --------------------------------------------------
METHODS = ["INVITE", "ACK", "BYE", "CANCEL", "PUBLISH", "UPDATE", "OPTIONS", "MESSAGE",
           "SUBSCRIBE", "PRACK", "REGISTER"]
CODES = [100, 180, 183, 200, 202, 302, 412, 422, 486, 500, 301, 481,
         401, 407, 423, 415, 420, 421, 488, 489, 491, 494, 503, 606]
CALL_IDS = ["a84b4c76e66710@pc33", "pub-81726@pc33", "c3@x", ""]
BRANCHES = ["z9hG4bK74bf9", "z9hG4bK-retry", "z9hG4bK-proxy", "z9hG4bK-4", ""]
SENT_BY = ["pc33.atlanta.example.com:5060", "proxy.atlanta.example.com:5060",
           "PC33.atlanta.example.com:5060", "[2001:db8::1]:5060", ""]
SRCS = ["192.0.2.10", "192.0.2.1", "2001:db8::1", ""]
TAGS = ["1928301774", "a73kszlfl", ""]
URIS = ["sip:bob@biloxi.example.com", "sip:bob@192.0.2.4", "sip:alice@atlanta.example.com",
        "sip:%62ob@192.0.2.4;transport=UDP", "sip:bob@192.0.2.4:5060", "tel:+1-201-555-0123",
        "sip:[2001:db8::4]:5070;transport=tcp", ""]
CONTACTS = ["<sip:bob@192.0.2.4>", "<sip:a@x>;q=0.5, <sip:b@x>;q=1.0",
            '"Doe, \\"J\\"" <sip:bob@192.0.2.4;transport=udp>;q=0.7',
            "sip:bob@192.0.2.4:5060;expires=60", "*", "<sip:a@x",
            "<sip:bob@192.0.2.4>;q=abc;expires=-1", ""]
SESSION_EXPIRES = ["90", "1800", "1800;refresher=uac", "3600;refresher=uas", "abc", "4294967296",
                   " 42 ", ""]
MIN_SE = ["1800", "90", "abc", "99999999999", ""]
ETAGS = ["dx200xyz", "kwj449x", "abc def", ""]
EVENTS = ["presence", "dialog;id=1", "Presence", ""]
HEADER_VALUES = [
    'Digest realm="atlanta.example.com", nonce="ea9c8e88df84f1cec4341ae6cbe5a359", '
    'algorithm=SHA-256, qop="auth", stale=TRUE',
    'Digest username="alice", realm="atlanta.example.com", response="dfe56131d1958046"',
    "100rel, timer, ,precondition", "3600", "120 (lunch);duration=60",
    '399 atlanta.example.com "Incompatible media format", 370 - "x"', "application/sdp",
    "presence, dialog", "digest;d-alg=md5;q=0.1, tls;q=0.2", "abc", ""]
# core/topics.h enum Hdr, in order
HDRS = ["www_authenticate", "proxy_authenticate", "authorization", "proxy_authorization",
        "unsupported", "require", "proxy_require", "supported", "accept", "accept_encoding",
        "accept_language", "content_type", "warning", "allow_events", "retry_after", "expires",
        "min_expires", "security_server"]
WINDOWS = {"32s": 0, "0": 1, "1ms": 2, "max": 3}


def pick(pool, value):
    if value in pool:
        return bytes([pool.index(value)])
    raw = value.encode()
    head = bytes([len(raw)]) if len(raw) < 255 else b"\xff" + struct.pack("<H", len(raw))
    return b"\xff" + head + raw


def config(tx=4, entities=4, pending=4, calls=4, codes=4, window="32s"):
    return bytes([tx | entities << 3, pending | calls << 3, codes | WINDOWS[window] << 3])


def msg(method=None, status=None, cseq_method="INVITE", call_id=CALL_IDS[0], cseq=1,
        branch=BRANCHES[0], sent_by=SENT_BY[0], src=SRCS[0], tag=TAGS[0], ruri=URIS[0],
        to=URIS[0], same_frame=False, back=False, no_cseq=False, ms=None, secs=None,
        abs_time=None, contact=(), se=(), min_se=(), if_match=(), etag=(), event=(),
        headers=()):
    """One message; the time step is +ms, +secs or an absolute time (default +10 ms).
    headers: (Hdr name, value) pairs for the topic analysis."""
    lists = any([contact, se, min_se, if_match, etag, event, headers])
    if abs_time is not None:
        kind, payload = 4, struct.pack("<q", abs_time)
    elif secs is not None:
        kind, payload = 2, bytes([secs])
    elif ms is not None:
        kind, payload = 1, bytes([ms])
    else:
        kind, payload = 5, b""
    op = ((method is not None) | no_cseq << 1 | same_frame << 2 | lists << 3 | back << 4
          | kind << 5)
    out = bytes([op]) + payload
    if method is not None:
        out += pick(METHODS, method)
    else:
        out += bytes([CODES.index(status)]) if status in CODES else b"\xff" + struct.pack(
            "<H", status)
        out += pick(METHODS, cseq_method)
    out += pick(CALL_IDS, call_id) + bytes([cseq]) + pick(BRANCHES, branch)
    out += pick(SENT_BY, sent_by) + pick(SRCS, src) + pick(TAGS, tag)
    out += pick(URIS, ruri) + pick(URIS, to)
    if lists:
        for pool, vals in ((CONTACTS, contact), (SESSION_EXPIRES, se), (MIN_SE, min_se),
                           (ETAGS, if_match), (ETAGS, etag), (EVENTS, event)):
            assert len(vals) <= 2
            out += bytes([len(vals)]) + b"".join(pick(pool, v) for v in vals)
        assert len(headers) <= 3
        out += bytes([len(headers)])
        for name, value in headers:
            out += bytes([HDRS.index(name)]) + pick(HEADER_VALUES, value)
    return out


def req(method, **kw):
    kw.setdefault("cseq_method", method)
    return msg(method=method, **kw)


def resp(status, **kw):
    return msg(status=status, src=kw.pop("src", "2001:db8::1"), **kw)


RETRY = dict(cseq=2, branch="z9hG4bK-retry")
PUB = dict(call_id="pub-81726@pc33", ruri="sip:alice@atlanta.example.com",
           to="sip:alice@atlanta.example.com", cseq_method="PUBLISH")

CORRELATOR = {
    "redirect_followed": config() + b"".join([
        req("INVITE"), resp(302, contact=["<sip:bob@192.0.2.4>"]), req("ACK"),
        req("INVITE", ruri="sip:bob@192.0.2.4", **RETRY), resp(200, **RETRY)]),
    "redirect_wrong_target": config() + b"".join([
        req("INVITE"), resp(302, contact=["<sip:bob@192.0.2.4>"]), req("ACK"),
        req("INVITE", ruri="sip:bob@192.0.2.4:5060", **RETRY)]),
    "redirect_lower_q": config() + b"".join([
        req("INVITE"), resp(302, contact=["<sip:a@x>;q=0.5, <sip:b@x>;q=1.0"]), req("ACK"),
        req("INVITE", ruri="sip:a@x", **RETRY)]),
    "redirect_proxy_copy": config() + b"".join([
        req("INVITE"), resp(302, contact=["<sip:bob@192.0.2.4>"]), req("ACK"),
        req("INVITE", ruri="sip:bob@192.0.2.4", cseq=2, branch="z9hG4bK-proxy",
            sent_by=SENT_BY[1], src=SRCS[1]),
        req("OPTIONS", call_id="c3@x", secs=40)]),
    "redirect_outside_window": config() + b"".join([
        req("INVITE"), resp(302, contact=["*", "<sip:bob@192.0.2.4>"]), req("ACK"),
        req("INVITE", ruri="sip:bob@192.0.2.4", secs=33, **RETRY)]),
    "publish_412_recovered": config() + b"".join([
        req("PUBLISH", if_match=["dx200xyz"], event=["presence"], **PUB),
        resp(412, **PUB),
        req("PUBLISH", event=["presence"], **PUB, **RETRY),
        resp(200, etag=["kwj449x"], **PUB, **RETRY)]),
    "publish_412_if_match_repeated": config() + b"".join([
        req("PUBLISH", event=["presence"], **PUB),
        resp(200, etag=["dx200xyz"], **PUB),
        req("PUBLISH", if_match=["dx200xyz"], event=["presence"], ms=200, cseq=2,
            branch="z9hG4bK-4", **PUB),
        resp(412, cseq=2, branch="z9hG4bK-4", **PUB),
        req("PUBLISH", if_match=["dx200xyz"], event=["presence"], cseq=3,
            branch="z9hG4bK-retry", **PUB)]),
    "publish_412_request_missing": config() + b"".join([
        resp(412, **PUB),
        req("PUBLISH", event=["Presence"], **PUB, **RETRY),
        resp(200, etag=["kwj449x"], **PUB, **RETRY)]),
    "session_422_fixed": config() + b"".join([
        req("INVITE", se=["90"]), resp(422, min_se=["1800"]), req("ACK"),
        req("INVITE", se=["1800;refresher=uac"], min_se=["1800"], **RETRY),
        resp(200, se=["1800;refresher=uac"], **RETRY)]),
    "session_422_twice": config() + b"".join([
        req("INVITE", se=["90"]), resp(422, min_se=["1800"]), req("ACK"),
        req("INVITE", se=["90"], **RETRY), resp(422, min_se=["abc"], **RETRY),
        resp(422, **RETRY)]),
    "retransmissions": config() + b"".join([
        req("INVITE"), req("INVITE", ms=250), resp(100), resp(180), resp(183),
        resp(181), resp(302, contact=["<sip:bob@192.0.2.4>"]),
        resp(302, ms=250, contact=["<sip:bob@192.0.2.4>"]), req("ACK"),
        req("ACK", same_frame=True), req("INVITE", ruri="sip:bob@192.0.2.4", **RETRY)]),
    "two_messages_in_one_frame": config() + b"".join([
        req("INVITE"), resp(302, contact=["<sip:bob@192.0.2.4>"]), req("ACK"),
        req("INVITE", ruri="sip:%62ob@192.0.2.4;transport=UDP", same_frame=True, **RETRY)]),
    "out_of_order_and_far_times": config(window="max") + b"".join([
        req("INVITE", abs_time=-9_000_000_000_000_000_000), resp(302, back=True,
                                                                  contact=["<sip:a@x"]),
        req("INVITE", abs_time=9_000_000_000_000_000_000, ruri="sip:a@x", **RETRY),
        resp(200, abs_time=0, **RETRY)]),
    "tiny_tables": config(0, 0, 0, 0, 0, window="1ms") + b"".join(
        [req("INVITE", call_id=c, cseq=n) + resp(s, call_id=c, cseq=n, contact=["*"],
                                                 min_se=["90"])
         for n, (c, s) in enumerate([("a84b4c76e66710@pc33", 302), ("c3@x", 422),
                                     ("pub-81726@pc33", 412), ("x", 302), ("y", 422)])]),
    "auth_401_then_credentials": config() + b"".join([
        req("INVITE"), resp(401, headers=[("www_authenticate", HEADER_VALUES[0])]), req("ACK"),
        req("INVITE", headers=[("authorization", HEADER_VALUES[1])], **RETRY),
        resp(407, headers=[("proxy_authenticate", HEADER_VALUES[0])], **RETRY)]),
    "register_423_then_longer": config() + b"".join([
        req("REGISTER", headers=[("expires", "120 (lunch);duration=60")]),
        resp(423, cseq_method="REGISTER", headers=[("min_expires", "3600")]),
        req("REGISTER", **RETRY,
            headers=[("expires", "3600"), ("require", "100rel, timer, ,precondition")]),
        resp(420, cseq_method="REGISTER", **RETRY,
             headers=[("unsupported", "100rel, timer, ,precondition"),
                      ("warning", HEADER_VALUES[5]), ("retry_after", "abc")])]),
    "no_call_id_no_cseq": config() + b"".join([
        req("INVITE", call_id=""), resp(302, call_id="", no_cseq=True),
        resp(422, no_cseq=True, min_se=["4294967296"])]),
}


def write(directory, name, data):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def main():
    for name, text in VALUES.items():
        write(os.path.join(HERE, "corpus", "values"), name, text.encode())
    for name, data in CORRELATOR.items():
        write(os.path.join(HERE, "corpus", "correlator"), name, data)
    print(f"{len(VALUES)} value seeds, {len(CORRELATOR)} correlator seeds written")


if __name__ == "__main__":
    main()
