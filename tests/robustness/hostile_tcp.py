#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes hostile SIP captures for the robustness run (tests/robustness/run.py).

SIP over TCP/IPv4 split into real TCP segments (three-way handshake unless told otherwise,
consistent seq/ack, MSS 1460, a pure ACK from the receiver every 32 segments), so that Wireshark
has to reassemble every message by Content-Length, plus one large SIP/UDP capture for the
bounded-memory check. Every capture ends with an ordinary exchange (INVITE, 302, ACK, retry at
the first Contact, 200) on the same connection: run.py asserts that the rest of the capture is
still analysed after the hostile part.

Usage: hostile_tcp.py OUTDIR [--million N]     (writes the captures, prints what it wrote)
As a module: build_all(outdir, million) -> {name: Case}; each Case carries the path and the
expectations run.py checks (frame numbers are those of the frame that completes a message).
"""

import argparse
import os
import struct
import sys

T0 = 1_700_000_000.0
MSS = 1460
CLIENT_IP, SERVER_IP = "10.0.0.1", "10.0.0.2"
MAC = {CLIENT_IP: b"\x02\x00\x00\x00\x00\x01", SERVER_IP: b"\x02\x00\x00\x00\x00\x02"}


# ---------------------------------------------------------------------------------------------
# Frames


def _checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s >> 16) + (s & 0xFFFF)
    return (~s) & 0xFFFF


def _ip(src, dst):
    return bytes(map(int, src.split("."))), bytes(map(int, dst.split(".")))


def _eth_ip(src, dst, proto, l4, ip_id):
    sip, dip = _ip(src, dst)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ip_id & 0xFFFF, 0x4000, 64, proto,
                     0, sip, dip)
    ip = ip[:10] + struct.pack("!H", _checksum(ip)) + ip[12:]
    eth = MAC.get(dst, b"\x02\x00\x00\x00\x00\x09") + MAC.get(src, b"\x02\x00\x00\x00\x00\x08")
    return eth + b"\x08\x00" + ip + l4


def tcp_frame(src, dst, seq, ack, flags, payload=b"", ip_id=0, window=65535):
    sip, dip = _ip(src[0], dst[0])
    hdr = struct.pack("!HHIIBBHHH", src[1], dst[1], seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4,
                      flags, window, 0, 0)
    pseudo = sip + dip + struct.pack("!BBH", 0, 6, len(hdr) + len(payload))
    csum = _checksum(pseudo + hdr + payload)
    hdr = hdr[:16] + struct.pack("!H", csum) + hdr[18:]
    return _eth_ip(src[0], dst[0], 6, hdr + payload, ip_id)


def udp_frame(src, dst, payload, ip_id=0):
    l4 = struct.pack("!HHHH", src[1], dst[1], 8 + len(payload), 0) + payload
    return _eth_ip(src[0], dst[0], 17, l4, ip_id)


FIN, SYN, PSH, ACK = 0x01, 0x02, 0x08, 0x10


class Capture:
    """Frames with timestamps; frame numbers are 1-based like Wireshark's."""

    def __init__(self, start=T0, first_frame=1):
        self.frames = []
        self.t = start
        self.first_frame = first_frame  # number of the first frame (when appended to a file)

    def add(self, data, dt=0.00001):
        self.frames.append((self.t, data))
        self.t += dt
        return self.first_frame + len(self.frames) - 1

    def pause(self, seconds):
        self.t += seconds

    def write(self, path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262144, 1))  # ns pcap
            for t, data in self.frames:
                sec = int(t)
                nsec = int(round((t - sec) * 1e9))
                if nsec >= 1_000_000_000:
                    sec, nsec = sec + 1, nsec - 1_000_000_000
                f.write(struct.pack("<IIII", sec, nsec, len(data), len(data)))
                f.write(data)


class TcpConn:
    """One TCP connection, client -> server port 5060; send() segments at the MSS."""

    def __init__(self, cap, client_port, handshake=True, mss=MSS):
        self.cap = cap
        self.cli = (CLIENT_IP, client_port)
        self.srv = (SERVER_IP, 5060)
        self.mss = mss
        isn = {self.cli: 0x1000_0000 + client_port, self.srv: 0x7000_0000}
        self.nxt = dict(isn)
        self.ip_id = {self.cli: 1, self.srv: 1}
        if handshake:
            self._seg(self.cli, SYN, b"", ack=0)
            self.nxt[self.cli] += 1
            self._seg(self.srv, SYN | ACK, b"")
            self.nxt[self.srv] += 1
            self._seg(self.cli, ACK, b"")

    def _other(self, who):
        return self.srv if who == self.cli else self.cli

    def _seg(self, who, flags, payload, ack=None):
        other = self._other(who)
        data = tcp_frame(who, other, self.nxt[who], self.nxt[other] if ack is None else ack,
                         flags, payload, ip_id=self.ip_id[who])
        self.ip_id[who] += 1
        return self.cap.add(data)

    def send(self, who, payload):
        """Sends one message; returns the frame number of its last segment."""
        who = self.cli if who == "c" else self.srv
        last = 0
        n = 0
        for off in range(0, len(payload), self.mss):
            seg = payload[off:off + self.mss]
            end = off + self.mss >= len(payload)
            last = self._seg(who, ACK | (PSH if end else 0), seg)
            self.nxt[who] += len(seg)
            n += 1
            if n % 32 == 0 and not end:
                self._seg(self._other(who), ACK, b"")  # the receiver's (delayed) ACK
        self._seg(self._other(who), ACK, b"")
        self.cap.pause(0.001)
        return last

    def close(self):
        self._seg(self.cli, FIN | ACK, b"")
        self.nxt[self.cli] += 1
        self._seg(self.srv, FIN | ACK, b"")
        self.nxt[self.srv] += 1
        self._seg(self.cli, ACK, b"")


