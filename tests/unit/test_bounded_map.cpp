// SPDX-License-Identifier: GPL-2.0-or-later
// BoundedMap (core/bounded_map.h): the bounded FIFO tables every rule and the correlator keep
// their state in.
#include "core/bounded_map.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <random>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sipdiag {
namespace {

// Regression: erasing a key (a pending follow-up answered) left its entry in the eviction queue;
// when the key was added again and the map later filled up, that stale entry evicted the new
// insertion before older keys.
TEST(BoundedMapTest, ReAddedKeyIsNotEvictedByItsErasedEntry) {
    BoundedMap<int> m(2);
    m.get(1) = 10;
    m.erase(1);
    m.get(2) = 20;
    m.get(1) = 11;  // re-added: now the newest key
    m.get(3) = 30;  // over the cap: the oldest live key (2) goes, not 1
    EXPECT_EQ(m.find(2), nullptr);
    ASSERT_NE(m.find(1), nullptr);
    EXPECT_EQ(*m.find(1), 11);
    ASSERT_NE(m.find(3), nullptr);
    EXPECT_EQ(m.size(), 2u);
}

TEST(BoundedMapTest, QueueOfErasedKeysStaysBounded) {
    BoundedMap<int> m(4);
    for (std::uint64_t k = 0; k < 10'000; ++k) {
        m.get(k) = 1;
        m.erase(k);
    }
    EXPECT_EQ(m.size(), 0u);
    EXPECT_LE(m.queue_size(), 2u * 4 + 16);  // erased keys' entries are dropped, not kept
    for (std::uint64_t k = 0; k < 6; ++k) m.get(k) = static_cast<int>(k);
    EXPECT_EQ(m.size(), 4u);
    EXPECT_EQ(m.find(0), nullptr);
    EXPECT_EQ(m.find(1), nullptr);
    ASSERT_NE(m.find(5), nullptr);
}

// Expiry: a deadline erases the insertion it was set for once time reaches it, never a later
// insertion of the same key, and the deadlines of keys gone already do not pile up.
TEST(BoundedMapTest, DeadlinesEraseTheirOwnInsertionOnly) {
    BoundedMap<int> m(8);
    m.get(1) = 10;
    m.get(2) = 20;
    m.expire_at(1, 100);
    m.expire_at(2, 200);
    m.expire_at(9, 50);  // not in the map: no deadline
    EXPECT_EQ(m.deadline_count(), 2u);
    m.expire(99);
    EXPECT_NE(m.find(1), nullptr);
    m.expire(100);
    EXPECT_EQ(m.find(1), nullptr);
    ASSERT_NE(m.find(2), nullptr);
    m.erase(2);
    m.get(2) = 21;  // inserted again: the old deadline is not its own
    m.expire(1000);
    ASSERT_NE(m.find(2), nullptr);
    EXPECT_EQ(*m.find(2), 21);
    EXPECT_EQ(m.size(), 1u);
    EXPECT_EQ(m.deadline_count(), 0u);
}

// A later deadline of the same insertion postpones its end; at most kMaxDeadlines are queued
// per insertion (the later ones are ignored), so a key set again and again cannot grow the queue.
TEST(BoundedMapTest, ALaterDeadlinePostponesTheEnd) {
    BoundedMap<int> m(8);
    m.get(1) = 10;
    m.expire_at(1, 100);
    m.expire_at(1, 150);
    m.expire(100);
    EXPECT_NE(m.find(1), nullptr);
    m.expire(149);
    EXPECT_NE(m.find(1), nullptr);
    m.expire(150);
    EXPECT_EQ(m.find(1), nullptr);
    EXPECT_EQ(m.deadline_count(), 0u);

    m.get(2) = 20;
    for (std::int64_t t = 200; t < 300; ++t) m.expire_at(2, t);
    EXPECT_EQ(m.deadline_count(), BoundedMap<int>::kMaxDeadlines);
    m.expire(200 + BoundedMap<int>::kMaxDeadlines - 2);
    EXPECT_NE(m.find(2), nullptr);
    m.expire(200 + BoundedMap<int>::kMaxDeadlines - 1);  // its last queued deadline
    EXPECT_EQ(m.find(2), nullptr);
    // Inserted again: a fresh count.
    m.get(2) = 21;
    m.expire_at(2, 1000);
    m.expire(999);
    EXPECT_NE(m.find(2), nullptr);
    m.expire(1000);
    EXPECT_EQ(m.find(2), nullptr);
}

// Keys whose deadline is set again and again while time stands still: the queue holds at most
// kMaxDeadlines per live key, and they all go once time passes the last.
TEST(BoundedMapTest, ManyLiveDeadlinesStayBounded) {
    BoundedMap<int> m(64);
    for (std::uint64_t k = 0; k < 64; ++k) m.get(k) = 1;
    for (int round = 0; round < 1000; ++round) {
        for (std::uint64_t k = 0; k < 64; ++k) m.expire_at(k, 1'000'000 + round);
    }
    EXPECT_EQ(m.size(), 64u);
    EXPECT_EQ(m.deadline_count(), 64u * BoundedMap<int>::kMaxDeadlines);
    m.expire(2'000'000);
    EXPECT_EQ(m.size(), 0u);
    EXPECT_EQ(m.deadline_count(), 0u);
}

TEST(BoundedMapTest, DeadlinesOfEvictedKeysStayBounded) {
    BoundedMap<int> m(4);
    // Time stands still (no expire()): every key is evicted by the FIFO before its deadline.
    for (std::uint64_t k = 0; k < 10'000; ++k) {
        m.get(k) = 1;
        m.expire_at(k, 1'000'000);
    }
    EXPECT_EQ(m.size(), 4u);
    EXPECT_LE(m.deadline_count(), 2u * 4 + 16);
    EXPECT_LE(m.queue_size(), 2u * 4 + 16);
    m.expire(1'000'000);
    EXPECT_EQ(m.size(), 0u);
}

TEST(BoundedMapTest, QueueStaysBoundedWhenExpiryErases) {
    BoundedMap<int> m(1u << 10);
    for (std::uint64_t k = 0; k < 100'000; ++k) {
        m.get(k) = 1;
        m.expire_at(k, static_cast<std::int64_t>(k) + 10);
        m.expire(static_cast<std::int64_t>(k));
    }
    EXPECT_LE(m.size(), 11u);
    // The FIFO queue follows the live keys, not the capacity.
    EXPECT_LE(m.queue_size(), 2u * 11 + 16);
}

}  // namespace
}  // namespace sipdiag

