#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""sipdiag capture client: a tiny SIP UAC and UAS (python3 stdlib only).

It is used by captures/make-captures.sh to generate genuine traffic against a
real Kamailio on loopback.  Raw sockets only (UDP and TCP, IPv4 and IPv6).

    sipclient.py uas                 # UAS on 127.0.0.1:5080 and [::1]:5080 (UDP+TCP)
    sipclient.py run SCENARIO        # run one UAC scenario, then exit
    sipclient.py list                # list scenarios

The UAC really reacts to what it receives: it parses the Contact set of a 302
(long and compact header names, several contacts per header line, several
header lines, q and expires parameters), the Min-SE of a 422, the SIP-ETag
of a 200 to PUBLISH, the digest challenge (WWW-Authenticate) of a 401 and the
Min-Expires of a 423, and builds its follow-up from those values.  Call-IDs,
tags and Via branches are fixed so that re-runs produce the same messages
(Kamailio's own tags/branches and presence's SIP-ETags are Kamailio's).
"""

import hashlib
import select
import signal
import socket
import sys
import time
import zlib

UA = "sipdiag-capture-client/1.0"

# Local ports of the client.  UDP 5070 (5075 for the REGISTER scenario); each
# TCP flow gets its own fixed local port so that consecutive captures never
# reuse a 4-tuple.
CLIENT_UDP_PORT = 5070
REGISTER_UDP_PORT = 5075
KAM_PORT = 5060
UAS_PORT = 5080

COMPACT = {
    "v": "via", "f": "from", "t": "to", "i": "call-id", "m": "contact",
    "l": "content-length", "c": "content-type", "k": "supported",
    "x": "session-expires", "e": "content-encoding", "s": "subject",
    "o": "event", "u": "allow-events", "r": "refer-to", "b": "referred-by",
}

VERBOSE = True


def log(*a):
    if VERBOSE:
        print(*a, file=sys.stderr, flush=True)


def canon(name):
    n = name.strip().lower()
    return COMPACT.get(n, n)


# --------------------------------------------------------------------------
# message parsing
# --------------------------------------------------------------------------
class Msg:
    def __init__(self, raw, peer=None, proto=None, conn=None, sock=None):
        self.raw = raw
        self.peer = peer          # (host, port)
        self.proto = proto        # 'udp' | 'tcp'
        self.conn = conn          # TCP connection object
        self.sock = sock          # UDP socket it arrived on
        head, _, body = raw.partition(b"\r\n\r\n")
        self.body = body
        lines = head.decode("utf-8", "replace").split("\r\n")
        self.first = lines[0]
        self.headers = []         # [(name as received, value)]
        for ln in lines[1:]:
            if ln[:1] in (" ", "\t") and self.headers:
                n, v = self.headers[-1]
                self.headers[-1] = (n, v + " " + ln.strip())
                continue
            n, _, v = ln.partition(":")
            self.headers.append((n.strip(), v.strip()))
        p = self.first.split(" ", 2)
        if p[0].startswith("SIP/"):
            self.is_request = False
            self.status = int(p[1])
            self.reason = p[2] if len(p) > 2 else ""
            self.method = None
        else:
            self.is_request = True
            self.method = p[0]
            self.ruri = p[1]
            self.status = None

    def all(self, name):
        c = canon(name)
        return [v for n, v in self.headers if canon(n) == c]

    def get(self, name):
        v = self.all(name)
        return v[0] if v else None

    @property
    def callid(self):
        return self.get("call-id")

    @property
    def cseq(self):
        n, m = self.get("cseq").split()
        return int(n), m

    @property
    def branch(self):
        return param(self.get("via"), "branch")

    def to_tag(self):
        return param(self.get("to"), "tag")

    def summary(self):
        n, m = self.cseq
        return "%s  [CSeq %d %s, %s]" % (self.first, n, m, self.callid)


def split_commas(value):
    """Split a header value on commas outside <> and quotes."""
    out, cur, depth, quote = [], "", 0, False
    for ch in value:
        if ch == '"':
            quote = not quote
        elif not quote and ch == "<":
            depth += 1
        elif not quote and ch == ">":
            depth -= 1
        if ch == "," and depth == 0 and not quote:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def param(value, name):
    """Header parameter (after the URI / sent-by) of one header value."""
    if value is None:
        return None
    if ">" in value:
        tail = value.rsplit(">", 1)[1]
    else:
        tail = value.split(";", 1)[1] if ";" in value else ""
    for p in tail.split(";"):
        k, _, v = p.strip().partition("=")
        if k.lower() == name:
            return v
    return None


def uri_of(value):
    if "<" in value:
        return value[value.index("<") + 1:value.index(">")]
    return value.split(";")[0].strip()


def contacts(resp):
    """Every contact of a 3xx as dicts (uri, q, expires), in order."""
    res = []
    for line in resp.all("contact"):
        for c in split_commas(line):
            q = param(c, "q")
            res.append({"uri": uri_of(c), "q": float(q) if q else 1.0,
                        "expires": param(c, "expires"), "raw": c})
    return res


def parse_uri(uri):
    """sip:user@host:port;params -> (host, port, transport)."""
    s = uri.split(":", 1)[1]
    s = s.split("?")[0]
    hostpart = s.split("@", 1)[1] if "@" in s else s
    params = hostpart.split(";")
    hp = params[0]
    transport = "udp"
    for p in params[1:]:
        k, _, v = p.partition("=")
        if k.lower() == "transport":
            transport = v.lower()
    if hp.startswith("["):
        host = hp[1:hp.index("]")]
        rest = hp[hp.index("]") + 1:]
        port = int(rest[1:]) if rest.startswith(":") else 5060
    elif ":" in hp:
        host, port = hp.rsplit(":", 1)
        port = int(port)
    else:
        host, port = hp, 5060
    return host, port, transport


def hostport(host, port):
    return ("[%s]:%d" % (host, port)) if ":" in host else ("%s:%d" % (host, port))


def frame_stream(buf):
    """Split complete SIP messages off a TCP stream buffer."""
    msgs = []
    while True:
        while buf.startswith(b"\r\n"):
            buf = buf[2:]
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            break
        head = buf[:end].decode("utf-8", "replace")
        clen = 0
        for ln in head.split("\r\n")[1:]:
            n, _, v = ln.partition(":")
            if canon(n) == "content-length":
                clen = int(v.strip())
        total = end + 4 + clen
        if len(buf) < total:
            break
        msgs.append(buf[:total])
        buf = buf[total:]
    return msgs, buf


# --------------------------------------------------------------------------
# transport
# --------------------------------------------------------------------------
class TcpConn:
    def __init__(self, sock, peer):
        self.sock = sock
        self.peer = peer
        self.buf = b""
        self.local_port = sock.getsockname()[1]


class Net:
    """Sockets of the UAC.  tcp_ports maps (host, port) of a TCP peer to the
    fixed local port used to reach it."""

    def __init__(self, tcp_ports=None, udp_port=CLIENT_UDP_PORT):
        self.udp = {}
        self.tcp = {}
        self.tcp_ports = tcp_ports or {}
        self.udp_port = udp_port
        self.queue = []

    def udp_sock(self, host):
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        if fam not in self.udp:
            s = socket.socket(fam, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("::1" if fam == socket.AF_INET6 else "127.0.0.1", self.udp_port))
            self.udp[fam] = s
        return self.udp[fam]

    def tcp_conn(self, host, port):
        key = (host, port)
        if key not in self.tcp:
            fam = socket.AF_INET6 if ":" in host else socket.AF_INET
            s = socket.socket(fam, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            lport = self.tcp_ports.get(key, 0)
            s.bind(("::1" if fam == socket.AF_INET6 else "127.0.0.1", lport))
            s.connect((host, port))
            self.tcp[key] = TcpConn(s, key)
            log("    tcp connect %s -> %s" % (hostport(*s.getsockname()[:2]), hostport(host, port)))
        return self.tcp[key]

    def local(self, dest):
        """(transport, local host, local port) used to reach dest."""
        proto, host, port = dest
        if proto == "tcp":
            c = self.tcp_conn(host, port)
            h = c.sock.getsockname()
            return "TCP", h[0], h[1]
        s = self.udp_sock(host)
        h = s.getsockname()
        return "UDP", h[0], h[1]

    def send(self, data, dest):
        proto, host, port = dest
        if proto == "tcp":
            self.tcp_conn(host, port).sock.sendall(data)
        else:
            self.udp_sock(host).sendto(data, (host, port))

    def recv(self, timeout):
        if self.queue:
            return self.queue.pop(0)
        deadline = time.time() + timeout
        while True:
            left = deadline - time.time()
            if left <= 0:
                return None
            socks = list(self.udp.values()) + [c.sock for c in self.tcp.values()]
            r, _, _ = select.select(socks, [], [], left)
            for s in r:
                if s.type == socket.SOCK_DGRAM:
                    data, peer = s.recvfrom(65535)
                    self.queue.append(Msg(data, peer[:2], "udp", sock=s))
                else:
                    c = [c for c in self.tcp.values() if c.sock is s][0]
                    data = s.recv(65535)
                    if not data:          # peer closed the connection
                        log("    tcp closed by %s" % hostport(*c.peer))
                        del self.tcp[c.peer]
                        s.close()
                        continue
                    c.buf += data
                    msgs, c.buf = frame_stream(c.buf)
                    for m in msgs:
                        self.queue.append(Msg(m, c.peer, "tcp", conn=c))
            if self.queue:
                return self.queue.pop(0)

    def close(self):
        for c in self.tcp.values():
            c.sock.close()
        for s in self.udp.values():
            s.close()


# --------------------------------------------------------------------------
# UAC
# --------------------------------------------------------------------------
def dest_of(uri, force=None):
    host, port, transport = parse_uri(uri)
    return (force or transport, host, port)


class Tx:
    def __init__(self, method, cseq, branch, data, dest, ruri, routes):
        self.method, self.cseq, self.branch = method, cseq, branch
        self.data, self.dest, self.ruri, self.routes = data, dest, ruri, routes


class Call:
    """One Call-ID / From tag.  compact=True uses compact header names."""

    def __init__(self, net, name, to_uri, from_uri="sip:alice@127.0.0.1",
                 compact=False, user="alice"):
        self.net = net
        self.name = name
        self.callid = "%s@sipdiag.test" % name
        self.from_uri = from_uri
        self.from_tag = "ft-%s" % name
        self.to_uri = to_uri
        self.compact = compact
        self.user = user
        self.cseq = 0
        self.nbranch = 0
        # dialog state after a 2xx
        self.remote_tag = None
        self.remote_target = None
        self.route_set = []
        self.last_tx = None

    def h(self, name):
        if not self.compact:
            return name
        return {"Via": "v", "From": "f", "To": "t", "Call-ID": "i",
                "Contact": "m", "Content-Length": "l", "Content-Type": "c",
                "Supported": "k", "Session-Expires": "x", "Event": "o"}.get(name, name)

    def new_branch(self):
        self.nbranch += 1
        return "z9hG4bK-%s-%d" % (self.name, self.nbranch)

    def build(self, method, ruri, dest, cseq, branch, to_tag=None, routes=(),
              extra=(), body=b"", ctype=None):
        tr, lh, lp = self.net.local(dest)
        to = "<%s>" % self.to_uri + (";tag=%s" % to_tag if to_tag else "")
        contact_params = ";transport=tcp" if tr == "TCP" else ""
        hdrs = [
            (self.h("Via"), "SIP/2.0/%s %s;rport;branch=%s" % (tr, hostport(lh, lp), branch)),
            ("Max-Forwards", "70"),
        ]
        hdrs += [("Route", r) for r in routes]
        hdrs += [
            (self.h("From"), "<%s>;tag=%s" % (self.from_uri, self.from_tag)),
            (self.h("To"), to),
            (self.h("Call-ID"), self.callid),
            ("CSeq", "%d %s" % (cseq, method)),
        ]
        if method in ("INVITE", "REGISTER"):
            hdrs.append((self.h("Contact"), "<sip:%s@%s%s>" % (self.user, hostport(lh, lp), contact_params)))
        hdrs += [(self.h(n), v) for n, v in extra]
        if method in ("INVITE", "BYE", "PUBLISH", "REGISTER"):
            hdrs.append(("User-Agent", UA))
        if body:
            hdrs.append((self.h("Content-Type"), ctype))
        hdrs.append((self.h("Content-Length"), str(len(body))))
        head = "%s %s SIP/2.0\r\n" % (method, ruri)
        head += "".join("%s: %s\r\n" % hv for hv in hdrs)
        return head.encode() + b"\r\n" + body

    def request(self, method, ruri, dest, extra=(), body=b"", ctype=None,
                send=True, routes=(), cseq=None):
        if cseq is None:
            self.cseq += 1
            cseq = self.cseq
        branch = self.new_branch()
        data = self.build(method, ruri, dest, cseq, branch, to_tag=self.remote_tag if method not in ("INVITE", "PUBLISH", "REGISTER") else None,
                          routes=routes, extra=extra, body=body, ctype=ctype)
        tx = Tx(method, cseq, branch, data, dest, ruri, routes)
        self.last_tx = tx
        if send:
            self.send(tx)
        return tx

    def send(self, tx):
        log(">>> %s %s (CSeq %d, %s) to %s:%s" % (tx.method, tx.ruri, tx.cseq, tx.branch, tx.dest[0], hostport(tx.dest[1], tx.dest[2])))
        self.net.send(tx.data, tx.dest)

    def wait_final(self, tx, timeout=5.0, retransmit=None):
        """Wait for the final response of tx (ignoring provisionals)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = self.net.recv(deadline - time.time())
            if m is None:
                break
            if m.is_request:
                log("<<< unexpected request %s" % m.first)
                continue
            log("<<< %s" % m.summary())
            if m.branch == tx.branch and m.cseq == (tx.cseq, tx.method) and m.status >= 200:
                return m
        raise RuntimeError("%s: no final response to %s CSeq %d" % (self.name, tx.method, tx.cseq))

    def listen(self, seconds):
        """Just receive (and log) whatever arrives for some seconds."""
        got = []
        deadline = time.time() + seconds
        while time.time() < deadline:
            m = self.net.recv(deadline - time.time())
            if m is None:
                break
            log("<<< %.3fs %s" % (time.time(), m.summary()))
            got.append(m)
        return got

    def ack_non2xx(self, tx, resp, send=True):
        """RFC 3261 17.1.1.3: same branch, same R-URI/Route, To with tag."""
        data = self.build("ACK", tx.ruri, tx.dest, tx.cseq, tx.branch,
                          to_tag=resp.to_tag(), routes=tx.routes)
        t = Tx("ACK", tx.cseq, tx.branch, data, tx.dest, tx.ruri, tx.routes)
        if send:
            self.send(t)
        return t

    def dialog_from_2xx(self, resp):
        self.remote_tag = resp.to_tag()
        self.remote_target = uri_of(resp.get("contact"))
        rr = []
        for line in resp.all("record-route"):
            rr += split_commas(line)
        self.route_set = list(reversed(rr))

    def next_hop(self):
        if self.route_set and ";lr" in self.route_set[0]:
            return dest_of(uri_of(self.route_set[0]))
        return dest_of(self.remote_target)

    def ack_2xx(self, tx, resp):
        self.dialog_from_2xx(resp)
        dest = self.next_hop()
        return self.request("ACK", self.remote_target, dest, routes=self.route_set, cseq=tx.cseq)

    def bye(self):
        dest = self.next_hop()
        tx = self.request("BYE", self.remote_target, dest, routes=self.route_set)
        return self.wait_final(tx)

    # ---- redirect helpers -------------------------------------------------
    def pick(self, resp, policy):
        cs = contacts(resp)
        for c in cs:
            log("    contact %s q=%s expires=%s" % (c["uri"], c["q"], c["expires"]))
        if policy == "highest":
            return max(cs, key=lambda c: c["q"])["uri"]
        if policy == "lower":
            best = max(c["q"] for c in cs)
            return max((c for c in cs if c["q"] < best), key=lambda c: c["q"])["uri"]
        raise ValueError(policy)


def invite_until_final(call, ruri, dest, extra=(), timeout=5.0):
    tx = call.request("INVITE", ruri, dest, extra=extra)
    return tx, call.wait_final(tx, timeout)


def complete_call(call, tx, resp, hold=0.05):
    """After a 2xx: ACK, short pause, BYE -> 200."""
    assert 200 <= resp.status < 300, resp.first
    call.ack_2xx(tx, resp)
    time.sleep(hold)
    r = call.bye()
    assert r.status == 200, r.first


# --------------------------------------------------------------------------
# scenarios
# --------------------------------------------------------------------------
K4 = ("udp", "127.0.0.1", KAM_PORT)
K4T = ("tcp", "127.0.0.1", KAM_PORT)
K6T = ("tcp", "::1", KAM_PORT)


def redirect_call(net, name, ruri_user, policy, dest=K4, compact=False, host="127.0.0.1"):
    """INVITE -> 302 -> ACK -> (retry per policy -> 200 -> ACK -> BYE)."""
    ruri = "sip:%s@%s" % (ruri_user, host if ":" not in host else "[%s]" % host)
    c = Call(net, name, ruri, from_uri="sip:alice@%s" % (host if ":" not in host else "[%s]" % host),
             compact=compact)
    tx, r = invite_until_final(c, ruri, dest)
    assert r.status == 302, r.first
    c.ack_non2xx(tx, r)
    if policy is None:
        return c
    target = policy if policy.startswith("sip:") else c.pick(r, policy)
    force = dest[0] if dest[0] == "tcp" else None
    tx2, r2 = invite_until_final(c, target, dest_of(target, force))
    complete_call(c, tx2, r2)
    return c


def sc_redirect_udp():
    net = Net()
    # 1: one Contact header, three contacts with q -> retry at the highest q
    redirect_call(net, "redir-1", "redir-q-1", "highest")
    # 2: several Contact header lines (one with expires) -> highest q
    redirect_call(net, "redir-2", "redir-lines-2", "highest")
    # 3: retry at a LOWER-q contact
    redirect_call(net, "redir-3", "redir-q-3", "lower")
    # 4: retry at a URI that is NOT in the Contact set
    redirect_call(net, "redir-4", "redir-q-4", "sip:mallory@127.0.0.1:5080")
    # 5: never retries (only ACKs the 302)
    redirect_call(net, "redir-5", "redir-lines-5", None)
    net.close()


def sc_redirect_tcp_ipv6():
    net = Net(tcp_ports={("::1", KAM_PORT): 5071, ("::1", UAS_PORT): 5072})
    h = "[::1]"
    # 1: 302 from the destination set (one Contact line, 2 contacts) -> highest q
    redirect_call(net, "redir6-1", "redir6-q-1", "highest", dest=K6T, compact=True, host="::1")
    # 2 + 3: two INVITEs pipelined in ONE send() (one TCP segment)
    c2 = Call(net, "redir6-2", "sip:redir6-m-2@%s" % h, from_uri="sip:alice@%s" % h, compact=True)
    c3 = Call(net, "redir6-3", "sip:redir6-m-3@%s" % h, from_uri="sip:alice@%s" % h, compact=True)
    t2 = c2.request("INVITE", c2.to_uri, K6T, send=False)
    t3 = c3.request("INVITE", c3.to_uri, K6T, send=False)
    log(">>> INVITE %s + INVITE %s in one TCP send()" % (c2.callid, c3.callid))
    net.send(t2.data + t3.data, K6T)
    finals = {}
    while len(finals) < 2:
        m = net.recv(5.0)
        if m is None:
            raise RuntimeError("pipelined INVITEs: missing final response")
        log("<<< %s" % m.summary())
        if not m.is_request and m.status >= 200:
            finals[m.callid] = m
    r2, r3 = finals[c2.callid], finals[c3.callid]
    assert r2.status == 302 and r3.status == 302
    # both ACKs again in one TCP segment
    a2 = c2.ack_non2xx(t2, r2, send=False)
    a3 = c3.ack_non2xx(t3, r3, send=False)
    log(">>> ACK %s + ACK %s in one TCP send()" % (c2.callid, c3.callid))
    net.send(a2.data + a3.data, K6T)
    # 2: retry at the highest q of the compact m: lines (bob-d;expires=120)
    target = c2.pick(r2, "highest")
    tx, r = invite_until_final(c2, target, dest_of(target, "tcp"))
    complete_call(c2, tx, r)
    # 3: retry at a lower-q contact
    target = c3.pick(r3, "lower")
    tx, r = invite_until_final(c3, target, dest_of(target, "tcp"))
    complete_call(c3, tx, r)
    # 4: no retry at all
    redirect_call(net, "redir6-4", "redir6-q-4", None, dest=K6T, compact=True, host="::1")
    # 5: retry at a URI that is not in the Contact set
    redirect_call(net, "redir6-5", "redir6-q-5", "sip:mallory@[::1]:5080;transport=tcp",
                  dest=K6T, compact=True, host="::1")
    time.sleep(0.2)
    net.close()


PIDF = """<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="%s">
<tuple id="t1"><status><basic>%s</basic></status></tuple>
</presence>
"""


class Publisher:
    """PUBLISH client for one entity (one Call-ID, CSeq increments)."""

    def __init__(self, net, name, entity, dest):
        self.call = Call(net, name, entity, from_uri=entity)
        self.entity = entity
        self.dest = dest
        self.etag = None

    def publish(self, if_match=None, basic="open", body=True, expires=3600, expect=None):
        extra = [("Event", "presence"), ("Expires", str(expires))]
        if if_match:
            extra.append(("SIP-If-Match", if_match))
        b = (PIDF % (self.entity, basic)).encode() if body else b""
        tx = self.call.request("PUBLISH", self.entity, self.dest, extra=extra, body=b,
                               ctype="application/pidf+xml" if body else None)
        r = self.call.wait_final(tx)
        if expect is not None:
            assert r.status == expect, "%s: expected %d got %s" % (self.call.name, expect, r.first)
        if r.status == 200:
            self.etag = r.get("SIP-ETag")
            log("    SIP-ETag %s" % self.etag)
        return r


def sc_publish():
    net = Net(tcp_ports={("127.0.0.1", KAM_PORT): 5073})
    # --- alice over UDP: initial, refresh, stale If-Match -> 412, recovery
    a = Publisher(net, "pub-alice", "sip:alice@127.0.0.1", K4)
    a.publish(expect=200)                              # initial -> ETag E1
    e1 = a.etag
    a.publish(if_match=e1, body=False, expect=200)     # refresh -> ETag E2
    a.publish(if_match=e1, basic="closed", expect=412)  # stale E1 -> 412
    a.publish(basic="closed", expect=200)              # recovery: no If-Match, full body
    # --- bob over UDP: stale If-Match -> 412, another entity, then the SAME
    #     wrong If-Match again -> 412 again (no recovery)
    b = Publisher(net, "pub-bob", "sip:bob@127.0.0.1", K4)
    b.publish(expect=200)                              # F1
    f1 = b.etag
    b.publish(if_match=f1, body=False, expect=200)     # refresh -> F2
    b.publish(if_match=f1, basic="closed", expect=412)  # stale F1 -> 412
    c = Publisher(net, "pub-carol", "sip:carol@127.0.0.1", K4)
    c.publish(expect=200)                              # other entity in between
    b.publish(if_match=f1, basic="closed", expect=412)  # wrong again -> 412 again
    # --- dave over TCP: unknown If-Match -> 412, recovery
    d = Publisher(net, "pub-dave", "sip:dave@127.0.0.1", K4T)
    d.publish(expect=200)
    d.publish(if_match="a.1700000000.4242.1.0", basic="closed", expect=412)
    d.publish(basic="closed", expect=200)
    time.sleep(0.2)
    net.close()


def timer_hdrs(se, minse=None, compact=False):
    h = [("Supported", "timer"), ("Session-Expires", se)]
    if minse:
        h.append(("Min-SE", str(minse)))
    return h


def st_call(net, name, dest, first_se, retry_se=None, compact=False, user="carol"):
    """INVITE with a small Session-Expires -> 422; retry with retry_se and the
    Min-SE learnt from the 422 (retry_se=None: no retry)."""
    host = dest[1]
    ruri = "sip:%s@%s" % (user, host)
    c = Call(net, name, ruri, compact=compact)
    tx, r = invite_until_final(c, ruri, dest, extra=timer_hdrs(first_se))
    assert r.status == 422, r.first
    c.ack_non2xx(tx, r)
    minse = int(r.get("Min-SE").split(";")[0])
    log("    Min-SE %d" % minse)
    if retry_se is None:
        return c, []
    tx, r = invite_until_final(c, ruri, dest, extra=timer_hdrs(retry_se, minse))
    if r.status == 422:
        c.ack_non2xx(tx, r)
        return c, [r]
    complete_call(c, tx, r)
    return c, [r]


def sc_session_timer():
    net = Net(tcp_ports={("127.0.0.1", KAM_PORT): 5074})
    # 1: Session-Expires: 60 -> 422 (Min-SE: 90) -> retry SE 90 + Min-SE -> 200
    st_call(net, "st-1", K4, "60", "90")
    # 2: compact "x: 30" (and "k: timer") -> 422 -> retry x: 1800 -> 200
    st_call(net, "st-2", K4, "30", "1800;refresher=uac", compact=True)
    # 3: retry still too small (80 < 90) -> second 422
    st_call(net, "st-3", K4, "60", "80")
    # 4: no retry
    st_call(net, "st-4", K4, "45", None)
    # 5: over TCP (proxied to the UAS over UDP)
    st_call(net, "st-5", K4T, "60", "90")
    # 6: Kamailio 5.6.3 sst bug: SE 1800 + Min-SE 120 gets "422 Session Timer
    #    Too Small" with Min-SE: 90 from sstCheckMin(); the client then retries
    #    with the server's Min-SE (90) and SE 1800 -> 200
    c = Call(net, "st-6", "sip:carol@127.0.0.1")
    tx, r = invite_until_final(c, c.to_uri, K4, extra=timer_hdrs("1800", 120))
    assert r.status == 422, r.first
    c.ack_non2xx(tx, r)
    minse = int(r.get("Min-SE").split(";")[0])
    tx, r = invite_until_final(c, c.to_uri, K4, extra=timer_hdrs("1800", minse))
    complete_call(c, tx, r)
    time.sleep(0.2)
    net.close()


def sc_retransmissions(wait=8.5):
    net = Net()
    # 1: 302 never ACKed -> tm retransmits the 302 (timer G)
    c = Call(net, "retx-1", "sip:redir-q-retx1@127.0.0.1")
    tx, r = invite_until_final(c, c.to_uri, K4)
    assert r.status == 302
    log("    NOT sending the ACK for the 302, listening %.1fs" % wait)
    c.listen(wait)
    # 2: 422 never ACKed -> tm retransmits the 422
    c = Call(net, "retx-2", "sip:carol@127.0.0.1")
    tx, r = invite_until_final(c, c.to_uri, K4, extra=timer_hdrs("60"))
    assert r.status == 422
    log("    NOT sending the ACK for the 422, listening %.1fs" % wait)
    c.listen(wait)
    # 3: the client "loses" the 302 and retransmits its INVITE after T1;
    #    tm answers the retransmission with the stored 302; then ACK.
    c = Call(net, "retx-3", "sip:redir-lines-retx3@127.0.0.1")
    tx = c.request("INVITE", c.to_uri, K4)
    c.listen(0.5)
    log("    (pretending the response was lost) retransmitting the INVITE")
    c.send(tx)
    r = c.wait_final(tx)
    assert r.status == 302
    c.ack_non2xx(tx, r)
    c.listen(1.0)
    net.close()


def sc_mixed():
    net = Net()
    # 1: one Call-ID: 422 -> retry with good SE -> 302 -> retry at Contact -> 200
    c = Call(net, "mixed-1", "sip:mixed-1@127.0.0.1")
    tx, r = invite_until_final(c, c.to_uri, K4, extra=timer_hdrs("60"))
    assert r.status == 422, r.first
    c.ack_non2xx(tx, r)
    minse = int(r.get("Min-SE").split(";")[0])
    se = "%d" % max(minse, 90)
    tx, r = invite_until_final(c, c.to_uri, K4, extra=timer_hdrs(se, minse))
    assert r.status == 302, r.first
    c.ack_non2xx(tx, r)
    target = c.pick(r, "highest")
    tx, r = invite_until_final(c, target, dest_of(target), extra=timer_hdrs(se, minse))
    complete_call(c, tx, r)
    # 2: proxy case: Kamailio relays the INVITE to the UAS, the UAS answers
    #    302, Kamailio ACKs it hop-by-hop and relays the 302 upstream.
    c = Call(net, "mixed-2", "sip:uas302@127.0.0.1")
    tx, r = invite_until_final(c, c.to_uri, K4)
    assert r.status == 302, r.first
    c.ack_non2xx(tx, r)
    target = c.pick(r, "highest")
    tx, r = invite_until_final(c, target, dest_of(target))
    complete_call(c, tx, r)
    time.sleep(0.2)
    net.close()


def auth_params(value):
    """Digest challenge parameters (WWW-Authenticate value) as a dict."""
    scheme, _, rest = value.strip().partition(" ")
    assert scheme.lower() == "digest", value
    out = {}
    for item in split_commas(rest):
        k, _, v = item.partition("=")
        v = v.strip()
        if v.startswith('"') and v.endswith('"'):
            v = v[1:-1]
        out[k.strip().lower()] = v
    return out


def md5hex(s):
    return hashlib.md5(s.encode()).hexdigest()


def digest_authorization(chal, method, uri, user, password, nc, cnonce):
    """RFC 2617 / RFC 3261 22.4 Authorization value for one challenge (MD5;
    qop=auth when the server offers it)."""
    algo = chal.get("algorithm", "MD5")
    assert algo.upper() == "MD5", algo
    realm, nonce = chal["realm"], chal["nonce"]
    ha1 = md5hex("%s:%s:%s" % (user, realm, password))
    ha2 = md5hex("%s:%s" % (method, uri))
    qops = [q.strip() for q in chal.get("qop", "").split(",") if q.strip()]
    parts = ['username="%s"' % user, 'realm="%s"' % realm, 'nonce="%s"' % nonce,
             'uri="%s"' % uri]
    if "auth" in qops:
        ncs = "%08x" % nc
        resp = md5hex("%s:%s:%s:%s:auth:%s" % (ha1, nonce, ncs, cnonce, ha2))
        parts += ['response="%s"' % resp, "algorithm=MD5", 'cnonce="%s"' % cnonce,
                  "qop=auth", "nc=%s" % ncs]
    else:
        resp = md5hex("%s:%s:%s" % (ha1, nonce, ha2))
        parts += ['response="%s"' % resp, "algorithm=MD5"]
    if "opaque" in chal:
        parts.append('opaque="%s"' % chal["opaque"])
    return "Digest " + ", ".join(parts)


class Registrar:
    """REGISTER client for one address-of-record: one Call-ID, CSeq +1 per
    request, remembers the last challenge and counts nc per nonce."""

    def __init__(self, net, name, user, password, dest, domain="127.0.0.1"):
        self.call = Call(net, name, "sip:%s@%s" % (user, domain),
                         from_uri="sip:%s@%s" % (user, domain), user=user)
        self.ruri = "sip:%s" % domain
        self.user, self.password, self.dest = user, password, dest
        self.chal = None
        self.nc = 0

    def register(self, expires, password=None, expect=None):
        extra = [("Expires", str(expires))]
        if self.chal is not None:
            self.nc += 1
            n = self.call.cseq + 1
            cnonce = "cn-%s-%d" % (self.call.name, n)
            extra.append(("Authorization", digest_authorization(
                self.chal, "REGISTER", self.ruri, self.user,
                password if password is not None else self.password, self.nc, cnonce)))
        tx = self.call.request("REGISTER", self.ruri, self.dest, extra=extra)
        r = self.call.wait_final(tx)
        if expect is not None:
            assert r.status == expect, "%s: expected %d got %s" % (self.call.name, expect, r.first)
        if r.status == 401:
            self.chal = auth_params(r.get("WWW-Authenticate"))
            self.nc = 0
            log("    challenge realm=%s nonce=%s qop=%s" % (
                self.chal.get("realm"), self.chal.get("nonce"), self.chal.get("qop")))
        return r


def sc_register():
    net = Net(udp_port=REGISTER_UDP_PORT)
    reg = Registrar(net, "reg-1", "alice-reg", "alice-reg-pw", K4)
    # 1: no credentials -> 401 with a digest challenge
    reg.register(30, expect=401)
    # 2: answers the challenge with a wrong password -> 401 again (new nonce)
    reg.register(30, password="not-the-password", expect=401)
    # 3: right password, Expires 30 -> registrar: 423 + Min-Expires
    r = reg.register(30, expect=423)
    min_expires = int(r.get("Min-Expires").strip())
    log("    Min-Expires %d" % min_expires)
    # 4: right password, Expires = Min-Expires -> 200 (same nonce, nc 2)
    reg.register(min_expires, expect=200)
    time.sleep(0.2)
    net.close()


SCENARIOS = {
    "redirect-udp": sc_redirect_udp,
    "redirect-tcp-ipv6": sc_redirect_tcp_ipv6,
    "publish": sc_publish,
    "session-timer": sc_session_timer,
    "retransmissions": sc_retransmissions,
    "mixed": sc_mixed,
    "register": sc_register,
}


# --------------------------------------------------------------------------
# UAS
# --------------------------------------------------------------------------
class Uas:
    """Answers INVITE with 200 (or 302 for user 'uas302'), BYE/CANCEL/other
    with 200, ignores ACK.  Copies Record-Route into 2xx, echoes
    Session-Expires with refresher=uac and Require: timer."""

    def __init__(self, port=UAS_PORT):
        self.udp = []
        self.listeners = []
        self.conns = {}
        self.sent = {}      # branch -> response bytes (for retransmissions)
        for fam, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
            u = socket.socket(fam, socket.SOCK_DGRAM)
            u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            u.bind((host, port))
            self.udp.append(u)
            t = socket.socket(fam, socket.SOCK_STREAM)
            t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            t.bind((host, port))
            t.listen(16)
            self.listeners.append(t)
        self.port = port

    def response(self, req, code, reason, local_host, tcp):
        lines = ["SIP/2.0 %d %s" % (code, reason)]
        tag = "uas-%08x" % (zlib.crc32(("%s|%s" % (req.callid, req.cseq[0])).encode()))
        for n, v in req.headers:
            c = canon(n)
            if c == "via":
                lines.append("%s: %s" % (n, v))
        for n, v in req.headers:
            c = canon(n)
            if c in ("from", "call-id", "cseq"):
                lines.append("%s: %s" % (n, v))
            elif c == "to":
                if param(v, "tag") is None and req.method != "ACK":
                    v += ";tag=" + tag
                lines.append("%s: %s" % (n, v))
            elif c == "record-route" and req.method == "INVITE" and 200 <= code < 300:
                lines.append("%s: %s" % (n, v))
        hp = hostport(local_host, self.port)
        tp = ";transport=tcp" if tcp else ""
        if req.method == "INVITE":
            user = req.ruri.split(":", 1)[1].split("@")[0]
            if code == 302:
                lines.append("Contact: <sip:carol@%s%s>;q=0.7" % (hp, tp))
            else:
                lines.append("Contact: <sip:%s@%s%s>" % (user, hp, tp))
                se = req.get("session-expires")
                if se:
                    lines.append("Session-Expires: %s;refresher=uac" % se.split(";")[0])
                    lines.append("Require: timer")
        lines.append("Server: sipdiag-capture-uas/1.0")
        lines.append("Content-Length: 0")
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def handle(self, m, local_host, reply):
        log("UAS <<< %s" % m.summary())
        if not m.is_request:
            return
        if m.method == "ACK":
            return
        key = (m.branch, m.method)
        if key in self.sent:
            log("UAS     retransmission, re-sending the response")
            reply(self.sent[key])
            return
        if m.method == "INVITE":
            user = m.ruri.split(":", 1)[1].split("@")[0]
            if user == "uas302":
                data = self.response(m, 302, "Moved Temporarily", local_host, m.proto == "tcp")
            else:
                data = self.response(m, 200, "OK", local_host, m.proto == "tcp")
        else:
            data = self.response(m, 200, "OK", local_host, m.proto == "tcp")
        self.sent[key] = data
        log("UAS >>> %s" % data.split(b"\r\n", 1)[0].decode())
        reply(data)

    def serve(self):
        stop = []
        signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
        signal.signal(signal.SIGINT, lambda *a: stop.append(1))
        log("UAS listening on 127.0.0.1:%d and [::1]:%d (UDP+TCP)" % (self.port, self.port))
        while not stop:
            socks = self.udp + self.listeners + list(self.conns)
            try:
                r, _, _ = select.select(socks, [], [], 0.5)
            except InterruptedError:
                continue
            for s in r:
                if s in self.listeners:
                    cs, peer = s.accept()
                    cs.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    self.conns[cs] = b""
                elif s in self.udp:
                    data, peer = s.recvfrom(65535)
                    m = Msg(data, peer[:2], "udp")
                    self.handle(m, s.getsockname()[0],
                                lambda d, s=s, peer=peer: s.sendto(d, peer))
                else:
                    data = s.recv(65535)
                    if not data:
                        del self.conns[s]
                        s.close()
                        continue
                    msgs, self.conns[s] = frame_stream(self.conns[s] + data)
                    for raw in msgs:
                        m = Msg(raw, s.getpeername()[:2], "tcp")
                        self.handle(m, s.getsockname()[0], lambda d, s=s: s.sendall(d))
        for s in self.udp + self.listeners + list(self.conns):
            s.close()
        log("UAS stopped")


def main(argv):
    if len(argv) >= 2 and argv[1] == "uas":
        Uas().serve()
        return 0
    if len(argv) >= 3 and argv[1] == "run" and argv[2] in SCENARIOS:
        log("=== scenario %s" % argv[2])
        SCENARIOS[argv[2]]()
        log("=== scenario %s done" % argv[2])
        return 0
    if len(argv) >= 2 and argv[1] == "list":
        print("\n".join(SCENARIOS))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
