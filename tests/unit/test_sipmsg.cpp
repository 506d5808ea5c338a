// SPDX-License-Identifier: GPL-2.0-or-later
// Table-driven tests of reading a SIP message's text (plugin/core/sipmsg.h). The expected values
// are those Wireshark 4.0's SIP dissector gives in the fields the adapter used to read (checked
// with tshark -T fields on the same messages), quirks included.
#include "core/rules/rule.h"
#include "core/sipmsg.h"

#include <gtest/gtest.h>

#include "table_test.h"

#include <string>
#include <string_view>
#include <vector>

namespace sipdiag {
namespace {

// What fill_sip_message() gives, one "key=value" per line, empty values left out, so that a row
// states everything the message yields.
std::string summary_of(const SipMessage &m) {
    std::string s;
    auto put = [&](const char *k, const std::string &v) {
        if (!v.empty()) s += std::string(k) + "=" + v + "\n";
    };
    put("request", m.is_request ? m.method + " " + m.request_uri : "");
    put("status", m.status ? std::to_string(m.status) : "");
    put("call", m.call_id);
    put("cseq", m.has_cseq ? std::to_string(m.cseq) + " " + m.cseq_method : "");
    put("via", m.via_sent_by);
    put("branch", m.branch);
    put("from_tag", m.from_tag);
    put("to", m.to_uri);
    for (const auto &c : m.contact) s += "contact=" + c + "\n";
    for (const auto &v : m.session_expires) s += "se=" + v + "\n";
    for (const auto &v : m.min_se) s += "min_se=" + v + "\n";
    for (const auto &v : m.if_match) s += "if_match=" + v + "\n";
    for (const auto &v : m.etag) s += "etag=" + v + "\n";
    for (const auto &v : m.event) s += "event=" + v + "\n";
    for (const auto &h : m.headers.items) {
        s += "hdr" + std::to_string(static_cast<int>(h.first)) + "=" + h.second + "\n";
    }
    return s;
}

std::string summary(std::string_view text) {
    SipMessage m;
    fill_sip_message(parse_sip_message(text), m);
    return summary_of(m);
}

struct MsgRow {
    const char *name;
    std::string text;
    std::string want;  // summary()
};
SIPDIAG_PRINT_ROW(MsgRow)

constexpr char kNulMessage[] =
    "SIP/2.0 302 Moved\r\nCall-ID: nul\0after\r\nContact: <sip:a@x\0>\r\n\r\n";
const std::string kVia = "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\n";
const std::string kEnd = "Content-Length: 0\r\n\r\n";

const MsgRow kMsgRows[] = {
    {"request",
     "INVITE sip:bob@example.com SIP/2.0\r\n" + kVia +
         "From: <sip:alice@example.com>;tag=ft1\r\nTo: <sip:bob@example.com>\r\n"
         "Call-ID: c1@h\r\nCSeq: 1 INVITE\r\n" +
         kEnd,
     "request=INVITE sip:bob@example.com\ncall=c1@h\ncseq=1 INVITE\nvia=10.0.0.1#1\n"
     "branch=z9hG4bK1\nfrom_tag=ft1\nto=sip:bob@example.com\n"},
    {"response",
     "SIP/2.0 302 Moved Temporarily\r\n" + kVia + "Call-ID: c2\r\nCSeq: 7 INVITE\r\n" +
         "Contact: <sip:a@10.0.0.9>;q=0.5\r\n" + kEnd,
     "status=302\ncall=c2\ncseq=7 INVITE\nvia=10.0.0.1#1\nbranch=z9hG4bK1\n"
     "contact=<sip:a@10.0.0.9>;q=0.5\n"},
    {"status_line_without_reason_phrase_is_not_sip", "SIP/2.0 200\r\nCall-ID: c\r\n\r\n", ""},
    {"status_code_of_four_digits", "SIP/2.0 2000 OK\r\nCall-ID: c\r\n\r\n", ""},
    {"lower_case_version_is_not_sip", "sip/2.0 200 OK\r\nCall-ID: c\r\n\r\n", ""},
    {"request_with_trailing_space_is_not_sip", "OPTIONS sip:x@y SIP/2.0 \r\nCall-ID: c\r\n\r\n",
     ""},
    {"request_with_two_spaces_is_not_sip", "INVITE  sip:a@b SIP/2.0\r\nCall-ID: c\r\n\r\n", ""},
    {"request_uri_without_colon", "INVITE abc SIP/2.0\r\nCall-ID: c\r\n\r\n", ""},
    {"empty", "", ""},
    {"compact_forms",
     "SIP/2.0 200 OK\r\ni: cc\r\nv: SIP/2.0/UDP h1;branch=b1\r\nf: <sip:a@x>;tag=ff\r\n"
     "t: <sip:to@x>\r\nm: <sip:m@x>\r\nx: 100\r\no: presence\r\nk: timer\r\nc: text/plain\r\n"
     "u: dialog\r\nl: 0\r\ne: gzip\r\na: *;audio\r\n\r\n",
     "status=200\ncall=cc\nvia=h1#1\nbranch=b1\nfrom_tag=ff\nto=sip:to@x\ncontact=<sip:m@x>\n"
     "se=100\nevent=presence\nhdr7=timer\nhdr11=text/plain\nhdr13=dialog\n"},
    // The compact forms go through the same name table as the full names (lengths 1 and 2:
    // "to" must not be taken for a compact form, nor "I" missed for being upper case).
    {"compact_forms_upper_case",
     "SIP/2.0 200 OK\r\nI: cc\r\nV: SIP/2.0/UDP h1;branch=b1\r\nF: <sip:a@x>;tag=ff\r\n"
     "T: <sip:to@x>\r\nM: <sip:m@x>\r\nX: 100\r\nO: presence\r\nK: timer\r\nC: text/plain\r\n"
     "U: dialog\r\nL: 0\r\n\r\n",
     "status=200\ncall=cc\nvia=h1#1\nbranch=b1\nfrom_tag=ff\nto=sip:to@x\ncontact=<sip:m@x>\n"
     "se=100\nevent=presence\nhdr7=timer\nhdr11=text/plain\nhdr13=dialog\n"},
    {"one_letter_names_that_are_not_read",
     "SIP/2.0 200 OK\r\nl: 0\r\ne: gzip\r\ns: subj\r\n"
     "r: sip:x@y\r\nb: sip:z@w\r\n@: 1\r\n\r\n",
     "status=200\n"},
    {"names_are_case_insensitive",
     "SIP/2.0 200 OK\r\nCALL-ID: up\r\ncseq: 3 bye\r\nVIA: SIP/2.0/UDP H1;BRANCH=B1\r\n"
     "cOnTaCt: <sip:x@y>\r\nMIN-se: 90\r\nsip-etag: e1\r\nSiP-iF-mAtCh: e0\r\n\r\n",
     "status=200\ncall=up\ncseq=3 bye\nvia=h1#1\nbranch=B1\ncontact=<sip:x@y>\nmin_se=90\n"
     "if_match=e0\netag=e1\n"},
    // Header names are compared eight bytes at a time with 0x20 set in each byte (classify()):
    // bytes that fold onto one of our names' bytes without being its letter ('_' onto '-' would be
    // 0x7F, a control byte onto a letter, a lone CR where '-' is) must still not match.
    {"names_that_only_fold_like_ours_are_unknown",
     "SIP/2.0 200 OK\r\nCall_ID: u\r\nCall-I\x04: v\r\nC\x13"
     "eq: 1 x\r\nMin\rSE: 9\r\n"
     "Call-ID-: w\r\nVi\x01: SIP/2.0/UDP h;branch=b\r\n\r\n",
     "status=200\n"},
    {"name_with_space_before_colon_is_unknown",
     "SIP/2.0 200 OK\r\nCall-ID : x\r\nContact :<sip:x@y>\r\n\r\n", "status=200\n"},
    {"values_keep_trailing_whitespace",
     "SIP/2.0 200 OK\r\nCall-ID:   c3  \r\nCSeq:  12   INVITE  \r\nMin-SE:\t 90\t\r\n\r\n",
     "status=200\ncall=c3  \ncseq=12 INVITE  \nmin_se=90\t\n"},
    {"folding_keeps_the_line_break",
     "SIP/2.0 200 OK\r\nCall-ID: a\r\n b\r\nContact: <sip:a@x>,\r\n\t<sip:b@x>\r\n"
     "Call-ID: second\r\n\r\n",
     "status=200\ncall=a\r\n b\ncontact=<sip:a@x>,\r\n\t<sip:b@x>\n"},
    {"folded_value_after_the_colon", "SIP/2.0 200 OK\r\nCall-ID:\r\n  c4\r\n\r\n",
     "status=200\ncall=c4\n"},
    {"folding_to_the_end_of_the_data_drops_the_header",
     "SIP/2.0 200 OK\r\nCall-ID: c\r\nContact: <sip:a@x>\r\n <sip:b@x>", "status=200\ncall=c\n"},
    {"multiple_via_and_comma_separated_values",
     "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP Proxy.Example:5060;branch=top , SIP/2.0/TCP "
     "[2001:DB8::1]:5070;branch=b2\r\nv: SIP/2.0/UDP 10.0.0.1;branch=b3\r\n\r\n",
     "status=200\nvia=proxy.example#3\nbranch=top\n"},
    {"ipv6_top_via", "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP [::1]:5060;rport;branch=b6\r\n\r\n",
     "status=200\nvia=::1#1\nbranch=b6\n"},
    {"via_with_spaces_around_slashes",
     "SIP/2.0 200 OK\r\nVia: SIP / 2.0 / UDP h4 ;branch=b4\r\n\r\n",
     "status=200\nvia=h4#1\nbranch=b4\n"},
    {"branch_only_from_the_first_via_line",
     "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h6\r\nVia: SIP/2.0/UDP h7;branch=b7\r\n\r\n",
     "status=200\nvia=h6#2\n"},
    {"garbage_via_gives_an_empty_host",
     "SIP/2.0 200 OK\r\nVia: garbage\r\nVia: SIP/2.0/UDP h9;branch=b9\r\n\r\n", "status=200\n"},
    {"comma_in_quoted_via_parameter",
     "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h2;branch=\"q,b\";x=\"a,b\", SIP/2.0/UDP h3\r\n\r\n",
     "status=200\nvia=h2#2\nbranch=\"q\n"},
    {"from_tag_after_the_name_addr",
     "SIP/2.0 200 OK\r\nFrom: \"A;b<c\" <sip:a@x;tag=no>;tag=ft1 ;foo\r\n"
     "To: Bob <sip:bob@example.com;transport=udp>;tag=tt\r\n\r\n",
     "status=200\nfrom_tag=ft1 \nto=sip:bob@example.com;transport=udp\n"},
    {"branch_without_equals_is_the_whole_parameter",
     "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h1:5060;branch\xe3z9\r\n\r\n",
     "status=200\nvia=h1#1\nbranch=branch\xEF\xBF\xBDz9\n"},
    {"garbage_after_the_port_starts_another_via_parm",
     "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h1:5060ubranch=z9\r\n\r\n", "status=200\nvia=h1#2\n"},
    {"bad_port_ends_the_via",
     "SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP h1:R074;rport;branch=z9, SIP/2.0/UDP h2\r\n\r\n",
     "status=200\nvia=h1#1\n"},
    {"tag_found_anywhere_after_the_uri",
     "SIP/2.0 200 OK\r\nFrom: <sip:a@x>;x=\"a;tag=q\";tag=t16\r\nFrom: <sip:b@x>:tag=t1\r\n\r\n",
     "status=200\nfrom_tag=q\"\n"},
    {"tag_after_a_colon", "SIP/2.0 200 OK\r\nFrom: <sip:b@x>:tag=t1\r\n\r\n",
     "status=200\nfrom_tag=t1\n"},
    {"addr_spec_from_and_to",
     "SIP/2.0 200 OK\r\nFrom: sip:a@x;tag=ft2;x=y\r\nTo: sip:bob@example.com;tag=abc\r\n\r\n",
     "status=200\nfrom_tag=ft2\nto=sip:bob@example.com\n"},
    {"tag_is_case_sensitive_and_bad_name_addr_ignored",
     "SIP/2.0 200 OK\r\nFrom: sip:a@x;TAG=up\r\nTo: \"Bob\" sip:b@y\r\nTo: <sip:c@y\r\n"
     "To: <sip:d@y>\r\n\r\n",
     "status=200\nto=sip:d@y\n"},
    {"cseq_quirks_overflow_and_sign", "SIP/2.0 200 OK\r\nCSeq: 4294967296 INVITE\r\n\r\n",
     "status=200\ncseq=0 INVITE\n"},
    {"cseq_negative", "SIP/2.0 200 OK\r\nCSeq: -1 INVITE\r\n\r\n",
     "status=200\ncseq=4294967295 INVITE\n"},
    {"cseq_without_method_or_number", "SIP/2.0 200 OK\r\nCSeq: 12\r\nCSeq: abc REGISTER\r\n\r\n",
     "status=200\ncseq=0 abc REGISTER\n"},
    {"cseq_method_longer_than_16", "SIP/2.0 200 OK\r\nCSeq: 1 AAAAAAAAAAAAAAAAA\r\n\r\n",
     "status=200\ncseq=1 \n"},
    {"cseq_method_of_16", "SIP/2.0 200 OK\r\nCSeq: 1 AAAAAAAAAAAAAAAA\r\n\r\n",
     "status=200\ncseq=1 AAAAAAAAAAAAAAAA\n"},
    {"expires_and_retry_after_are_numbers",
     "SIP/2.0 503 Busy\r\nRetry-After: 120 (lunch);duration=60\r\nRetry-After: 99999999999\r\n"
     "Retry-After: -1\r\nRetry-After: 30\r\nExpires: 3600 ;x\r\nExpires: abc\r\nExpires: -1\r\n"
     "Min-Expires: 60 \r\n\r\n",
     "status=503\nhdr14=0\nhdr14=4294967295\nhdr14=30\nhdr15=3600\nhdr15=0\nhdr15=4294967295\n"
     "hdr16=60 \n"},
    {"topic_headers_in_hdr_order",
     "SIP/2.0 401 Unauthorized\r\nWarning: 399 h \"t\"\r\n"
     "WWW-Authenticate: Digest realm=\"r\",\n\tnonce=\"n\"\r\nSupported: timer\r\n"
     "Security-Server: ipsec-3gpp;q=0.1\r\nProxy-Authenticate: Digest realm=\"p\"\r\n\r\n",
     "status=401\nhdr0=Digest realm=\"r\",\n\tnonce=\"n\"\nhdr1=Digest realm=\"p\"\n"
     "hdr7=timer\nhdr12=399 h \"t\"\nhdr17=ipsec-3gpp;q=0.1\n"},
    {"bare_lf_and_lone_cr", "SIP/2.0 200 OK\nCall-ID: lf\nCSeq: 1 INVITE\n\nCall-ID: body\n",
     "status=200\ncall=lf\ncseq=1 INVITE\n"},
    {"lone_cr", "SIP/2.0 200 OK\rCall-ID: cr-only\rCSeq: 1 INVITE\r\r",
     "status=200\ncall=cr-only\ncseq=1 INVITE\n"},
    {"nul_byte_ends_the_value", std::string(kNulMessage, sizeof kNulMessage - 1),
     "status=302\ncall=nul\ncontact=<sip:a@x\n"},
    {"invalid_utf8_replaced",
     "INV\xff"
     "ITE sip:a@b;x=\xff SIP/2.0\r\nCall-ID: a\xc0\x80"
     "b\xe2\x82"
     "c\xed\xa0\x80"
     "d\xf0\x9f\x98\x80\r\n\r\n",
     "request=INV\xEF\xBF\xBDITE sip:a@b;x=\xEF\xBF\xBD\ncall=a\xEF\xBF\xBD\xEF\xBF\xBD"
     "b\xEF\xBF\xBD"
     "c\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
     "d\xf0\x9f\x98\x80\n"},
    {"missing_blank_line", "SIP/2.0 200 OK\r\nCall-ID: c5\r\nCSeq: 1 INVITE",
     "status=200\ncall=c5\ncseq=1 INVITE\n"},
    {"body_is_not_read",
     "SIP/2.0 302 Moved\r\nCall-ID: c6\r\nContent-Length: 22\r\n\r\nContact: <sip:body@x>\r\n",
     "status=302\ncall=c6\n"},
    {"truncated_in_a_header", "SIP/2.0 302 Moved\r\nCall-ID: c7\r\nContact: <sip:tr",
     "status=302\ncall=c7\ncontact=<sip:tr\n"},
    {"truncated_in_the_start_line", "SIP/2.0 30", ""},
    {"line_without_colon_is_skipped", "SIP/2.0 200 OK\r\nNoColonHere\r\nCall-ID: c8\r\n\r\n",
     "status=200\ncall=c8\n"},
    {"first_non_empty_call_id", "SIP/2.0 200 OK\r\nCall-ID:\r\nCall-ID: c9\r\n\r\n",
     "status=200\ncall=c9\n"},
    {"at_most_four_session_expires",
     "SIP/2.0 200 OK\r\nSession-Expires: 1\r\nx: 2\r\nSession-Expires: 3\r\n"
     "Session-Expires: 4\r\nSession-Expires: 5\r\n\r\n",
     "status=200\nse=1\nse=2\nse=3\nse=4\n"},
};

class MessageTest : public testing::TestWithParam<MsgRow> {};

TEST_P(MessageTest, Fields) {
    EXPECT_EQ(summary(GetParam().text), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(Sipmsg, MessageTest, testing::ValuesIn(kMsgRows), row_name<MsgRow>);

// The adapter parses every message into one SipText and fills one SipMessage (their buffers are
// kept): every row, read after every other row with the same two objects, gives its own fields.
TEST(SipmsgReuse, EveryRowAfterEveryOtherWithTheSameObjects) {
    SipText t;
    SipMessage m;
    for (const MsgRow &before : kMsgRows) {
        for (const MsgRow &row : kMsgRows) {
            parse_sip_message(before.text, t);
            fill_sip_message(t, m);
            parse_sip_message(row.text, t);
            fill_sip_message(t, m);
            ASSERT_EQ(summary_of(m), row.want) << row.name << " after " << before.name;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Field text

struct TextRow {
    const char *name;
    std::string raw;
    std::string want;
};
SIPDIAG_PRINT_ROW(TextRow)

const TextRow kTextRows[] = {
    {"ascii", "abc", "abc"},
    {"valid_multibyte", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
     "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"},
    {"lone_continuation",
     "a\x80"
     "b",
     "a\xEF\xBF\xBD"
     "b"},
    {"overlong_two_bytes", "\xc0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD"},
    {"truncated_three_bytes_is_one_subpart", "\xe2\x82", "\xEF\xBF\xBD"},
    {"surrogate", "\xed\xa0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
    {"above_u10ffff", "\xf4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
    {"f5_and_ff", "\xf5\xff", "\xEF\xBF\xBD\xEF\xBF\xBD"},
    {"nul_cuts", std::string("ab\0\xff", 4), "ab"},
    {"truncated_four_bytes_then_ascii", "\xf0\x9f\x98z", "\xEF\xBF\xBDz"},
};

class FieldTextTest : public testing::TestWithParam<TextRow> {};

TEST_P(FieldTextTest, Text) {
    EXPECT_EQ(field_text(GetParam().raw), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(Sipmsg, FieldTextTest, testing::ValuesIn(kTextRows), row_name<TextRow>);

// ---------------------------------------------------------------------------------------------
// Bounded copies: plain ASCII is copied as is (cut at the bound), anything else goes through
// field_text() first (cut at NUL, invalid UTF-8 replaced) and is cut on a character boundary.

struct BoundRow {
    const char *name;
    std::string branch;  // raw value of the branch parameter
    std::string want;
};
SIPDIAG_PRINT_ROW(BoundRow)

const BoundRow kBoundRows[] = {
    {"ascii_under_the_bound", std::string(255, 'a'), std::string(255, 'a')},
    {"ascii_at_the_bound", std::string(256, 'a'), std::string(256, 'a')},
    {"ascii_over_the_bound", std::string(300, 'a'), std::string(256, 'a')},
    // the NUL in the first, in the second and in the tail of the 8-byte words
    {"nul_in_first_word", std::string("abc\0def", 7) + "ghijk", "abc"},
    {"nul_in_second_word", std::string("abcdefghi\0jklmnop", 17), "abcdefghi"},
    {"nul_in_tail", std::string("abcdefghijk\0", 12), "abcdefghijk"},
    {"high_byte_in_second_word", "abcdefgh\xc3\xa9z", "abcdefgh\xc3\xa9z"},
    {"invalid_byte_in_tail", "abcdefghij\xff", "abcdefghij\xEF\xBF\xBD"},
    // 200 two-byte characters: the cut at 256 bytes falls between two characters
    {"multibyte_over_the_bound",
     [] {
         std::string s;
         for (int i = 0; i < 200; ++i) s += "\xc3\xa9";
         return s;
     }(),
     [] {
         std::string s;
         for (int i = 0; i < 128; ++i) s += "\xc3\xa9";
         return s;
     }()},
    // "a" then two-byte characters: the cut at 256 would split one, so it backs up to 255
    {"multibyte_cut_backs_up",
     [] {
         std::string s = "a";
         for (int i = 0; i < 200; ++i) s += "\xc3\xa9";
         return s;
     }(),
     [] {
         std::string s = "a";
         for (int i = 0; i < 127; ++i) s += "\xc3\xa9";
         return s;
     }()},
};

class CopyBoundTest : public testing::TestWithParam<BoundRow> {};

TEST_P(CopyBoundTest, Branch) {
    const std::string text =
        "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=" + GetParam().branch + "\r\n\r\n";
    SipMessage m;
    fill_sip_message(parse_sip_message(text), m);
    EXPECT_EQ(m.branch, GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(Sipmsg, CopyBoundTest, testing::ValuesIn(kBoundRows), row_name<BoundRow>);

// The adapter fills the same SipMessage objects frame after frame: nothing of an earlier, larger
// message may remain.
TEST(SipmsgReuse, SecondMessageLeavesNothingOfTheFirst) {
    const std::string first =
        "SIP/2.0 302 Moved\r\nVia: SIP/2.0/UDP Host.Example:5060;branch=b1\r\n"
        "From: <sip:a@x>;tag=t1\r\nTo: <sip:b@y>\r\nCall-ID: c1\r\n"
        "CSeq: 1 INVITE\r\nContact: <sip:1@h>\r\nContact: <sip:2@h>\r\n"
        "Session-Expires: 90\r\nMin-SE: 90\r\nSIP-ETag: e\r\n"
        "SIP-If-Match: m\r\nEvent: presence\r\nRetry-After: 5\r\n\r\n";
    const std::string second = "OPTIONS sip:z@w SIP/2.0\r\nContact: <sip:3@h>\r\n\r\n";
    SipMessage m;
    fill_sip_message(parse_sip_message(first), m);
    EXPECT_EQ(m.via_sent_by, "host.example#1");  // lower-cased, with the number of Vias
    EXPECT_EQ(m.contact.size(), 2u);
    fill_sip_message(parse_sip_message(second), m);
    SipMessage fresh;
    fill_sip_message(parse_sip_message(second), fresh);
    EXPECT_EQ(m.method, fresh.method);
    EXPECT_EQ(m.request_uri, fresh.request_uri);
    EXPECT_EQ(m.status, 0u);
    EXPECT_EQ(m.call_id, "");
    EXPECT_FALSE(m.has_cseq);
    EXPECT_EQ(m.cseq_method, "");
    EXPECT_EQ(m.via_sent_by, "");
    EXPECT_EQ(m.branch, "");
    EXPECT_EQ(m.from_tag, "");
    EXPECT_EQ(m.to_uri, "");
    EXPECT_EQ(m.contact, std::vector<std::string>{"<sip:3@h>"});
    EXPECT_TRUE(m.session_expires.empty() && m.min_se.empty() && m.etag.empty() &&
                m.if_match.empty() && m.event.empty() && m.headers.items.empty());
}

// ---------------------------------------------------------------------------------------------
// Hostile sizes: bounded results, no quadratic work (each runs in milliseconds).

TEST(SipmsgHostile, HugeHeaderLine) {
    const std::string big(1 << 20, 'x');
    const std::string text = "SIP/2.0 302 Moved\r\nContact: <sip:" + big +
                             "@h>\r\nCall-ID: " + big + "\r\nCSeq: 1 " + big +
                             "\r\nVia: SIP/2.0/UDP " + big + ";branch=" + big + "\r\n\r\n";
    SipMessage m;
    fill_sip_message(parse_sip_message(text), m);
    ASSERT_EQ(m.contact.size(), 1u);
    EXPECT_EQ(m.contact[0].size(), big.size() + 8);
    EXPECT_EQ(m.call_id, big);  // whole: the correlator keeps only its hash
    EXPECT_TRUE(m.has_cseq);
    EXPECT_EQ(m.cseq_method, "");               // longer than 16: Wireshark drops it
    EXPECT_EQ(m.via_sent_by.size(), 256u + 2);  // bounded copy, "#1"
    EXPECT_EQ(m.branch.size(), 256u);
}

TEST(SipmsgHostile, ManyHeadersAndViaValues) {
    std::string text = "SIP/2.0 302 Moved\r\nVia: SIP/2.0/UDP h0;branch=b0";
    for (int i = 1; i < 20000; ++i) text += ",SIP/2.0/UDP h;branch=b";
    text += "\r\n";
    for (int i = 0; i < 20000; ++i) text += "Contact: <sip:c@h>\r\nMin-SE: 1\r\nWarning: 399 h\r\n";
    text += "\r\n";
    const SipText t = parse_sip_message(text);
    EXPECT_EQ(t.via_count, 20000u);
    EXPECT_EQ(t.contact.size(), 20000u);  // every line: the core counts them
    EXPECT_EQ(t.min_se.size(), SipText::kMaxKept);
    EXPECT_EQ(t.topics[static_cast<std::size_t>(Hdr::warning)].size(), SipText::kMaxTopicHeaders);
    SipMessage m;
    fill_sip_message(t, m);
    EXPECT_EQ(m.via_sent_by, "h0#20000");
    EXPECT_EQ(m.branch, "b0");
    EXPECT_EQ(m.headers.items.size(), 64u);
}

TEST(SipmsgHostile, OnlyLineBreaksAndNuls) {
    const std::string text = "SIP/2.0 200 OK\r\n" + std::string(100000, '\0') + "\r\n" +
                             std::string(100000, '\n') + std::string(100000, ' ');
    SipMessage m;
    fill_sip_message(parse_sip_message(text), m);
    EXPECT_EQ(m.status, 200u);
    EXPECT_TRUE(m.call_id.empty() && m.contact.empty() && m.headers.items.empty());
}

// The adapter's way (extract.cpp): one SipText, one TextStore and one MessageView for every
// message, views into the text. They must say what the owning copy says, whatever came before.
std::string lowered(std::string_view s) {
    std::string out(s);
    for (char &c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    return out;
}

bool same(const MessageView &a, const MessageView &b) {
    // The client: the view reads the Via host as it is (client_hash() lowers it), the copy's
    // "host#count" is lower-cased.
    const bool client =
        lowered(a.via_sent_by) == lowered(b.via_sent_by) && a.via_count == b.via_count;
    return client && a.is_request == b.is_request && a.method == b.method && a.status == b.status &&
           a.request_uri == b.request_uri && a.call_id == b.call_id && a.call_hash == b.call_hash &&
           a.has_cseq == b.has_cseq && a.cseq == b.cseq && a.cseq_method == b.cseq_method &&
           a.branch == b.branch && a.from_tag == b.from_tag && a.to_uri == b.to_uri &&
           a.to_tag == b.to_tag && a.contact == b.contact &&
           a.session_expires == b.session_expires && a.min_se == b.min_se &&
           a.if_match == b.if_match && a.etag == b.etag && a.event == b.event &&
           a.headers.items == b.headers.items;
}

TEST(SipmsgViews, ReusedViewsSayWhatTheCopySays) {
    SipText t;
    TextStore store;
    MessageView v;
    for (const MsgRow &before : kMsgRows) {
        for (const MsgRow &row : kMsgRows) {
            store.reset();
            parse_sip_message(before.text, t);
            fill_view(t, store, v);
            store.reset();
            parse_sip_message(row.text, t);
            fill_view(t, store, v);
            SipMessage copy;
            fill_sip_message(parse_sip_message(row.text), copy);
            ASSERT_TRUE(same(v, view_of(copy))) << row.name << " after " << before.name;
        }
    }
}

// The client (client_hash()) is the top Via host, whatever its case, and the number of Vias; the
// view reads the host in place and the SipMessage path ("host#count") must name the same client.
// Regression guard for the change that stopped building a lower-cased "host#count" per message.
TEST(SipmsgViews, ClientIsTheViaHostAnyCaseAndTheNumberOfVias) {
    const auto request = [](std::string_view vias) {
        return std::string("INVITE sip:b@example.com SIP/2.0\r\n") + std::string(vias) +
               "Call-ID: c1\r\nCSeq: 1 INVITE\r\nFrom: <sip:a@example.com>;tag=f\r\n\r\n";
    };
    const std::string upper = request("Via: SIP/2.0/UDP Host.EXAMPLE:5060;branch=z9hG4bK1\r\n");
    const std::string lower = request("Via: SIP/2.0/UDP host.example:5070;branch=z9hG4bK2\r\n");
    const std::string proxied = request(
        "Via: SIP/2.0/UDP host.example;branch=z9hG4bK3\r\nVia: SIP/2.0/UDP p.example;branch=x\r\n");
    const auto hash_of_view = [](const std::string &text) {
        SipText t;
        TextStore store;
        MessageView v;
        parse_sip_message(text, t);
        fill_view(t, store, v);
        return client_hash(v);
    };
    const auto hash_of_copy = [](const std::string &text) {
        SipMessage m;
        fill_sip_message(parse_sip_message(text), m);
        return client_hash(view_of(m));
    };
    EXPECT_EQ(hash_of_view(upper), hash_of_view(lower));
    EXPECT_NE(hash_of_view(lower), hash_of_view(proxied));
    for (const std::string *text : {&upper, &lower, &proxied}) {
        EXPECT_EQ(hash_of_view(*text), hash_of_copy(*text));
    }
}

// Regression guard: converted values live in the store, which grows while a message is filled;
// growing must not move the strings the earlier views point to (a vector of strings would: short
// strings live inside the vector's elements).
TEST(SipmsgViews, ConvertedValuesStayValidWhileTheStoreGrows) {
    std::string text =
        "SIP/2.0 302 Moved\r\nCall-ID: c\xff"
        "1\r\nCSeq: 1 INVITE\r\n";
    for (int i = 0; i < 60; ++i) text += "Contact: <sip:u" + std::to_string(i) + "\xfe@h>\r\n";
    text += "\r\n";
    const SipText t = parse_sip_message(text);
    TextStore store;
    MessageView v;
    fill_view(t, store, v);
    ASSERT_EQ(v.contact.size(), 60u);
    EXPECT_EQ(v.call_id,
              "c\xEF\xBF\xBD"
              "1");
    for (int i = 0; i < 60; ++i) {
        EXPECT_EQ(v.contact[static_cast<std::size_t>(i)],
                  "<sip:u" + std::to_string(i) + "\xEF\xBF\xBD@h>");
    }
}

// The To tag, read as Wireshark reads the From tag (sip.to.tag): first "tag=" after the URI, up to
// the next ';'; none when the To has no tag (a 100 Trying) or the value does not parse.
TEST(SipmsgToTag, AsWiresharkFindsIt) {
    struct Row {
        const char *to;
        const char *tag;
    };
    const Row rows[] = {
        {"<sip:bob@b.example>;tag=5801fork-a4", "5801fork-a4"},
        {"\"Bob\" <sip:bob@b.example>;tag=x;other=1", "x"},
        {"sip:bob@b.example;tag=plain", "plain"},
        {"<sip:bob@b.example;tag=in-uri>", ""},  // inside the URI: a URI parameter
        {"<sip:bob@b.example>", ""},
        {"\"unterminated <sip:bob@b.example>;tag=t", ""},
    };
    for (const Row &r : rows) {
        SipMessage m;
        fill_sip_message(parse_sip_message(std::string("SIP/2.0 180 Ringing\r\nTo: ") + r.to +
                                           "\r\nCall-ID: c\r\n\r\n"),
                         m);
        EXPECT_EQ(m.to_tag, r.tag) << r.to;
    }
}

// The reader scans each line sixteen bytes at a time (line end, first colon, plain ASCII): a byte
// that matters must count wherever it falls, before, on or after a sixteen-byte boundary, and in
// the line's last bytes (read one at a time). Call-ID values with the byte at every place of the
// first 48.
TEST(SipmsgScan, ALineEndColonOrOddByteAtEveryPlace) {
    struct Row {
        const char *name;
        std::string byte;      // put after `p` letters a
        std::string expected;  // the Call-ID then, after the `p` letters a
    };
    const Row rows[] = {
        {"invalid UTF-8", "\xff",
         "\xEF\xBF\xBD"
         "bbbbb"},
        {"valid UTF-8", "\xC3\xA9",
         "\xC3\xA9"
         "bbbbb"},
        {"NUL cuts the text", std::string(1, '\0'), ""},
        {"a colon in the value", ":", ":bbbbb"},
        {"a lone CR ends the line", "\r", ""},
        {"LF ends the line", "\n", ""},
        {"a folded line continues it", "\r\n ", "\r\n bbbbb"},
    };
    for (const Row &row : rows) {
        for (std::size_t p = 0; p < 48; ++p) {
            const std::string text = "SIP/2.0 302 Moved\r\nCall-ID: " + std::string(p, 'a') +
                                     row.byte + "bbbbb\r\nCSeq: 1 INVITE\r\n\r\n";
            SipMessage m;
            fill_sip_message(parse_sip_message(text), m);
            // A value starts after the whitespace after the colon, line breaks included.
            std::string want = std::string(p, 'a') + row.expected;
            if (p == 0) want.erase(0, want.find_first_not_of(" \t\r\n"));
            EXPECT_EQ(m.call_id, want) << row.name << " at " << p;
            EXPECT_TRUE(m.has_cseq) << row.name << " at " << p;
            EXPECT_EQ(m.cseq_method, "INVITE") << row.name << " at " << p;
        }
    }
}

// The colon found by the scan is the first of the line, also past the first sixteen bytes (a
// long header name) and when the name itself is cut by a boundary.
TEST(SipmsgScan, TheFirstColonOfALongHeaderLine) {
    for (std::size_t pad = 0; pad < 20; ++pad) {
        const std::string text = "SIP/2.0 407 Auth\r\n" + std::string(pad, 'X') +
                                 "Y: 1\r\nProxy-Authenticate: Digest realm=\"a:b\"\r\n"
                                 "Call-ID: c" +
                                 std::string(pad, 'c') + "\r\n\r\n";
        SipMessage m;
        fill_sip_message(parse_sip_message(text), m);
        ASSERT_EQ(m.headers.items.size(), 1u) << pad;
        EXPECT_EQ(m.headers.items[0].first, Hdr::proxy_authenticate) << pad;
        EXPECT_EQ(m.headers.items[0].second, "Digest realm=\"a:b\"") << pad;
        EXPECT_EQ(m.call_id, "c" + std::string(pad, 'c')) << pad;
    }
}

// The client hash is kept in the view by its first use: a view filled again for the next message
// must not keep the previous message's (the adapter reuses its views from message to message).
TEST(SipmsgViews, TheClientHashIsThatOfTheMessageFilledLast) {
    const std::string a =
        "INVITE sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP Alice.example:5060;branch=z9"
        "hG4bK1\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n\r\n";
    const std::string b =
        "INVITE sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP bob.example:5060;branch=z9"
        "hG4bK2\r\nCall-ID: c2\r\nCSeq: 1 INVITE\r\n\r\n";
    SipText t;
    TextStore store;
    MessageView v;
    parse_sip_message(a, t);
    fill_view(t, store, v);
    const std::uint64_t first = client_hash(v);
    store.reset();
    parse_sip_message(b, t);
    fill_view(t, store, v);
    SipMessage copy;
    fill_sip_message(parse_sip_message(b), copy);
    EXPECT_NE(client_hash(v), first);
    EXPECT_EQ(client_hash(v), client_hash(view_of(copy)));
    // The identity is case-insensitive (the Via host is lower-cased).
    SipMessage upper;
    fill_sip_message(parse_sip_message(a), upper);
    upper.via_sent_by = "ALICE.EXAMPLE#1";
    EXPECT_EQ(client_hash(view_of(upper)), first);
}

}  // namespace
}  // namespace sipdiag
