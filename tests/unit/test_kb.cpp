// SPDX-License-Identifier: GPL-2.0-or-later
// Unit tests for the knowledge base (plugin/kb): coverage of the IANA registry, completeness of
// every language, comparison consistency, class fallbacks and a few facts that must stay right.
#include "kb/kb.h"

#include <gtest/gtest.h>

#include <climits>
#include <cstring>
#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace {

using sipdiag::kb::Compare;
using sipdiag::kb::Entry;
using sipdiag::kb::Label;
using sipdiag::kb::Lang;

constexpr Lang kAllLangs[] = {Lang::en, Lang::fr};

bool empty(const char *s) {
    return s == nullptr || *s == '\0';
}
bool contains(const char *haystack, const char *needle) {
    return haystack != nullptr && std::strstr(haystack, needle) != nullptr;
}
std::string lang_name(Lang l) {
    return l == Lang::en ? "en" : "fr";
}

// The IANA "Response Codes" registry with the reason phrase and a fragment of the defining
// reference that the knowledge base must show.
struct Expected {
    unsigned code;
    const char *reason;
    const char *rfc;
};

const Expected kRegistry[] = {
    {100, "Trying", "RFC 3261, section 21.1.1"},
    {180, "Ringing", "RFC 3261, section 21.1.2"},
    {181, "Call Is Being Forwarded", "RFC 3261, section 21.1.3"},
    {182, "Queued", "RFC 3261, section 21.1.4"},
    {183, "Session Progress", "RFC 3261, section 21.1.5"},
    {199, "Early Dialog Terminated", "RFC 6228"},
    {200, "OK", "RFC 3261, section 21.2.1"},
    {202, "Accepted", "RFC 6665"},
    {204, "No Notification", "RFC 5839"},
    {300, "Multiple Choices", "RFC 3261, section 21.3.1"},
    {301, "Moved Permanently", "RFC 3261, section 21.3.2"},
    {302, "Moved Temporarily", "RFC 3261, section 21.3.3"},
    {305, "Use Proxy", "RFC 3261, section 21.3.4"},
    {380, "Alternative Service", "RFC 3261, section 21.3.5"},
    {400, "Bad Request", "RFC 3261, section 21.4.1"},
    {401, "Unauthorized", "RFC 3261, section 21.4.2"},
    {402, "Payment Required", "RFC 3261, section 21.4.3"},
    {403, "Forbidden", "RFC 3261, section 21.4.4"},
    {404, "Not Found", "RFC 3261, section 21.4.5"},
    {405, "Method Not Allowed", "RFC 3261, section 21.4.6"},
    {406, "Not Acceptable", "RFC 3261, section 21.4.7"},
    {407, "Proxy Authentication Required", "RFC 3261, section 21.4.8"},
    {408, "Request Timeout", "RFC 3261, section 21.4.9"},
    {410, "Gone", "RFC 3261, section 21.4.10"},
    {412, "Conditional Request Failed", "RFC 3903"},
    {413, "Request Entity Too Large", "RFC 3261, section 21.4.11"},
    {414, "Request-URI Too Long", "RFC 3261, section 21.4.12"},
    {415, "Unsupported Media Type", "RFC 3261, section 21.4.13"},
    {416, "Unsupported URI Scheme", "RFC 3261, section 21.4.14"},
    {417, "Unknown Resource-Priority", "RFC 4412"},
    {420, "Bad Extension", "RFC 3261, section 21.4.15"},
    {421, "Extension Required", "RFC 3261, section 21.4.16"},
    {422, "Session Interval Too Small", "RFC 4028, section 6"},
    {423, "Interval Too Brief", "RFC 3261, section 21.4.17"},
    {424, "Bad Location Information", "RFC 6442"},
    {425, "Bad Alert Message", "RFC 8876"},
    {428, "Use Identity Header", "RFC 8224"},
    {429, "Provide Referrer Identity", "RFC 3892"},
    {430, "Flow Failed", "RFC 5626"},
    {433, "Anonymity Disallowed", "RFC 5079"},
    {436, "Bad Identity Info", "RFC 8224"},
    {437, "Unsupported Credential", "RFC 8224"},
    {438, "Invalid Identity Header", "RFC 8224"},
    {439, "First Hop Lacks Outbound Support", "RFC 5626"},
    {440, "Max-Breadth Exceeded", "RFC 5393"},
    {469, "Bad Info Package", "RFC 6086"},
    {470, "Consent Needed", "RFC 5360"},
    {480, "Temporarily Unavailable", "RFC 3261, section 21.4.18"},
    {481, "Call/Transaction Does Not Exist", "RFC 3261, section 21.4.19"},
    {482, "Loop Detected", "RFC 3261, section 21.4.20"},
    {483, "Too Many Hops", "RFC 3261, section 21.4.21"},
    {484, "Address Incomplete", "RFC 3261, section 21.4.22"},
    {485, "Ambiguous", "RFC 3261, section 21.4.23"},
    {486, "Busy Here", "RFC 3261, section 21.4.24"},
    {487, "Request Terminated", "RFC 3261, section 21.4.25"},
    {488, "Not Acceptable Here", "RFC 3261, section 21.4.26"},
    {489, "Bad Event", "RFC 6665"},
    {491, "Request Pending", "RFC 3261, section 21.4.27"},
    {493, "Undecipherable", "RFC 3261, section 21.4.28"},
    {494, "Security Agreement Required", "RFC 3329"},
    {500, "Server Internal Error", "RFC 3261, section 21.5.1"},
    {501, "Not Implemented", "RFC 3261, section 21.5.2"},
    {502, "Bad Gateway", "RFC 3261, section 21.5.3"},
    {503, "Service Unavailable", "RFC 3261, section 21.5.4"},
    {504, "Server Time-out", "RFC 3261, section 21.5.5"},
    {505, "Version Not Supported", "RFC 3261, section 21.5.6"},
    {513, "Message Too Large", "RFC 3261, section 21.5.7"},
    {555, "Push Notification Service Not Supported", "RFC 8599"},
    {580, "Precondition Failure", "RFC 3312"},
    {600, "Busy Everywhere", "RFC 3261, section 21.6.1"},
    {603, "Decline", "RFC 3261, section 21.6.2"},
    {604, "Does Not Exist Anywhere", "RFC 3261, section 21.6.3"},
    {606, "Not Acceptable", "RFC 3261, section 21.6.4"},
    {607, "Unwanted", "RFC 8197"},
    {608, "Rejected", "RFC 8688"},
};