class UdpPeer:
    """Same send() interface over UDP."""

    def __init__(self, cap):
        self.cap = cap

    def send(self, who, payload):
        cli, srv = (CLIENT_IP, 5060), (SERVER_IP, 5060)
        src, dst = (cli, srv) if who == "c" else (srv, cli)
        n = self.cap.add(udp_frame(src, dst, payload))
        self.cap.pause(0.001)
        return n


# ---------------------------------------------------------------------------------------------
# SIP messages (bytes all the way: values may hold NUL and invalid UTF-8)


def b(v):
    return v if isinstance(v, (bytes, bytearray)) else str(v).encode()


def sip(start_line, headers, body=b""):
    out = [b(start_line)]
    out += [b(k) + b": " + b(v) for k, v in headers]
    return b"\r\n".join(out) + b"\r\nContent-Length: " + b(len(body)) + b"\r\n\r\n" + body


def req(method, ruri, call_id, cseq, branch, transport="TCP", extra=(), from_tag="ft1",
        cseq_method=None):
    return sip(b"%s %s SIP/2.0" % (b(method), b(ruri)), [
        ("Via", b"SIP/2.0/%s 10.0.0.1:5060;branch=%s" % (b(transport), b(branch))),
        ("From", b"<sip:alice@example.com>;tag=" + b(from_tag)),
        ("To", "<sip:bob@example.com>"),
        ("Call-ID", call_id),
        ("CSeq", b"%d %s" % (cseq, b(cseq_method or method))),
        ("Max-Forwards", "70"),
    ] + list(extra))


def resp(code, reason, method, call_id, cseq, branch, transport="TCP", extra=(), from_tag="ft1"):
    return sip(b"SIP/2.0 %d %s" % (code, b(reason)), [
        ("Via", b"SIP/2.0/%s 10.0.0.1:5060;branch=%s" % (b(transport), b(branch))),
        ("From", b"<sip:alice@example.com>;tag=" + b(from_tag)),
        ("To", "<sip:bob@example.com>;tag=tt1"),
        ("Call-ID", call_id),
        ("CSeq", b"%d %s" % (cseq, b(method))),
    ] + list(extra))


# ---------------------------------------------------------------------------------------------
# Expectations


class Expect:
    """One fact about one frame (a tuple of frames: about any one of them).
    op: "eq" (the field's values joined by ',' equal value), "has" (value is one of them),
        "contains" (a value contains the text), "present", "absent".
    passes: "1" (single pass only), "2" (tshark -2 only) or "12" (both)."""

    def __init__(self, frame, field, op, value=None, passes="12", why=""):
        self.frame, self.field, self.op, self.value, self.passes = frame, field, op, value, passes
        self.why = why

    def check(self, values):
        """values: list of strings tshark printed for the field in that frame ([] if none)."""
        if self.op == "present":
            return bool(values)
        if self.op == "absent":
            return not values
        if self.op == "eq":
            return ",".join(values) == self.value
        if self.op == "has":
            return self.value in values
        if self.op == "contains":
            return any(self.value in v for v in values)
        raise ValueError(self.op)

    def __str__(self):
        v = "" if self.value is None else f" {self.value!r}"
        return f"frame {self.frame} {self.field} {self.op}{v} [{self.passes}] {self.why}".strip()


class Case:
    def __init__(self, name, path, expects, what, transport="TCP"):
        self.name, self.path, self.expects, self.what = name, path, expects, what
        self.transport = transport


def trailer(conn, tag, transport="TCP"):
    """The ordinary exchange every capture ends with: INVITE, 302, ACK, retry at the highest-q
    Contact, 200. Returns its expectations."""
    cid = f"trailer-{tag}@10.0.0.1"
    f_inv = conn.send("c", req("INVITE", "sip:bob@example.com", cid, 1, f"z9hG4bK-{tag}-t1",
                               transport))
    f_302 = conn.send("s", resp(302, "Moved Temporarily", "INVITE", cid, 1, f"z9hG4bK-{tag}-t1",
                                transport, extra=[
                                    ("Contact", "<sip:bob@10.0.0.3:5060>;q=1, "
                                                "<sip:bob@10.0.0.4:5060>;q=0.5")]))
    conn.send("c", req("ACK", "sip:bob@example.com", cid, 1, f"z9hG4bK-{tag}-t1", transport))
    f_retry = conn.send("c", req("INVITE", "sip:bob@10.0.0.3:5060", cid, 2, f"z9hG4bK-{tag}-t2",
                                 transport))
    f_200 = conn.send("s", resp(200, "OK", "INVITE", cid, 2, f"z9hG4bK-{tag}-t2", transport))
    why = "trailing ordinary exchange"
    return [
        Expect(f_302, "sipdiag.code", "eq", "302", why=why),
        Expect(f_302, "sipdiag.request_frame", "eq", str(f_inv), why=why),
        Expect(f_302, "sipdiag.redirect.contact", "eq",
               "sip:bob@10.0.0.3:5060,sip:bob@10.0.0.4:5060", why=why),
        Expect(f_302, "sipdiag.followup_frame", "eq", str(f_retry), passes="2", why=why),
        Expect(f_302, "sipdiag.followup_ok", "eq", "1", passes="2", why=why),
        Expect(f_302, "sipdiag.followup_response_code", "eq", "200", passes="2", why=why),
        Expect(f_302, "sipdiag.redirect.highest_q", "eq", "1", passes="2", why=why),
        Expect(f_200, "sipdiag.request_frame", "eq", str(f_retry), why=why),
        Expect(f_retry, "sipdiag.retry_of", "eq", str(f_302), why=why),
    ]