namespace sipdiag {
namespace {

// The semantics BoundedMap must keep, written the plain way (the implementation before the flat
// index): an unordered_map and a FIFO queue of (key, insertion number).
class ReferenceBoundedMap {
  public:
    explicit ReferenceBoundedMap(std::size_t cap) : cap_(cap) {}
    int *find(std::uint64_t k) {
        auto it = map_.find(k);
        return it == map_.end() ? nullptr : &it->second.first;
    }
    int &get(std::uint64_t k) {
        auto [it, inserted] = map_.try_emplace(k, 0, 0);
        if (inserted) {
            it->second.second = ++seq_;
            order_.emplace_back(k, seq_);
            while (map_.size() > cap_ && !order_.empty()) {
                auto f = map_.find(order_.front().first);
                if (f != map_.end() && f->second.second == order_.front().second) map_.erase(f);
                order_.pop_front();
            }
        }
        return map_.find(k)->second.first;
    }
    void erase(std::uint64_t k) { map_.erase(k); }
    std::size_t size() const { return map_.size(); }

  private:
    std::size_t cap_;
    std::uint64_t seq_ = 0;
    std::unordered_map<std::uint64_t, std::pair<int, std::uint64_t>> map_;
    std::deque<std::pair<std::uint64_t, std::uint64_t>> order_;
};

// Random operations on both, checked after every step. Keys come from a small range (many hits,
// re-insertions after erase and eviction), from colliding hash positions (equal high bits after
// the multiply: long probe runs, deletions in the middle of runs) and from the full 64-bit range.
TEST(BoundedMapTest, SameAsTheReferenceUnderRandomOperations) {
    for (std::size_t cap : {1u, 2u, 7u, 64u, 1000u}) {
        BoundedMap<int> m(cap);
        ReferenceBoundedMap ref(cap);
        std::uint64_t x = 0x243F6A8885A308D3ULL + cap;  // xorshift state
        const auto next = [&x] {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            return x;
        };
        for (int step = 0; step < 200'000; ++step) {
            const std::uint64_t r = next();
            std::uint64_t k;
            switch (r % 3) {
                case 0:
                    k = (r >> 8) % (3 * cap + 5);
                    break;
                case 1:
                    k = ((r >> 8) % 64) << 40;
                    break;  // differ in high bits only
                default:
                    k = next();
                    break;
            }
            const int op = static_cast<int>((r >> 4) % 10);
            if (op < 5) {
                const int v = static_cast<int>(r >> 33);
                m.get(k) = v;
                ref.get(k) = v;
            } else if (op < 8) {
                int *a = m.find(k);
                int *b = ref.find(k);
                ASSERT_EQ(a == nullptr, b == nullptr) << "cap " << cap << " step " << step;
                if (a != nullptr) {
                    ASSERT_EQ(*a, *b) << "cap " << cap << " step " << step;
                }
            } else {
                m.erase(k);
                ref.erase(k);
            }
            ASSERT_EQ(m.size(), ref.size()) << "cap " << cap << " step " << step;
            ASSERT_LE(m.size(), cap);
        }
    }
}

// Values own heap memory in the correlator (vectors, strings): an erased or evicted value must
// be released at once and a reused slot must start empty.
TEST(BoundedMapTest, ReusedSlotStartsEmptyAndEvictedValuesAreReleased) {
    BoundedMap<std::vector<int>> m(2);
    m.get(1).assign(1000, 7);
    m.get(2).push_back(2);
    m.erase(1);
    EXPECT_TRUE(m.get(3).empty());  // takes the slot of 1
    m.get(3).push_back(3);
    m.get(4);  // evicts 2
    EXPECT_EQ(m.find(2), nullptr);
    EXPECT_TRUE(m.get(5).empty());  // evicts 3, takes the slot of 2 (or 3): empty either way
    ASSERT_NE(m.find(4), nullptr);
    EXPECT_TRUE(m.find(4)->empty());
}

// References handed out stay valid while other keys are added (the correlator holds a Tx& while
// it files further entries): the index grows many times in between.
TEST(BoundedMapTest, ReferencesSurviveGrowth) {
    BoundedMap<int> m(100'000);
    int &first = m.get(42);
    first = 4242;
    for (std::uint64_t k = 1000; k < 60'000; ++k) m.get(k) = 1;
    EXPECT_EQ(first, 4242);
    EXPECT_EQ(&first, m.find(42));
}

}  // namespace
}  // namespace sipdiag