// Readable parameter values in test output instead of a byte dump.
void PrintTo(const Expected &e, std::ostream *os) {
    *os << e.code << ' ' << e.reason;
}

const Compare *find_compare(const Entry &e, unsigned code) {
    for (std::size_t i = 0; i < e.compare_count; ++i) {
        if (e.compares[i].code == code) return &e.compares[i];
    }
    return nullptr;
}

std::vector<unsigned> registered() {
    std::size_t n = 0;
    const std::uint16_t *codes = sipdiag::kb::registered_codes(&n);
    return std::vector<unsigned>(codes, codes + n);
}

// ---------------------------------------------------------------------------------------------

TEST(KbRegistry, ExactlyTheIanaCodesInAscendingOrder) {
    std::vector<unsigned> expected;
    for (const auto &e : kRegistry) expected.push_back(e.code);
    EXPECT_EQ(registered(), expected);
    EXPECT_EQ(registered().size(), 75u);
    EXPECT_NE(sipdiag::kb::registered_codes(nullptr), nullptr);  // count is optional
}

class KbRegisteredCode : public ::testing::TestWithParam<Expected> {};

TEST_P(KbRegisteredCode, HasEveryTextInEveryLanguage) {
    const Expected &x = GetParam();
    for (Lang lang : kAllLangs) {
        SCOPED_TRACE(lang_name(lang));
        const Entry *e = sipdiag::kb::lookup(x.code, lang);
        ASSERT_NE(e, nullptr);
        EXPECT_EQ(e->code, x.code);
        EXPECT_TRUE(e->registered);
        EXPECT_FALSE(empty(e->meaning));
        EXPECT_FALSE(empty(e->when));
        EXPECT_FALSE(empty(e->fix));
        EXPECT_FALSE(empty(e->rfc));
        // The reason phrase is protocol text: identical in every language.
        EXPECT_STREQ(e->reason, x.reason);
        EXPECT_TRUE(contains(e->rfc, x.rfc)) << e->rfc << " should mention " << x.rfc;
        for (std::size_t i = 0; i < e->compare_count; ++i) {
            EXPECT_FALSE(empty(e->compares[i].hint)) << "vs " << e->compares[i].code;
        }
    }
}

