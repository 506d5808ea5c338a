#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""sipdiag transport client: one SIP call over UDP, WebSocket or TLS (python3 stdlib only).

Used by captures/transports/make-transport-captures.sh against the Kamailio of
kamailio-transports.cfg on 127.0.0.1:

    transclient.py udp                           # 127.0.0.1:5090 -> 5062
    transclient.py ws                            # 127.0.0.1:5091 -> 8080 (RFC 6455, RFC 7118)
    transclient.py tls --cafile C --keylog K     # 127.0.0.1:5092 -> 5061 (ssl, keys written to K)

The call: INVITE sip:redir-PROTO@127.0.0.1 -> 302 (ACKed), then the client
reads the Contact set of the 302 and retries at the contact of highest q
(same Call-ID and From tag, CSeq 2, new branch) -> 200, ACK, BYE -> 200.
Call-IDs, tags and branches are fixed; the WebSocket key and the frame masks
are derived from fixed strings, so a re-run sends the same bytes.
"""

import argparse
import base64
import hashlib
import socket
import ssl
import struct
import sys
import time
import zlib

KAM = "127.0.0.1"
SETUP = {  # proto: (local port, Kamailio port, Via transport, URI parameter)
    "udp": (5090, 5062, "UDP", ""),
    "ws": (5091, 8080, "WS", ";transport=ws"),
    "tls": (5092, 5061, "TLS", ";transport=tls"),
}
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
UA = "sipdiag-transport-client/1.0"
TIMEOUT = 5.0


def log(*a):
    print(*a, file=sys.stderr, flush=True)


class Msg:
    def __init__(self, raw):
        self.raw = raw
        head = raw.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace").split("\r\n")
        self.first = head[0]
        self.headers = []
        for ln in head[1:]:
            n, _, v = ln.partition(":")
            self.headers.append((n.strip().lower(), v.strip()))
        parts = self.first.split(" ", 2)
        self.status = int(parts[1]) if parts[0].startswith("SIP/") else None

    def all(self, name):
        short = {"contact": "m", "to": "t"}.get(name)
        return [v for n, v in self.headers if n in (name, short)]

    def get(self, name):
        v = self.all(name)
        return v[0] if v else None


def to_tag(msg):
    for p in msg.get("to").split(";")[1:]:
        k, _, v = p.strip().partition("=")
        if k.lower() == "tag":
            return v
    raise SystemExit("no To tag in: %s" % msg.first)


def contacts(msg):
    """[(uri, q)] of every Contact of msg (several per line and several lines)."""
    out = []
    for line in msg.all("contact"):
        for item in line.split(","):
            item = item.strip()
            if not item:
                continue
            uri = item[item.index("<") + 1:item.index(">")] if "<" in item else item.split(";")[0]
            q = 1.0
            for p in item[item.rfind(">") + 1:].split(";"):
                k, _, v = p.strip().partition("=")
                if k.lower() == "q":
                    q = float(v)
            out.append((uri, q))
    return out


def content_length(head):
    for ln in head.split(b"\r\n")[1:]:
        n, _, v = ln.partition(b":")
        if n.strip().lower() in (b"content-length", b"l"):
            return int(v.strip())
    return 0


class Transport:
    """Sends and receives whole SIP messages over one of the three transports."""

    def __init__(self, proto, cafile=None, keylog=None):
        self.proto = proto
        lport, kport, _, _ = SETUP[proto]
        self.peer = (KAM, kport)
        self.buf = b""
        if proto == "udp":
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.bind((KAM, lport))
            return
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        raw.bind((KAM, lport))
        raw.settimeout(TIMEOUT)
        raw.connect(self.peer)
        if proto == "tls":
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.load_verify_locations(cafile=cafile)
            ctx.keylog_filename = keylog
            self.sock = ctx.wrap_socket(raw, server_hostname=KAM)
            log("TLS: %s, %s" % (self.sock.version(), self.sock.cipher()[0]))
        else:
            self.sock = raw
            self.ws_handshake()

    # ---------------------------------------------------------------- WebSocket
    def ws_handshake(self):
        # 16 fixed bytes instead of random ones, so that a re-run sends the same handshake
        key = base64.b64encode(b"sipdiag-wskey-01").decode()
        req = ("GET / HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
               "Sec-WebSocket-Protocol: sip\r\nOrigin: http://%s\r\nUser-Agent: %s\r\n\r\n"
               % (KAM, self.peer[1], key, KAM, UA))
        self.sock.sendall(req.encode())
        while b"\r\n\r\n" not in self.buf:
            self.fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        if " 101 " not in lines[0] + " ":
            raise SystemExit("WebSocket upgrade refused: %s" % lines[0])
        want = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        hdrs = {n.strip().lower(): v.strip() for n, _, v in (ln.partition(":") for ln in lines[1:])}
        if hdrs.get("sec-websocket-accept") != want or hdrs.get("sec-websocket-protocol") != "sip":
            raise SystemExit("bad WebSocket handshake answer: %r" % hdrs)
        log("WebSocket: %s (protocol sip)" % lines[0])

    def ws_frame(self, payload, opcode=1):
        # client to server: FIN, masked; the mask is derived from the payload (reproducible)
        mask = struct.pack("!I", zlib.crc32(payload) or 1)
        n = len(payload)
        if n < 126:
            hdr = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 65536:
            hdr = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            hdr = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        return hdr + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))

    def ws_read_frame(self):
        while True:
            while len(self.buf) < 2:
                self.fill()
            b0, b1 = self.buf[0], self.buf[1]
            n, off = b1 & 0x7F, 2
            if n == 126:
                while len(self.buf) < 4:
                    self.fill()
                n, off = struct.unpack("!H", self.buf[2:4])[0], 4
            elif n == 127:
                while len(self.buf) < 10:
                    self.fill()
                n, off = struct.unpack("!Q", self.buf[2:10])[0], 10
            if b1 & 0x80:
                raise SystemExit("the server masked a frame")
            while len(self.buf) < off + n:
                self.fill()
            payload, self.buf = self.buf[off:off + n], self.buf[off + n:]
            opcode = b0 & 0x0F
            if opcode in (1, 2):
                return payload
            if opcode == 8:
                return None
            if opcode == 9:  # ping -> pong
                self.sock.sendall(self.ws_frame(payload, 10))

    # ---------------------------------------------------------------- common
    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise SystemExit("connection closed by Kamailio")
        self.buf += data

    def send(self, data):
        if self.proto == "udp":
            self.sock.sendto(data, self.peer)
        elif self.proto == "ws":
            self.sock.sendall(self.ws_frame(data))
        else:
            self.sock.sendall(data)

    def recv(self):
        if self.proto == "udp":
            self.sock.settimeout(TIMEOUT)
            return Msg(self.sock.recvfrom(65536)[0])
        if self.proto == "ws":
            payload = self.ws_read_frame()
            if payload is None:
                raise SystemExit("WebSocket closed by Kamailio")
            return Msg(payload)
        while b"\r\n\r\n" not in self.buf:
            self.fill()
        head, rest = self.buf.split(b"\r\n\r\n", 1)
        n = content_length(head)
        while len(rest) < n:
            self.fill()
            head, rest = self.buf.split(b"\r\n\r\n", 1)
        self.buf = rest[n:]
        return Msg(head + b"\r\n\r\n" + rest[:n])

    def close(self):
        if self.proto == "ws":
            self.sock.sendall(self.ws_frame(struct.pack("!H", 1000), 8))
            try:
                while self.ws_read_frame() is not None:
                    pass
            except (OSError, SystemExit):
                pass
        elif self.proto == "tls":
            try:
                self.sock = self.sock.unwrap()
            except (OSError, ssl.SSLError):
                pass
        self.sock.close()


def run(proto, cafile, keylog):
    lport, kport, via_tp, uri_tp = SETUP[proto]
    t = Transport(proto, cafile, keylog)
    call = "tr-%s-1" % proto
    callid = "%s@sipdiag.test" % call
    from_hdr = "<sip:alice@127.0.0.1>;tag=ft-%s" % call
    contact = "<sip:alice@127.0.0.1:%d%s>" % (lport, uri_tp)

    def request(method, ruri, cseq, branch, to, cseq_method=None):
        lines = [
            "%s %s SIP/2.0" % (method, ruri),
            "Via: SIP/2.0/%s 127.0.0.1:%d;branch=%s;rport" % (via_tp, lport, branch),
            "Max-Forwards: 70",
            "From: %s" % from_hdr,
            "To: %s" % to,
            "Call-ID: %s" % callid,
            "CSeq: %d %s" % (cseq, cseq_method or method),
            "Contact: %s" % contact,
            "User-Agent: %s" % UA,
            "Content-Length: 0",
        ]
        data = ("\r\n".join(lines) + "\r\n\r\n").encode()
        t.send(data)
        log(">> %s %s (CSeq %d)" % (method, ruri, cseq))
        time.sleep(0.02)

    def final():
        while True:
            m = t.recv()
            log("<< %s" % m.first)
            if m.status is not None and m.status >= 200:
                return m

    # 1. INVITE -> 302, ACK
    ruri = "sip:redir-%s@127.0.0.1:%d%s" % (proto, kport, uri_tp)
    to = "<sip:redir-%s@127.0.0.1>" % proto
    b1 = "z9hG4bK-%s-1" % call
    request("INVITE", ruri, 1, b1, to)
    r = final()
    if r.status != 302:
        raise SystemExit("expected a 302, got %s" % r.first)
    request("ACK", ruri, 1, b1, "%s;tag=%s" % (to, to_tag(r)))
    cs = contacts(r)
    if not cs:
        raise SystemExit("302 without Contact")
    target = max(cs, key=lambda c: c[1])[0]
    log("   contacts %s -> retry at %s" % (cs, target))

    # 2. retry at the Contact of highest q -> 200, ACK, BYE -> 200
    request("INVITE", target, 2, "z9hG4bK-%s-2" % call, to)
    r = final()
    if r.status != 200:
        raise SystemExit("expected a 200 to the retry, got %s" % r.first)
    dialog_to = "%s;tag=%s" % (to, to_tag(r))
    remote = contacts(r)[0][0] if contacts(r) else target
    request("ACK", remote, 2, "z9hG4bK-%s-3" % call, dialog_to)
    request("BYE", remote, 3, "z9hG4bK-%s-4" % call, dialog_to)
    r = final()
    if r.status != 200:
        raise SystemExit("expected a 200 to BYE, got %s" % r.first)
    t.close()
    log("done")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("proto", choices=sorted(SETUP))
    ap.add_argument("--cafile", help="certificate to trust (tls)")
    ap.add_argument("--keylog", help="write the TLS secrets here (NSS key log format)")
    a = ap.parse_args()
    if a.proto == "tls" and not (a.cafile and a.keylog):
        ap.error("tls needs --cafile and --keylog")
    run(a.proto, a.cafile, a.keylog)


if __name__ == "__main__":
    main()
