// SPDX-License-Identifier: GPL-2.0-or-later
// Table-driven tests of the SIP header value parsers (plugin/core/sipvalue.h).
#include "core/sipvalue.h"

#include "core/bounded_map.h"

#include <gtest/gtest.h>

#include "table_test.h"

#include <cstdint>
#include <cstring>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sipdiag {

// gtest prints enums by name (found by argument-dependent lookup; internal linkage).
static void PrintTo(ParseError e, std::ostream *os) {
    *os << parse_error_text(e);
}

namespace {

// Row names become part of the test names: keep them to [A-Za-z0-9_].

// True when `s` is well-formed UTF-8 (no cut sequence at either end).
bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = 1;
        if (c >= 0xF0) {
            len = 4;
        } else if (c >= 0xE0) {
            len = 3;
        } else if (c >= 0xC0) {
            len = 2;
        } else if (c >= 0x80) {
            return false;  // continuation byte where a character should start
        }
        if (i + len > s.size()) return false;
        for (std::size_t k = 1; k < len; ++k) {
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        }
        i += len;
    }
    return true;
}

// ---------------------------------------------------------------------------------------------
// delta-seconds

struct DeltaRow {
    const char *name;
    std::string input;
    ParseError error;
    std::uint32_t value;  // checked when error == none
};
SIPDIAG_PRINT_ROW(DeltaRow)

const DeltaRow kDeltaRows[] = {
    {"zero", "0", ParseError::none, 0},
    {"ninety", "90", ParseError::none, 90},
    {"with_params", "1800;refresher=uac", ParseError::none, 1800},
    {"space_before_params", "1800 ;refresher=uas", ParseError::none, 1800},
    {"trailing_semicolon", "1800;", ParseError::none, 1800},
    {"surrounding_spaces", " 42 ", ParseError::none, 42},
    {"tabs_and_crlf", "\t42\r\n", ParseError::none, 42},
    {"leading_zeros", "0000090", ParseError::none, 90},
    {"max_uint32", "4294967295", ParseError::none, 4294967295u},
    {"max_uint32_plus_one", "4294967296", ParseError::overflow, 0},
    {"two_to_the_64", "18446744073709551616", ParseError::overflow, 0},
    {"hundred_digits", std::string(100, '9'), ParseError::overflow, 0},
    {"overflow_with_params", "99999999999;refresher=uac", ParseError::overflow, 0},
    {"negative", "-5", ParseError::not_numeric, 0},
    {"plus_sign", "+5", ParseError::not_numeric, 0},
    {"letters", "abc", ParseError::not_numeric, 0},
    {"empty", "", ParseError::empty, 0},
    {"only_spaces", "  \t ", ParseError::empty, 0},
    {"digits_then_letters", "12abc", ParseError::syntax, 0},
    {"exponent", "1e3", ParseError::syntax, 0},
    {"decimal", "1.5", ParseError::syntax, 0},
    {"inner_space", "18 00", ParseError::syntax, 0},
    {"overflow_then_garbage", "99999999999x", ParseError::syntax, 0},
    {"leading_semicolon", ";refresher=uac", ParseError::not_numeric, 0},
};

class DeltaSecondsTest : public testing::TestWithParam<DeltaRow> {};

TEST_P(DeltaSecondsTest, Parses) {
    const DeltaRow &row = GetParam();
    const DeltaSeconds d = parse_delta_seconds(row.input);
    EXPECT_EQ(d.error, row.error) << parse_error_text(d.error);
    EXPECT_EQ(d.ok(), row.error == ParseError::none);
    if (row.error == ParseError::none) {
        EXPECT_EQ(d.value, row.value);
    }
}

INSTANTIATE_TEST_SUITE_P(Values, DeltaSecondsTest, testing::ValuesIn(kDeltaRows),
                         row_name<DeltaRow>);

// ---------------------------------------------------------------------------------------------
// Session-Expires

struct SessionExpiresRow {
    const char *name;
    std::string input;
    ParseError error;
    std::uint32_t value;
    std::string refresher;
};
SIPDIAG_PRINT_ROW(SessionExpiresRow)

