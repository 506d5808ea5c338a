// SPDX-License-Identifier: GPL-2.0-or-later
// The cut of the bytes the SIP dissector accepted in one call into messages (core/sipsplit.h).
#include "core/sipsplit.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace sipdiag {
namespace {

std::vector<std::pair<std::size_t, std::size_t>> cut(const std::string &b, std::size_t max = 16) {
    MessageSpan s[16];
    const std::size_t n = split_sip_messages(b, s, max);
    std::vector<std::pair<std::size_t, std::size_t>> out;
    for (std::size_t i = 0; i < n && i < max; ++i) out.emplace_back(s[i].start, s[i].length);
    return out;
}

const std::string kOptions = "OPTIONS sip:a SIP/2.0\r\nVia: x\r\nContent-Length: 0\r\n\r\n";
const std::string kInvite = "INVITE sip:b SIP/2.0\r\nl: 5\r\nContent-Type: text/plain\r\n\r\nhello";

TEST(SipSplit, OneMessage) {
    EXPECT_EQ(cut(kOptions),
              (std::vector<std::pair<std::size_t, std::size_t>>{{0, kOptions.size()}}));
}

TEST(SipSplit, TwoMessagesBackToBackCompactContentLength) {
    const std::string b = kInvite + kOptions;
    EXPECT_EQ(cut(b), (std::vector<std::pair<std::size_t, std::size_t>>{
                          {0, kInvite.size()}, {kInvite.size(), kOptions.size()}}));
}

TEST(SipSplit, KeepAlivesBelongToNoMessage) {
    const std::string b = "\r\n\r\n" + kOptions + "\r\n" + kOptions;
    EXPECT_EQ(cut(b), (std::vector<std::pair<std::size_t, std::size_t>>{
                          {4, kOptions.size()}, {6 + kOptions.size(), kOptions.size()}}));
}

TEST(SipSplit, WithoutContentLengthTheMessageRunsToTheEnd) {
    const std::string b = "SIP/2.0 200 OK\r\nVia: x\r\n\r\nbody" + kOptions;
    EXPECT_EQ(cut(b), (std::vector<std::pair<std::size_t, std::size_t>>{{0, b.size()}}));
}

TEST(SipSplit, ContentLengthBeyondTheBytesOrNotANumber) {
    const std::string big = "SIP/2.0 200 OK\r\nContent-Length: 999\r\n\r\nabc";
    EXPECT_EQ(cut(big), (std::vector<std::pair<std::size_t, std::size_t>>{{0, big.size()}}));
    const std::string bad = "SIP/2.0 200 OK\r\nContent-Length: 1x\r\n\r\nabc" + kOptions;
    EXPECT_EQ(cut(bad), (std::vector<std::pair<std::size_t, std::size_t>>{{0, bad.size()}}));
}

TEST(SipSplit, HeaderNameCaseAndSpacesAndFoldedLines) {
    const std::string a = "SIP/2.0 200 OK\r\nX: y\r\n z\r\ncontent-LENGTH  :  2\r\n\r\nab";
    EXPECT_EQ(cut(a + kOptions), (std::vector<std::pair<std::size_t, std::size_t>>{
                                     {0, a.size()}, {a.size(), kOptions.size()}}));
}

TEST(SipSplit, CountsBeyondMax) {
    const std::string b = kOptions + kOptions + kOptions;
    MessageSpan s[2];
    EXPECT_EQ(split_sip_messages(b, s, 2), 3u);
    EXPECT_EQ(s[1].start, kOptions.size());
}

TEST(SipSplit, EmptyAndUnterminatedHeaders) {
    EXPECT_TRUE(cut("").empty());
    EXPECT_TRUE(cut("\r\n").empty());
    const std::string t = "INVITE sip:b SIP/2.0\r\nContent-Length: 0\r\n";
    EXPECT_EQ(cut(t), (std::vector<std::pair<std::size_t, std::size_t>>{{0, t.size()}}));
}

}  // namespace
}  // namespace sipdiag
