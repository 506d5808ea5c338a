#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Derive captures/agents/expectations.json from the captures with tshark.

For every 302/412/422 (and 401/407/423) response frame of every
captures/agents/*.pcapng, record what the client did next, using only the
values of tshark's own sip.* fields (and frame/ip/port fields):

  python3 captures/agents/expectations.py            # print the JSON
  python3 captures/agents/expectations.py --write    # (re)write expectations.json
  python3 captures/agents/expectations.py --check    # exit 1 if the file differs

Rules (the ground truth; written down so that it can be argued with):
  * the client of a response is the sender of its request, identified by
    the sent-by (host and port) of the top Via of the response plus the From
    URI; never by the IP address alone;
  * a response is a retransmission when tshark sets sip.resend on it;
  * a response that the receiving proxy passes on (same status, Call-ID and
    CSeq, sent by the receiver with the response's second Via on top) is
    "relayed": its receiver is a proxy and follows nothing itself;
  * follow-up of a 3xx: the first later INVITE of the same client whose
    Request-URI is one of the Contacts, or that stays in the same Call-ID
    and From tag;
  * follow-up of a 422: the first later INVITE of the same client in the
    same Call-ID, or to the same Request-URI in a new one;
  * follow-up of a 412: the first later PUBLISH of the same publisher (From
    URI) to the same entity (Request-URI), whatever its Call-ID;
  * follow-up of a 401/407/423: the first later request with the same
    method of the same client in the same Call-ID;
  * a follow-up must come within 32 s (64 * T1) and must not itself be a
    retransmission (tshark's sip.resend);
  * fix_applied: 3xx - the new Request-URI is one of the Contacts, not one
    with expires=0 and not the URI that was just redirected (a loop); 422 -
    Session-Expires and Min-SE both at least the Min-SE received; 412 - no
    SIP-If-Match and a 2xx with a SIP-ETag other than the stale one;
    401/407 - credentials present; 423 - Expires at least Min-Expires.
"""
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "expectations.json")
DIAGNOSED = {302, 401, 407, 412, 422, 423}
WINDOW = 32.0

FIELDS = [
    "frame.number", "frame.time_relative", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
    "udp.srcport", "udp.dstport", "tcp.srcport", "tcp.dstport",
    "sip.Method", "sip.Status-Code", "sip.r-uri", "sip.CSeq.seq", "sip.CSeq.method",
    "sip.Call-ID", "sip.from.addr", "sip.from.tag", "sip.to.tag", "sip.Via",
    "sip.Contact", "sip.Min-SE", "sip.Session-Expires", "sip.ETag", "sip.If_Match",
    "sip.Expires", "sip.Min-Expires", "sip.Retry-After", "sip.User-Agent", "sip.Server",
    "sip.resend", "sip.resend-original", "sip.Authorization", "sip.Proxy-Authorization",
]


def tshark_messages(path):
    cmd = ["tshark", "-r", path, "-Y", "sip", "-T", "json"]
    for f in FIELDS:
        cmd += ["-e", f]
    res = subprocess.run(cmd, check=True, capture_output=True, text=True)
    msgs = []
    for pkt in json.loads(res.stdout or "[]"):
        L = pkt["_source"]["layers"]
        n_sip = len(L.get("sip.Method", [])) + len(L.get("sip.Status-Code", []))
        if n_sip != 1:
            raise SystemExit(f"{path}: frame {L['frame.number'][0]} holds {n_sip} SIP "
                             "messages; this script handles one per frame")

        def one(k, conv=str):
            v = L.get(k)
            return conv(v[0]) if v else None

        src = one("ip.src") or one("ipv6.src")
        dst = one("ip.dst") or one("ipv6.dst")
        tp = "udp" if "udp.srcport" in L else "tcp"
        msgs.append({
            "frame": one("frame.number", int),
            "t": one("frame.time_relative", float),
            "transport": tp,
            "src": f"{fmt_host(src)}:{one(tp + '.srcport')}",
            "dst": f"{fmt_host(dst)}:{one(tp + '.dstport')}",
            "method": one("sip.Method"),
            "status": one("sip.Status-Code", int),
            "ruri": one("sip.r-uri"),
            "cseq": one("sip.CSeq.seq", int),
            "cseq_method": one("sip.CSeq.method"),
            "call_id": one("sip.Call-ID"),
            "from_uri": one("sip.from.addr"),
            "from_tag": one("sip.from.tag"),
            "to_tag": one("sip.to.tag"),
            # one entry per Via, also when a header line holds several
            "vias": [v for h in L.get("sip.Via", []) for v in split_commas(h)],
            "contacts": L.get("sip.Contact", []),
            "min_se": one("sip.Min-SE"),
            "session_expires": one("sip.Session-Expires"),
            "etag": one("sip.ETag"),
            "if_match": one("sip.If_Match"),
            "expires": one("sip.Expires"),
            "min_expires": one("sip.Min-Expires"),
            "retry_after": one("sip.Retry-After"),
            "user_agent": one("sip.User-Agent"),
            "server": one("sip.Server"),
            "resend": one("sip.resend") == "1",
            "resend_of": one("sip.resend-original", int),
            "authorization": bool(L.get("sip.Authorization") or L.get("sip.Proxy-Authorization")),
        })
    return msgs


def fmt_host(h):
    return f"[{h}]" if h and ":" in h else h


def via_parts(via):
    """'SIP/2.0/UDP 127.0.0.1:5062;branch=z;rport' -> (sent-by, branch)"""
    m = re.match(r"\s*SIP\s*/\s*2\.0\s*/\s*\w+\s+([^;\s]+)", via or "")
    sent_by = m.group(1) if m else None
    if sent_by and not re.search(r"(\]|^[^:\[]+):\d+$", sent_by):
        sent_by += ":5060"
    b = re.search(r";\s*branch\s*=\s*([^;\s,]+)", via or "", re.I)
    return sent_by, (b.group(1) if b else None)


