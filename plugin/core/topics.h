// SPDX-License-Identifier: GPL-2.0-or-later
// Header-aware diagnosis beyond 302/412/422: the evidence other responses carry (challenges,
// option tags, Warning codes, Retry-After, Min-Expires...). Pure C++17, no Wireshark.
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

// What the request of the transaction carried, as far as the topics need it.
struct RequestFacts {
    bool known = false;
    std::vector<std::string> require;  // Require + Proxy-Require option tags
    std::optional<std::uint32_t> expires;
    std::string content_type;
    std::string event;
    bool has_credentials = false;
};

struct TopicDetail {
    std::vector<AuthChallenge> challenges;  // 401 / 407
    bool request_had_credentials = false;   // 401 / 407: the challenged request carried some
    std::vector<std::string> unsupported;   // 420: Unsupported option tags
    std::vector<std::string> required;      // 421: Require option tags of the response
    std::vector<std::string> request_require;
    std::string accept, accept_encoding, accept_language, request_content_type;  // 415
    std::vector<WarningValue> warnings;                                          // 488 / 606
    std::string event, allow_events;                                             // 489
    std::optional<std::uint32_t> retry_after;      // 480/486/503/500/600...
    std::optional<std::uint32_t> expires;          // 423: what the request asked for
    std::optional<std::uint32_t> min_expires;      // 423: what the response demands
    std::vector<std::string> security_mechanisms;  // 494
    std::vector<std::string> problems;             // malformed values (display text)
    bool any() const;
    // 401/407: the challenged request carried credentials and no challenge says stale=true, so
    // the credentials themselves were refused.
    bool credentials_refused() const;
};

// Fills a TopicDetail for a response with status `code` from its headers and its request's facts.
void diagnose_topics(unsigned code, const HeaderList &resp, const RequestFacts &req,
                     TopicDetail &out);

// Facts of a request kept with its transaction.
RequestFacts request_facts(const HeaderList &req, std::string_view event);

// True when a challenge of the response (WWW- or Proxy-Authenticate) says stale=true: the
// credentials were right, only the nonce had expired (RFC 2617 3.2.1).
bool stale_challenge(const HeaderList &resp);

// Parsers (exposed for tests and fuzzing).
AuthChallenge parse_challenge(std::string_view value);
std::vector<std::string> parse_option_tags(std::string_view value);  // lower-cased tokens
std::vector<WarningValue> parse_warnings(std::string_view value);
DeltaSeconds parse_retry_after(std::string_view value);  // "120 (lunch);duration=60"

// Expert severity by meaning, not by class alone.
enum class Severity : std::uint8_t { none, chat, note, warn, error };
// `answered` is true when the client's next attempt did what the response asks (for 401/407:
// it resent with credentials).
Severity severity_for(unsigned code, const TopicDetail *t, bool answered);

}  // namespace sipdiag