const SessionExpiresRow kSessionExpiresRows[] = {
    {"bare", "1800", ParseError::none, 1800, ""},
    {"refresher_uac", "1800;refresher=uac", ParseError::none, 1800, "uac"},
    {"refresher_uas", "90;refresher=uas", ParseError::none, 90, "uas"},
    {"refresher_upper_case", "1800;REFRESHER=UAC", ParseError::none, 1800, "uac"},
    {"spaces_around_param", "1800 ; refresher = uas ", ParseError::none, 1800, "uas"},
    {"refresher_after_other_param", "1800;x=1;refresher=uac", ParseError::none, 1800, "uac"},
    {"refresher_quoted", "1800;refresher=\"uas\"", ParseError::none, 1800, "uas"},
    {"refresher_without_value", "1800;refresher", ParseError::none, 1800, ""},
    {"other_param_only", "1800;foo=bar", ParseError::none, 1800, ""},
    {"quoted_semicolon_in_other_param", "1800;x=\"a;refresher=uac\";refresher=uas",
     ParseError::none, 1800, "uas"},
    {"bad_interval_keeps_refresher", "abc;refresher=uac", ParseError::not_numeric, 0, "uac"},
    {"overflow", "4294967296;refresher=uac", ParseError::overflow, 0, "uac"},
    {"empty", "", ParseError::empty, 0, ""},
    {"long_refresher_bounded", "1800;refresher=" + std::string(1000, 'x'), ParseError::none, 1800,
     std::string(16, 'x')},
};

class SessionExpiresTest : public testing::TestWithParam<SessionExpiresRow> {};

TEST_P(SessionExpiresTest, Parses) {
    const SessionExpiresRow &row = GetParam();
    const SessionExpires se = parse_session_expires(row.input);
    EXPECT_EQ(se.interval.error, row.error);
    if (row.error == ParseError::none) {
        EXPECT_EQ(se.interval.value, row.value);
    }
    EXPECT_EQ(se.refresher, row.refresher);
}

INSTANTIATE_TEST_SUITE_P(Values, SessionExpiresTest, testing::ValuesIn(kSessionExpiresRows),
                         row_name<SessionExpiresRow>);

// ---------------------------------------------------------------------------------------------
// qvalue

struct QRow {
    const char *name;
    std::string input;
    ParseError error;
    std::uint16_t milli;  // checked when error == none
};
SIPDIAG_PRINT_ROW(QRow)

const QRow kQRows[] = {
    {"zero", "0", ParseError::none, 0},
    {"zero_dot", "0.", ParseError::none, 0},
    {"half", "0.5", ParseError::none, 500},
    {"two_digits", "0.25", ParseError::none, 250},
    {"three_digits", "0.125", ParseError::none, 125},
    {"one_thousandth", "0.001", ParseError::none, 1},
    {"zero_point_zero_zero_zero", "0.000", ParseError::none, 0},
    {"one", "1", ParseError::none, 1000},
    {"one_point_zero", "1.0", ParseError::none, 1000},
    {"one_point_zero_zero_zero", "1.000", ParseError::none, 1000},
    {"quoted", "\"0.5\"", ParseError::none, 500},
    {"surrounding_spaces", " 0.7 ", ParseError::none, 700},
    {"above_one", "1.001", ParseError::syntax, 0},
    {"one_point_five", "1.5", ParseError::syntax, 0},
    {"five", "5", ParseError::syntax, 0},
    {"nan", "NaN", ParseError::not_numeric, 0},
    {"leading_dot", ".5", ParseError::not_numeric, 0},
    {"negative", "-0.5", ParseError::not_numeric, 0},
    {"four_decimals", "0.1234", ParseError::syntax, 0},
    {"comma_decimal", "0,5", ParseError::syntax, 0},
    {"leading_zero_digit", "01", ParseError::syntax, 0},
    {"trailing_letter", "0.5a", ParseError::syntax, 0},
    {"empty", "", ParseError::empty, 0},
    {"empty_quotes", "\"\"", ParseError::empty, 0},
    {"lone_quote", "\"", ParseError::not_numeric, 0},
};

