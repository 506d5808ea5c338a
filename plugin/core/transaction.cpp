// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/transaction.h"

#include <cstring>

namespace sipdiag {

void StringPair::assign(std::string_view a, std::string_view b) {
    if (a.empty() && b.empty()) {
        block_.reset();
        return;
    }
    const auto na = static_cast<std::uint32_t>(a.size());
    const auto nb = static_cast<std::uint32_t>(b.size());
    block_.reset(new char[2 * sizeof(std::uint32_t) + na + nb]);
    std::memcpy(block_.get(), &na, sizeof na);
    std::memcpy(block_.get() + sizeof na, &nb, sizeof nb);
    std::memcpy(block_.get() + 2 * sizeof na, a.data(), na);
    std::memcpy(block_.get() + 2 * sizeof na + na, b.data(), nb);
}

std::string_view StringPair::part(int i) const {
    if (!block_) return {};
    std::uint32_t n[2];
    std::memcpy(n, block_.get(), sizeof n);
    const char *text = block_.get() + sizeof n;
    return i == 0 ? std::string_view(text, n[0]) : std::string_view(text + n[0], n[1]);
}

}  // namespace sipdiag