def _tcp_case(outdir, name, what, port, body, handshake=True, quick=False):
    cap = Capture()
    conn = TcpConn(cap, port, handshake=handshake)
    expects = body(conn, quick) if body is case_contact_lines else body(conn)
    expects += trailer(conn, name)
    conn.close()
    path = os.path.join(outdir, f"{name}.pcap")
    cap.write(path)
    return Case(name, path, expects, what)


def contact_uri(i):
    return f"<sip:c{i}@10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}:5060>;q=0.5"


# (a) a 302 with 100,000 Contact URIs: ten header lines of 1,000 and one line of 90,000.
def case_contacts(conn):
    cid = "many-contacts@10.0.0.1"
    f_inv = conn.send("c", req("INVITE", "sip:bob@example.com", cid, 1, "z9hG4bK-mc1"))
    lines = [("Contact", ", ".join(contact_uri(k * 1000 + i) for i in range(1000)))
             for k in range(10)]
    lines.append(("Contact", ", ".join(contact_uri(i) for i in range(10000, 100000))))
    f_302 = conn.send("s", resp(302, "Moved", "INVITE", cid, 1, "z9hG4bK-mc1", extra=lines))
    conn.send("c", req("ACK", "sip:bob@example.com", cid, 1, "z9hG4bK-mc1"))
    return [
        Expect(f_302, "sipdiag.code", "eq", "302"),
        Expect(f_302, "sipdiag.request_frame", "eq", str(f_inv)),
        Expect(f_302, "sipdiag.truncated", "present", why="100,000 contacts"),
        Expect(f_302, "sipdiag.problem", "contains", "100000 contacts; the first 64 are shown"),
        Expect(f_302, "sipdiag.redirect.contact", "has", "sip:c0@10.0.0.0:5060"),
        Expect(f_302, "sipdiag.redirect.q", "has", "0.5"),
        Expect(f_302, "sipdiag.outcome", "eq", "4", passes="2", why="not followed"),
    ]


# (a') 100,000 contacts on 2,000 header lines of 50 (--quick: 15,000 on 300 lines; Wireshark's own
# SIP dissector takes ~20 s on the full one): more lines than the adapter keeps (256).
def case_contact_lines(conn, quick=False):
    cid = "many-contact-lines@10.0.0.1"
    nlines = 300 if quick else 2000
    f_inv = conn.send("c", req("INVITE", "sip:bob@example.com", cid, 1, "z9hG4bK-ml1"))
    lines = [("Contact", ", ".join(contact_uri(k * 50 + i) for i in range(50)))
             for k in range(nlines)]
    f_302 = conn.send("s", resp(302, "Moved", "INVITE", cid, 1, "z9hG4bK-ml1", extra=lines))
    conn.send("c", req("ACK", "sip:bob@example.com", cid, 1, "z9hG4bK-ml1"))
    return [
        Expect(f_302, "sipdiag.request_frame", "eq", str(f_inv)),
        Expect(f_302, "sipdiag.truncated", "present"),
        Expect(f_302, "sipdiag.problem", "contains",
               f"{nlines * 50} contacts; the first 64 are shown",
               why=f"count of a Contact list spread over {nlines} header lines"),
    ]


# (b) 1 MB header lines: a 302 whose only Contact URI is 1 MB, a 488 with a 1 MB Warning.
def case_huge_line(conn):
    cid = "huge-line@10.0.0.1"
    big_uri = "<sip:" + "u" * (1 << 20) + "@example.com>"
    f_inv = conn.send("c", req("INVITE", "sip:bob@example.com", cid, 1, "z9hG4bK-hl1"))
    f_302 = conn.send("s", resp(302, "Moved", "INVITE", cid, 1, "z9hG4bK-hl1",
                                extra=[("Contact", big_uri)]))
    conn.send("c", req("ACK", "sip:bob@example.com", cid, 1, "z9hG4bK-hl1"))
    cid2 = "huge-warning@10.0.0.1"
    f_inv2 = conn.send("c", req("INVITE", "sip:bob@example.com", cid2, 1, "z9hG4bK-hl2"))
    f_488 = conn.send("s", resp(488, "Not Acceptable Here", "INVITE", cid2, 1, "z9hG4bK-hl2",
                                extra=[("Warning", '399 example.com "' + "w" * (1 << 20) + '"')]))
    conn.send("c", req("ACK", "sip:bob@example.com", cid2, 1, "z9hG4bK-hl2"))
    return [
        Expect(f_302, "sipdiag.request_frame", "eq", str(f_inv)),
        Expect(f_302, "sipdiag.truncated", "present", why="1 MB Contact URI"),
        Expect(f_302, "sipdiag.problem", "has", "Contact URI cut"),
        Expect(f_488, "sipdiag.request_frame", "eq", str(f_inv2)),
        Expect(f_488, "sipdiag.warning.code", "eq", "399", why="1 MB Warning"),
    ]


