// SPDX-License-Identifier: GPL-2.0-or-later
// PendingList: a short list of records, in place up to two (core/pending_list.h).
#include "core/pending_list.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace sipdiag {
namespace {

std::vector<std::uint32_t> items(PendingList &l) {
    return {l.begin(), l.end()};
}

TEST(PendingList, KeepsOrderInPlaceAndOnTheHeap) {
    PendingList l;
    EXPECT_TRUE(l.empty());
    for (std::uint32_t i = 1; i <= 9; ++i) {
        l.push_back(i * 10);
        EXPECT_EQ(l.size(), i);
    }
    EXPECT_EQ(items(l), (std::vector<std::uint32_t>{10, 20, 30, 40, 50, 60, 70, 80, 90}));
}

TEST(PendingList, EraseKeepsTheOthersInOrder) {
    PendingList l;
    l.push_back(1);
    l.push_back(2);
    auto it = l.erase(l.begin());
    EXPECT_EQ(*it, 2u);
    EXPECT_EQ(items(l), (std::vector<std::uint32_t>{2}));
    for (std::uint32_t v : {3u, 4u, 5u}) l.push_back(v);
    it = l.erase(l.begin() + 2);
    EXPECT_EQ(*it, 5u);
    EXPECT_EQ(items(l), (std::vector<std::uint32_t>{2, 3, 5}));
    it = l.erase(l.begin() + 2);
    EXPECT_EQ(it, l.end());
}

TEST(PendingList, MoveLeavesTheSourceEmpty) {
    PendingList a;
    for (std::uint32_t v : {7u, 8u, 9u}) a.push_back(v);
    PendingList b(std::move(a));
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from state is specified
    EXPECT_EQ(items(b), (std::vector<std::uint32_t>{7, 8, 9}));
    PendingList c;
    c.push_back(1);
    c = std::move(b);
    EXPECT_EQ(items(c), (std::vector<std::uint32_t>{7, 8, 9}));
    c = PendingList{};
    EXPECT_TRUE(c.empty());
}

}  // namespace
}  // namespace sipdiag
