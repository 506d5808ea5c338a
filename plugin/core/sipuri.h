// SPDX-License-Identifier: GPL-2.0-or-later
// SIP URI parsing and comparison (RFC 3261 19.1.4), enough to decide whether a retried
// Request-URI is one of the Contact targets of a 3xx.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sipdiag {

struct SipUri {
    std::string scheme;    // lower case: "sip", "sips", "tel", ...
    std::string userinfo;  // user[:password], compared case-sensitively after %-unescaping
    std::string host;      // lower case
    std::string port;      // digits or ""
    std::vector<std::pair<std::string, std::string>> params;  // lower-case names and values
    std::string headers;                                      // after '?', raw
    bool valid = false;
};

// Parses "<sip:user@host:port;params?headers>" or the same without angle brackets. Display
// names before '<' are skipped. Never throws; returns valid == false when it is not a URI.
SipUri parse_sip_uri(std::string_view text);

// RFC 3261 19.1.4 equivalence: scheme, userinfo, host and port must match; user, ttl, method,
// maddr and transport parameters must match when either side has them; other parameters are
// compared only when both sides carry them. URI headers are ignored (they never reach a
// Request-URI). Two unparsable texts are equal only when identical.
bool sip_uri_equivalent(std::string_view a, std::string_view b);
// The same with one side parsed already (for comparing one URI against many).
bool sip_uri_equivalent(const SipUri &ua, std::string_view a, std::string_view b);

}  // namespace sipdiag
