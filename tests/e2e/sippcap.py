# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes small pcap files of SIP over UDP/IPv4 for tests that need inputs no real SIP stack will
send (hostile and malformed messages). Genuine SIP traffic comes from Kamailio: see captures/."""

import struct


def _checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return (~s) & 0xFFFF


def udp_frame(payload, src=("10.0.0.1", 5060), dst=("10.0.0.2", 5060)):
    sip, dip = bytes(map(int, src[0].split("."))), bytes(map(int, dst[0].split(".")))
    udp_len = 8 + len(payload)
    udp = struct.pack("!HHHH", src[1], dst[1], udp_len, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, 0, 0x4000, 64, 17, 0, sip, dip)
    ip = ip[:10] + struct.pack("!H", _checksum(ip)) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ip + udp


def udp_fragments(payload, split, src=("10.0.0.1", 5060), dst=("10.0.0.2", 5060), ident=0x1234):
    """One UDP datagram as two IPv4 fragments (Ethernet frames), cut `split` bytes into the UDP
    header and payload (rounded down to a multiple of 8)."""
    whole = udp_frame(payload, src, dst)
    eth, ip, data = whole[:14], whole[14:34], whole[34:]
    split -= split % 8
    frames = []
    for off, chunk, more in ((0, data[:split], True), (split, data[split:], False)):
        flags = (0x2000 if more else 0) | (off // 8)
        h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(chunk), ident, flags, 64, 17, 0,
                        ip[12:16], ip[16:20])
        h = h[:10] + struct.pack("!H", _checksum(h)) + h[12:]
        frames.append(eth + h + chunk)
    return frames


def write_frames(path, frames, start=1_700_000_000.0, step=0.01):
    """Whole Ethernet frames (bytes), one per record."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262144, 1))  # ns pcap
        t = start
        for data in frames:
            sec = int(t)
            nsec = int(round((t - sec) * 1e9))
            f.write(struct.pack("<IIII", sec, nsec, len(data), len(data)))
            f.write(data)
            t += step


def write_pcap(path, frames, start=1_700_000_000.0, step=0.01):
    """frames: list of (payload_bytes, src, dst) or payload bytes."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262144, 1))  # ns pcap
        t = start
        for fr in frames:
            if isinstance(fr, (bytes, bytearray)):
                data = udp_frame(bytes(fr))
            else:
                data = udp_frame(*fr)
            sec = int(t)
            nsec = int(round((t - sec) * 1e9))
            f.write(struct.pack("<IIII", sec, nsec, len(data), len(data)))
            f.write(data)
            t += step


def sip(start_line, headers, body=b""):
    lines = [start_line] + [f"{k}: {v}" for k, v in headers]
    text = "\r\n".join(lines) + f"\r\nContent-Length: {len(body)}\r\n\r\n"
    return text.encode("utf-8", "surrogateescape") + body


def request(method, ruri, call_id, cseq, branch, extra=(), via_host="10.0.0.1:5060",
            from_tag="ft1"):
    return sip(f"{method} {ruri} SIP/2.0", [
        ("Via", f"SIP/2.0/UDP {via_host};branch={branch}"),
        ("From", f"<sip:alice@example.com>;tag={from_tag}"),
        ("To", "<sip:bob@example.com>"),
        ("Call-ID", call_id),
        ("CSeq", f"{cseq} {method}"),
        ("Max-Forwards", "70"),
    ] + list(extra))


def response(code, reason, method, call_id, cseq, branch, extra=(), via_host="10.0.0.1:5060",
             from_tag="ft1"):
    return sip(f"SIP/2.0 {code} {reason}", [
        ("Via", f"SIP/2.0/UDP {via_host};branch={branch}"),
        ("From", f"<sip:alice@example.com>;tag={from_tag}"),
        ("To", "<sip:bob@example.com>;tag=tt1"),
        ("Call-ID", call_id),
        ("CSeq", f"{cseq} {method}"),
    ] + list(extra))
