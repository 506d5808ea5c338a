// SPDX-License-Identifier: GPL-2.0-or-later
// Parsers for the SIP header values sipdiag reasons about. Pure C++17, no Wireshark.
//
// Every parser takes untrusted packet text, does work linear in its length, never throws for bad
// input and reports what was wrong in a ParseError instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sipdiag {

enum class ParseError : std::uint8_t {
    none = 0,
    empty,        // nothing but white space
    not_numeric,  // does not start with a digit (includes a leading '-' or '+')
    overflow,     // more than 2^32-1
    syntax,       // digits followed by garbage, bad qvalue, unbalanced quote or bracket
};

const char *parse_error_text(ParseError e);

// delta-seconds (RFC 3261 25.1: 1*DIGIT) optionally followed by ";params". Leading and trailing
// linear white space is ignored.
struct DeltaSeconds {
    std::uint32_t value = 0;
    ParseError error = ParseError::none;
    bool ok() const { return error == ParseError::none; }
};
DeltaSeconds parse_delta_seconds(std::string_view text);

// Session-Expires (RFC 4028 4): delta-seconds *(;se-params), refresher=uac|uas.
struct SessionExpires {
    DeltaSeconds interval;
    std::string refresher;  // "uac", "uas" or "" when absent
};
SessionExpires parse_session_expires(std::string_view text);

// qvalue (RFC 3261 25.1): "0" [ "." 0*3DIGIT ] / "1" [ "." 0*3("0") ], in thousandths (0..1000).
struct QValue {
    std::uint16_t milli = 1000;
    ParseError error = ParseError::none;
    bool ok() const { return error == ParseError::none; }
};
QValue parse_qvalue(std::string_view text);

// One entry of a Contact header (RFC 3261 20.10). q and expires are kept when present.
struct ContactEntry {
    std::string uri;  // addr-spec without angle brackets, truncated to kMaxUriLength
    std::string display;
    bool star = false;  // "Contact: *"
    std::optional<std::uint16_t> q_milli;
    std::optional<std::uint32_t> expires;
    ParseError q_error = ParseError::none;
    ParseError expires_error = ParseError::none;
    ParseError syntax_error = ParseError::none;  // unbalanced <...> or quotes
    std::string bad_q_text;                      // offending text, for display only
    std::string bad_expires_text;
    bool uri_truncated = false;
    // effective q for ranking: a missing (or unparsable) q counts as 1.0 (RFC 3261 16.6 / 8.1.3.4)
    std::uint16_t effective_q() const { return q_milli ? *q_milli : 1000; }
};

constexpr std::size_t kMaxUriLength = 512;
constexpr std::size_t kMaxContacts = 64;  // entries kept per response; the rest only counted

struct ContactList {
    std::vector<ContactEntry> entries;  // header order, at most kMaxContacts
    std::size_t total = 0;              // entries seen, including those not kept
    bool truncated() const { return total > entries.size(); }
};

// Appends the entries of one Contact header value (which may hold several, comma separated).
void parse_contacts(std::string_view header_value, ContactList &out);

// Entity tag of SIP-ETag / SIP-If-Match (RFC 3903 11.3: a token): trimmed, empty if invalid.
std::string parse_entity_tag(std::string_view text, ParseError *error);

// Event header (RFC 6665): the event type (lower-cased package name, no parameters).
std::string parse_event_type(std::string_view text);

// Small string helpers shared by the core.
std::string_view trim(std::string_view s);
// ASCII case-insensitive equality (inline: the message reader compares every header name).
inline bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}
std::string to_lower(std::string_view s);
void lower_in_place(std::string &s);  // ASCII letters only, like to_lower

// Eight bytes lowered at once by to_lower()'s rule: a byte whose low seven bits
// are 'A'..'Z' and whose high bit is clear gets 0x20. The per-byte sums stay under 0x100, so no
// carry crosses into the next byte.
constexpr std::uint64_t lower_word(std::uint64_t w) {
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
    const std::uint64_t low7 = w & ~kHigh;
    const std::uint64_t from_a = low7 + (0x80 - 'A') * kOnes;      // high bit: >= 'A'
    const std::uint64_t past_z = low7 + (0x80 - 'Z' - 1) * kOnes;  // high bit: > 'Z'
    return w | (from_a & ~past_z & ~w & kHigh) >> 2;
}
// At most `max` bytes of `s`, cut on a UTF-8 boundary; sets *truncated when it cut. A view:
// for a text that is only hashed or copied into a block, no string is built.
std::string_view bounded_view(std::string_view s, std::size_t max, bool *truncated = nullptr);
// The same, copied.
inline std::string bounded_copy(std::string_view s, std::size_t max, bool *truncated = nullptr) {
    return std::string(bounded_view(s, max, truncated));
}

}  // namespace sipdiag