# (c) a 10,000-byte Call-ID through a whole 302/retry/200 exchange, then two calls whose
# 10,000-byte Call-IDs differ only in their last byte.
def case_long_callid(conn):
    cid = ("L" * 9980 + "@10.0.0.1.long").ljust(10000, "x")
    f_inv = conn.send("c", req("INVITE", "sip:bob@example.com", cid, 1, "z9hG4bK-lc1"))
    f_302 = conn.send("s", resp(302, "Moved", "INVITE", cid, 1, "z9hG4bK-lc1",
                                extra=[("Contact", "<sip:bob@10.0.0.5>")]))
    conn.send("c", req("ACK", "sip:bob@example.com", cid, 1, "z9hG4bK-lc1"))
    f_retry = conn.send("c", req("INVITE", "sip:bob@10.0.0.5", cid, 2, "z9hG4bK-lc2"))
    f_200 = conn.send("s", resp(200, "OK", "INVITE", cid, 2, "z9hG4bK-lc2"))
    # Two calls, Call-IDs equal but for the last byte; B retries, A does not.
    cid_a, cid_b = "P" * 9999 + "A", "P" * 9999 + "B"
    f_inv_a = conn.send("c", req("INVITE", "sip:bob@example.com", cid_a, 1, "z9hG4bK-lca"))
    f_302_a = conn.send("s", resp(302, "Moved", "INVITE", cid_a, 1, "z9hG4bK-lca",
                                  extra=[("Contact", "<sip:a@10.0.0.6>")]))
    f_inv_b = conn.send("c", req("INVITE", "sip:bob@example.com", cid_b, 1, "z9hG4bK-lcb"))
    f_302_b = conn.send("s", resp(302, "Moved", "INVITE", cid_b, 1, "z9hG4bK-lcb",
                                  extra=[("Contact", "<sip:b@10.0.0.7>")]))
    f_retry_b = conn.send("c", req("INVITE", "sip:b@10.0.0.7", cid_b, 2, "z9hG4bK-lcb2"))
    return [
        Expect(f_302, "sipdiag.request_frame", "eq", str(f_inv), why="10,000-byte Call-ID"),
        Expect(f_302, "sipdiag.followup_frame", "eq", str(f_retry), passes="2"),
        Expect(f_302, "sipdiag.followup_ok", "eq", "1", passes="2"),
        Expect(f_200, "sipdiag.request_frame", "eq", str(f_retry)),
        Expect(f_302_a, "sipdiag.request_frame", "eq", str(f_inv_a)),
        Expect(f_302_b, "sipdiag.request_frame", "eq", str(f_inv_b)),
        Expect(f_302_b, "sipdiag.followup_frame", "eq", str(f_retry_b), passes="2",
               why="Call-IDs differing in byte 10,000 are different calls"),
        Expect(f_302_a, "sipdiag.followup_frame", "absent", passes="2",
               why="call A never retried"),
    ]


# (d) Session-Expires / Min-SE of 0, -1, 2^64 and "abc".
BAD_DELTAS = ["-1", str(2 ** 64), "abc"]


def case_session_timer(conn):
    out = []
    for i, v in enumerate(["0"] + BAD_DELTAS):
        # the 422 carries the hostile Min-SE
        cid = f"min-se-{i}@10.0.0.1"
        f_inv = conn.send("c", req("INVITE", "sip:bob@example.com", cid, 1, f"z9hG4bK-ms{i}",
                                   extra=[("Session-Expires", "1800"), ("Supported", "timer")]))
        f_422 = conn.send("s", resp(422, "Session Interval Too Small", "INVITE", cid, 1,
                                    f"z9hG4bK-ms{i}", extra=[("Min-SE", v)]))
        conn.send("c", req("ACK", "sip:bob@example.com", cid, 1, f"z9hG4bK-ms{i}"))
        out.append(Expect(f_422, "sipdiag.request_frame", "eq", str(f_inv)))
        out.append(Expect(f_422, "sipdiag.timer.session_expires", "eq", "1800"))
        if v == "0":
            out.append(Expect(f_422, "sipdiag.timer.min_se", "eq", "0"))
            out.append(Expect(f_422, "sipdiag.bad_value", "absent"))
        else:
            out.append(Expect(f_422, "sipdiag.bad_value", "present", why=f"Min-SE: {v}"))
            out.append(Expect(f_422, "sipdiag.problem", "contains", "Min-SE \"" + v[:20]))
            out.append(Expect(f_422, "sipdiag.timer.min_se", "absent"))
        # the request carries the hostile Session-Expires
        cid = f"session-expires-{i}@10.0.0.1"
        f_inv = conn.send("c", req("INVITE", "sip:bob@example.com", cid, 1, f"z9hG4bK-se{i}",
                                   extra=[("Session-Expires", v), ("Supported", "timer")]))
        f_422 = conn.send("s", resp(422, "Session Interval Too Small", "INVITE", cid, 1,
                                    f"z9hG4bK-se{i}", extra=[("Min-SE", "90")]))
        conn.send("c", req("ACK", "sip:bob@example.com", cid, 1, f"z9hG4bK-se{i}"))
        out.append(Expect(f_422, "sipdiag.request_frame", "eq", str(f_inv)))
        out.append(Expect(f_422, "sipdiag.timer.min_se", "eq", "90"))
        if v == "0":
            out.append(Expect(f_422, "sipdiag.timer.session_expires", "eq", "0"))
        else:
            out.append(Expect(f_422, "sipdiag.timer.session_expires", "absent"))
            # on the 422 (whose tree shows the request's interval) or on the INVITE itself
            out.append(Expect((f_inv, f_422), "sipdiag.bad_value", "present",
                              why=f"request Session-Expires: {v} (IssueKind::bad_session_expires)"))
    return out