class QValueTest : public testing::TestWithParam<QRow> {};

TEST_P(QValueTest, Parses) {
    const QRow &row = GetParam();
    const QValue q = parse_qvalue(row.input);
    EXPECT_EQ(q.error, row.error) << parse_error_text(q.error);
    if (row.error == ParseError::none) {
        EXPECT_EQ(q.milli, row.milli);
    }
}

INSTANTIATE_TEST_SUITE_P(Values, QValueTest, testing::ValuesIn(kQRows), row_name<QRow>);

// ---------------------------------------------------------------------------------------------
// Contact lists

// Expected fields of one contact entry.
struct ContactExpect {
    std::string uri;
    std::string display;
    std::optional<std::uint16_t> q;
    std::optional<std::uint32_t> expires;
    bool star = false;
    ParseError q_error = ParseError::none;
    ParseError expires_error = ParseError::none;
    ParseError syntax_error = ParseError::none;
};

struct ContactRow {
    const char *name;
    std::vector<std::string> headers;  // one element per Contact header line
    std::size_t total;
    std::vector<ContactExpect> entries;
};
SIPDIAG_PRINT_ROW(ContactRow)

ContactExpect uri_only(std::string uri) {
    ContactExpect e;
    e.uri = std::move(uri);
    return e;
}

ContactExpect with_q(std::string uri, std::uint16_t q) {
    ContactExpect e = uri_only(std::move(uri));
    e.q = q;
    return e;
}

const ContactRow kContactRows[] = {
    {"single_name_addr", {"<sip:bob@192.0.2.4>"}, 1, {uri_only("sip:bob@192.0.2.4")}},
    {"several_in_one_header",
     {"<sip:a@x>;q=0.5, <sip:b@x>;q=1.0"},
     2,
     {with_q("sip:a@x", 500), with_q("sip:b@x", 1000)}},
    {"several_header_lines",
     {"<sip:a@x>;q=0.1", "<sip:b@x>;q=0.2"},
     2,
     {with_q("sip:a@x", 100), with_q("sip:b@x", 200)}},
    {"display_name_with_comma_and_escaped_quotes",
     {R"("Doe, \"J\"" <sip:j@x>;q=0.3, <sip:k@x>)"},
     2,
     // quoted-pairs are kept as sent in the display name
     {[] {
          ContactExpect e = with_q("sip:j@x", 300);
          e.display = R"(Doe, \"J\")";
          return e;
      }(),
      uri_only("sip:k@x")}},
    {"unquoted_display_name", {"Bob <sip:bob@x>"}, 1, {[] {
         ContactExpect e = uri_only("sip:bob@x");
         e.display = "Bob";
         return e;
     }()}},
    {"addr_spec_with_params", {"sip:c@x;expires=60"}, 1, {[] {
         ContactExpect e = uri_only("sip:c@x");
         e.expires = 60;
         return e;
     }()}},
    {"uri_params_stay_in_uri",
     {"<sip:c@x;transport=tcp>;q=0.2"},
     1,
     {with_q("sip:c@x;transport=tcp", 200)}},
    {"comma_inside_angle_brackets", {"<sip:c@x;a=1,2>;q=0.2"}, 1, {with_q("sip:c@x;a=1,2", 200)}},
    {"star", {"*"}, 1, {[] {
         ContactExpect e = uri_only("*");
         e.star = true;
         return e;
     }()}},
    {"unbalanced_angle", {"<sip:a@x"}, 1, {[] {
         ContactExpect e = uri_only("sip:a@x");
         e.syntax_error = ParseError::syntax;
         return e;
     }()}},
    {"unbalanced_quote", {"\"Bob <sip:a@x>"}, 1, {[] {
         ContactExpect e = uri_only("\"Bob <sip:a@x>");
         e.syntax_error = ParseError::syntax;
         return e;
     }()}},
    {"bad_q_counts_as_missing", {"<sip:a@x>;q=abc"}, 1, {[] {
         ContactExpect e = uri_only("sip:a@x");
         e.q_error = ParseError::not_numeric;
         return e;
     }()}},
    {"q_above_one", {"<sip:a@x>;q=1.5"}, 1, {[] {
         ContactExpect e = uri_only("sip:a@x");
         e.q_error = ParseError::syntax;
         return e;
     }()}},
    {"bad_expires", {"<sip:a@x>;expires=-1"}, 1, {[] {
         ContactExpect e = uri_only("sip:a@x");
         e.expires_error = ParseError::not_numeric;
         return e;
     }()}},
    {"quoted_expires_and_upper_case_names", {"<sip:a@x>;EXPIRES=\"3600\";Q=0.9"}, 1, {[] {
         ContactExpect e = with_q("sip:a@x", 900);
         e.expires = 3600;
         return e;
     }()}},
    {"open_quote_in_params", {"<sip:a@x>;foo=\"bar"}, 1, {[] {
         ContactExpect e = uri_only("sip:a@x");
         e.syntax_error = ParseError::syntax;
         return e;
     }()}},
    {"quoted_separators_in_params",
     {"<sip:a@x>;foo=\"a;q=0,b\";q=0.5, <sip:b@x>"},
     2,
     {with_q("sip:a@x", 500), uri_only("sip:b@x")}},
    {"empty_header", {""}, 0, {}},
    {"only_commas", {" , ,"}, 0, {}},
    {"empty_elements_skipped",
     {"<sip:a@x>,,<sip:b@x>"},
     2,
     {uri_only("sip:a@x"), uri_only("sip:b@x")}},
};

