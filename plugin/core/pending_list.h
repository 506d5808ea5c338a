// SPDX-License-Identifier: GPL-2.0-or-later
// The records of the responses waiting for a retry under one key of a pending table. Most keys
// hold one or two, so up to two are kept in place (16 bytes in all, no heap block); more go to a
// heap array. The interface is the part of std::vector the correlator and the rules use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

namespace sipdiag {

class PendingList {
  public:
    PendingList() = default;
    PendingList(const PendingList &) = delete;
    PendingList &operator=(const PendingList &) = delete;
    PendingList(PendingList &&o) noexcept { take(o); }
    PendingList &operator=(PendingList &&o) noexcept {
        if (this != &o) {
            release();
            take(o);
        }
        return *this;
    }
    ~PendingList() { release(); }

    using iterator = std::uint32_t *;
    iterator begin() { return data(); }
    iterator end() { return data() + size_; }
    std::uint32_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    void push_back(std::uint32_t v) {
        if (size_ == capacity()) grow();
        data()[size_++] = v;
    }
    // Removes the element at `it`, keeping the order; returns the position after it.
    iterator erase(iterator it) {
        std::uint32_t *d = data();
        const std::size_t i = static_cast<std::size_t>(it - d);
        for (std::size_t j = i; j + 1 < size_; ++j) d[j] = d[j + 1];
        --size_;
        return d + i;
    }

  private:
    static constexpr std::uint32_t kInline = 2;
    std::uint32_t capacity() const { return cap_ == 0 ? kInline : cap_; }
    std::uint32_t *data() { return cap_ == 0 ? u_.in : u_.heap; }
    void grow() {
        const std::uint32_t n = capacity() * 2;
        auto *h = new std::uint32_t[n];
        std::memcpy(h, data(), size_ * sizeof(std::uint32_t));
        release();
        u_.heap = h;
        cap_ = n;
    }
    void release() {
        if (cap_ != 0) delete[] u_.heap;
        cap_ = 0;
    }
    void take(PendingList &o) {
        size_ = o.size_;
        cap_ = o.cap_;
        u_ = o.u_;
        o.size_ = 0;
        o.cap_ = 0;
    }
    std::uint32_t size_ = 0;
    std::uint32_t cap_ = 0;  // 0: in place
    union {
        std::uint32_t in[kInline];
        std::uint32_t *heap;
    } u_{};
};

}  // namespace sipdiag