# (e) q=NaN, q=5, q=0.0001 next to a valid q; the client retries at the valid one.
def case_qvalues(conn):
    cid = "qvalues@10.0.0.1"
    f_inv = conn.send("c", req("INVITE", "sip:bob@example.com", cid, 1, "z9hG4bK-q1"))
    f_302 = conn.send("s", resp(302, "Moved", "INVITE", cid, 1, "z9hG4bK-q1", extra=[
        ("Contact", "<sip:nan@10.0.0.8>;q=NaN, <sip:five@10.0.0.8>;q=5"),
        ("Contact", "<sip:tiny@10.0.0.8>;q=0.0001"),
        ("Contact", "<sip:good@10.0.0.8>;q=0.7")]))
    conn.send("c", req("ACK", "sip:bob@example.com", cid, 1, "z9hG4bK-q1"))
    f_retry = conn.send("c", req("INVITE", "sip:good@10.0.0.8", cid, 2, "z9hG4bK-q2"))
    conn.send("s", resp(200, "OK", "INVITE", cid, 2, "z9hG4bK-q2"))
    return [
        Expect(f_302, "sipdiag.request_frame", "eq", str(f_inv)),
        Expect(f_302, "sipdiag.bad_value", "present"),
        Expect(f_302, "sipdiag.problem", "has", "q=NaN: not a number (0 to 1)"),
        Expect(f_302, "sipdiag.problem", "has", "q=5: syntax error (0 to 1)"),
        Expect(f_302, "sipdiag.problem", "has", "q=0.0001: syntax error (0 to 1)"),
        Expect(f_302, "sipdiag.redirect.contact", "eq",
               "sip:nan@10.0.0.8,sip:five@10.0.0.8,sip:tiny@10.0.0.8,sip:good@10.0.0.8"),
        Expect(f_302, "sipdiag.followup_frame", "eq", str(f_retry), passes="2"),
        Expect(f_302, "sipdiag.followup_ok", "eq", "1", passes="2"),
    ]


# (f) NUL bytes and invalid UTF-8 in Contact and Call-ID.
def case_bytes(conn):
    cid = b"nul\x00byte\xff\xfe\xc3\x28@10.0.0.1"
    f_inv = conn.send("c", req("INVITE", "sip:bob@example.com", cid, 1, "z9hG4bK-nb1"))
    f_302 = conn.send("s", resp(302, "Moved", "INVITE", cid, 1, "z9hG4bK-nb1", extra=[
        ("Contact", b"<sip:bad\x00nul@10.0.0.9>;q=0.\x00"),
        ("Contact", b"\"\xe2\x82\" <sip:\xf0\x28\x8c\x28@10.0.0.9>, <sip:\xc0\xafok@10.0.0.9>"),
        ("Contact", b"<sip:\xed\xa0\x80surrogate@10.0.0.9>;expires=\xff")]))
    conn.send("c", req("ACK", "sip:bob@example.com", cid, 1, "z9hG4bK-nb1"))
    cid2 = b"\x00leading-nul@10.0.0.1"
    f_inv2 = conn.send("c", req("OPTIONS", "sip:bob@example.com", cid2, 1, "z9hG4bK-nb2"))
    f_200 = conn.send("s", resp(200, "OK", "OPTIONS", cid2, 1, "z9hG4bK-nb2"))
    return [
        Expect(f_302, "sipdiag.code", "eq", "302"),
        Expect(f_302, "sipdiag.request_frame", "eq", str(f_inv), why="Call-ID with NUL/bad UTF-8"),
        Expect(f_302, "sipdiag.redirect.contact", "present"),
        Expect(f_200, "sipdiag.code", "eq", "200"),
        # Wireshark hands over the Call-ID as a C string: a leading NUL leaves it empty
        Expect(f_200, "sipdiag.missing_header", "present", why="Call-ID that starts with NUL"),
    ]