TEST_P(KbRegisteredCode, FrenchIsATranslationNotACopy) {
    const unsigned code = GetParam().code;
    const Entry *en = sipdiag::kb::lookup(code, Lang::en);
    const Entry *fr = sipdiag::kb::lookup(code, Lang::fr);
    ASSERT_NE(en, nullptr);
    ASSERT_NE(fr, nullptr);
    EXPECT_STRNE(en->meaning, fr->meaning);
    EXPECT_STRNE(en->when, fr->when);
    EXPECT_STRNE(en->fix, fr->fix);
    ASSERT_EQ(en->compare_count, fr->compare_count);
    for (std::size_t i = 0; i < en->compare_count; ++i) {
        EXPECT_STRNE(en->compares[i].hint, fr->compares[i].hint) << "vs " << en->compares[i].code;
    }
}

TEST_P(KbRegisteredCode, ComparisonsPointToRegisteredCodesBothWays) {
    const unsigned code = GetParam().code;
    for (Lang lang : kAllLangs) {
        SCOPED_TRACE(lang_name(lang));
        const Entry *e = sipdiag::kb::lookup(code, lang);
        ASSERT_NE(e, nullptr);
        ASSERT_TRUE(e->compare_count == 0 || e->compares != nullptr);
        std::set<unsigned> seen;
        for (std::size_t i = 0; i < e->compare_count; ++i) {
            const unsigned other = e->compares[i].code;
            EXPECT_NE(other, code);
            EXPECT_TRUE(seen.insert(other).second) << "duplicate vs " << other;
            const Entry *o = sipdiag::kb::lookup(other, lang);
            ASSERT_NE(o, nullptr) << "vs " << other;
            EXPECT_TRUE(o->registered) << "vs " << other;
            EXPECT_NE(find_compare(*o, code), nullptr)
                << other << " has no comparison back to " << code;
        }
    }
    // Every language compares with the same codes, in the same order.
    const Entry *en = sipdiag::kb::lookup(code, Lang::en);
    const Entry *fr = sipdiag::kb::lookup(code, Lang::fr);
    ASSERT_EQ(en->compare_count, fr->compare_count);
    for (std::size_t i = 0; i < en->compare_count; ++i) {
        EXPECT_EQ(en->compares[i].code, fr->compares[i].code);
    }
}

TEST_P(KbRegisteredCode, ClassIsKnown) {
    const unsigned cls = GetParam().code / 100;
    for (Lang lang : kAllLangs) EXPECT_FALSE(empty(sipdiag::kb::class_name(cls, lang)));
}

std::string code_name(const ::testing::TestParamInfo<Expected> &p) {
    return "Code" + std::to_string(p.param.code);
}

INSTANTIATE_TEST_SUITE_P(Iana, KbRegisteredCode, ::testing::ValuesIn(kRegistry), code_name);

TEST(KbCompare, MostCodesHaveAComparison) {
    std::size_t with = 0;
    for (unsigned code : registered()) {
        if (sipdiag::kb::lookup(code, Lang::en)->compare_count > 0) ++with;
    }
    EXPECT_GT(with * 4, registered().size() * 3);  // more than three quarters
}

