// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: reading a SIP message's text (plugin/core/sipmsg.h) on arbitrary bytes, with the
// invariants the header promises: every value is a view into the input, the lists stay within
// their caps, nothing is read after the empty line ending the headers, and what reaches the
// correlator (fill_sip_message) is bounded, valid UTF-8 without NUL bytes.
#include "core/sipmsg.h"
#include "fuzz_bytes.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace sipdiag;

bool inside(std::string_view text, std::string_view v) {
    return v.empty() ||
           (v.data() >= text.data() && v.data() + v.size() <= text.data() + text.size());
}

bool clean_text(const std::string &s) {
    return s.find('\0') == std::string::npos && make_valid_utf8(s) == s;
}

void check_views(std::string_view text, const SipText &t) {
    for (std::string_view v : {t.method, t.request_uri, t.call_id, t.cseq_method, t.top_via_host,
                               t.branch, t.from_tag, t.to_uri}) {
        SIPDIAG_FUZZ_CHECK(inside(text, v));
    }
    for (const auto *list :
         {&t.contact, &t.session_expires, &t.min_se, &t.if_match, &t.etag, &t.event}) {
        for (std::string_view v : *list) SIPDIAG_FUZZ_CHECK(inside(text, v));
    }
    for (const auto &list : t.topics) {
        SIPDIAG_FUZZ_CHECK(list.size() <= SipText::kMaxTopicHeaders);
        for (std::string_view v : list) SIPDIAG_FUZZ_CHECK(inside(text, v));
    }
    SIPDIAG_FUZZ_CHECK(t.session_expires.size() <= SipText::kMaxKept);
    SIPDIAG_FUZZ_CHECK(t.min_se.size() <= SipText::kMaxKept);
    SIPDIAG_FUZZ_CHECK(t.if_match.size() <= SipText::kMaxKept);
    SIPDIAG_FUZZ_CHECK(t.etag.size() <= SipText::kMaxKept);
    SIPDIAG_FUZZ_CHECK(t.event.size() <= SipText::kMaxKept);
    SIPDIAG_FUZZ_CHECK(t.contact.size() <= text.size() / 3);  // "m:x" at least per line
    SIPDIAG_FUZZ_CHECK(t.has_top_via == (t.via_count > 0));
    SIPDIAG_FUZZ_CHECK(t.cseq_method.size() <= 16);
    if (t.start != SipText::Start::status) SIPDIAG_FUZZ_CHECK(t.status == 0);
    if (t.start == SipText::Start::status) SIPDIAG_FUZZ_CHECK(t.status <= 999);
    if (t.start == SipText::Start::other) {
        // No valid start line: Wireshark dissects no header.
        SIPDIAG_FUZZ_CHECK(t.call_id.empty() && t.contact.empty() && t.via_count == 0 &&
                           !t.has_cseq && t.method.empty());
    }
}

// What the correlator sees, to compare two parses.
std::string flatten(const SipMessage &m) {
    std::string s = std::to_string(m.is_request) + "|" + m.method + "|" + std::to_string(m.status) +
                    "|" + m.request_uri + "|" + m.call_id + "|" + std::to_string(m.has_cseq) +
                    std::to_string(m.cseq) + "|" + m.cseq_method + "|" + m.branch + "|" +
                    m.via_sent_by + "|" + m.from_tag + "|" + m.to_uri;
    for (const auto *list :
         {&m.contact, &m.session_expires, &m.min_se, &m.if_match, &m.etag, &m.event}) {
        s += "|";
        for (const std::string &v : *list) s += v + "\x1f";
    }
    for (const auto &h : m.headers.items) {
        s += "|" + std::to_string(static_cast<int>(h.first)) + "=" + h.second;
    }
    return s;
}

void check_message(const SipMessage &m) {
    SIPDIAG_FUZZ_CHECK(m.method.size() <= 64 && m.cseq_method.size() <= 64);
    SIPDIAG_FUZZ_CHECK(m.request_uri.size() <= 2048 && m.to_uri.size() <= 2048);
    SIPDIAG_FUZZ_CHECK(m.branch.size() <= 256 && m.from_tag.size() <= 256);
    SIPDIAG_FUZZ_CHECK(m.via_sent_by.size() <= 256 + 12);
    SIPDIAG_FUZZ_CHECK(m.headers.items.size() <= 64);
    for (const std::string *s : {&m.method, &m.request_uri, &m.call_id, &m.cseq_method, &m.branch,
                                 &m.via_sent_by, &m.from_tag, &m.to_uri}) {
        SIPDIAG_FUZZ_CHECK(clean_text(*s));
    }
    for (const auto *list :
         {&m.contact, &m.session_expires, &m.min_se, &m.if_match, &m.etag, &m.event}) {
        for (const std::string &v : *list) SIPDIAG_FUZZ_CHECK(clean_text(v));
    }
    for (const auto &h : m.headers.items) {
        SIPDIAG_FUZZ_CHECK(clean_text(h.second) && h.second.size() <= 1024);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    const SipText t = parse_sip_message(text);
    check_views(text, t);
    SipMessage m;
    fill_sip_message(t, m);
    check_message(m);
    // Deterministic, and the body is never read: after an empty line, anything may follow.
    std::string ended(text);
    ended += "\r\n\r\n";
    SipMessage a, b;
    fill_sip_message(parse_sip_message(ended), a);
    const std::string with_body = ended + std::string(text);
    fill_sip_message(parse_sip_message(with_body), b);
    SIPDIAG_FUZZ_CHECK(flatten(a) == flatten(b));
    SipMessage again;
    fill_sip_message(parse_sip_message(text), again);
    SIPDIAG_FUZZ_CHECK(flatten(again) == flatten(m));
    // As the adapter does: one SipText and one SipMessage for every message. Nothing of the
    // message read before (here the input with a body) may show in the next one.
    static SipText reused_text;
    static SipMessage reused;
    parse_sip_message(with_body, reused_text);
    fill_sip_message(reused_text, reused);
    parse_sip_message(text, reused_text);
    fill_sip_message(reused_text, reused);
    SIPDIAG_FUZZ_CHECK(flatten(reused) == flatten(m));
    return 0;
}