def split_commas(s):
    out, depth, quote, cur = [], 0, False, ""
    for ch in s:
        if ch == '"':
            quote = not quote
        elif not quote and ch == "<":
            depth += 1
        elif not quote and ch == ">":
            depth -= 1
        if ch == "," and depth == 0 and not quote:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return [x.strip() for x in out if x.strip()]


def parse_contacts(headers):
    """Contact header values (tshark sip.Contact, one per line) -> list of
    {uri, q, expires} in the order they appear."""
    res = []
    for h in headers:
        for c in split_commas(h):
            m = re.match(r'(?:"[^"]*"\s*|[^<]*)<([^>]*)>(.*)', c)
            if m:
                uri, params = m.group(1), m.group(2)
            else:
                uri, _, params = c.partition(";")
                params = ";" + params
            q = re.search(r";\s*q\s*=\s*([0-9.]+)", params)
            e = re.search(r";\s*expires\s*=\s*(\d+)", params)
            res.append({"uri": uri.strip(),
                        "q": float(q.group(1)) if q else None,
                        "expires": int(e.group(1)) if e else None})
    return res


def uri_key(uri):
    """compare URIs on user@host:port (sip: default port 5060, transport kept)"""
    if not uri:
        return None
    m = re.match(r"\s*<?\s*(sips?):(?:([^@;>]*)@)?([^;>?]+)(.*)", uri)
    if not m:
        return uri
    host = m.group(3).strip().lower()
    if not re.search(r"(\]|^[^:\[]+):\d+$", host):
        host += ":5060"
    tp = re.search(r";\s*transport\s*=\s*(\w+)", m.group(4) or "", re.I)
    return f"{m.group(1)}:{m.group(2) or ''}@{host};{(tp.group(1).lower() if tp else 'udp')}"


def uri_hostport(uri):
    k = uri_key(uri)
    return k.split("@", 1)[1].split(";")[0] if k and "@" in k else None


def num(s):
    m = re.match(r"\s*(\d+)", s or "")
    return int(m.group(1)) if m else None