# (g) responses before their requests.
def case_reversed(conn):
    cid = "reversed@10.0.0.1"
    f_200 = conn.send("s", resp(200, "OK", "OPTIONS", cid, 1, "z9hG4bK-rv1"))
    f_opt = conn.send("c", req("OPTIONS", "sip:bob@example.com", cid, 1, "z9hG4bK-rv1"))
    cid2 = "reversed-302@10.0.0.1"
    f_302 = conn.send("s", resp(302, "Moved", "INVITE", cid2, 1, "z9hG4bK-rv2",
                                extra=[("Contact", "<sip:bob@10.0.0.10>")]))
    f_inv = conn.send("c", req("INVITE", "sip:bob@example.com", cid2, 1, "z9hG4bK-rv2"))
    return [
        Expect(f_200, "sipdiag.no_request", "present", why="200 before its OPTIONS"),
        Expect(f_200, "sipdiag.request_frame", "absent"),
        Expect(f_302, "sipdiag.no_request", "present", why="302 before its INVITE"),
        Expect(f_302, "sipdiag.outcome", "eq", "5", why="request missing"),
        Expect(f_opt, "sipdiag.retransmission", "absent"),
        Expect(f_inv, "sipdiag.retransmission", "absent"),
    ]


# (h) one CSeq number, several methods (same branch even), and a response for a method never sent.
def case_dup_cseq(conn):
    cid = "dup-cseq@10.0.0.1"
    f_inv = conn.send("c", req("INVITE", "sip:bob@example.com", cid, 5, "z9hG4bK-dc1"))
    f_opt = conn.send("c", req("OPTIONS", "sip:bob@example.com", cid, 5, "z9hG4bK-dc1"))
    f_200o = conn.send("s", resp(200, "OK", "OPTIONS", cid, 5, "z9hG4bK-dc1"))
    f_486 = conn.send("s", resp(486, "Busy Here", "INVITE", cid, 5, "z9hG4bK-dc1"))
    f_200b = conn.send("s", resp(200, "OK", "BYE", cid, 5, "z9hG4bK-dc1"))
    # the same request line, CSeq method disagreeing with the method
    f_odd = conn.send("c", req("INVITE", "sip:bob@example.com", cid, 6, "z9hG4bK-dc2",
                               cseq_method="REGISTER"))
    f_odd_r = conn.send("s", resp(403, "Forbidden", "REGISTER", cid, 6, "z9hG4bK-dc2"))
    return [
        Expect(f_200o, "sipdiag.request_frame", "eq", str(f_opt)),
        Expect(f_200o, "sipdiag.request_method", "eq", "OPTIONS"),
        Expect(f_486, "sipdiag.request_frame", "eq", str(f_inv)),
        Expect(f_486, "sipdiag.request_method", "eq", "INVITE"),
        Expect(f_486, "sipdiag.retransmission", "eq", "0"),
        Expect(f_200b, "sipdiag.no_request", "present", why="200 for a BYE never sent"),
        Expect(f_odd_r, "sipdiag.code", "eq", "403"),
        Expect(f_odd, "sipdiag.response_frame", "eq", str(f_odd_r), passes="2",
               why="a forward link: -2 only"),
    ]


# (k) more SIP messages in one TCP segment than the adapter keeps (kMaxMessagesPerFrame = 64).
def case_pipelined(conn):
    msgs = []
    for i in range(100):
        msgs.append(resp(302, "Moved", "INVITE", f"pipe-{i}@10.0.0.1", 1, f"z9hG4bK-p{i}",
                         extra=[("Contact", f"<sip:p{i}@10.0.1.{i}>")]))
    payload = b"".join(msgs)
    # one segment of ~20 KB (a TSO/GRO capture): every message ends in the same frame
    saved = conn.mss
    conn.mss = len(payload)
    f = conn.send("s", payload)
    conn.mss = saved
    return [
        Expect(f, "sipdiag.code", "present"),
        Expect(f, "sipdiag.redirect.contact", "has", "sip:p0@10.0.1.0"),
        Expect(f, "sipdiag.redirect.contact", "has", "sip:p63@10.0.1.63"),
        PipelinedExpect(f),
    ]


class PipelinedExpect(Expect):
    """The 64th message must not collect the Contacts of messages 65..100."""

    def __init__(self, frame):
        super().__init__(frame, "sipdiag.redirect.contact", "custom", passes="12",
                         why="messages beyond the 64th are not merged into the 64th")

    def check(self, values):
        return "sip:p64@10.0.1.64" not in values and "sip:p99@10.0.1.99" not in values

    def explain(self, values):
        alien = [v for v in values if v.startswith("sip:p") and int(v[5:v.index("@")]) >= 64]
        return (f"{len(values)} contacts in the frame, {len(alien)} of messages 65-100: "
                f"{alien[:2]}...{alien[-1:]}")

    def __str__(self):
        return (f"frame {self.frame} sipdiag.redirect.contact lacks sip:p64..p99 [12] "
                f"{self.why}")


def case_no_handshake(conn):
    """A connection captured mid-stream (no SYN): the hostile part is a 64 KB Via list."""
    cid = "midstream@10.0.0.1"
    vias = [("Via", f"SIP/2.0/TCP 10.9.{i >> 8}.{i & 255}:5060;branch=z9hG4bK-v{i}")
            for i in range(1500)]
    f_inv = conn.send("c", req("INVITE", "sip:bob@example.com", cid, 1, "z9hG4bK-mid",
                               extra=vias))
    f_180 = conn.send("s", resp(180, "Ringing", "INVITE", cid, 1, "z9hG4bK-mid"))
    return [Expect(f_180, "sipdiag.request_frame", "eq", str(f_inv))]


