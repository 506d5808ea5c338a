// SPDX-License-Identifier: GPL-2.0-or-later
// RequestText: what a transaction keeps of its request, in one block (core/transaction.h).
#include "core/transaction.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace sipdiag {
namespace {

// The option tags as the correlator packs them: a byte of length, then the tag.
std::string packed_tags(const std::vector<std::string> &tags) {
    std::string out;
    for (const std::string &t : tags) {
        out += static_cast<char>(t.size());
        out += t;
    }
    return out;
}

struct Row {
    const char *name;
    RequestParts parts;
    std::vector<std::string> require;  // what the facts read back
};

TEST(RequestText, EveryPartReadsBack) {
    const std::string uri = "sip:" + std::string(300, 'u') + "@example.org";
    const std::string tag64(64, 't');
    const std::vector<std::string> tags = {"100rel", "\"a,b\"", tag64, "timer"};
    const std::string packed = packed_tags(tags);
    const std::string one = packed_tags({"precondition"});
    const std::vector<Row> rows = {
        {"nothing", RequestParts{}, {}},
        {"INVITE URI only",
         [&] {
             RequestParts p;
             p.uri = uri;
             return p;
         }(),
         {}},
        {"PUBLISH",
         [] {
             RequestParts p;
             p.uri = "sip:pres@example.org";
             p.event = "presence";
             p.if_match = "dx200xyz";
             p.has_facts = true;
             p.facts_event = "presence";
             p.expires = 3600;
             p.content_type = "application/pidf+xml";
             return p;
         }(),
         {}},
        {"Session-Expires zero",
         [] {
             RequestParts p;
             p.session_expires = 0;
             return p;
         }(),
         {}},
        {"credentials alone",
         [] {
             RequestParts p;
             p.has_facts = true;
             p.has_credentials = true;
             return p;
         }(),
         {}},
        {"Expires zero alone",
         [] {
             RequestParts p;
             p.has_facts = true;
             p.expires = 0;
             return p;
         }(),
         {}},
        // A quoted tag with a comma and a tag of the full 64 bytes stay whole.
        {"option tags",
         [&] {
             RequestParts p;
             p.has_facts = true;
             p.require = packed;
             p.session_expires = 1800;
             return p;
         }(),
         tags},
        {"one option tag",
         [&] {
             RequestParts p;
             p.has_facts = true;
             p.require = one;
             return p;
         }(),
         {"precondition"}},
    };
    for (const Row &row : rows) {
        SCOPED_TRACE(row.name);
        RequestText t;
        t.assign(row.parts);
        const RequestParts &p = row.parts;
        EXPECT_EQ(t.uri(), p.uri);
        EXPECT_EQ(t.event(), p.event);
        EXPECT_EQ(t.if_match(), p.if_match);
        EXPECT_EQ(t.session_expires(), p.session_expires);
        EXPECT_EQ(t.expires(), p.expires);
        EXPECT_EQ(t.has_credentials(), p.has_credentials);
        const RequestFacts f = t.facts();
        EXPECT_EQ(f.known, p.has_facts);
        EXPECT_EQ(f.require, row.require);
        EXPECT_EQ(f.expires, p.has_facts ? p.expires : std::nullopt);
        EXPECT_EQ(f.content_type, p.content_type);
        EXPECT_EQ(f.event, p.facts_event);
        EXPECT_EQ(f.has_credentials, p.has_credentials);

        // Moved into a transaction and released: nothing is left.
        Transaction tx;
        tx.text = std::move(t);
        EXPECT_EQ(tx.request_uri(), p.uri);
        EXPECT_EQ(tx.request_expires(), p.expires);
        tx.release_request_text();
        EXPECT_EQ(tx.request_uri(), "");
        EXPECT_FALSE(tx.request_facts().known);
        EXPECT_FALSE(tx.session_expires());
    }
}

}  // namespace
}  // namespace sipdiag
