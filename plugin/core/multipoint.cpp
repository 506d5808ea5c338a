// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/multipoint.h"

#include "core/bounded_map.h"

#include <algorithm>
#include <utility>

namespace sipdiag {

namespace {

std::uint64_t endpoint_hash(const Endpoint &e) {
    return hash_parts({e.address}, e.port);
}

}  // namespace

std::uint64_t leg_key(const Endpoint &a, const Endpoint &b, std::uint32_t transport) {
    std::uint64_t ha = endpoint_hash(a);
    std::uint64_t hb = endpoint_hash(b);
    if (hb < ha) std::swap(ha, hb);  // unordered: both directions give the same key
    const std::uint64_t k = hash_parts({}, ha ^ (hb * 0x9e3779b97f4a7c15ULL) ^ transport);
    return k != 0 ? k : 1;
}

std::uint64_t bytes_fingerprint(std::string_view bytes) {
    constexpr std::size_t kSample = 16;
    const std::size_t n = bytes.size();
    std::uint64_t h = 0xcbf29ce484222325ULL;
    const std::size_t starts[] = {0, n / 3, 2 * n / 3, n > kSample ? n - kSample : 0};
    std::size_t done = 0;  // bytes [0, done) already hashed: short messages are hashed once
    for (std::size_t s : starts) {
        const std::size_t from = std::max(s, done);
        const std::size_t to = std::min(n, s + kSample);
        for (std::size_t i = from; i < to; ++i) {
            h ^= static_cast<unsigned char>(bytes[i]);
            h *= 0x100000001b3ULL;
        }
        done = std::max(done, to);
    }
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