// The pairs users confuse most: each must be explained from both sides.
TEST(KbCompare, CommonConfusionsAreExplainedBothWays) {
    const std::pair<unsigned, unsigned> pairs[] = {
        {301, 302}, {302, 305}, {302, 380}, {305, 380}, {302, 412}, {302, 422},
        {412, 422}, {401, 407}, {401, 403}, {404, 604}, {408, 504}, {412, 428},
        {412, 489}, {422, 423}, {420, 421}, {480, 486}, {480, 600}, {480, 603},
        {486, 600}, {486, 603}, {600, 603}, {481, 487}, {488, 606}, {500, 503},
    };
    for (Lang lang : kAllLangs) {
        for (const auto &[a, b] : pairs) {
            SCOPED_TRACE(lang_name(lang) + " " + std::to_string(a) + "/" + std::to_string(b));
            EXPECT_NE(find_compare(*sipdiag::kb::lookup(a, lang), b), nullptr);
            EXPECT_NE(find_compare(*sipdiag::kb::lookup(b, lang), a), nullptr);
        }
    }
}

// ---------------------------------------------------------------------------------------------

TEST(KbFallback, UnregisteredCodesGetTheirClassTexts) {
    const unsigned codes[] = {101, 198, 299, 303, 399, 409, 411, 499, 599, 601, 699};
    for (Lang lang : kAllLangs) {
        for (unsigned code : codes) {
            SCOPED_TRACE(lang_name(lang) + " " + std::to_string(code));
            const Entry *e = sipdiag::kb::lookup(code, lang);
            ASSERT_NE(e, nullptr);
            EXPECT_EQ(e->code, code);
            EXPECT_FALSE(e->registered);
            EXPECT_STREQ(e->reason, "");
            EXPECT_FALSE(empty(e->meaning));
            EXPECT_FALSE(empty(e->when));
            EXPECT_FALSE(empty(e->fix));
            EXPECT_TRUE(contains(e->rfc, "RFC 3261"));
            EXPECT_EQ(e->compare_count, 0u);
            // Same class, same texts: compare with the class's x98 (never registered).
            const Entry *sibling = sipdiag::kb::lookup(code / 100 * 100 + 98, lang);
            ASSERT_NE(sibling, nullptr);
            EXPECT_FALSE(sibling->registered);
            EXPECT_STREQ(e->meaning, sibling->meaning);
            EXPECT_STREQ(e->fix, sibling->fix);
        }
    }
}

TEST(KbFallback, ClassTextsDifferBetweenClasses) {
    for (Lang lang : kAllLangs) {
        std::set<std::string> meanings;
        for (unsigned cls = 1; cls <= 6; ++cls) {
            meanings.insert(sipdiag::kb::lookup(cls * 100 + 98, lang)->meaning);
        }
        EXPECT_EQ(meanings.size(), 6u) << lang_name(lang);
    }
    EXPECT_STRNE(sipdiag::kb::lookup(499, Lang::en)->meaning,
                 sipdiag::kb::lookup(499, Lang::fr)->meaning);
    EXPECT_STRNE(sipdiag::kb::lookup(699, Lang::en)->meaning,
                 sipdiag::kb::lookup(699, Lang::fr)->meaning);
}

TEST(KbFallback, NullOutsideTheStatusCodeRange) {
    for (unsigned code : {0u, 1u, 99u, 700u, 999u, 1000u, UINT_MAX}) {
        for (Lang lang : kAllLangs) EXPECT_EQ(sipdiag::kb::lookup(code, lang), nullptr) << code;
    }
    EXPECT_NE(sipdiag::kb::lookup(100, Lang::en), nullptr);
    EXPECT_NE(sipdiag::kb::lookup(699, Lang::fr), nullptr);
}

TEST(KbFallback, EveryCodeOfTheRangeHasAnEntry) {
    for (Lang lang : kAllLangs) {
        for (unsigned code = 100; code <= 699; ++code) {
            const Entry *e = sipdiag::kb::lookup(code, lang);
            ASSERT_NE(e, nullptr) << code;
            EXPECT_EQ(e->code, code);
            EXPECT_FALSE(empty(e->meaning)) << code;
        }
    }
}