def analyse(msgs):
    reqs = [m for m in msgs if m["method"]]
    out = []
    for i, r in enumerate(msgs):
        if r["status"] not in DIAGNOSED:
            continue
        sent_by, branch = via_parts(r["vias"][0] if r["vias"] else "")
        e = {"frame": r["frame"], "status": r["status"], "cseq": f"{r['cseq']} {r['cseq_method']}",
             "call_id": r["call_id"], "from": r["from_uri"], "to_client": r["dst"],
             "client_via": sent_by, "server_agent": r["server"]}
        # the request it answers: same branch, Call-ID, CSeq, sent by the receiver
        req = next((q for q in reversed(reqs) if q["frame"] < r["frame"]
                    and q["call_id"] == r["call_id"] and q["cseq"] == r["cseq"]
                    and q["method"] == r["cseq_method"] and q["vias"]
                    and via_parts(q["vias"][0])[1] == branch and q["src"] == r["dst"]), None)
        e["request_frame"] = req["frame"] if req else None
        e["client_agent"] = req["user_agent"] if req else None
        e["retransmission"] = r["resend"]
        if r["resend"]:
            e["retransmission_of"] = r["resend_of"]
        if r["status"] == 302:
            cs = parse_contacts(r["contacts"])
            e["contacts"] = cs
            qs = [c["q"] if c["q"] is not None else 1.0 for c in cs]
            e["highest_q"] = [c["uri"] for c, q in zip(cs, qs) if q == max(qs)] if cs else []
            if r["retry_after"]:
                e["retry_after"] = r["retry_after"]
        if r["status"] == 422:
            e["min_se"] = r["min_se"]
        if r["status"] == 423:
            e["min_expires"] = r["min_expires"]
        if r["status"] == 412 and req:
            e["stale_if_match"] = req["if_match"]
        # relayed by a proxy? (its second Via is the top Via of a later copy)
        if len(r["vias"]) >= 2:
            b2 = via_parts(r["vias"][1])[1]
            relay = next((m for m in msgs[i + 1:] if m["status"] == r["status"]
                          and m["call_id"] == r["call_id"] and m["cseq"] == r["cseq"]
                          and m["vias"] and via_parts(m["vias"][0])[1] == b2
                          and m["src"].rsplit(":", 1)[0] == r["dst"].rsplit(":", 1)[0]
                          and not m["resend"]), None)
            if relay:
                e["relayed_as"] = relay["frame"]
                e["followup"] = None
                out.append(e)
                continue
        if r["resend"]:
            out.append(e)
            continue
        e["followup"] = followup(r, req, sent_by, reqs, msgs, e)
        out.append(e)
    return out