TCP_CASES = [
    ("contacts_100k", "a 302 with 100,000 Contact URIs (10 lines of 1,000 + one line of 90,000)",
     case_contacts, True),
    ("contact_lines", "a 302 with 100,000 Contact URIs on 2,000 header lines (--quick: 15,000 on "
                      "300)", case_contact_lines, True),
    ("header_1mb", "a 302 with a 1 MB Contact URI and a 488 with a 1 MB Warning",
     case_huge_line, True),
    ("callid_10k", "10,000-byte Call-IDs (one full 302 exchange, two calls equal but for the "
                   "last byte)", case_long_callid, True),
    ("session_timer", "Session-Expires / Min-SE of 0, -1, 2^64, abc", case_session_timer, True),
    ("qvalues", "q=NaN, q=5, q=0.0001", case_qvalues, True),
    ("nul_utf8", "NUL bytes and invalid UTF-8 in Contact and Call-ID", case_bytes, True),
    ("reversed", "responses before their requests", case_reversed, True),
    ("dup_cseq", "one CSeq number with several methods", case_dup_cseq, True),
    ("pipelined_100", "100 SIP messages in one TCP segment", case_pipelined, True),
    ("midstream", "no handshake, an INVITE with 1,500 Via lines", case_no_handshake, False),
]


# (i) a million distinct Call-IDs, each one unanswered INVITE over UDP, then the trailer.
INVITE_TMPL = (b"INVITE sip:u%07d@example.com SIP/2.0\r\n"
               b"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK%07d\r\n"
               b"From: <sip:alice@example.com>;tag=f%07d\r\n"
               b"To: <sip:u%07d@example.com>\r\n"
               b"Call-ID: %07d-million@10.0.0.1\r\n"
               b"CSeq: 1 INVITE\r\n"
               b"Max-Forwards: 70\r\n"
               b"Content-Length: 0\r\n\r\n")


def write_million(outdir, n):
    path = os.path.join(outdir, f"callids_{n}.pcap")
    plen = len(INVITE_TMPL % ((0,) * 5))
    hdr = udp_frame((CLIENT_IP, 5060), (SERVER_IP, 5060), b"\0" * plen)[:-plen]
    rec = struct.pack("<II", len(hdr) + plen, len(hdr) + plen)
    sec0 = int(T0)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262144, 1))
        chunk = []
        for i in range(n):
            us = i * 10  # 100,000 requests per second
            chunk.append(struct.pack("<II", sec0 + us // 1_000_000, (us % 1_000_000) * 1000)
                         + rec + hdr + INVITE_TMPL % (i, i, i, i, i))
            if len(chunk) == 65536:
                f.write(b"".join(chunk))
                chunk = []
        f.write(b"".join(chunk))
    # the trailer, appended after the million requests (time continues)
    cap = Capture(start=T0 + n * 10 / 1e6 + 1.0, first_frame=n + 1)
    expects = trailer(UdpPeer(cap), "million", transport="UDP")
    tmp = path + ".trailer"
    cap.write(tmp)
    with open(tmp, "rb") as src, open(path, "ab") as dst:
        src.read(24)
        dst.write(src.read())
    os.remove(tmp)
    return Case(f"callids_{n}", path, expects,
                f"{n:,} distinct Call-IDs, one unanswered INVITE each (UDP)", transport="UDP")


def _write_udp(path, payloads, step_us=10):
    """A UDP capture, fast: payloads alternate directions as tagged ('c' or 's', bytes)."""
    cli, srv = (CLIENT_IP, 5060), (SERVER_IP, 5060)
    hdr = {}
    sec0 = int(T0)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262144, 1))
        chunk = []
        for i, (who, payload) in enumerate(payloads):
            key = (who, len(payload))
            if key not in hdr:
                src, dst = (cli, srv) if who == "c" else (srv, cli)
                hdr[key] = udp_frame(src, dst, b"\0" * len(payload))[:-len(payload)]
            h = hdr[key]
            us = i * step_us
            chunk.append(struct.pack("<IIII", sec0 + us // 1_000_000, (us % 1_000_000) * 1000,
                                     len(h) + len(payload), len(h) + len(payload)) + h + payload)
            if len(chunk) == 65536:
                f.write(b"".join(chunk))
                chunk = []
        f.write(b"".join(chunk))


REGISTER_TMPL = (b"REGISTER sip:example.com SIP/2.0\r\n"
                 b"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-reg%07d\r\n"
                 b"From: <sip:u%07d@example.com>;tag=f%07d\r\n"
                 b"To: <sip:u%07d@example.com>\r\n"
                 b"Call-ID: %07d-reg@10.0.0.1\r\n"
                 b"CSeq: 1 REGISTER\r\n"
                 b"Contact: <sip:u%07d@10.0.0.1:5060>\r\n"
                 b"Content-Length: 0\r\n\r\n")
CHALLENGE_TMPL = (b"SIP/2.0 401 Unauthorized\r\n"
                  b"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-reg%07d\r\n"
                  b"From: <sip:u%07d@example.com>;tag=f%07d\r\n"
                  b"To: <sip:u%07d@example.com>;tag=srv\r\n"
                  b"Call-ID: %07d-reg@10.0.0.1\r\n"
                  b"CSeq: 1 REGISTER\r\n"
                  b"WWW-Authenticate: Digest realm=\"example.com\", nonce=\"%07dabcdef\", "
                  b"algorithm=MD5, qop=\"auth\"\r\n"
                  b"Content-Length: 0\r\n\r\n")


