// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/transaction.h"

#include <cstring>

namespace sipdiag {

void RequestText::assign(const RequestParts &p) {
    const std::string_view texts[kParts] = {p.uri,          p.event,       p.if_match,
                                            p.content_type, p.facts_event, p.require};
    Head h{p.session_expires.value_or(0), p.expires.value_or(0), 0, {}};
    if (p.session_expires) h.flags |= kHasSessionExpires;
    if (p.expires) h.flags |= kHasExpires;
    if (p.has_facts) h.flags |= kHasFacts;
    if (p.has_credentials) h.flags |= kHasCredentials;
    std::size_t total = sizeof h;
    for (int i = 0; i < kParts; ++i) {
        h.size[i] = static_cast<std::uint32_t>(texts[i].size());
        total += texts[i].size();
    }
    if (total == sizeof h && h.flags == 0) {
        block_.reset();
        return;
    }
    block_.reset(new char[total]);
    char *out = block_.get();
    std::memcpy(out, &h, sizeof h);
    out += sizeof h;
    for (std::string_view t : texts) {
        if (!t.empty()) std::memcpy(out, t.data(), t.size());
        out += t.size();
    }
}

RequestText::Head RequestText::head() const {
    Head h{};
    if (block_) std::memcpy(&h, block_.get(), sizeof h);
    return h;
}

std::optional<std::uint32_t> RequestText::session_expires() const {
    const Head h = head();
    return h.flags & kHasSessionExpires ? std::optional<std::uint32_t>(h.session_expires)
                                        : std::nullopt;
}

std::optional<std::uint32_t> RequestText::expires() const {
    const Head h = head();
    return h.flags & kHasExpires ? std::optional<std::uint32_t>(h.expires) : std::nullopt;
}

bool RequestText::has_credentials() const {
    return (head().flags & kHasCredentials) != 0;
}

RequestFacts RequestText::facts() const {
    RequestFacts f;
    if ((head().flags & kHasFacts) == 0) return f;
    f.known = true;
    const std::string_view require = part(kRequire);
    for (std::size_t i = 0; i < require.size();) {
        const std::size_t n = static_cast<unsigned char>(require[i]);
        f.require.emplace_back(require.substr(i + 1, n));
        i += 1 + n;
    }
    f.expires = expires();
    f.content_type = std::string(part(kContentType));
    f.event = std::string(part(kFactsEvent));
    f.has_credentials = has_credentials();
    return f;
}

std::string_view RequestText::part(int i) const {
    if (!block_) return {};
    const Head h = head();
    const char *p = block_.get() + sizeof h;
    for (int k = 0; k < i; ++k) p += h.size[k];
    return std::string_view(p, h.size[i]);
}

}  // namespace sipdiag