def followup(r, req, sent_by, reqs, msgs, e):
    cands = [q for q in reqs if q["frame"] > r["frame"] and q["t"] - r["t"] <= WINDOW
             and not q["resend"] and q["method"] not in ("ACK", "CANCEL")
             and q["vias"] and via_parts(q["vias"][0])[0] == sent_by
             and q["from_uri"] == r["from_uri"]]
    st = r["status"]
    f = None
    if st == 302:
        keys = {uri_key(c["uri"]) for c in e["contacts"]}
        f = next((q for q in cands if q["method"] == "INVITE" and (
            uri_key(q["ruri"]) in keys or (q["call_id"] == r["call_id"]
                                           and q["from_tag"] == r["from_tag"]))), None)
    elif st == 422:
        f = next((q for q in cands if q["method"] == "INVITE" and (
            q["call_id"] == r["call_id"] or (req and uri_key(q["ruri"]) == uri_key(req["ruri"])))),
            None)
    elif st == 412:
        f = next((q for q in cands if q["method"] == "PUBLISH"
                  and req and uri_key(q["ruri"]) == uri_key(req["ruri"])), None)
    else:
        f = next((q for q in cands if req and q["method"] == req["method"]
                  and q["call_id"] == r["call_id"]), None)
    if not f:
        return None
    fu = {"frame": f["frame"], "method": f["method"], "request_uri": f["ruri"],
          "delay_ms": round((f["t"] - r["t"]) * 1000, 1),
          "same_call_id": f["call_id"] == r["call_id"],
          "same_from_tag": f["from_tag"] == r["from_tag"],
          "cseq": f"{f['cseq']} {f['method']}",
          # a CSeq difference only means something inside one Call-ID
          "cseq_delta": (f["cseq"] - r["cseq"]) if f["call_id"] == r["call_id"] else None,
          "sent_to": f["dst"], "retransmission": f["resend"]}
    fin = next((m for m in msgs if m["frame"] > f["frame"] and m["status"] and m["status"] >= 200
                and m["call_id"] == f["call_id"] and m["cseq"] == f["cseq"]
                and m["cseq_method"] == f["method"] and m["dst"] == f["src"]), None)
    fu["final_response"] = {"frame": fin["frame"], "status": fin["status"]} if fin else None
    if st == 302:
        ks = [uri_key(c["uri"]) for c in e["contacts"]]
        k = uri_key(f["ruri"])
        idx = ks.index(k) if k in ks else None
        fu["contact_index"] = idx + 1 if idx is not None else None
        fu["contact_uri"] = e["contacts"][idx]["uri"] if idx is not None else None
        fu["targets_highest_q"] = idx is not None and e["contacts"][idx]["uri"] in e["highest_q"]
        fu["contact_expires_zero"] = idx is not None and e["contacts"][idx]["expires"] == 0
        fu["same_uri_as_redirected_request"] = bool(req) and k == uri_key(req["ruri"])
        # through an outbound proxy: sent somewhere else than the Contact's host:port
        fu["via_outbound_proxy"] = uri_hostport(f["ruri"]) != f["dst"]
        fu["fix_applied"] = idx is not None and not fu["contact_expires_zero"] \
            and not fu["same_uri_as_redirected_request"]
    elif st == 422:
        need = num(r["min_se"])
        se, mse = num(f["session_expires"]), num(f["min_se"])
        fu["session_expires"] = f["session_expires"]
        fu["min_se"] = f["min_se"]
        fu["fix_applied"] = need is not None and se is not None and se >= need \
            and mse is not None and mse >= need
    elif st == 412:
        fu["if_match"] = f["if_match"]
        ok = fin and 200 <= fin["status"] < 300 and fin["etag"] \
            and fin["etag"] != (req["if_match"] if req else None)
        fu["new_etag"] = fin["etag"] if fin else None
        fu["fix_applied"] = bool(f["if_match"] is None and ok)
    elif st in (401, 407):
        fu["fix_applied"] = f["authorization"]
    elif st == 423:
        need = num(r["min_expires"])
        exp = num(f["expires"])
        if exp is None:
            for c in parse_contacts(f["contacts"]):
                if c["expires"] is not None:
                    exp = c["expires"]
        fu["expires"] = exp
        fu["fix_applied"] = need is not None and exp is not None and exp >= need
    return fu


def build():
    caps = {}
    for fn in sorted(os.listdir(HERE)):
        if fn.endswith(".pcapng"):
            msgs = tshark_messages(os.path.join(HERE, fn))
            caps[fn] = {"sip_frames": len(msgs),
                        "retransmissions": [m["frame"] for m in msgs if m["resend"]],
                        "responses": analyse(msgs)}
    return {"derived_by": "captures/agents/expectations.py",
            "rules": __doc__.split("Rules", 1)[1].strip().split("\n", 1)[1],
            "captures": caps}


def main():
    data = json.dumps(build(), indent=1, sort_keys=False) + "\n"
    if "--write" in sys.argv:
        with open(OUT, "w", encoding="utf-8") as fh:
            fh.write(data)
    elif "--check" in sys.argv:
        with open(OUT, encoding="utf-8") as fh:
            if fh.read() != data:
                print("expectations.json differs from what the captures give", file=sys.stderr)
                sys.exit(1)
    else:
        sys.stdout.write(data)


if __name__ == "__main__":
    main()
