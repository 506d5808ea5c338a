// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/bounded_map.h"

#include "core/sipvalue.h"

#include <cstring>

namespace sipdiag {

namespace {

std::uint64_t mix(std::uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

// One step per 8 bytes: (h ^ w) times an odd constant, then h ^ (h >> 29), a bijection of h for
// each word.
std::uint64_t step(std::uint64_t h, std::uint64_t w) {
    h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 29);
}

constexpr std::uint64_t kSeed = 0xcbf29ce484222325ULL;

// One part, each word through `f` first. Eight bytes at a time (the byte-wise FNV-1a used before
// cost about a thousand instructions per SIP message, for the five or six keys each one needs).
template <typename F>
std::uint64_t hash_part(std::uint64_t h, std::string_view p, F f) {
    const std::size_t n = p.size();
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, p.data() + i, 8);
        h = step(h, f(w));
    }
    const std::uint64_t tail = f(load_tail(p.data() + i, n - i));  // fewer than 8 left
    // The part's length closes it, so that ("ab","c") != ("a","bc").
    return step(h, tail ^ (static_cast<std::uint64_t>(n) << 56) ^ 0x1f);
}

// The extra value spread by an odd multiplier (a bijection, so different extras stay different),
// then one final mix: every key of every message ends here (a mix of the extra as well cost
// twenty instructions per key).
std::uint64_t finish(std::uint64_t h, std::uint64_t extra) {
    return mix(h ^ ((extra + 1) * 0x9e3779b97f4a7c15ULL));
}

}  // namespace

std::uint64_t hash_parts(std::initializer_list<std::string_view> parts, std::uint64_t extra) {
    std::uint64_t h = kSeed;
    for (std::string_view p : parts) h = hash_part(h, p, [](std::uint64_t w) { return w; });
    return finish(h, extra);
}

std::uint64_t hash_lowered(std::string_view s, std::uint64_t extra) {
    // Zero bytes above a tail stay zero: lower_word() changes only bytes 'A'..'Z'.
    return finish(hash_part(kSeed, s, lower_word), extra);
}

}  // namespace sipdiag