class ContactTest : public testing::TestWithParam<ContactRow> {};

TEST_P(ContactTest, Parses) {
    const ContactRow &row = GetParam();
    ContactList list;
    for (const std::string &h : row.headers) parse_contacts(h, list);
    EXPECT_EQ(list.total, row.total);
    ASSERT_EQ(list.entries.size(), row.entries.size());
    EXPECT_FALSE(list.truncated());
    for (std::size_t i = 0; i < row.entries.size(); ++i) {
        SCOPED_TRACE("entry " + std::to_string(i));
        const ContactEntry &got = list.entries[i];
        const ContactExpect &want = row.entries[i];
        EXPECT_EQ(got.uri, want.uri);
        EXPECT_EQ(got.display, want.display);
        EXPECT_EQ(got.star, want.star);
        EXPECT_EQ(got.q_milli, want.q);
        EXPECT_EQ(got.expires, want.expires);
        EXPECT_EQ(got.q_error, want.q_error);
        EXPECT_EQ(got.expires_error, want.expires_error);
        EXPECT_EQ(got.syntax_error, want.syntax_error);
        EXPECT_EQ(got.effective_q(), want.q ? *want.q : 1000);
        EXPECT_FALSE(got.uri_truncated);
    }
}

INSTANTIATE_TEST_SUITE_P(Values, ContactTest, testing::ValuesIn(kContactRows),
                         row_name<ContactRow>);

// Large inputs: bounded work and bounded results.
struct ContactBoundRow {
    const char *name;
    std::string header;
    std::size_t total;
    std::size_t kept;
    bool uri_truncated;  // of the first entry
};
SIPDIAG_PRINT_ROW(ContactBoundRow)

std::string many_contacts(std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) {
        if (i) s += ", ";
        s += "<sip:u" + std::to_string(i) + "@x>;q=0." + std::to_string(i % 10);
    }
    return s;
}

// 1 MB URI of 3-byte characters: byte kMaxUriLength falls inside a character.
std::string huge_uri_contact() {
    std::string s = "<sip:";
    while (s.size() < (1u << 20)) s += "\xE2\x82\xAC";  // U+20AC
    return s + "@x>;q=0.5";
}

const ContactBoundRow kContactBoundRows[] = {
    {"exactly_max", many_contacts(kMaxContacts), kMaxContacts, kMaxContacts, false},
    {"one_more_than_max", many_contacts(kMaxContacts + 1), kMaxContacts + 1, kMaxContacts, false},
    {"thousand_contacts", many_contacts(1000), 1000, kMaxContacts, false},
    {"one_megabyte_uri", huge_uri_contact(), 1, 1, true},
};

