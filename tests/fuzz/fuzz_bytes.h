// SPDX-License-Identifier: GPL-2.0-or-later
// Hand-written FuzzedDataProvider-style byte consumer, so that the fuzz targets also build with
// g++ (the replay driver) where <fuzzer/FuzzedDataProvider.h> is not available. Reading past the
// end yields zeros and empty strings, never an error. tests/fuzz/make_seeds.py mirrors it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string>

namespace sipdiag::fuzz {

class Bytes {
  public:
    Bytes(const std::uint8_t *data, std::size_t size) : p_(data), n_(size) {}

    bool empty() const { return n_ == 0; }
    std::size_t remaining() const { return n_; }

    std::uint8_t u8() {
        if (n_ == 0) return 0;
        --n_;
        return *p_++;
    }
    std::uint16_t u16() {
        const std::uint16_t lo = u8();
        return static_cast<std::uint16_t>(lo | (u8() << 8));
    }
    std::uint64_t u64() {
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(u8()) << (8 * i);
        return v;
    }
    // Length byte (255: a 16-bit length follows), then that many bytes (fewer at the end).
    std::string str() {
        std::size_t len = u8();
        if (len == 255) len = u16();
        if (len > n_) len = n_;
        std::string s(reinterpret_cast<const char *>(p_), len);
        p_ += len;
        n_ -= len;
        return s;
    }
    // One byte: an element of `pool`, or (0xFF) a string read with str().
    template <std::size_t N>
    std::string pick(const char *const (&pool)[N]) {
        const std::uint8_t b = u8();
        if (b == 0xFF) return str();
        return pool[b % N];
    }

  private:
    const std::uint8_t *p_;
    std::size_t n_;
};

// An invariant the code under test must keep: abort (a crash for libFuzzer and for the replay).
#define SIPDIAG_FUZZ_CHECK(cond)                                                              \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                     \
        }                                                                                     \
    } while (0)

}  // namespace sipdiag::fuzz
