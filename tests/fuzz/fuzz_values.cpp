// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: every parser of plugin/core/sipvalue.h and sipuri.h (and the topic parsers of
// topics.h) on arbitrary bytes, with the invariants their headers promise. The input is used whole
// by every parser; for the two-URI comparison it is split at its first newline (or NUL).
#include "core/sipuri.h"
#include "core/sipvalue.h"
#include "core/topics.h"
#include "fuzz_bytes.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace sipdiag;

bool has_upper(std::string_view s) {
    for (char c : s) {
        if (c >= 'A' && c <= 'Z') return true;
    }
    return false;
}

bool is_lws(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool is_token_char(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("-.!%*_+`'~").find(c) != std::string_view::npos;
}

// A UTF-8 lead byte (or ASCII) starts at `i`: bounded_copy never cuts before a continuation byte.
bool starts_char(std::string_view s, std::size_t i) {
    return i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
}

void check_delta(std::string_view text) {
    const DeltaSeconds d = parse_delta_seconds(text);
    SIPDIAG_FUZZ_CHECK(d.ok() == (d.error == ParseError::none));
    std::string_view t = trim(text);
    if (!d.ok()) {
        SIPDIAG_FUZZ_CHECK(d.value == 0);
        if (d.error == ParseError::empty) SIPDIAG_FUZZ_CHECK(t.empty());
        return;
    }
    // Reference: the leading digits, as a 64-bit number with saturation.
    std::uint64_t v = 0;
    std::size_t i = 0;
    for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) {
        v = v > 1'000'000'000'000ULL ? v : v * 10 + static_cast<std::uint64_t>(t[i] - '0');
    }
    SIPDIAG_FUZZ_CHECK(i > 0);
    SIPDIAG_FUZZ_CHECK(v == d.value);
    std::string_view rest = trim(t.substr(i));
    SIPDIAG_FUZZ_CHECK(rest.empty() || rest.front() == ';');
}

void check_session_expires(std::string_view text) {
    const SessionExpires se = parse_session_expires(text);
    SIPDIAG_FUZZ_CHECK(se.refresher.size() <= 16);
    SIPDIAG_FUZZ_CHECK(!has_upper(se.refresher));
    const DeltaSeconds d = parse_delta_seconds(text);
    SIPDIAG_FUZZ_CHECK(se.interval.error == d.error && se.interval.value == d.value);
}

void check_qvalue(std::string_view text) {
    const QValue q = parse_qvalue(text);
    if (q.ok()) {
        SIPDIAG_FUZZ_CHECK(q.milli <= 1000);
    } else {
        SIPDIAG_FUZZ_CHECK(q.milli == 1000);  // untouched default
    }
}

void check_contacts(std::string_view text) {
    ContactList list;
    parse_contacts(text, list);
    SIPDIAG_FUZZ_CHECK(list.entries.size() <= kMaxContacts);
    SIPDIAG_FUZZ_CHECK(list.total >= list.entries.size());
    SIPDIAG_FUZZ_CHECK(list.truncated() == (list.total > list.entries.size()));
    SIPDIAG_FUZZ_CHECK(list.total <= text.size());  // every entry holds at least one byte
    for (const ContactEntry &e : list.entries) {
        SIPDIAG_FUZZ_CHECK(e.uri.size() <= kMaxUriLength);
        SIPDIAG_FUZZ_CHECK(e.display.size() <= 128);
        SIPDIAG_FUZZ_CHECK(e.bad_q_text.size() <= 64 && e.bad_expires_text.size() <= 64);
        SIPDIAG_FUZZ_CHECK(e.effective_q() <= 1000);
        SIPDIAG_FUZZ_CHECK(!e.q_milli || *e.q_milli <= 1000);
        SIPDIAG_FUZZ_CHECK(!e.star || e.uri == "*");
        if (!e.uri_truncated) SIPDIAG_FUZZ_CHECK(text.find(e.uri) != std::string_view::npos);
    }
    // Appending is cumulative.
    ContactList twice;
    parse_contacts(text, twice);
    parse_contacts(text, twice);
    SIPDIAG_FUZZ_CHECK(twice.total == 2 * list.total);
}