// ---------------------------------------------------------------------------------------------

TEST(KbLabels, NonEmptyAndTranslated) {
    for (unsigned i = 0; i < static_cast<unsigned>(Label::count_); ++i) {
        const auto which = static_cast<Label>(i);
        const char *en = sipdiag::kb::label(which, Lang::en);
        const char *fr = sipdiag::kb::label(which, Lang::fr);
        EXPECT_FALSE(empty(en)) << i;
        EXPECT_FALSE(empty(fr)) << i;
        if (which != Label::publication) {  // the same words in French
            EXPECT_STRNE(en, fr) << i;
        }
    }
    EXPECT_STREQ(sipdiag::kb::label(Label::count_, Lang::en), "");
}

TEST(KbLabels, PlaceholdersMatchTheirArgumentCount) {
    // kbgen checks the data; this checks that the generated counts reach the library.
    EXPECT_EQ(sipdiag::kb::label_args(Label::field), 2u);
    EXPECT_EQ(sipdiag::kb::label_args(Label::redirect), 1u);
    EXPECT_EQ(sipdiag::kb::label_args(Label::publication), 0u);
    EXPECT_EQ(sipdiag::kb::label_args(Label::count_), 0u);
    for (unsigned i = 0; i < static_cast<unsigned>(Label::count_); ++i) {
        const auto which = static_cast<Label>(i);
        for (Lang lang : kAllLangs) {
            const char *text = sipdiag::kb::label(which, lang);
            for (unsigned n = 1; n <= 9; ++n) {
                const std::string ph = "{" + std::to_string(n) + "}";
                EXPECT_EQ(contains(text, ph.c_str()), n <= sipdiag::kb::label_args(which))
                    << lang_name(lang) << " label " << i << " " << ph;
            }
        }
    }
}

TEST(KbFields, EveryFieldHasACaptionInEveryLanguage) {
    std::size_t n = 0;
    const char *const *keys = sipdiag::kb::field_keys(&n);
    ASSERT_GT(n, 60u);
    for (std::size_t i = 0; i < n; ++i) {
        SCOPED_TRACE(keys[i]);
        if (i > 0) {
            EXPECT_LT(std::strcmp(keys[i - 1], keys[i]), 0) << "sorted, no duplicates";
        }
        for (Lang lang : kAllLangs) EXPECT_FALSE(empty(sipdiag::kb::field_label(keys[i], lang)));
    }
    EXPECT_STREQ(sipdiag::kb::field_label("sipdiag", Lang::en), "SIP Response Diagnostics");
    EXPECT_STREQ(sipdiag::kb::field_label("sipdiag.code", Lang::en), "Status code");
    EXPECT_STREQ(sipdiag::kb::field_label("sipdiag.code", Lang::fr), "Code de réponse");
    EXPECT_STREQ(sipdiag::kb::field_label("sipdiag.response_code", Lang::en),
                 "Final response code");
    EXPECT_EQ(sipdiag::kb::field_label("sipdiag.nope", Lang::en), nullptr);
    EXPECT_EQ(sipdiag::kb::field_label("", Lang::fr), nullptr);
    EXPECT_EQ(sipdiag::kb::field_label(nullptr, Lang::fr), nullptr);
    EXPECT_EQ(sipdiag::kb::field_label("zzz", Lang::fr), nullptr);
}

// ---------------------------------------------------------------------------------------------
// format() and tree_label()

TEST(KbFormat, FillsPlaceholdersInAnyOrder) {
    char out[64];
    const char *args[] = {"302", "28"};
    EXPECT_EQ(sipdiag::kb::format(out, sizeof out, "the {1} in frame {2}", args), 19u);
    EXPECT_STREQ(out, "the 302 in frame 28");
    sipdiag::kb::format(out, sizeof out, "{2}/{1}/{2}", args);
    EXPECT_STREQ(out, "28/302/28");
    // Not a placeholder, or one without an argument.
    sipdiag::kb::format(out, sizeof out, "{0} {a} {12} {3}x", args);
    EXPECT_STREQ(out, "{0} {a} {12} x");
    sipdiag::kb::format(out, sizeof out, "{", args);
    EXPECT_STREQ(out, "{");
}

