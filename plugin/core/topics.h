// SPDX-License-Identifier: GPL-2.0-or-later
// The headers beyond the core set that the rules read (challenges, option tags, Warning codes,
// Retry-After, Min-Expires...), and their parsers. Pure C++17, no Wireshark.
#pragma once

#include "core/sipvalue.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sipdiag {

// Extra headers the adapter copies for the topic analysis. Values are the raw header values, one
// entry per header line, in message order.
enum class Hdr : std::uint8_t {
    www_authenticate,
    proxy_authenticate,
    authorization,
    proxy_authorization,
    unsupported,
    require,
    proxy_require,
    supported,
    accept,
    accept_encoding,
    accept_language,
    content_type,
    warning,
    allow_events,
    retry_after,
    expires,
    min_expires,
    security_server,
    user_agent,  // the software of a request's sender (attribution)
    server,      // the software of a response's sender
    count_
};

struct HeaderList {
    std::vector<std::pair<Hdr, std::string>> items;
    const std::string *first(Hdr h) const {
        for (const auto &i : items) {
            if (i.first == h) return &i.second;
        }
        return nullptr;
    }
    bool has(Hdr h) const { return first(h) != nullptr; }
    void add(Hdr h, std::string v) {
        if (items.size() < 64) items.emplace_back(h, std::move(v));  // bounded
    }
};

// The same as views into the message bytes (or into a TextStore, core/sipmsg.h): what the core
// reads while it analyses one message (MessageView::headers).
struct HeaderViews {
    std::vector<std::pair<Hdr, std::string_view>> items;
    const std::string_view *first(Hdr h) const {
        for (const auto &i : items) {
            if (i.first == h) return &i.second;
        }
        return nullptr;
    }
    bool has(Hdr h) const { return first(h) != nullptr; }
};

struct AuthChallenge {
    std::string scheme;  // "Digest"
    std::string realm;
    std::string algorithm;  // "" = MD5 by default (RFC 3261 22.4)
    std::string qop;
    bool stale = false;
};

struct WarningValue {
    std::uint16_t code = 0;  // 3 digits (RFC 3261 20.43), 0 if unparsable
    std::string agent;
    std::string text;
};

// What the request of the transaction carried, as far as the topics need it (kept in the
// transaction's RequestText, core/transaction.h).
struct RequestFacts {
    bool known = false;
    std::vector<std::string> require;  // Require + Proxy-Require option tags
    std::optional<std::uint32_t> expires;
    std::string content_type;
    std::string event;
    bool has_credentials = false;
};

// True when a challenge of the response (WWW- or Proxy-Authenticate) says stale=true: the
// credentials were right, only the nonce had expired (RFC 2617 3.2.1).
bool stale_challenge(const HeaderViews &resp);

// Calls fn(item) for each comma-separated item of a header value (commas inside double quotes do
// not split), each item trimmed.
template <typename Fn>
void split_commas(std::string_view s, Fn &&fn) {
    bool quoted = false;
    std::size_t start = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && quoted && i + 1 < s.size()) {
            ++i;
        } else if (s[i] == '"') {
            quoted = !quoted;
        } else if (s[i] == ',' && !quoted) {
            fn(trim(s.substr(start, i - start)));
            start = i + 1;
        }
    }
    fn(trim(s.substr(start)));
}

// Parsers (exposed for tests and fuzzing).
AuthChallenge parse_challenge(std::string_view value);
std::vector<std::string> parse_option_tags(std::string_view value);  // lower-cased tokens
// Appends the option tags of every `which` header (at most 16 in all).
void append_tags(std::vector<std::string> &out, const HeaderViews &h, Hdr which);
std::vector<WarningValue> parse_warnings(std::string_view value);
DeltaSeconds parse_retry_after(std::string_view value);  // "120 (lunch);duration=60"

}  // namespace sipdiag