void check_entity_tag(std::string_view text) {
    ParseError e = ParseError::syntax;
    const std::string tag = parse_entity_tag(text, &e);
    if (e == ParseError::none) {
        SIPDIAG_FUZZ_CHECK(!tag.empty() && tag.size() <= 256);
        for (char c : tag) SIPDIAG_FUZZ_CHECK(is_token_char(c));
    } else {
        SIPDIAG_FUZZ_CHECK(tag.empty());
    }
    SIPDIAG_FUZZ_CHECK(parse_entity_tag(text, nullptr) == tag);
}

void check_event(std::string_view text) {
    const std::string ev = parse_event_type(text);
    SIPDIAG_FUZZ_CHECK(ev.size() <= 64);
    SIPDIAG_FUZZ_CHECK(!has_upper(ev));
    SIPDIAG_FUZZ_CHECK(ev.find(';') == std::string::npos);
}

void check_helpers(std::string_view text) {
    const std::string_view t = trim(text);
    SIPDIAG_FUZZ_CHECK(trim(t) == t);
    SIPDIAG_FUZZ_CHECK(t.empty() || (!is_lws(t.front()) && !is_lws(t.back())));
    const std::string lower = to_lower(text);
    SIPDIAG_FUZZ_CHECK(lower.size() == text.size() && !has_upper(lower));
    SIPDIAG_FUZZ_CHECK(iequals(text, lower) && iequals(lower, text));
    for (std::size_t max :
         {std::size_t{0}, std::size_t{1}, std::size_t{3}, std::size_t{64}, kMaxUriLength}) {
        bool cut = false;
        const std::string b = bounded_copy(text, max, &cut);
        SIPDIAG_FUZZ_CHECK(b.size() <= max);
        SIPDIAG_FUZZ_CHECK(text.substr(0, b.size()) == b);
        SIPDIAG_FUZZ_CHECK(cut == (text.size() > max));
        if (!cut) continue;
        // Cut on a character boundary, giving up only continuation bytes.
        SIPDIAG_FUZZ_CHECK(starts_char(text, b.size()) || b.empty());
        for (std::size_t i = b.size() + 1; i <= max; ++i) SIPDIAG_FUZZ_CHECK(!starts_char(text, i));
    }
}

void check_uri(std::string_view text) {
    const SipUri u = parse_sip_uri(text);
    if (!u.valid) return;
    SIPDIAG_FUZZ_CHECK(!u.scheme.empty() && !has_upper(u.scheme));
    SIPDIAG_FUZZ_CHECK(!has_upper(u.host));
    SIPDIAG_FUZZ_CHECK(!u.host.empty() || u.scheme == "tel");
    for (const auto &p : u.params) SIPDIAG_FUZZ_CHECK(!p.first.empty() && !has_upper(p.first));
}

void check_topics(std::string_view text) {
    const AuthChallenge c = parse_challenge(text);
    SIPDIAG_FUZZ_CHECK(c.scheme.size() <= 32);
    for (const std::string &tag : parse_option_tags(text)) SIPDIAG_FUZZ_CHECK(!has_upper(tag));
    for (const WarningValue &w : parse_warnings(text)) SIPDIAG_FUZZ_CHECK(w.code <= 999);
    const DeltaSeconds ra = parse_retry_after(text);
    SIPDIAG_FUZZ_CHECK(ra.ok() || ra.value == 0);
}

void check_equivalence(std::string_view a, std::string_view b) {
    // An equivalence must at least be reflexive and symmetric.
    SIPDIAG_FUZZ_CHECK(sip_uri_equivalent(a, a));
    SIPDIAG_FUZZ_CHECK(sip_uri_equivalent(b, b));
    SIPDIAG_FUZZ_CHECK(sip_uri_equivalent(a, b) == sip_uri_equivalent(b, a));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    check_delta(text);
    check_session_expires(text);
    check_qvalue(text);
    check_contacts(text);
    check_entity_tag(text);
    check_event(text);
    check_helpers(text);
    check_uri(text);
    check_topics(text);
    std::size_t cut = text.find_first_of(std::string_view("\n\0", 2));
    if (cut == std::string_view::npos) cut = text.size();
    const std::string_view a = text.substr(0, cut);
    const std::string_view b = cut < text.size() ? text.substr(cut + 1) : std::string_view{};
    check_uri(a);
    check_uri(b);
    check_equivalence(a, b);
    return 0;
}