TEST(KbFormat, StopsBeforeACharacterThatDoesNotFit) {
    char out[8];
    bool cut = false;
    const char *args[] = {"été"};  // 5 bytes
    // "ab" + "été" = 7 bytes: fits with the NUL.
    EXPECT_EQ(sipdiag::kb::format(out, sizeof out, "ab{1}", args, 1, &cut), 7u);
    EXPECT_FALSE(cut);
    // "abc" + "été": the last 'é' would end at byte 9; stop before it, and write nothing after.
    EXPECT_EQ(sipdiag::kb::format(out, sizeof out, "abc{1}!", args, 1, &cut), 6u);
    EXPECT_TRUE(cut);
    EXPECT_STREQ(out, "abcét");
    EXPECT_EQ(sipdiag::kb::format(out, 1, "abc", nullptr, 0, &cut), 0u);
    EXPECT_STREQ(out, "");
}

TEST(KbTreeLabel, ShortValueIsCaptionColonValue) {
    char out[240];
    EXPECT_FALSE(sipdiag::kb::tree_label(out, sizeof out, "How to fix", "Retry.", Lang::en));
    EXPECT_STREQ(out, "How to fix: Retry.");
    EXPECT_FALSE(
        sipdiag::kb::tree_label(out, sizeof out, "Comment corriger", "Réessayer.", Lang::fr));
    EXPECT_STREQ(out, "Comment corriger : Réessayer.");
}

// Regression: a label longer than Wireshark's 240 bytes used to be cut by Wireshark itself,
// which puts its marker at the start of a formatted label: "[ [truncated]How to fix: ...".
// The marker must follow the caption, as in Wireshark's own labels.
TEST(KbTreeLabel, LongValueIsCutWithTheMarkerAfterTheCaption) {
    std::string value;
    while (value.size() < 400) value += "déjà vu, ";
    for (Lang lang : kAllLangs) {
        SCOPED_TRACE(lang_name(lang));
        char out[240];
        EXPECT_TRUE(sipdiag::kb::tree_label(out, sizeof out, "Cap", value.c_str(), lang));
        const std::string got = out;
        const std::string head = lang == Lang::en ? "Cap [truncated]: " : "Cap [tronqué] : ";
        EXPECT_EQ(got.compare(0, head.size(), head), 0) << got;
        EXPECT_LE(got.size(), 239u);
        EXPECT_GE(got.size(), 236u);  // uses the room (a character is at most 2 bytes here)
        EXPECT_EQ(value.compare(0, got.size() - head.size(), got, head.size()), 0);
        // Ends on a whole character.
        EXPECT_NE(static_cast<unsigned char>(got.back()) & 0xC0, 0xC0);
    }
    // Exactly at the limit: 239 bytes fit, 240 do not.
    char out[240];
    const std::string fits(239 - std::strlen("C: "), 'x');
    EXPECT_FALSE(sipdiag::kb::tree_label(out, sizeof out, "C", fits.c_str(), Lang::en));
    EXPECT_EQ(std::strlen(out), 239u);
    EXPECT_TRUE(sipdiag::kb::tree_label(out, sizeof out, "C", (fits + "x").c_str(), Lang::en));
    EXPECT_EQ(std::strlen(out), 239u);
}

TEST(KbTreeLabel, ControlCharactersAndBadUtf8AreEscaped) {
    char out[240];
    sipdiag::kb::tree_label(out, sizeof out, "Realm", "a\tb\x01\xff\xc3", Lang::en);
    EXPECT_STREQ(out, "Realm: a\\x09b\\x01\\xff\\xc3");
}

TEST(KbLabels, FrenchKeepsItsAccents) {
    // This file is UTF-8, like the .kb data.
    EXPECT_STREQ(sipdiag::kb::field_label("sipdiag.rfc", Lang::fr), "Défini dans");
    EXPECT_STREQ(sipdiag::kb::label(Label::request, Lang::fr), "Requête");
    EXPECT_STREQ(sipdiag::kb::class_name(6, Lang::fr), "Échec global");
}

