// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/transaction.h"

#include <cstring>

namespace sipdiag {

void RequestText::assign(std::string_view uri, std::string_view event, std::string_view if_match,
                         std::optional<std::uint32_t> session_expires) {
    if (uri.empty() && event.empty() && if_match.empty() && !session_expires) {
        block_.reset();
        return;
    }
    Head h{session_expires.value_or(0),
           session_expires ? 1u : 0u,
           {static_cast<std::uint32_t>(uri.size()), static_cast<std::uint32_t>(event.size()),
            static_cast<std::uint32_t>(if_match.size())}};
    block_.reset(new char[sizeof h + uri.size() + event.size() + if_match.size()]);
    char *p = block_.get();
    std::memcpy(p, &h, sizeof h);
    p += sizeof h;
    for (std::string_view t : {uri, event, if_match}) {
        if (!t.empty()) std::memcpy(p, t.data(), t.size());
        p += t.size();
    }
}

std::optional<std::uint32_t> RequestText::session_expires() const {
    if (!block_) return std::nullopt;
    Head h;
    std::memcpy(&h, block_.get(), sizeof h);
    return h.has_session_expires ? std::optional<std::uint32_t>(h.session_expires) : std::nullopt;
}

std::string_view RequestText::part(int i) const {
    if (!block_) return {};
    Head h;
    std::memcpy(&h, block_.get(), sizeof h);
    const char *p = block_.get() + sizeof h;
    for (int k = 0; k < i; ++k) p += h.size[k];
    return std::string_view(p, h.size[i]);
}

}  // namespace sipdiag
