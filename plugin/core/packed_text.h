// SPDX-License-Identifier: GPL-2.0-or-later
// N short texts kept in one heap block instead of N std::string members: a diagnosis detail holds
// a few texts, most of them longer than a std::string's inline buffer, and there is one detail
// per diagnosed response of the capture. Each text is NUL-terminated in the block, so c_str()
// hands it to C APIs without a temporary copy.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

namespace sipdiag {

template <std::size_t N>
class PackedText {
  public:
    // Replaces all N texts; no block when they are all empty.
    void assign(const std::array<std::string_view, N> &texts) {
        std::size_t total = sizeof(Head);
        bool any = false;
        for (std::string_view t : texts) {
            total += t.size() + 1;
            any = any || !t.empty();
        }
        if (!any) {
            block_.reset();
            return;
        }
        std::unique_ptr<char[]> b(new char[total]);
        Head h{};
        char *p = b.get() + sizeof h;
        for (std::size_t i = 0; i < N; ++i) {
            h.size[i] = static_cast<std::uint32_t>(texts[i].size());
            if (!texts[i].empty()) std::memcpy(p, texts[i].data(), texts[i].size());
            p[texts[i].size()] = '\0';
            p += texts[i].size() + 1;
        }
        std::memcpy(b.get(), &h, sizeof h);
        block_ = std::move(b);
    }
    // Replaces text i, keeping the others (the block is rebuilt).
    void set(std::size_t i, std::string_view v) {
        std::array<std::string_view, N> texts;
        for (std::size_t j = 0; j < N; ++j) texts[j] = get(j);
        texts[i] = v;
        assign(texts);  // reads the old block before replacing it
    }
    std::string_view get(std::size_t i) const {
        if (!block_) return {};
        const Head h = head();
        return {block_.get() + offset(h, i), h.size[i]};
    }
    // Text i, NUL-terminated; "" when empty.
    const char *c_str(std::size_t i) const {
        return block_ ? block_.get() + offset(head(), i) : "";
    }

  private:
    struct Head {
        std::uint32_t size[N];
    };
    Head head() const {
        Head h;
        std::memcpy(&h, block_.get(), sizeof h);
        return h;
    }
    static std::size_t offset(const Head &h, std::size_t i) {
        std::size_t o = sizeof h;
        for (std::size_t j = 0; j < i; ++j) o += h.size[j] + 1;
        return o;
    }
    std::unique_ptr<char[]> block_;
};

}  // namespace sipdiag
