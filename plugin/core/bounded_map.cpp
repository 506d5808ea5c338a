// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/bounded_map.h"

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

}  // namespace

std::uint64_t hash_parts(std::initializer_list<std::string_view> parts, std::uint64_t extra) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (std::string_view p : parts) {
        for (unsigned char c : p) {
            h ^= c;
            h *= 0x100000001b3ULL;
        }
        h ^= 0x1f;  // separator, so ("ab","c") != ("a","bc")
        h *= 0x100000001b3ULL;
    }
    return mix(h ^ mix(extra + 0x9e3779b97f4a7c15ULL));
}

}  // namespace sipdiag
