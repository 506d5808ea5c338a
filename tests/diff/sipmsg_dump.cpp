// SPDX-License-Identifier: GPL-2.0-or-later
// sipmsg_dump: what the plugin's SIP reader (plugin/core/sipmsg.h) reads from SIP messages, as
// JSON, for the differential test against Wireshark's own sip.* fields (tests/diff/README.md).
//
// Input (stdin): one message per line, its bytes in hexadecimal. Output (stdout): one JSON object
// per input line, the values as Wireshark would show them (field_text(), topic_text()).
#include "core/sipmsg.h"
#include "core/topics.h"

#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

using sipdiag::Hdr;
using sipdiag::SipText;

// Names of the topic headers, in Hdr order.
constexpr const char *kTopicNames[] = {
    "www_authenticate", "proxy_authenticate",
    "authorization",    "proxy_authorization",
    "unsupported",      "require",
    "proxy_require",    "supported",
    "accept",           "accept_encoding",
    "accept_language",  "content_type",
    "warning",          "allow_events",
    "retry_after",      "expires",
    "min_expires",      "security_server",
    "user_agent",       "server",
};
static_assert(sizeof kTopicNames / sizeof kTopicNames[0] == static_cast<std::size_t>(Hdr::count_),
              "one name per topic header");

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool unhex(std::string_view hex, std::string *out) {
    if (hex.size() % 2 != 0) return false;
    out->clear();
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int hi = hex_digit(hex[i]);
        const int lo = hex_digit(hex[i + 1]);
        if (hi < 0 || lo < 0) return false;
        out->push_back(static_cast<char>(hi * 16 + lo));
    }
    return true;
}

// A JSON string of valid UTF-8 text (field_text() gives valid UTF-8).
std::string quote(std::string_view s) {
    std::string q = "\"";
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            q += '\\';
            q += c;
        } else if (u < 0x20 || u == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", u);
            q += buf;
        } else {
            q += c;
        }
    }
    return q + "\"";
}

std::string text(std::string_view raw) {
    return quote(sipdiag::field_text(raw));
}

std::string list(const std::vector<std::string_view> &values) {
    std::string s = "[";
    for (std::size_t i = 0; i < values.size(); ++i) s += (i ? "," : "") + text(values[i]);
    return s + "]";
}

std::string dump(const SipText &t) {
    const char *start = t.start == SipText::Start::request  ? "request"
                        : t.start == SipText::Start::status ? "status"
                                                            : "other";
    std::string j = "{\"start\":\"" + std::string(start) + "\"";
    j += ",\"status\":" + std::to_string(t.status);
    j += ",\"method\":" + text(t.method);
    j += ",\"request_uri\":" + text(t.request_uri);
    j += ",\"call_id\":" + text(t.call_id);
    j += ",\"cseq\":" + (t.has_cseq ? std::to_string(t.cseq) : std::string("null"));
    j += ",\"cseq_method\":" + text(t.cseq_method);
    j += ",\"top_via_host\":" + (t.has_top_via ? text(t.top_via_host) : std::string("null"));
    j += ",\"via_count\":" + std::to_string(t.via_count);
    j += ",\"branch\":" + text(t.branch);
    j += ",\"from_tag\":" + text(t.from_tag);
    j += ",\"to_uri\":" + text(t.to_uri);
    j += ",\"contact\":" + list(t.contact);
    j += ",\"session_expires\":" + list(t.session_expires);
    j += ",\"min_se\":" + list(t.min_se);
    j += ",\"if_match\":" + list(t.if_match);
    j += ",\"etag\":" + list(t.etag);
    j += ",\"event\":" + list(t.event);
    j += ",\"topics\":{";
    std::string value;
    for (std::size_t h = 0; h < t.topics.size(); ++h) {
        j += (h ? ",\"" : "\"") + std::string(kTopicNames[h]) + "\":[";
        bool first = true;
        for (std::string_view raw : t.topics[h]) {
            if (!sipdiag::topic_text(static_cast<Hdr>(h), raw, &value)) continue;
            j += (first ? "" : ",") + quote(value);
            first = false;
        }
        j += "]";
    }
    return j + "}}";
}

}  // namespace

int main() {
    std::ios::sync_with_stdio(false);
    std::string line;
    std::string bytes;
    unsigned long n = 0;
    while (std::getline(std::cin, line)) {
        ++n;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!unhex(line, &bytes)) {
            std::cerr << "sipmsg_dump: line " << n << ": not hexadecimal\n";
            return 2;
        }
        std::cout << dump(sipdiag::parse_sip_message(bytes)) << '\n';
    }
    return 0;
}