def write_challenges(outdir, n):
    """n REGISTER/401 pairs, each its own Call-ID (a registration scanner's capture): every 401
    is a diagnosed response (challenge, follow-up) with its own Detail."""
    path = os.path.join(outdir, f"challenges_{n}.pcap")

    def gen():
        for i in range(n):
            yield "c", REGISTER_TMPL % ((i,) * 6)
            yield "s", CHALLENGE_TMPL % ((i,) * 6)
    _write_udp(path, gen())
    return path


def write_fat_redirects(outdir, n, contacts=64, uri_len=500):
    """n INVITE/302 pairs, each 302 with `contacts` Contacts of `uri_len`-byte URIs (what the
    plugin keeps at most: 64 contacts, URIs cut at 512 bytes)."""
    path = os.path.join(outdir, f"redirects_{n}.pcap")
    pad = "x" * (uri_len - len("sip:@10.0.0.3:5060") - 7)

    def gen():
        for i in range(n):
            cid = f"{i:07d}-fat@10.0.0.1"
            br = f"z9hG4bK-fat{i:07d}"
            yield "c", req("INVITE", "sip:bob@example.com", cid, 1, br, "UDP")
            cl = ", ".join(f"<sip:{k:03d}{i:04d}{pad}@10.0.0.3:5060>;q=0.{k % 10}"
                           for k in range(contacts))
            yield "s", resp(302, "Moved", "INVITE", cid, 1, br, "UDP", extra=[("Contact", cl)])
    _write_udp(path, gen())
    return path


def write_later_calls(outdir, n=20_000, redirects=8, contacts=64, uri_len=500, ruri_params=0,
                      name="later_calls"):
    """`redirects` 302s to one client, each with `contacts` Contacts of `uri_len` bytes, then n
    INVITEs of new calls from that client to a URI that is neither the original nor a Contact
    (with `ruri_params` URI parameters): each new INVITE is compared with every pending 302's
    original URI and Contacts (RFC 3261 21.3.3 "later calls" check). Then the trailer."""
    params = "".join(f";p{j}=v" for j in range(ruri_params))
    cap = Capture()
    peer = UdpPeer(cap)
    pad = "y" * (uri_len - len("sip:@10.0.0.3:5060") - 7)
    expects = []
    for r in range(redirects):
        cid = f"later-{r}@10.0.0.1"
        f_inv = peer.send("c", req("INVITE", "sip:bob@example.com", cid, 1, f"z9hG4bK-lt{r}",
                                   "UDP"))
        cl = ", ".join(f"<sip:{k:03d}{r:04d}{pad}@10.0.0.3:5060>" for k in range(contacts))
        f_302 = peer.send("s", resp(302, "Moved", "INVITE", cid, 1, f"z9hG4bK-lt{r}", "UDP",
                                    extra=[("Contact", cl)]))
        peer.send("c", req("ACK", "sip:bob@example.com", cid, 1, f"z9hG4bK-lt{r}", "UDP"))
        expects.append(Expect(f_302, "sipdiag.request_frame", "eq", str(f_inv)))
    for i in range(n):
        cid = f"flood-{i}@10.0.0.1"
        cap.add(udp_frame((CLIENT_IP, 5060), (SERVER_IP, 5060),
                          req("INVITE", f"sip:nobody{i}@example.com{params}", cid, 1,
                              f"z9hG4bK-fl{i}", "UDP")))
    cap.pause(1.0)
    expects += trailer(peer, "later", transport="UDP")
    path = os.path.join(outdir, f"{name}.pcap")
    cap.write(path)
    extra = f" with {ruri_params} Request-URI parameters" if ruri_params else ""
    return Case(name, path, expects,
                f"{redirects} 302s with {contacts} Contacts of {uri_len} bytes, then {n:,} INVITEs "
                f"of new calls from the same client{extra} (UDP)", transport="UDP")


def build_all(outdir, million=1_000_000, only=None, quick=False, light=False):
    """Writes the TCP captures (and the Call-ID capture when `million`); returns {name: Case}.
    light: smaller "later calls" floods (for the slow sanitized Debug plugin, where no time is
    measured)."""
    os.makedirs(outdir, exist_ok=True)
    cases = {}
    for i, (name, what, fn, handshake) in enumerate(TCP_CASES):
        if only and name not in only:
            continue
        cases[name] = _tcp_case(outdir, name, what, 40000 + i, fn, handshake, quick)
    if not only or "later_calls" in only:
        cases["later_calls"] = write_later_calls(outdir, n=1_000 if light else 10_000)
    if not only or "later_calls_params" in only:
        # the same, each INVITE's Request-URI with 400 parameters (2.4 KB)
        cases["later_calls_params"] = write_later_calls(outdir, n=200 if light else 2_000,
                                                        ruri_params=400,
                                                        name="later_calls_params")
    if million:
        c = write_million(outdir, million)
        cases[c.name] = c
    return cases


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--million", type=int, default=1_000_000,
                    help="number of Call-IDs in the bounded-memory capture (0: skip)")
    ap.add_argument("--quick", action="store_true", help="the smaller variants run.py --quick uses")
    a = ap.parse_args()
    for c in build_all(a.outdir, a.million, quick=a.quick).values():
        print(f"{c.path}\t{os.path.getsize(c.path):,} bytes\t{c.what}")


if __name__ == "__main__":
    sys.exit(main())