class ContactBoundTest : public testing::TestWithParam<ContactBoundRow> {};

TEST_P(ContactBoundTest, Bounded) {
    const ContactBoundRow &row = GetParam();
    ContactList list;
    parse_contacts(row.header, list);
    EXPECT_EQ(list.total, row.total);
    EXPECT_EQ(list.entries.size(), row.kept);
    EXPECT_EQ(list.truncated(), row.total > row.kept);
    ASSERT_FALSE(list.entries.empty());
    const ContactEntry &first = list.entries.front();
    EXPECT_EQ(first.uri_truncated, row.uri_truncated);
    EXPECT_LE(first.uri.size(), kMaxUriLength);
    EXPECT_TRUE(valid_utf8(first.uri));
    for (const ContactEntry &e : list.entries) EXPECT_LE(e.uri.size(), kMaxUriLength);
}

INSTANTIATE_TEST_SUITE_P(Values, ContactBoundTest, testing::ValuesIn(kContactBoundRows),
                         row_name<ContactBoundRow>);

TEST(ContactBound, HugeUriCutOnCharacterBoundary) {
    ContactList list;
    parse_contacts(huge_uri_contact(), list);
    ASSERT_EQ(list.entries.size(), 1u);
    const ContactEntry &e = list.entries.front();
    // "sip:" then 169 whole 3-byte characters: the 170th would cross byte 512.
    EXPECT_EQ(e.uri.size(), 4u + 169u * 3u);
    EXPECT_EQ(e.uri.compare(0, 4, "sip:"), 0);
    EXPECT_EQ(e.q_milli, std::optional<std::uint16_t>(500));  // params after '>' still read
}

// Regression: an unbalanced contact beyond kMaxContacts (counted, not kept) flagged the last kept
// contact, a well-formed one, as unbalanced (the 302 diagnosis then named the wrong URI).
TEST(ContactBound, UnbalancedContactNotKeptFlagsNoOther) {
    ContactList list;
    parse_contacts(many_contacts(kMaxContacts) + ", <sip:cut@x", list);
    EXPECT_EQ(list.total, kMaxContacts + 1);
    ASSERT_EQ(list.entries.size(), kMaxContacts);
    for (const ContactEntry &e : list.entries) EXPECT_EQ(e.syntax_error, ParseError::none) << e.uri;
}

TEST(ContactBound, AppendsAcrossCallsAndKeepsCounting) {
    ContactList list;
    for (int i = 0; i < 100; ++i) parse_contacts("<sip:a@x>, <sip:b@x>", list);
    EXPECT_EQ(list.total, 200u);
    EXPECT_EQ(list.entries.size(), kMaxContacts);
    EXPECT_TRUE(list.truncated());
}

// ---------------------------------------------------------------------------------------------
// Entity tags (RFC 3903 11.3: token)

struct EtagRow {
    const char *name;
    std::string input;
    ParseError error;
    std::string value;
};
SIPDIAG_PRINT_ROW(EtagRow)

const EtagRow kEtagRows[] = {
    {"simple", "dx200xyz", ParseError::none, "dx200xyz"},
    {"trimmed", "  kwj449x \r\n", ParseError::none, "kwj449x"},
    {"token_punctuation", "a-b.c!d%e*f_g+h`i'j~k", ParseError::none, "a-b.c!d%e*f_g+h`i'j~k"},
    {"empty", "", ParseError::empty, ""},
    {"spaces_only", "   ", ParseError::empty, ""},
    // Regression: an invalid tag was returned as is although sipvalue.h promises "empty if
    // invalid" (a malformed SIP-ETag then counted as a new entity tag for a 412 recovery).
    {"inner_space", "abc def", ParseError::syntax, ""},
    {"quoted", "\"abc\"", ParseError::syntax, ""},
    {"separator", "abc;x=1", ParseError::syntax, ""},
    {"long_is_bounded", std::string(1000, 'a'), ParseError::none, std::string(256, 'a')},
};

class EntityTagTest : public testing::TestWithParam<EtagRow> {};