TEST(KbClassNames, EnglishNamesAndBounds) {
    const char *names[] = {"Provisional",    "Successful",     "Redirection",
                           "Client Failure", "Server Failure", "Global Failure"};
    for (unsigned cls = 1; cls <= 6; ++cls) {
        EXPECT_STREQ(sipdiag::kb::class_name(cls, Lang::en), names[cls - 1]);
        EXPECT_FALSE(empty(sipdiag::kb::class_name(cls, Lang::fr)));
    }
    EXPECT_STREQ(sipdiag::kb::class_name(0, Lang::en), "");
    EXPECT_STREQ(sipdiag::kb::class_name(7, Lang::fr), "");
}

TEST(KbLang, OutOfRangeLanguageFallsBackToEnglish) {
    const auto bogus = static_cast<Lang>(7);
    EXPECT_EQ(sipdiag::kb::lookup(302, bogus), sipdiag::kb::lookup(302, Lang::en));
    EXPECT_STREQ(sipdiag::kb::field_label("sipdiag.meaning", bogus), "Meaning");
    EXPECT_STREQ(sipdiag::kb::class_name(4, bogus), "Client Failure");
}

// ---------------------------------------------------------------------------------------------
// Facts the showcase explanations must keep.

TEST(KbFacts, Code302RetriesAtContactInQOrder) {
    const Entry *e = sipdiag::kb::lookup(302, Lang::en);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->code / 100, 3u);
    EXPECT_STREQ(sipdiag::kb::class_name(e->code / 100, Lang::en), "Redirection");
    EXPECT_TRUE(contains(e->meaning, "Contact"));
    EXPECT_TRUE(contains(e->meaning, "q"));
    EXPECT_TRUE(contains(e->meaning, "1.0"));
    EXPECT_TRUE(contains(e->meaning, "original Request-URI"));
    EXPECT_TRUE(contains(e->fix, "expires"));
}

TEST(KbFacts, Code412IsAboutPublishEntityTags) {
    const Entry *e = sipdiag::kb::lookup(412, Lang::en);
    ASSERT_NE(e, nullptr);
    EXPECT_TRUE(contains(e->rfc, "3903"));
    EXPECT_TRUE(contains(e->meaning, "PUBLISH"));
    EXPECT_TRUE(contains(e->meaning, "SIP-If-Match"));
    EXPECT_TRUE(contains(e->fix, "without SIP-If-Match"));
    EXPECT_TRUE(contains(e->fix, "SIP-ETag"));
    EXPECT_TRUE(contains(sipdiag::kb::lookup(412, Lang::fr)->rfc, "3903"));
}

TEST(KbFacts, Code422CarriesMinSe) {
    const Entry *e = sipdiag::kb::lookup(422, Lang::en);
    ASSERT_NE(e, nullptr);
    EXPECT_TRUE(contains(e->rfc, "4028"));
    EXPECT_TRUE(contains(e->meaning, "Min-SE"));
    EXPECT_TRUE(contains(e->fix, "Session-Expires"));
    EXPECT_TRUE(contains(e->fix, "Min-SE"));
    EXPECT_TRUE(contains(sipdiag::kb::lookup(422, Lang::fr)->rfc, "4028"));
}

TEST(KbFacts, Code423IsNot422) {
    const Entry *e423 = sipdiag::kb::lookup(423, Lang::en);
    const Entry *e422 = sipdiag::kb::lookup(422, Lang::en);
    ASSERT_NE(e423, nullptr);
    EXPECT_TRUE(e423->registered);
    EXPECT_STREQ(e423->reason, "Interval Too Brief");
    EXPECT_TRUE(contains(e423->rfc, "3261"));
    EXPECT_TRUE(contains(e423->meaning, "Min-Expires"));
    EXPECT_STRNE(e423->meaning, e422->meaning);
    EXPECT_STRNE(e423->fix, e422->fix);
}

}  // namespace
