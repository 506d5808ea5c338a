// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/multipoint.h"

#include "core/bounded_map.h"

#include <cstring>
#include <utility>

namespace sipdiag {

namespace {

// Word-at-a-time hashing: these run for every SIP message (issue 13), so 8 bytes per step and one
// multiplication each, instead of the byte-wise FNV of hash_parts().
constexpr std::uint64_t kMul = 0x9e3779b97f4a7c15ULL;

std::uint64_t fold(std::uint64_t h, std::uint64_t v) {
    h = (h ^ v) * kMul;
    return h ^ (h >> 29);
}

std::uint64_t hash_bytes(const char *p, std::size_t n, std::uint64_t h) {
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        h = fold(h, w);
    }
    const std::uint64_t tail = load_tail(p + i, n - i);  // fewer than 8 bytes left
    return fold(h, tail ^ (static_cast<std::uint64_t>(n) << 56));
}

std::uint64_t endpoint_hash(const Endpoint &e) {
    return hash_bytes(e.address.data(), e.address.size(), (e.port + 1) * kMul);
}

}  // namespace

std::uint64_t leg_key(const Endpoint &a, const Endpoint &b, std::uint32_t transport) {
    std::uint64_t ha = endpoint_hash(a);
    std::uint64_t hb = endpoint_hash(b);
    if (hb < ha) std::swap(ha, hb);  // unordered: both directions give the same key
    const std::uint64_t k = fold(fold(fold(kMul, ha), hb), transport + 1);
    return k != 0 ? k : 1;
}

std::uint64_t bytes_fingerprint(std::string_view bytes) {
    // Every byte, 64 then 16 at a time: the words of a step are combined as w0 ^ rotl(w1, 32)
    // ^ rotl(w2, 8) ^ ..., which for any one word alone is a bijection, and each fold,
    // (h ^ w) * odd constant then h ^ (h >> 29), is a bijection of h for each w and of w for each
    // h; so two messages of the same length that differ in one word always get different values
    // before the final fold to 32 bits. Sampling a few places was cheaper but took the 180s of
    // two forks (same length, other To tag) for one packet seen twice
    // (captures/agents/shape-fork.pcapng). Eight words a fold: a fold per two words was a
    // tenth of the reader's own instructions.
    const std::size_t n = bytes.size();
    const char *p = bytes.data();
    std::uint64_t h = kMul;
    std::size_t i = 0;
    const auto rotl = [](std::uint64_t w, unsigned r) { return w << r | w >> (64 - r); };
    for (; i + 64 <= n; i += 64) {
        std::uint64_t w[8];
        std::memcpy(w, p + i, sizeof w);
        h = fold(h, w[0] ^ rotl(w[1], 32) ^ rotl(w[2], 8) ^ rotl(w[3], 40) ^ rotl(w[4], 16) ^
                        rotl(w[5], 48) ^ rotl(w[6], 24) ^ rotl(w[7], 56));
    }
    for (; i + 16 <= n; i += 16) {
        std::uint64_t w0;
        std::uint64_t w1;
        std::memcpy(&w0, p + i, 8);
        std::memcpy(&w1, p + i + 8, 8);
        h = fold(h, w0 ^ (w1 << 32 | w1 >> 32));
    }
    h = hash_bytes(p + i, n - i, h);  // the last 0 to 15 bytes, and the length of those
    // Length in the high bits, so that a length difference alone always shows.
    const std::uint64_t fp =
        (static_cast<std::uint64_t>(n) << 32) ^ (h & 0xffffffffULL) ^ (h >> 32);
    return fp != 0 ? fp : 1;
}

FrameNum RecentSightings::check_and_note(std::uint64_t key, TimeNs time, std::uint64_t fingerprint,
                                         FrameNum frame) {
    if (slots_.empty()) slots_.resize(kSlots);
    Entry &e = slots_[(key ^ (key >> 29)) & (kSlots - 1)];
    FrameNum previous = 0;
    // Regression (fuzzer): time - e.time overflowed for times far apart; the difference of two
    // ordered times always fits in 64 unsigned bits.
    if (e.key == key && fingerprint != 0 && e.fingerprint == fingerprint && time >= e.time &&
        static_cast<std::uint64_t>(time) - static_cast<std::uint64_t>(e.time) <=
            static_cast<std::uint64_t>(kDuplicateWindowNs)) {
        previous = e.frame;
    }
    e.key = key;
    e.fingerprint = fingerprint;
    e.time = time;
    e.frame = frame;
    return previous;
}

}  // namespace sipdiag
