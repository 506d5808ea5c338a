// SPDX-License-Identifier: GPL-2.0-or-later
// PackedText: several texts in one block (core/packed_text.h).
#include "core/packed_text.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace sipdiag {
namespace {

TEST(PackedText, EmptyHasNoBlockAndReadsEmpty) {
    PackedText<3> t;
    EXPECT_EQ(t.get(0), "");
    EXPECT_STREQ(t.c_str(2), "");
    t.assign({"", "", ""});
    EXPECT_EQ(t.get(1), "");
}

TEST(PackedText, KeepsEachTextInOrderNulTerminated) {
    PackedText<4> t;
    const std::string long_uri = "sip:" + std::string(300, 'a') + "@example.org";
    t.assign({long_uri, "", "presence", "\"etag-1\""});
    EXPECT_EQ(t.get(0), long_uri);
    EXPECT_EQ(t.get(1), "");
    EXPECT_EQ(t.get(2), "presence");
    EXPECT_EQ(t.get(3), "\"etag-1\"");
    EXPECT_STREQ(t.c_str(0), long_uri.c_str());
    EXPECT_STREQ(t.c_str(1), "");
    EXPECT_STREQ(t.c_str(2), "presence");
    EXPECT_EQ(std::strlen(t.c_str(3)), t.get(3).size());
}

TEST(PackedText, SetReplacesOneTextAndKeepsTheOthers) {
    PackedText<3> t;
    t.assign({"a", "bb", ""});
    t.set(2, "new-etag");
    EXPECT_EQ(t.get(0), "a");
    EXPECT_EQ(t.get(1), "bb");
    EXPECT_EQ(t.get(2), "new-etag");
    t.set(1, "");
    EXPECT_EQ(t.get(0), "a");
    EXPECT_EQ(t.get(1), "");
    EXPECT_EQ(t.get(2), "new-etag");
    // From no block at all.
    PackedText<3> u;
    u.set(1, "x");
    EXPECT_EQ(u.get(0), "");
    EXPECT_EQ(u.get(1), "x");
    EXPECT_STREQ(u.c_str(2), "");
}

}  // namespace
}  // namespace sipdiag
