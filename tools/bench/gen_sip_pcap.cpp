// SPDX-License-Identifier: GPL-2.0-or-later
// sipdiag_gen: writes large, realistic SIP captures (classic pcap, Ethernet/IPv4) for the
// performance benchmark in tools/bench. Standalone C++17, no Wireshark.
//
//   sipdiag_gen [--frames N] [--seed S] [--concurrency C] [--tcp PERCENT] [--no-sip] [--dense]
//               -o FILE
//
// SIP mode: interleaved scenarios (tens of thousands of Call-IDs alive at once) over UDP and TCP
// between clients 10.x.y.z and a proxy 198.51.100.10:5060:
//   * complete calls INVITE/100/180/200/ACK ... BYE/200 (some with Session-Expires, some hung up
//     by the callee, some 486 Busy Here, some CANCELled with 487);
//   * 302 redirects with two Contacts (q, expires) and a retry at one of them (or none);
//   * PUBLISH with SIP-ETag refreshes (SIP-If-Match), stale tags answered 412 and recovered with
//     a fresh PUBLISH (sometimes after a wrong retry that repeats SIP-If-Match);
//   * 422 Session Interval Too Small with Min-SE and a retry (sometimes without Min-SE);
//   * REGISTER with a 401 challenge, OPTIONS keep-alives from the proxy;
//   * UDP retransmissions (INVITE, 2xx, non-2xx finals, BYE, PUBLISH);
//   * TCP: persistent connections with a handshake, exact sequence numbers, one SIP message per
//     segment and some segments carrying two messages (100 Trying + 180 Ringing).
// The output stops at exactly N frames (calls still running are cut, as in a real capture).
//
// --dense: a capture dense in failures (default 400,000 frames): short UDP messages (no SDP, no
// User-Agent/Server/Allow/Supported), about a third of the INVITE/PUBLISH/BYE/OPTIONS transactions
// ending in 302, 412 or 422, each followed by a correct retry, a wrong one or none; the rest short
// calls and OPTIONS. See dense_build() for the mix.
//
// --no-sip: N frames of non-SIP traffic (UDP to port 9999 and a TCP stream on port 9998, random
// payloads) for the "no SIP in the capture" baseline.
//
// Deterministic: the same arguments give the same bytes. Statistics (frames, SIP messages,
// transactions, ...) go to stderr as key=value lines.

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <queue>
#include <string>
#include <vector>