TEST_P(EntityTagTest, Parses) {
    const EtagRow &row = GetParam();
    ParseError e = ParseError::none;
    EXPECT_EQ(parse_entity_tag(row.input, &e), row.value);
    EXPECT_EQ(e, row.error);
    EXPECT_EQ(parse_entity_tag(row.input, nullptr), row.value);  // error pointer is optional
}

INSTANTIATE_TEST_SUITE_P(Values, EntityTagTest, testing::ValuesIn(kEtagRows), row_name<EtagRow>);

// ---------------------------------------------------------------------------------------------
// Event type

struct EventRow {
    const char *name;
    std::string input;
    std::string type;
};
SIPDIAG_PRINT_ROW(EventRow)

const EventRow kEventRows[] = {
    {"presence", "presence", "presence"},
    {"upper_case", "Presence", "presence"},
    {"with_id", "dialog;id=1234", "dialog"},
    {"spaces", "  reg ; id = 5 ", "reg"},
    {"template", "presence.winfo", "presence.winfo"},
    {"empty", "", ""},
    {"only_params", ";id=1", ""},
    {"long_is_bounded", std::string(500, 'E'), std::string(64, 'e')},
};

class EventTypeTest : public testing::TestWithParam<EventRow> {};

TEST_P(EventTypeTest, Parses) {
    const EventRow &row = GetParam();
    EXPECT_EQ(parse_event_type(row.input), row.type);
}

INSTANTIATE_TEST_SUITE_P(Values, EventTypeTest, testing::ValuesIn(kEventRows), row_name<EventRow>);

// ---------------------------------------------------------------------------------------------
// String helpers

struct BoundedCopyRow {
    const char *name;
    std::string input;
    std::size_t max;
    std::string output;
    bool truncated;
};
SIPDIAG_PRINT_ROW(BoundedCopyRow)

const BoundedCopyRow kBoundedCopyRows[] = {
    {"short", "abc", 5, "abc", false},
    {"exact", "abcde", 5, "abcde", false},
    {"ascii_cut", "abcdef", 5, "abcde", true},
    {"zero_max", "abc", 0, "", true},
    {"empty", "", 0, "", false},
    {"two_byte_char_not_split", "a\xC3\xA9", 2, "a", true},
    {"two_byte_char_whole", "a\xC3\xA9z", 3, "a\xC3\xA9", true},
    {"four_byte_char_not_split", "ab\xF0\x9F\x98\x80", 5, "ab", true},
    {"invalid_continuation_run", std::string(10, '\x80'), 4, "", true},
};

class BoundedCopyTest : public testing::TestWithParam<BoundedCopyRow> {};

TEST_P(BoundedCopyTest, Copies) {
    const BoundedCopyRow &row = GetParam();
    bool truncated = !row.truncated;
    EXPECT_EQ(bounded_copy(row.input, row.max, &truncated), row.output);
    EXPECT_EQ(truncated, row.truncated);
    EXPECT_EQ(bounded_copy(row.input, row.max), row.output);
}

INSTANTIATE_TEST_SUITE_P(Values, BoundedCopyTest, testing::ValuesIn(kBoundedCopyRows),
                         row_name<BoundedCopyRow>);

struct StringHelperRow {
    const char *name;
    std::string a;
    std::string b;
    bool iequal;
    std::string trimmed_a;
    std::string lower_a;
};
SIPDIAG_PRINT_ROW(StringHelperRow)

const StringHelperRow kStringHelperRows[] = {
    {"same", "INVITE", "INVITE", true, "INVITE", "invite"},
    {"case", "Invite", "iNVITE", true, "Invite", "invite"},
    {"different_length", "INVITE", "INVITES", false, "INVITE", "invite"},
    {"different", "BYE", "ACK", false, "BYE", "bye"},
    {"spaces", " \tab\r\n", "ab", false, "ab", " \tab\r\n"},
    {"empty", "", "", true, "", ""},
    {"non_ascii_untouched", "\xC3\x89", "\xC3\xA9", false, "\xC3\x89", "\xC3\x89"},
};

class StringHelperTest : public testing::TestWithParam<StringHelperRow> {};

