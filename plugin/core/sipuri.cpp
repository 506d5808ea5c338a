// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/sipuri.h"

#include "core/sipvalue.h"

#include <algorithm>

namespace sipdiag {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// RFC 3261 19.1.4: characters other than those in the reserved set are equivalent to their
// %HEX encoding, so compare the unescaped forms.
std::string unescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            const int hi = hex_value(s[i + 1]);
            const int lo = hex_value(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(s[i]);
    }
    return out;
}

const std::string *find_param(const SipUri &u, std::string_view name) {
    for (const auto &p : u.params) {
        if (p.first == name) return &p.second;
    }
    return nullptr;
}

}  // namespace

SipUri parse_sip_uri(std::string_view text) {
    SipUri u;
    std::string_view s = trim(text);
    // Strip a name-addr wrapper: [display] <uri>.
    std::size_t lt = s.find('<');
    if (lt != std::string_view::npos) {
        std::size_t gt = s.find('>', lt + 1);
        s = s.substr(lt + 1, gt == std::string_view::npos ? std::string_view::npos : gt - lt - 1);
        s = trim(s);
    }
    std::size_t colon = s.find(':');
    if (colon == std::string_view::npos || colon == 0) return u;
    u.scheme = to_lower(s.substr(0, colon));
    for (char c : u.scheme) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
              c == '.')) {
            return u;
        }
    }
    std::string_view rest = s.substr(colon + 1);
    std::size_t q = rest.find('?');
    if (q != std::string_view::npos) {
        u.headers = std::string(rest.substr(q + 1));
        rest = rest.substr(0, q);
    }
    // userinfo ends at the last '@' before any ';' parameters of the host part.
    std::size_t at = rest.rfind('@');
    std::string_view hostpart = rest;
    if (at != std::string_view::npos) {
        u.userinfo = unescape(rest.substr(0, at));
        hostpart = rest.substr(at + 1);
    }
    std::size_t semi = hostpart.find(';');
    std::string_view params =
        semi == std::string_view::npos ? std::string_view{} : hostpart.substr(semi + 1);
    hostpart = hostpart.substr(0, semi);
    // host: IPv6 reference in brackets, or up to ':' port.
    if (!hostpart.empty() && hostpart.front() == '[') {
        std::size_t rb = hostpart.find(']');
        if (rb == std::string_view::npos) return u;
        u.host = to_lower(hostpart.substr(0, rb + 1));
        std::string_view after = hostpart.substr(rb + 1);
        if (!after.empty() && after.front() == ':') u.port = std::string(after.substr(1));
    } else {
        std::size_t pc = hostpart.rfind(':');
        if (pc != std::string_view::npos) {
            u.host = to_lower(hostpart.substr(0, pc));
            u.port = std::string(hostpart.substr(pc + 1));
        } else {
            u.host = to_lower(hostpart);
        }
    }
    if (u.host.empty() && u.scheme != "tel") return u;
    while (!params.empty()) {
        std::size_t next = params.find(';');
        std::string_view p = params.substr(0, next);
        std::size_t eq = p.find('=');
        std::string name = to_lower(unescape(trim(p.substr(0, eq))));
        std::string value = eq == std::string_view::npos
                                ? std::string()
                                : to_lower(unescape(trim(p.substr(eq + 1))));
        if (!name.empty()) u.params.emplace_back(std::move(name), std::move(value));
        if (next == std::string_view::npos) break;
        params = params.substr(next + 1);
    }
    u.valid = true;
    return u;
}

bool sip_uri_equivalent(std::string_view a, std::string_view b) {
    return sip_uri_equivalent(parse_sip_uri(a), a, b);
}

bool sip_uri_equivalent(const SipUri &ua, std::string_view a, std::string_view b) {
    // Cheap rejection before parsing b: its text must contain a's host (hosts compare
    // case-insensitively, so look for it ignoring case).
    if (ua.valid && !ua.host.empty()) {
        const std::string lb = to_lower(b);
        if (lb.find(ua.host) == std::string::npos) return false;
    }
    const SipUri ub = parse_sip_uri(b);
    if (!ua.valid || !ub.valid) return trim(a) == trim(b);
    if (ua.scheme != ub.scheme || ua.userinfo != ub.userinfo || ua.host != ub.host ||
        ua.port != ub.port) {
        return false;
    }
    static constexpr std::string_view kMustMatch[] = {"user", "ttl", "method", "maddr",
                                                      "transport"};
    for (std::string_view name : kMustMatch) {
        const std::string *pa = find_param(ua, name);
        const std::string *pb = find_param(ub, name);
        if ((pa == nullptr) != (pb == nullptr)) return false;
        if (pa && *pa != *pb) return false;
    }
    for (const auto &p : ua.params) {
        if (std::find(std::begin(kMustMatch), std::end(kMustMatch), p.first) !=
            std::end(kMustMatch)) {
            continue;
        }
        // First occurrence against first occurrence: reflexive and symmetric even when a
        // parameter is (wrongly) repeated.
        const std::string *pb = find_param(ub, p.first);
        if (pb && *pb != *find_param(ua, p.first)) return false;
    }
    return true;
}

}  // namespace sipdiag