namespace {

// ---------------------------------------------------------------------------------------------
// Randomness (splitmix64: fast, deterministic, good enough)

struct Rng {
    std::uint64_t s;
    explicit Rng(std::uint64_t seed) : s(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    // uniform in [lo, hi]
    std::int64_t range(std::int64_t lo, std::int64_t hi) {
        return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
    }
    bool chance(double p) { return static_cast<double>(next() >> 11) * 0x1.0p-53 < p; }
    double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

std::uint64_t hash2(std::uint64_t a, std::uint64_t b) {
    std::uint64_t z = a * 0x9e3779b97f4a7c15ULL + b + 0x632be59bd9b4e019ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

constexpr std::int64_t kMs = 1000000;
constexpr std::int64_t kSec = 1000000000;

// ---------------------------------------------------------------------------------------------
// Text building without printf

struct Buf {
    char *p;
    char *start;
    explicit Buf(char *b) : p(b), start(b) {}
    Buf &s(const char *t) {
        std::size_t n = std::strlen(t);
        std::memcpy(p, t, n);
        p += n;
        return *this;
    }
    Buf &s(const char *t, std::size_t n) {
        std::memcpy(p, t, n);
        p += n;
        return *this;
    }
    Buf &c(char ch) {
        *p++ = ch;
        return *this;
    }
    Buf &u(std::uint64_t v) {
        char tmp[24];
        int n = 0;
        do {
            tmp[n++] = static_cast<char>('0' + v % 10);
            v /= 10;
        } while (v);
        while (n) *p++ = tmp[--n];
        return *this;
    }
    Buf &hex(std::uint64_t v, int digits) {
        static const char kHex[] = "0123456789abcdef";
        for (int i = digits - 1; i >= 0; --i) *p++ = kHex[(v >> (4 * i)) & 15];
        return *this;
    }
    Buf &ip(std::uint32_t a) {
        u(a >> 24).c('.').u((a >> 16) & 255).c('.').u((a >> 8) & 255).c('.').u(a & 255);
        return *this;
    }
    std::size_t len() const { return static_cast<std::size_t>(p - start); }
};

// ---------------------------------------------------------------------------------------------
// pcap writing

class PcapWriter {
  public:
    PcapWriter(const char *path, std::uint64_t limit) : limit_(limit) {
        f_ = std::fopen(path, "wb");
        if (!f_) {
            std::perror(path);
            std::exit(1);
        }
        std::setvbuf(f_, nullptr, _IOFBF, 1 << 22);
        const std::uint32_t hdr[6] = {0xa1b2c3d4u, 0x00040002u, 0, 0, 65535, 1};  // v2.4, Ethernet
        // version is two uint16 (2, 4): little-endian layout of 0x00040002 gives 02 00 04 00
        std::fwrite(hdr, sizeof hdr, 1, f_);
    }
    ~PcapWriter() {
        if (f_ && std::fclose(f_) != 0) {
            std::perror("close");
            std::exit(1);
        }
    }
    // Writes one frame; past the frame limit nothing is written and false is returned.
    bool write(std::int64_t t_ns, const std::uint8_t *data, std::size_t len) {
        if (frames >= limit_) return false;
        const std::uint32_t rec[4] = {static_cast<std::uint32_t>(t_ns / kSec),
                                      static_cast<std::uint32_t>((t_ns % kSec) / 1000),
                                      static_cast<std::uint32_t>(len),
                                      static_cast<std::uint32_t>(len)};
        std::fwrite(rec, sizeof rec, 1, f_);
        if (std::fwrite(data, 1, len, f_) != len) {
            std::perror("write");
            std::exit(1);
        }
        ++frames;
        bytes += len;
        return true;
    }
    bool full() const { return frames >= limit_; }
    std::uint64_t frames = 0;
    std::uint64_t bytes = 0;

  private:
    std::uint64_t limit_;
    std::FILE *f_ = nullptr;
};

void put16(std::uint8_t *p, unsigned v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}
void put32(std::uint8_t *p, std::uint32_t v) {
    put16(p, v >> 16);
    put16(p + 2, v & 0xffff);
}

std::uint32_t sum16(const std::uint8_t *p, std::size_t n, std::uint32_t acc = 0) {
    std::uint64_t s = acc;
    std::size_t i = 0;
    for (; i + 1 < n; i += 2) s += (static_cast<unsigned>(p[i]) << 8) | p[i + 1];
    if (i < n) s += static_cast<unsigned>(p[i]) << 8;
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    return static_cast<std::uint32_t>(s);
}

constexpr std::uint8_t kFlagFin = 0x01, kFlagSyn = 0x02, kFlagPsh = 0x08, kFlagAck = 0x10;
constexpr std::size_t kEth = 14, kIp = 20, kUdp = 8, kTcp = 20;

class PacketBuilder {
  public:
    explicit PacketBuilder(PcapWriter &w) : w_(w) {}

    // Payload area: write the L7 bytes here, then call udp() or tcp().
    char *payload_udp() { return reinterpret_cast<char *>(pkt_ + kEth + kIp + kUdp); }
    char *payload_tcp() { return reinterpret_cast<char *>(pkt_ + kEth + kIp + kTcp); }

    bool udp(std::int64_t t, std::uint32_t src, unsigned sport, std::uint32_t dst, unsigned dport,
             std::size_t len) {
        std::uint8_t *u = pkt_ + kEth + kIp;
        put16(u, sport);
        put16(u + 2, dport);
        put16(u + 4, static_cast<unsigned>(kUdp + len));
        put16(u + 6, 0);  // no checksum (allowed over IPv4)
        return ip(t, src, dst, 17, kUdp + len);
    }

    bool tcp(std::int64_t t, std::uint32_t src, unsigned sport, std::uint32_t dst, unsigned dport,
             std::uint32_t seq, std::uint32_t ack, std::uint8_t flags, std::size_t len) {
        std::uint8_t *h = pkt_ + kEth + kIp;
        put16(h, sport);
        put16(h + 2, dport);
        put32(h + 4, seq);
        put32(h + 8, ack);
        h[12] = 5 << 4;
        h[13] = flags;
        put16(h + 14, 64240);
        put16(h + 16, 0);
        put16(h + 18, 0);
        // checksum over the pseudo header and the segment
        std::uint8_t pseudo[12];
        put32(pseudo, src);
        put32(pseudo + 4, dst);
        pseudo[8] = 0;
        pseudo[9] = 6;
        put16(pseudo + 10, static_cast<unsigned>(kTcp + len));
        std::uint32_t s = sum16(pseudo, sizeof pseudo);
        s = sum16(h, kTcp + len, s);
        put16(h + 16, ~s & 0xffff);
        return ip(t, src, dst, 6, kTcp + len);
    }

  private:
    bool ip(std::int64_t t, std::uint32_t src, std::uint32_t dst, std::uint8_t proto,
            std::size_t l4len) {
        std::uint8_t *e = pkt_;
        // MACs derived from the addresses: 02:00:<ip>
        e[0] = 0x02;
        e[1] = 0;
        put32(e + 2, dst);
        e[6] = 0x02;
        e[7] = 0;
        put32(e + 8, src);
        put16(e + 12, 0x0800);
        std::uint8_t *h = pkt_ + kEth;
        h[0] = 0x45;
        h[1] = 0;
        put16(h + 2, static_cast<unsigned>(kIp + l4len));
        put16(h + 4, ip_id_++ & 0xffff);
        put16(h + 6, 0x4000);
        h[8] = 64;
        h[9] = proto;
        put16(h + 10, 0);
        put32(h + 12, src);
        put32(h + 16, dst);
        put16(h + 10, ~sum16(h, kIp) & 0xffff);
        return w_.write(t, pkt_, kEth + kIp + l4len);
    }

    PcapWriter &w_;
    std::uint32_t ip_id_ = 1;
    std::uint8_t pkt_[65600];
};

// ---------------------------------------------------------------------------------------------
// SIP scenarios

constexpr std::uint32_t kProxy = (198u << 24) | (51u << 16) | (100u << 8) | 10u;  // 198.51.100.10
constexpr unsigned kSipPort = 5060;
constexpr std::int64_t kEpoch = 1709287200LL * kSec;  // 2024-03-01 10:00:00 UTC

enum class Type : std::uint8_t {
    call,      // INVITE/100/180/200/ACK ... BYE/200
    busy,      // INVITE/100/486/ACK
    cancel,    // INVITE/100/180/CANCEL/200/487/ACK
    redirect,  // INVITE/100/302/ACK, INVITE at a Contact ... BYE/200
    timer422,  // INVITE/422/ACK, INVITE with Session-Expires >= Min-SE ... BYE/200
    publish,   // PUBLISH/200 (SIP-ETag), refreshes, 412 and recovery
    reg,       // REGISTER/401/REGISTER/200
    options,   // OPTIONS (from the proxy)/200
    bye_only,  // a call that started before the capture: BYE/200 only
};

enum Method : std::uint8_t { INVITE, ACK, BYE, CANCEL, PUBLISH, REGISTER, OPTIONS };
const char *const kMethodName[] = {"INVITE",  "ACK",      "BYE",    "CANCEL",
                                   "PUBLISH", "REGISTER", "OPTIONS"};

// Action flags
constexpr std::uint16_t A_FROM_PROXY = 1;     // sent by the proxy to the client
constexpr std::uint16_t A_JOIN = 2;           // same TCP segment as the next action
constexpr std::uint16_t A_RURI_CONTACT1 = 4;  // INVITE retry at the first Contact of the 302
constexpr std::uint16_t A_RURI_CONTACT2 = 8;  // ... at the second one
constexpr std::uint16_t A_SE = 16;            // Session-Expires: aux seconds
constexpr std::uint16_t A_MINSE = 32;         // Min-SE: aux2 seconds
constexpr std::uint16_t A_IFMATCH = 64;       // PUBLISH with SIP-If-Match: etag generation aux
constexpr std::uint16_t A_BODY = 128;         // PUBLISH with a PIDF body / INVITE, 200 with SDP
constexpr std::uint16_t A_CALLEE = 256;       // in-dialog request sent by the callee (BYE)
constexpr std::uint16_t A_AUTH = 512;         // REGISTER with Authorization
constexpr std::uint16_t A_ETAG = 1024;        // 2xx to PUBLISH with SIP-ETag: generation aux
constexpr std::uint16_t A_TOTAG = 2048;       // To tag present
constexpr std::uint16_t A_ACK2XX = 4096;      // ACK of a 2xx: its own branch, to the Contact

struct Act {
    std::int64_t t;
    std::uint16_t flags;
    std::uint16_t code;  // 0: request
    std::uint8_t method;
    std::uint8_t branch;  // branch id within the scenario
    std::uint16_t cseq;
    std::uint32_t aux;
    std::uint32_t aux2;
};

struct Scenario {
    std::uint32_t sid;
    Type type;
    bool tcp;
    std::uint32_t client;  // client address
    unsigned port;         // client port (5060 for UDP, the connection's port for TCP)
    std::uint32_t conn;    // TCP connection index
    std::uint32_t caller, callee;
    std::uint8_t contact_layout;  // 302: 0 two headers, 1 one header with two values
    std::vector<Act> acts;
};

struct TcpConn {
    std::uint32_t client;
    unsigned port;
    std::uint32_t cseq_next;  // client -> proxy
    std::uint32_t sseq_next;  // proxy -> client
    bool open = false;
};

struct Stats {
    std::uint64_t sip_messages = 0, requests = 0, responses = 0, transactions = 0,
                  retransmissions = 0, tcp_segments = 0, two_message_segments = 0, scenarios = 0,
                  peak_concurrent = 0;
    std::uint64_t by_type[9] = {};
    std::uint64_t code302 = 0, code412 = 0, code422 = 0;
    std::uint64_t transactions_no_ack = 0;  // requests other than ACK (first copies)
    // --dense: what the scripts planned for each failure (scenarios cut by the end of the capture
    // included): [code 302/412/422][followed ok, wrong fix, not followed]
    std::uint64_t planned[3][3] = {};
};

struct Event {
    std::int64_t t;
    std::uint64_t seq;
    std::uint32_t slot;
    std::uint32_t idx;
    bool operator>(const Event &o) const { return t != o.t ? t > o.t : seq > o.seq; }
};

class Generator {
  public:
    Generator(PcapWriter &w, std::uint64_t seed, std::uint64_t frames, std::uint32_t concurrency,
              unsigned tcp_percent, bool dense)
        : w_(w),
          pb_(w),
          rng_(seed),
          seed_(seed),
          frames_(frames),
          concurrency_(concurrency),
          tcp_percent_(tcp_percent),
          dense_(dense) {
        // Calls last ~100 s on average; start rate so that `concurrency` scenarios run at once.
        mean_gap_ns_ = static_cast<double>(kSec) * 60.0 / std::max<std::uint32_t>(concurrency, 1);
        conns_.resize(std::max<std::uint32_t>(concurrency / 15, 16));
        for (std::size_t i = 0; i < conns_.size(); ++i) {
            conns_[i].client = (10u << 24) | (1u << 16) | static_cast<std::uint32_t>(i + 1);
            conns_[i].port = 40000 + static_cast<unsigned>(i % 20000);
            conns_[i].cseq_next = static_cast<std::uint32_t>(hash2(seed, i));
            conns_[i].sseq_next = static_cast<std::uint32_t>(hash2(seed, i + 1000000));
        }
    }

    void run() {
        std::int64_t next_spawn = kEpoch;
        // Calls that began before the capture: only their BYE is captured.
        for (std::uint32_t i = 0; !dense_ && i < concurrency_ / 5; ++i) {
            spawn(kEpoch + rng_.range(0, 100 * kSec), Type::bye_only);
        }
        while (w_.frames < frames_) {
            if (heap_.empty() || next_spawn <= heap_.top().t) {
                spawn(next_spawn, pick_type());
                next_spawn += static_cast<std::int64_t>(-mean_gap_ns_ * std::log1p(-rng_.unit()));
                continue;
            }
            Event e = heap_.top();
            heap_.pop();
            emit(e);
        }
    }

    Stats stats;

  private:
    Type pick_type() {
        const unsigned r = static_cast<unsigned>(rng_.range(0, 99));
        if (dense_) {
            // Weights chosen so that about a third of the non-ACK transactions end in 302, 412 or
            // 422 (the generator prints the share it reached as failure_share).
            if (r < 22) return Type::redirect;
            if (r < 38) return Type::timer422;
            if (r < 60) return Type::publish;
            if (r < 82) return Type::call;
            return Type::options;
        }
        if (r < 40) return Type::call;
        if (r < 45) return Type::busy;
        if (r < 48) return Type::cancel;
        if (r < 56) return Type::redirect;
        if (r < 62) return Type::timer422;
        if (r < 80) return Type::publish;
        if (r < 92) return Type::reg;
        return Type::options;
    }

    std::uint32_t alloc_slot() {
        if (!free_.empty()) {
            std::uint32_t s = free_.back();
            free_.pop_back();
            return s;
        }
        scen_.emplace_back();
        return static_cast<std::uint32_t>(scen_.size() - 1);
    }

    void spawn(std::int64_t t0, Type type) {
        const std::uint32_t slot = alloc_slot();
        Scenario &s = scen_[slot];
        s.sid = next_sid_++;
        s.type = type;
        s.tcp = static_cast<unsigned>(rng_.range(0, 99)) < tcp_percent_;
        if (s.tcp) {
            s.conn = static_cast<std::uint32_t>(
                rng_.range(0, static_cast<std::int64_t>(conns_.size()) - 1));
            s.client = conns_[s.conn].client;
            s.port = conns_[s.conn].port;
        } else {
            const std::uint32_t k = static_cast<std::uint32_t>(rng_.range(1, 60000));
            s.client = (10u << 24) | ((2u + k / 65000) << 16) | (k % 65000 + 256);
            s.port = kSipPort;
        }
        s.caller = static_cast<std::uint32_t>(rng_.range(100000, 999999));
        s.callee = static_cast<std::uint32_t>(rng_.range(100000, 999999));
        s.contact_layout = static_cast<std::uint8_t>(rng_.range(0, 1));
        s.acts.clear();
        build(s, t0);
        std::stable_sort(s.acts.begin(), s.acts.end(),
                         [](const Act &a, const Act &b) { return a.t < b.t; });
        ++stats.scenarios;
        ++stats.by_type[static_cast<int>(type)];
        ++live_;
        stats.peak_concurrent = std::max<std::uint64_t>(stats.peak_concurrent, live_);
        heap_.push(Event{s.acts.front().t, seq_++, slot, 0});
    }

    // -- scenario scripts ------------------------------------------------------------------------

    void add(Scenario &s, std::int64_t t, std::uint8_t method, std::uint16_t code,
             std::uint8_t branch, std::uint16_t cseq, std::uint16_t flags, std::uint32_t aux = 0,
             std::uint32_t aux2 = 0) {
        s.acts.push_back(Act{t, flags, code, method, branch, cseq, aux, aux2});
    }

    // UDP retransmission of the last action, `dt` later (never joined).
    void retransmit_last(Scenario &s, std::int64_t dt) {
        Act a = s.acts.back();
        a.t += dt;
        a.flags &= static_cast<std::uint16_t>(~A_JOIN);
        s.acts.push_back(a);  // same bytes
    }

    // INVITE transaction answered by 100 (+180); returns the time the provisional(s) were sent.
    std::int64_t invite_setup(Scenario &s, std::int64_t t, std::uint8_t br, std::uint16_t cseq,
                              std::uint16_t flags, std::uint32_t se, std::uint32_t minse,
                              bool ringing) {
        add(s, t, INVITE, 0, br, cseq, static_cast<std::uint16_t>(flags | A_BODY), se, minse);
        if (!s.tcp && rng_.chance(0.03)) {
            retransmit_last(s, 500 * kMs);  // lost 100 Trying: timer A
            t += 500 * kMs;
        }
        t += rng_.range(2, 30) * kMs;
        // TCP: 100 and 180 sometimes leave in one segment
        const bool join = s.tcp && ringing && rng_.chance(0.3);
        add(s, t, INVITE, 100, br, cseq,
            static_cast<std::uint16_t>(A_FROM_PROXY | (join ? A_JOIN : 0)));
        if (ringing) {
            if (!join) t += rng_.range(40, 400) * kMs;
            add(s, t, INVITE, 180, br, cseq, A_FROM_PROXY | A_TOTAG);
        }
        return t;
    }

    // Non-2xx final to INVITE + ACK on the same branch.
    std::int64_t invite_reject(Scenario &s, std::int64_t t, std::uint8_t br, std::uint16_t cseq,
                               std::uint16_t code, std::uint16_t flags = 0, std::uint32_t aux = 0,
                               std::uint32_t aux2 = 0) {
        add(s, t, INVITE, code, br, cseq,
            static_cast<std::uint16_t>(A_FROM_PROXY | A_TOTAG | flags), aux, aux2);
        std::int64_t ack = t + rng_.range(5, 60) * kMs;
        if (!s.tcp && rng_.chance(0.05)) {
            retransmit_last(s, 500 * kMs);  // the ACK was lost: timer G
            ack = t + 500 * kMs + rng_.range(5, 60) * kMs;
        }
        add(s, ack, ACK, 0, br, cseq, A_TOTAG);
        return ack;
    }

    // 200 to INVITE, ACK, talk, BYE/200.
    void answer_and_hangup(Scenario &s, std::int64_t t, std::uint8_t br, std::uint16_t cseq,
                           std::uint32_t se) {
        t += rng_.range(1000, 8000) * kMs;
        add(s, t, INVITE, 200, br, cseq,
            static_cast<std::uint16_t>(A_FROM_PROXY | A_TOTAG | A_BODY | (se ? A_SE : 0)), se);
        std::int64_t ack = t + rng_.range(5, 60) * kMs;
        if (!s.tcp && rng_.chance(0.03)) {
            retransmit_last(s, 500 * kMs);
            ack = t + 500 * kMs + rng_.range(5, 60) * kMs;
        }
        add(s, ack, ACK, 0, static_cast<std::uint8_t>(br + 1), cseq, A_TOTAG | A_ACK2XX);
        t = ack + rng_.range(10, 180) * kSec;
        const bool callee_hangs_up = rng_.chance(0.3);
        const std::uint16_t bye_flags =
            static_cast<std::uint16_t>(A_TOTAG | (callee_hangs_up ? A_CALLEE | A_FROM_PROXY : 0));
        const std::uint16_t bye_cseq = callee_hangs_up ? 1 : static_cast<std::uint16_t>(cseq + 1);
        const auto bye_br = static_cast<std::uint8_t>(br + 2);
        add(s, t, BYE, 0, bye_br, bye_cseq, bye_flags);
        if (!s.tcp && rng_.chance(0.02)) {
            retransmit_last(s, 500 * kMs);
            t += 500 * kMs;
        }
        t += rng_.range(2, 40) * kMs;
        add(s, t, BYE, 200, bye_br, bye_cseq,
            static_cast<std::uint16_t>((bye_flags & ~A_FROM_PROXY) |
                                       (callee_hangs_up ? 0 : A_FROM_PROXY)));
    }

    // --dense: short scenarios; each failure is followed by a correct retry, a wrong one or none.
    void dense_build(Scenario &s, std::int64_t t) {
        switch (s.type) {
            case Type::call: {  // INVITE/100/180/200/ACK, a short talk, BYE/200
                t = invite_setup(s, t, 0, 1, 0, 0, 0, true);
                dense_answer_and_hangup(s, t, 0, 1, 0);
                break;
            }
            case Type::redirect: {
                t = invite_setup(s, t, 0, 1, 0, 0, 0, false);
                t = invite_reject(s, t + rng_.range(5, 80) * kMs, 0, 1, 302);
                const double r = rng_.unit();
                if (r < 0.10) {  // never retried
                    ++stats.planned[0][2];
                    break;
                }
                t += rng_.range(10, 500) * kMs;
                if (r < 0.25) {
                    // Wrong fix: the retry goes to the original Request-URI again, which the
                    // proxy redirects again; the client then gives up.
                    ++stats.planned[0][1];
                    t = invite_setup(s, t, 3, 2, 0, 0, 0, false);
                    invite_reject(s, t + rng_.range(5, 80) * kMs, 3, 2, 302);
                    break;
                }
                // Followed: 85 % at the highest q (the second Contact), the rest at the other.
                ++stats.planned[0][0];
                const std::uint16_t which = r < 0.89 ? A_RURI_CONTACT2 : A_RURI_CONTACT1;
                t = invite_setup(s, t, 3, 2, which, 0, 0, true);
                dense_answer_and_hangup(s, t, 3, 2, 0);
                break;
            }
            case Type::timer422: {
                const std::uint32_t asked = rng_.chance(0.5) ? 60 : 80;
                const std::uint32_t minse = 90;
                add(s, t, INVITE, 0, 0, 1, A_SE | A_BODY, asked, 0);
                t = invite_reject(s, t + rng_.range(5, 60) * kMs, 0, 1, 422, A_MINSE, 0, minse);
                const double r = rng_.unit();
                if (r < 0.10) {  // never retried
                    ++stats.planned[2][2];
                    break;
                }
                t += rng_.range(10, 300) * kMs;
                if (r < 0.20) {
                    // Wrong fix, still too small: refused again, the client gives up.
                    ++stats.planned[2][1];
                    add(s, t, INVITE, 0, 3, 2, A_SE | A_BODY, asked, 0);
                    invite_reject(s, t + rng_.range(5, 60) * kMs, 3, 2, 422, A_MINSE, 0, minse);
                    break;
                }
                // r < 0.30: wrong fix, Session-Expires raised but no Min-SE (the call goes on).
                const bool no_minse = r < 0.30;
                ++stats.planned[2][no_minse ? 1 : 0];
                t = invite_setup(s, t, 3, 2,
                                 static_cast<std::uint16_t>(A_SE | (no_minse ? 0 : A_MINSE)), minse,
                                 minse, true);
                dense_answer_and_hangup(s, t, 3, 2, minse);
                break;
            }
            case Type::publish: {
                std::uint16_t cseq = 1;
                std::uint8_t br = 0;
                auto publish = [&](std::uint16_t flags, std::uint32_t if_gen) {
                    add(s, t, PUBLISH, 0, br, cseq, flags, if_gen);
                    if (rng_.chance(0.02)) {
                        retransmit_last(s, 500 * kMs);
                        t += 500 * kMs;
                    }
                    t += rng_.range(3, 60) * kMs;
                };
                if (rng_.chance(0.3)) {
                    // The tag was handed out inside the capture.
                    publish(A_BODY, 0);
                    add(s, t, PUBLISH, 200, br, cseq, A_FROM_PROXY | A_TOTAG | A_ETAG, 0);
                    t += rng_.range(2, 10) * kSec;
                    ++cseq;
                    ++br;
                }
                // A refresh with a tag the server no longer knows.
                publish(A_IFMATCH, 0);
                add(s, t, PUBLISH, 412, br, cseq, A_FROM_PROXY | A_TOTAG);
                const double r = rng_.unit();
                if (r < 0.10) {  // never recovered
                    ++stats.planned[1][2];
                    break;
                }
                t += rng_.range(20, 2000) * kMs;
                if (r < 0.30) {  // wrong fix first: repeats SIP-If-Match, refused again
                    ++stats.planned[1][1];
                    ++cseq;
                    ++br;
                    publish(A_IFMATCH, 0);
                    add(s, t, PUBLISH, 412, br, cseq, A_FROM_PROXY | A_TOTAG);
                    t += rng_.range(20, 2000) * kMs;
                } else {
                    ++stats.planned[1][0];
                }
                ++cseq;
                ++br;
                publish(A_BODY, 0);
                add(s, t, PUBLISH, 200, br, cseq, A_FROM_PROXY | A_TOTAG | A_ETAG, 1);
                break;
            }
            default:  // options (the only other type of the dense mix)
                add(s, t, OPTIONS, 0, 0, 1, A_FROM_PROXY);
                add(s, t + rng_.range(1, 40) * kMs, OPTIONS, 200, 0, 1, A_TOTAG);
                break;
        }
    }

    // answer_and_hangup with a short talk (1 to 20 s), for the dense capture.
    void dense_answer_and_hangup(Scenario &s, std::int64_t t, std::uint8_t br, std::uint16_t cseq,
                                 std::uint32_t se) {
        t += rng_.range(500, 4000) * kMs;
        add(s, t, INVITE, 200, br, cseq,
            static_cast<std::uint16_t>(A_FROM_PROXY | A_TOTAG | (se ? A_SE : 0)), se);
        std::int64_t ack = t + rng_.range(5, 60) * kMs;
        if (rng_.chance(0.03)) {
            retransmit_last(s, 500 * kMs);
            ack = t + 500 * kMs + rng_.range(5, 60) * kMs;
        }
        add(s, ack, ACK, 0, static_cast<std::uint8_t>(br + 1), cseq, A_TOTAG | A_ACK2XX);
        t = ack + rng_.range(1, 20) * kSec;
        const auto bye_cseq = static_cast<std::uint16_t>(cseq + 1);
        const auto bye_br = static_cast<std::uint8_t>(br + 2);
        add(s, t, BYE, 0, bye_br, bye_cseq, A_TOTAG);
        t += rng_.range(2, 40) * kMs;
        add(s, t, BYE, 200, bye_br, bye_cseq, A_TOTAG | A_FROM_PROXY);
    }

    void build(Scenario &s, std::int64_t t) {
        if (dense_) {
            dense_build(s, t);
            return;
        }
        switch (s.type) {
            case Type::call: {
                const bool timer = rng_.chance(0.3);
                const std::uint32_t se = timer ? 1800 : 0;
                t = invite_setup(s, t, 0, 1, timer ? A_SE : 0, se, 0, true);
                answer_and_hangup(s, t, 0, 1, se);
                break;
            }
            case Type::busy:
                t = invite_setup(s, t, 0, 1, 0, 0, 0, rng_.chance(0.5));
                invite_reject(s, t + rng_.range(100, 3000) * kMs, 0, 1, 486);
                break;
            case Type::cancel: {
                t = invite_setup(s, t, 0, 1, 0, 0, 0, true);
                t += rng_.range(2000, 15000) * kMs;
                add(s, t, CANCEL, 0, 0, 1, 0);
                t += rng_.range(2, 30) * kMs;
                add(s, t, CANCEL, 200, 0, 1, A_FROM_PROXY | A_TOTAG);
                invite_reject(s, t + rng_.range(1, 20) * kMs, 0, 1, 487);
                break;
            }
            case Type::redirect: {
                t = invite_setup(s, t, 0, 1, 0, 0, 0, false);
                t = invite_reject(s, t + rng_.range(5, 80) * kMs, 0, 1, 302);
                const double r = rng_.unit();
                if (r < 0.05) break;  // never retried: "not followed"
                // 80% at the highest q (the second contact), 15% at the other one
                const std::uint16_t which = r < 0.85 ? A_RURI_CONTACT2 : A_RURI_CONTACT1;
                t += rng_.range(10, 500) * kMs;
                t = invite_setup(s, t, 3, 2, which, 0, 0, true);
                answer_and_hangup(s, t, 3, 2, 0);
                break;
            }
            case Type::timer422: {
                const std::uint32_t asked = rng_.chance(0.5) ? 60 : 80;
                const std::uint32_t minse = 90;
                add(s, t, INVITE, 0, 0, 1, A_SE | A_BODY, asked, 0);
                t = invite_reject(s, t + rng_.range(5, 60) * kMs, 0, 1, 422, A_MINSE, 0, minse);
                t += rng_.range(10, 300) * kMs;
                const bool wrong = rng_.chance(0.1);  // retry without Min-SE
                t = invite_setup(s, t, 3, 2,
                                 static_cast<std::uint16_t>(A_SE | (wrong ? 0 : A_MINSE)), minse,
                                 minse, true);
                answer_and_hangup(s, t, 3, 2, minse);
                break;
            }
            case Type::publish: {
                std::uint16_t cseq = 1;
                std::uint8_t br = 0;
                std::uint32_t gen = 0;  // etag generation issued last
                auto publish = [&](std::uint16_t flags, std::uint32_t if_gen) {
                    add(s, t, PUBLISH, 0, br, cseq, flags, if_gen);
                    if (!s.tcp && rng_.chance(0.02)) {
                        retransmit_last(s, 500 * kMs);
                        t += 500 * kMs;
                    }
                    t += rng_.range(3, 60) * kMs;
                };
                publish(A_BODY, 0);
                add(s, t, PUBLISH, 200, br, cseq, A_FROM_PROXY | A_TOTAG | A_ETAG, gen);
                const int refreshes = static_cast<int>(rng_.range(1, 4));
                for (int k = 0; k < refreshes; ++k) {
                    t += rng_.range(20, 60) * kSec;
                    ++cseq;
                    ++br;
                    if (rng_.chance(0.2)) {
                        // The server lost the state: the tag is stale.
                        publish(A_IFMATCH, gen);
                        add(s, t, PUBLISH, 412, br, cseq, A_FROM_PROXY | A_TOTAG);
                        t += rng_.range(20, 2000) * kMs;
                        if (rng_.chance(0.1)) {  // wrong fix first: repeats SIP-If-Match
                            ++cseq;
                            ++br;
                            publish(A_IFMATCH, gen);
                            add(s, t, PUBLISH, 412, br, cseq, A_FROM_PROXY | A_TOTAG);
                            t += rng_.range(20, 2000) * kMs;
                        }
                        ++cseq;
                        ++br;
                        publish(A_BODY, 0);
                    } else {
                        publish(A_IFMATCH, gen);
                    }
                    ++gen;
                    add(s, t, PUBLISH, 200, br, cseq, A_FROM_PROXY | A_TOTAG | A_ETAG, gen);
                }
                break;
            }
            case Type::reg: {
                add(s, t, REGISTER, 0, 0, 1, 0);
                t += rng_.range(2, 30) * kMs;
                add(s, t, REGISTER, 401, 0, 1, A_FROM_PROXY | A_TOTAG);
                t += rng_.range(5, 100) * kMs;
                add(s, t, REGISTER, 0, 1, 2, A_AUTH);
                t += rng_.range(5, 100) * kMs;
                add(s, t, REGISTER, 200, 1, 2, A_FROM_PROXY | A_TOTAG);
                break;
            }
            case Type::options:
                add(s, t, OPTIONS, 0, 0, 1, A_FROM_PROXY);
                add(s, t + rng_.range(1, 40) * kMs, OPTIONS, 200, 0, 1, A_TOTAG);
                break;
            case Type::bye_only: {
                const bool callee = rng_.chance(0.3);
                const std::uint16_t f =
                    static_cast<std::uint16_t>(A_TOTAG | (callee ? A_CALLEE | A_FROM_PROXY : 0));
                add(s, t, BYE, 0, 2, callee ? 1 : 2, f);
                add(s, t + rng_.range(2, 40) * kMs, BYE, 200, 2, callee ? 1 : 2,
                    static_cast<std::uint16_t>((f & ~A_FROM_PROXY) | (callee ? 0 : A_FROM_PROXY)));
                break;
            }
        }
    }

    // -- emission ---------------------------------------------------------------------------------

    void emit(const Event &e) {
        Scenario &s = scen_[e.slot];
        std::uint32_t i = e.idx;
        const Act &first = s.acts[i];
        const bool from_proxy = first.flags & A_FROM_PROXY;
        char *out = s.tcp ? pb_.payload_tcp() : pb_.payload_udp();
        std::size_t len = 0;
        int nmsg = 0;
        for (;;) {
            const Act &a = s.acts[i];
            len += sip_message(s, a, out + len);
            ++nmsg;
            ++i;
            if (!(a.flags & A_JOIN) || !s.tcp || i >= s.acts.size()) break;
        }
        const std::uint32_t src = from_proxy ? kProxy : s.client;
        const std::uint32_t dst = from_proxy ? s.client : kProxy;
        const unsigned sport = from_proxy ? kSipPort : s.port;
        const unsigned dport = from_proxy ? s.port : kSipPort;
        bool written;
        if (s.tcp) {
            TcpConn &c = conns_[s.conn];
            if (!c.open) handshake(c, first.t);
            std::uint32_t &seq = from_proxy ? c.sseq_next : c.cseq_next;
            const std::uint32_t ack = from_proxy ? c.cseq_next : c.sseq_next;
            written = pb_.tcp(first.t, src, sport, dst, dport, seq, ack, kFlagPsh | kFlagAck, len);
            seq += static_cast<std::uint32_t>(len);
            if (written) {
                ++stats.tcp_segments;
                if (nmsg > 1) ++stats.two_message_segments;
            }
        } else {
            written = pb_.udp(first.t, src, sport, dst, dport, len);
        }
        if (written) {
            for (std::uint32_t j = e.idx; j < i; ++j) count(s, j);
        }
        if (i < s.acts.size()) {
            heap_.push(Event{s.acts[i].t, seq_++, e.slot, i});
        } else {
            --live_;
            free_.push_back(e.slot);
        }
    }

    void count(const Scenario &s, std::uint32_t i) {
        const Act &a = s.acts[i];
        ++stats.sip_messages;
        bool retrans = false;
        for (std::uint32_t j = 0; j < i; ++j) {
            const Act &b = s.acts[j];
            if (b.method == a.method && b.code == a.code && b.branch == a.branch &&
                b.cseq == a.cseq && b.flags == a.flags && b.aux == a.aux) {
                retrans = true;
                break;
            }
        }
        if (retrans) ++stats.retransmissions;
        if (a.code == 0) {
            ++stats.requests;
            if (!retrans) ++stats.transactions;
            if (!retrans && a.method != ACK) ++stats.transactions_no_ack;
        } else {
            ++stats.responses;
            if (!retrans) {
                if (a.code == 302) ++stats.code302;
                if (a.code == 412) ++stats.code412;
                if (a.code == 422) ++stats.code422;
            }
        }
    }

    void handshake(TcpConn &c, std::int64_t t) {
        const std::int64_t t0 = t - 3 * kMs;
        pb_.tcp(t0, c.client, c.port, kProxy, kSipPort, c.cseq_next - 1, 0, kFlagSyn, 0);
        pb_.tcp(t0 + kMs, kProxy, kSipPort, c.client, c.port, c.sseq_next - 1, c.cseq_next,
                kFlagSyn | kFlagAck, 0);
        pb_.tcp(t0 + 2 * kMs, c.client, c.port, kProxy, kSipPort, c.cseq_next, c.sseq_next,
                kFlagAck, 0);
        c.open = true;
    }

    // -- SIP text ---------------------------------------------------------------------------------

    void user(Buf &b, const char *prefix, std::uint32_t n) { b.s(prefix).u(n); }

    std::size_t sdp(const Scenario &s, bool answer, char *out) {
        Buf b(out);
        const std::uint32_t addr = answer ? (kProxy + 1) : s.client;
        const std::uint64_t h = hash2(s.sid, answer ? 11 : 12);
        b.s("v=0\r\no=- ").u(h % 1000000000).s(" 1 IN IP4 ").ip(addr).s("\r\ns=-\r\nc=IN IP4 ");
        b.ip(addr).s("\r\nt=0 0\r\nm=audio ").u(16384 + 2 * (h % 16000));
        b.s(" RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
            "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\n"
            "a=sendrecv\r\n");
        return b.len();
    }

    std::size_t pidf(const Scenario &s, char *out) {
        Buf b(out);
        b.s("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
            "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:");
        user(b, "p", s.caller);
        b.s("@example.com\">\r\n<tuple id=\"t")
            .hex(hash2(s.sid, 13), 8)
            .s("\"><status><basic>open</basic></status></tuple>\r\n</presence>\r\n");
        return b.len();
    }

    void contact_uri(Buf &b, const Scenario &s, int which) {
        if (which == 1) {
            b.s("sip:");
            user(b, "u", s.callee);
            b.s("@10.200.").u((s.callee >> 8) & 255).c('.').u(s.callee & 255).s(":5060");
        } else {
            b.s("sip:");
            user(b, "u", s.callee);
            b.s("@gw").u(s.callee % 7 + 1).s(".example.net;transport=udp");
        }
    }

    void branch(Buf &b, const Scenario &s, const Act &a) {
        b.s("z9hG4bK").hex(hash2(hash2(seed_, s.sid), 100 + a.branch), 16);
    }

    std::size_t sip_message(const Scenario &s, const Act &a, char *out) {
        char body[1024];
        std::size_t body_len = 0;
        const bool req = a.code == 0;
        if (a.flags & A_BODY) {
            if (a.method == PUBLISH) {
                body_len = pidf(s, body);  // kept in --dense: a fresh PUBLISH carries its state
            } else if (a.method == INVITE && !dense_) {
                body_len = sdp(s, !req, body);
            }
        }
        const std::uint64_t cid = hash2(seed_ ^ 0x5151, s.sid);
        const std::uint64_t ftag = hash2(cid, 1), ttag = hash2(cid, 2);
        // Who started the transaction: the proxy (OPTIONS, BYE from the callee) or the client.
        const bool tx_from_proxy = a.method == OPTIONS || (a.flags & A_CALLEE);
        const char *tp = s.tcp ? "TCP" : "UDP";
        const bool reg = a.method == REGISTER, pub = a.method == PUBLISH, opt = a.method == OPTIONS;
        const char *up = pub ? "p" : "u";

        Buf b(out);
        if (req) {
            b.s(kMethodName[a.method]).s(" ");
            if (a.flags & A_RURI_CONTACT1) {
                contact_uri(b, s, 1);
            } else if (a.flags & A_RURI_CONTACT2) {
                contact_uri(b, s, 2);
            } else if (reg) {
                b.s("sip:example.com");
            } else if (pub) {
                b.s("sip:");
                user(b, up, s.caller);
                b.s("@example.com");
            } else if (opt) {
                b.s("sip:").ip(s.client).c(':').u(s.port);
            } else if (a.method == ACK && (a.flags & A_ACK2XX)) {
                // ACK for a 2xx goes to the callee's Contact
                b.s("sip:");
                user(b, "u", s.callee);
                b.s("@").ip(kProxy + 1).s(":5060");
            } else if (a.method == BYE && (a.flags & A_CALLEE)) {
                b.s("sip:");
                user(b, "u", s.caller);
                b.s("@").ip(s.client).c(':').u(s.port);
            } else if (a.method == BYE) {
                b.s("sip:");
                user(b, "u", s.callee);
                b.s("@").ip(kProxy + 1).s(":5060");
            } else {
                b.s("sip:");
                user(b, "u", s.callee);
                b.s("@example.com");
            }
            b.s(" SIP/2.0\r\n");
        } else {
            b.s("SIP/2.0 ").u(a.code).c(' ').s(reason(a.code)).s("\r\n");
        }
        // Via
        b.s("Via: SIP/2.0/").s(tp).c(' ');
        if (tx_from_proxy) {
            b.ip(kProxy).s(":5060;branch=");
        } else {
            b.ip(s.client).c(':').u(s.port).s(";branch=");
        }
        branch(b, s, a);
        if (!tx_from_proxy) {
            if (req) {
                b.s(";rport");
            } else {
                b.s(";rport=").u(s.port).s(";received=").ip(s.client);
            }
        }
        b.s("\r\n");
        if (req) b.s("Max-Forwards: 70\r\n");
        // From / To
        const bool swap = a.flags & A_CALLEE;
        if (reg || pub) {
            b.s("From: <sip:");
            user(b, up, s.caller);
            b.s("@example.com>;tag=").hex(ftag, 12).s("\r\nTo: <sip:");
            user(b, up, s.caller);
            b.s("@example.com>");
            if (!req && a.code != 100) b.s(";tag=").hex(ttag, 12);
            b.s("\r\n");
        } else if (opt) {
            b.s("From: <sip:ping@")
                .ip(kProxy)
                .s(">;tag=")
                .hex(ftag, 10)
                .s("\r\nTo: <sip:")
                .ip(s.client)
                .c(':')
                .u(s.port)
                .c('>');
            if (!req) b.s(";tag=").hex(ttag, 10);
            b.s("\r\n");
        } else {
            const std::uint32_t from_user = swap ? s.callee : s.caller;
            const std::uint32_t to_user = swap ? s.caller : s.callee;
            b.s("From: \"User ").u(from_user).s("\" <sip:");
            user(b, "u", from_user);
            b.s("@example.com>;tag=").hex(swap ? ttag : ftag, 12).s("\r\nTo: <sip:");
            user(b, "u", to_user);
            b.s("@example.com>");
            if ((a.flags & A_TOTAG) && a.code != 100) b.s(";tag=").hex(swap ? ftag : ttag, 12);
            b.s("\r\n");
        }
        b.s("Call-ID: ").hex(cid, 16).c('@').ip(s.client).s("\r\n");
        b.s("CSeq: ").u(a.cseq).c(' ').s(kMethodName[a.method]).s("\r\n");

        if (req) {
            if (a.method == INVITE || reg) {
                b.s("Contact: <sip:");
                user(b, "u", s.caller);
                b.c('@').ip(s.client).c(':').u(s.port);
                if (s.tcp) b.s(";transport=tcp");
                b.s(">").s(reg ? ";expires=3600" : "").s("\r\n");
            }
            if (a.method == INVITE && !dense_) {
                b.s("Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, NOTIFY, REFER\r\n");
                b.s("Supported: replaces, timer\r\n");
            }
            if (a.flags & A_SE) b.s("Session-Expires: ").u(a.aux).s(";refresher=uac\r\n");
            if (a.flags & A_MINSE) b.s("Min-SE: ").u(a.aux2).s("\r\n");
            if (pub) {
                b.s("Event: presence\r\nExpires: 3600\r\n");
                if (a.flags & A_IFMATCH) {
                    b.s("SIP-If-Match: e")
                        .hex(hash2(cid, 50 + a.aux), 10)
                        .c('.')
                        .u(a.aux)
                        .s("\r\n");
                }
            }
            if (a.flags & A_AUTH) {
                b.s("Authorization: Digest username=\"");
                user(b, "u", s.caller);
                b.s("\", realm=\"example.com\", nonce=\"").hex(hash2(cid, 7), 16);
                b.s("\", uri=\"sip:example.com\", response=\"")
                    .hex(hash2(cid, 8), 16)
                    .hex(hash2(cid, 9), 16);
                b.s("\", algorithm=MD5\r\n");
            }
            if (!opt && !dense_) b.s("User-Agent: bench-phone/2.1\r\n");
        } else {
            if (a.method == INVITE && a.code == 200) {
                b.s("Contact: <sip:");
                user(b, "u", s.callee);
                b.c('@').ip(kProxy + 1).s(":5060>\r\n");
                if (a.flags & A_SE)
                    b.s("Require: timer\r\nSession-Expires: ").u(a.aux).s(";refresher=uac\r\n");
            }
            if (a.code == 302) {
                // Two contacts; the second (gateway) has the highest q.
                if (s.contact_layout == 0) {
                    b.s("Contact: <");
                    contact_uri(b, s, 1);
                    b.s(">;q=0.5\r\nContact: <");
                    contact_uri(b, s, 2);
                    b.s(">;q=1.0;expires=60\r\n");
                } else {
                    b.s("Contact: <");
                    contact_uri(b, s, 1);
                    b.s(">;q=0.5, <");
                    contact_uri(b, s, 2);
                    b.s(">;q=1.0;expires=60\r\n");
                }
            }
            if (a.code == 422) {
                if (a.flags & A_MINSE) b.s("Min-SE: ").u(a.aux2).s("\r\n");
            }
            if (a.code == 401) {
                b.s("WWW-Authenticate: Digest realm=\"example.com\", nonce=\"")
                    .hex(hash2(cid, 7), 16);
                b.s("\", qop=\"auth\", algorithm=MD5\r\n");
            }
            if (reg && a.code == 200) {
                b.s("Contact: <sip:");
                user(b, "u", s.caller);
                b.c('@').ip(s.client).c(':').u(s.port).s(">;expires=3600\r\n");
            }
            if (pub && a.code == 200) {
                b.s("Expires: 3600\r\n");
                if (a.flags & A_ETAG) {
                    b.s("SIP-ETag: e").hex(hash2(cid, 50 + a.aux), 10).c('.').u(a.aux).s("\r\n");
                }
            }
            if (!tx_from_proxy && !dense_) b.s("Server: bench-proxy/5.7\r\n");
        }
        if (body_len) {
            b.s(a.method == PUBLISH ? "Content-Type: application/pidf+xml\r\n"
                                    : "Content-Type: application/sdp\r\n");
        }
        b.s("Content-Length: ").u(body_len).s("\r\n\r\n");
        if (body_len) b.s(body, body_len);
        return b.len();
    }

    static const char *reason(unsigned code) {
        switch (code) {
            case 100:
                return "Trying";
            case 180:
                return "Ringing";
            case 200:
                return "OK";
            case 302:
                return "Moved Temporarily";
            case 401:
                return "Unauthorized";
            case 412:
                return "Conditional Request Failed";
            case 422:
                return "Session Interval Too Small";
            case 486:
                return "Busy Here";
            case 487:
                return "Request Terminated";
            default:
                return "Unknown";
        }
    }

    PcapWriter &w_;
    PacketBuilder pb_;
    Rng rng_;
    std::uint64_t seed_;
    std::uint64_t frames_;
    std::uint32_t concurrency_;
    unsigned tcp_percent_;
    bool dense_;
    double mean_gap_ns_;
    std::vector<Scenario> scen_;
    std::vector<std::uint32_t> free_;
    std::vector<TcpConn> conns_;
    std::priority_queue<Event, std::vector<Event>, std::greater<Event>> heap_;
    std::uint64_t seq_ = 0;
    std::uint32_t next_sid_ = 1;
    std::uint64_t live_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Non-SIP traffic

void generate_no_sip(PcapWriter &w, std::uint64_t seed, std::uint64_t frames) {
    PacketBuilder pb(w);
    Rng rng(seed ^ 0xabcdef);
    constexpr std::uint32_t kServer = (198u << 24) | (51u << 16) | (100u << 8) | 20u;
    struct Conn {
        std::uint32_t client;
        unsigned port;
        std::uint32_t cseq, sseq;
        bool open;
    };
    std::vector<Conn> conns(512);
    for (std::size_t i = 0; i < conns.size(); ++i) {
        conns[i] = Conn{(10u << 24) | (9u << 16) | static_cast<std::uint32_t>(i + 1),
                        30000 + static_cast<unsigned>(i), static_cast<std::uint32_t>(rng.next()),
                        static_cast<std::uint32_t>(rng.next()), false};
    }
    std::int64_t t = kEpoch;
    auto fill = [&](char *p, std::size_t n) {
        for (std::size_t i = 0; i < n; i += 8) {
            std::uint64_t v = rng.next();
            std::memcpy(p + i, &v, std::min<std::size_t>(8, n - i));
        }
    };
    while (w.frames < frames) {
        t += rng.range(50, 600) * 1000;  // ~3000 frames/s, like the SIP capture
        const std::size_t len = static_cast<std::size_t>(rng.range(60, 700));
        if (rng.chance(0.6)) {
            const std::uint32_t k = static_cast<std::uint32_t>(rng.range(1, 60000));
            const std::uint32_t client = (10u << 24) | ((2u + k / 65000) << 16) | (k % 65000 + 256);
            const bool out = rng.chance(0.5);
            fill(pb.payload_udp(), len);
            pb.udp(t, out ? client : kServer, out ? 20000 + k % 1000 : 9999, out ? kServer : client,
                   out ? 9999 : 20000 + k % 1000, len);
        } else {
            Conn &c = conns[static_cast<std::size_t>(rng.range(0, 511))];
            if (!c.open) {
                pb.tcp(t, c.client, c.port, kServer, 9998, c.cseq - 1, 0, kFlagSyn, 0);
                pb.tcp(t, kServer, 9998, c.client, c.port, c.sseq - 1, c.cseq, kFlagSyn | kFlagAck,
                       0);
                pb.tcp(t, c.client, c.port, kServer, 9998, c.cseq, c.sseq, kFlagAck, 0);
                c.open = true;
            }
            const bool out = rng.chance(0.5);
            fill(pb.payload_tcp(), len);
            std::uint32_t &seq = out ? c.cseq : c.sseq;
            const std::uint32_t ack = out ? c.sseq : c.cseq;
            pb.tcp(t, out ? c.client : kServer, out ? c.port : 9998, out ? kServer : c.client,
                   out ? 9998 : c.port, seq, ack + 0, kFlagPsh | kFlagAck, len);
            seq += static_cast<std::uint32_t>(len);
        }
    }
    (void)kFlagFin;
}

void usage() {
    std::fprintf(stderr,
                 "usage: sipdiag_gen [--frames N] [--seed S] [--concurrency C] [--tcp PERCENT] "
                 "[--no-sip] [--dense] -o FILE\n"
                 "  --frames N       frames to write (default 1000000, 400000 with --dense)\n"
                 "  --seed S         random seed (default 1)\n"
                 "  --concurrency C  scenarios alive at once (default frames/30, 1000..30000)\n"
                 "  --tcp PERCENT    share of scenarios over TCP (default 20)\n"
                 "  --no-sip         non-SIP traffic only (UDP 9999, TCP 9998, random payloads)\n"
                 "  --dense          dense in failures: short UDP messages, about a third of the\n"
                 "                   transactions ending in 302, 412 or 422, with their retries\n");
}

}  // namespace

int main(int argc, char **argv) {
    std::uint64_t frames = 0, seed = 1;
    long concurrency = -1;
    unsigned tcp = 20;
    bool no_sip = false, dense = false, tcp_given = false, frames_given = false;
    const char *out = nullptr;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> const char * {
            if (i + 1 >= argc) {
                usage();
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--frames") {
            frames = std::strtoull(value(), nullptr, 10);
            frames_given = true;
        } else if (a == "--seed") {
            seed = std::strtoull(value(), nullptr, 10);
        } else if (a == "--concurrency") {
            concurrency = std::strtol(value(), nullptr, 10);
        } else if (a == "--tcp") {
            tcp = static_cast<unsigned>(std::strtoul(value(), nullptr, 10));
            tcp_given = true;
        } else if (a == "--no-sip") {
            no_sip = true;
        } else if (a == "--dense") {
            dense = true;
        } else if (a == "-o") {
            out = value();
        } else {
            usage();
            return a == "-h" || a == "--help" ? 0 : 2;
        }
    }
    if (!frames_given) frames = dense ? 400000 : 1000000;
    if (dense && !tcp_given) tcp = 0;  // short UDP messages
    if (!out || frames == 0 || tcp > 100 || (dense && no_sip)) {
        usage();
        return 2;
    }
    if (concurrency < 0) {
        concurrency = static_cast<long>(std::clamp<std::uint64_t>(frames / 30, 1000, 30000));
    }
    PcapWriter w(out, frames);
    if (no_sip) {
        generate_no_sip(w, seed, frames);
        std::fprintf(stderr, "frames=%" PRIu64 "\nbytes=%" PRIu64 "\nsip_messages=0\n", w.frames,
                     w.bytes);
        return 0;
    }
    Generator g(w, seed, frames, static_cast<std::uint32_t>(std::max(concurrency, 1L)), tcp, dense);
    g.run();
    const Stats &s = g.stats;
    std::fprintf(stderr,
                 "frames=%" PRIu64 "\nbytes=%" PRIu64 "\nsip_messages=%" PRIu64
                 "\nrequests=%" PRIu64 "\nresponses=%" PRIu64 "\ntransactions=%" PRIu64
                 "\nretransmissions=%" PRIu64 "\ntcp_segments=%" PRIu64
                 "\ntwo_message_segments=%" PRIu64 "\nscenarios=%" PRIu64
                 "\npeak_concurrent=%" PRIu64 "\nresponses_302=%" PRIu64 "\nresponses_412=%" PRIu64
                 "\nresponses_422=%" PRIu64 "\n",
                 w.frames, w.bytes, s.sip_messages, s.requests, s.responses, s.transactions,
                 s.retransmissions, s.tcp_segments, s.two_message_segments, s.scenarios,
                 s.peak_concurrent, s.code302, s.code412, s.code422);
    const std::uint64_t failures = s.code302 + s.code412 + s.code422;
    std::fprintf(stderr, "transactions_no_ack=%" PRIu64 "\nfailure_share=%.3f\n",
                 s.transactions_no_ack,
                 s.transactions_no_ack
                     ? static_cast<double>(failures) / static_cast<double>(s.transactions_no_ack)
                     : 0.0);
    if (dense) {
        static const char *const kCode[] = {"302", "412", "422"};
        static const char *const kWhat[] = {"ok", "wrong_fix", "not_followed"};
        for (int c = 0; c < 3; ++c) {
            for (int k = 0; k < 3; ++k) {
                std::fprintf(stderr, "planned_%s_%s=%" PRIu64 "\n", kCode[c], kWhat[k],
                             s.planned[c][k]);
            }
        }
    }
    return 0;
}