TEST_P(StringHelperTest, Helpers) {
    const StringHelperRow &row = GetParam();
    EXPECT_EQ(iequals(row.a, row.b), row.iequal);
    EXPECT_EQ(iequals(row.b, row.a), row.iequal);
    EXPECT_EQ(std::string(trim(row.a)), row.trimmed_a);
    EXPECT_EQ(to_lower(row.a), row.lower_a);
}

INSTANTIATE_TEST_SUITE_P(Values, StringHelperTest, testing::ValuesIn(kStringHelperRows),
                         row_name<StringHelperRow>);

// load_tail() replaces a variable-length memcpy into a zeroed word at the end of every hash:
// the same word for every length and byte (else every key, and the order of hashed tables,
// would change).
TEST(Hash, LoadTailIsTheMemcpyWord) {
    unsigned char bytes[8];
    for (int v = 0; v < 256; ++v) {
        for (std::size_t k = 0; k < 8; ++k) {
            for (std::size_t j = 0; j < 8; ++j)
                bytes[j] = static_cast<unsigned char>(v * 31 + j * 97);
            std::uint64_t want = 0;
            std::memcpy(&want, bytes, k);
            EXPECT_EQ(load_tail(reinterpret_cast<const char *>(bytes), k), want)
                << "length " << k << " first byte " << v;
        }
    }
    EXPECT_EQ(load_tail(nullptr, 0), 0U);
}

// hash_lowered() hashes the client's sent-by as it lowers it: the same key as hashing the
// lowered copy (ClientId did that before), for every length and every byte value.
TEST(Hash, HashLoweredIsTheHashOfTheLoweredText) {
    const std::string text = "Proxy-1.EXAMPLE.org#2;[2001:DB8::1]";
    for (int v = 0; v < 256; v += 7) {
        for (std::size_t len = 0; len <= text.size(); ++len) {
            std::string s = text.substr(0, len);
            if (len > 0) s[len / 2] = static_cast<char>(v);
            EXPECT_EQ(hash_lowered(s, 0x302), hash_parts({to_lower(s)}, 0x302)) << s;
            EXPECT_EQ(hash_lowered(s), hash_parts({to_lower(s)})) << s;
        }
    }
}

// lower_in_place() works eight bytes at a time: every byte value at every place of strings of 1
// to 20 bytes (shorter than a word, words and a tail) must come out as the one-byte rule says (only
// 'A'..'Z' change; 0xC1, whose low seven bits are 'A', and '@', '[', '`', '{' around the letters
// must not).
TEST(StringHelper, LowerEveryByteAtEveryPlace) {
    const std::string text = "Sip.Example-ORG:5060";  // up to 20 bytes: two words and a tail
    for (int v = 0; v < 256; ++v) {
        for (std::size_t len = 1; len <= text.size(); ++len) {
            for (std::size_t at = 0; at < len; ++at) {
                std::string s = text.substr(0, len);
                s[at] = static_cast<char>(v);
                std::string want = s;
                for (char &c : want)
                    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
                EXPECT_EQ(to_lower(s), want) << "byte " << v << " at " << at << " of " << len;
            }
        }
    }
}

struct ErrorTextRow {
    const char *name;
    ParseError error;
    std::string text;
};
SIPDIAG_PRINT_ROW(ErrorTextRow)

const ErrorTextRow kErrorTextRows[] = {
    {"none", ParseError::none, "ok"},
    {"empty", ParseError::empty, "empty value"},
    {"not_numeric", ParseError::not_numeric, "not a number"},
    {"overflow", ParseError::overflow, "larger than 2^32-1"},
    {"syntax", ParseError::syntax, "syntax error"},
};

class ErrorTextTest : public testing::TestWithParam<ErrorTextRow> {};

TEST_P(ErrorTextTest, Text) {
    EXPECT_EQ(parse_error_text(GetParam().error), GetParam().text);
}

INSTANTIATE_TEST_SUITE_P(Values, ErrorTextTest, testing::ValuesIn(kErrorTextRows),
                         row_name<ErrorTextRow>);

}  // namespace
}  // namespace sipdiag
