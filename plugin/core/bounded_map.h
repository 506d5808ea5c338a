// SPDX-License-Identifier: GPL-2.0-or-later
// The bounded tables of the correlator and the rules: everything remembered across messages is
// held in one of these, so that memory stays bounded whatever the capture.
//
// Keys are 64-bit hashes (hash_parts below), not the strings they come from: two different keys
// whose 64-bit hashes are equal share one entry. With at most 2^18 live keys per table the chance
// that any two collide is about 2^-29 per table, and a collision only merges two transactions or
// two pending lists (a wrong link, never a crash); storing whole keys would cost a copy of every
// Call-ID, branch and URI per entry, which the memory budget does not allow.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <string_view>
#include <utility>
#include <vector>

namespace sipdiag {

// 64-bit hash of several strings/numbers (eight bytes per step, then a final mix); keys of the
// bounded tables.
std::uint64_t hash_parts(std::initializer_list<std::string_view> parts, std::uint64_t extra = 0);
// hash_parts({to_lower(s)}, extra) without the lowered copy (ASCII letters only).
std::uint64_t hash_lowered(std::string_view s, std::uint64_t extra = 0);

// The k <= 8 bytes at p as a little-endian word, zero above them: what std::memcpy(&w, p, k)
// into a zeroed word gives on x86, without the call a variable-length memcpy costs (the hashes
// end every key and message on one). p may be null when k is 0.
inline std::uint64_t load_tail(const char *p, std::size_t k) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const auto *b = reinterpret_cast<const unsigned char *>(p);
    if (k >= 4) {
        std::uint32_t lo = 0;
        std::uint32_t hi = 0;
        __builtin_memcpy(&lo, b, 4);
        __builtin_memcpy(&hi, b + k - 4, 4);
        return lo | static_cast<std::uint64_t>(hi) << (8 * (k - 4));
    }
    if (k == 0) return 0;
    return b[0] | static_cast<std::uint64_t>(b[k / 2]) << (8 * (k / 2)) |
           static_cast<std::uint64_t>(b[k - 1]) << (8 * (k - 1));
#else
    std::uint64_t w = 0;
    if (k > 0) __builtin_memcpy(&w, p, k);
    return w;
#endif
}

// A hash map that keeps at most `cap` keys, evicting the oldest inserted key first (FIFO):
// everything the correlator remembers across messages is bounded by one of these. Keys may be
// erased early (a pending follow-up answered); each insertion carries a sequence number so that
// the queue entry of an erased key never evicts a later insertion of the same key.
//
// Layout (profiled: std::unordered_map's node lookups were the plugin's largest cost in wall time
// on large captures, a cache miss for the bucket and another for the node): an open-addressing
// index of 8-byte entries (linear probing, load <= 5/8, backward-shift deletion) maps a key to a
// slot of a deque of values; an entry holds the high 32 bits of the key's hash, so a probe reads
// a slot only when those match. Values never move: a reference stays valid until its key is erased
// or evicted (a deque keeps references across push_back). Erased or evicted slots are reset, which
// frees what the value owned, and reused.
//
// Expiry: expire_at(k, t) marks the current entry of k to be erased by the first expire(now) with
// now >= t (the correlator forgets a transaction some time after its last message). A later
// expire_at() of the same entry postpones it: the entry goes with its last deadline (at most
// kMaxDeadlines are queued per entry; later ones are ignored, so the queue stays within
// kMaxDeadlines times the live keys). Deadlines are served in the order they were set, so they
// should be set in time order (capture order); one set out of order waits for the deadlines set
// before it. A key erased, evicted or inserted again in between is not touched (the deadline
// carries the insertion's sequence number).
template <typename V>
class BoundedMap {
  public:
    explicit BoundedMap(std::size_t cap) : cap_(cap < 1 ? 1 : cap) {}
    V *find(std::uint64_t k) {
        const std::size_t pos = present(k);
        return pos == kNone ? nullptr : &slot_at(pos).value;
    }
    const V *find(std::uint64_t k) const { return const_cast<BoundedMap *>(this)->find(k); }
    V &get(std::uint64_t k) {
        // At most 5/8 full: a table at its cap (2^18 entries, one more before eviction) stays at
        // 2^19 entries (4 MB) instead of doubling for that one extra key.
        if ((size_ + 1) * 8 > index_.size() * 5) grow();
        const std::size_t pos = probe(k);
        if (index_[pos].slot != 0) return slot_at(pos).value;
        std::uint32_t s;
        if (!free_.empty()) {
            s = free_.back();
            free_.pop_back();
        } else {
            s = static_cast<std::uint32_t>(slots_.size());
            slots_.emplace_back();
        }
        Slot &slot = slots_[s];
        slot.key = k;
        slot.seq = next_seq();
        slot.deadlines = 0;
        index_[pos] = Entry{tag(k), s + 1};
        ++size_;
        order_.push_back(Ref{s, slot.seq});
        // Evicting erases other keys only (k is the newest and the queue is served oldest first,
        // cap_ >= 1); it frees slots but never reuses them, so `slot` stays k's.
        evict();
        return slot.value;
    }
    void erase(std::uint64_t k) {
        const std::size_t pos = present(k);
        if (pos != kNone) erase_at(pos);
    }
    static constexpr std::uint32_t kMaxDeadlines = 8;
    void expire_at(std::uint64_t k, std::int64_t when) {
        const std::size_t pos = present(k);
        if (pos == kNone) return;
        Slot &slot = slot_at(pos);
        if (slot.deadlines >= kMaxDeadlines) return;
        ++slot.deadlines;
        deadlines_.push_back(Deadline{Ref{index_[pos].slot - 1, slot.seq}, when});
        // Drop the deadlines of keys gone already (erased or evicted) once they may be half the
        // queue; the next pass waits until the queue has doubled again, so that live deadlines
        // (up to kMaxDeadlines per key) do not make every call pass over the whole queue.
        if (deadlines_.size() > std::max(2 * size_ + 16, compact_deadlines_at_)) {
            std::deque<Deadline> kept;
            for (const Deadline &e : deadlines_) {
                if (live(e.ref)) kept.push_back(e);
            }
            deadlines_.swap(kept);
            compact_deadlines_at_ = 2 * deadlines_.size();
        }
    }
    void expire(std::int64_t now) {
        while (!deadlines_.empty() && deadlines_.front().when <= now) {
            const Deadline &e = deadlines_.front();
            if (live(e.ref) && --slots_[e.ref.slot].deadlines == 0) erase(slots_[e.ref.slot].key);
            deadlines_.pop_front();
        }
    }
    std::size_t size() const { return size_; }
    // For tests: the queues are bounded.
    std::size_t queue_size() const { return order_.size(); }
    std::size_t deadline_count() const { return deadlines_.size(); }

  private:
    static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
    struct Slot {
        V value{};
        std::uint64_t key = 0;
        std::uint32_t seq = 0;  // of the insertion holding the slot; 0: free
        // Deadlines queued for this insertion (expire_at()); in what would be padding for most
        // values (a Transaction's slot stays 88 bytes).
        std::uint32_t deadlines = 0;
    };
    // One insertion of a key: its slot and the insertion's sequence number. The queues hold these
    // (8 bytes) rather than the key and a 64-bit number: the slot's own sequence number tells
    // whether the insertion is still there, with no index lookup. Sequence numbers wrap after
    // 2^32 insertions (0 is skipped); a queue entry is dropped long before that (the queues are
    // compacted against the live keys), so a stale entry cannot meet its number again.
    struct Ref {
        std::uint32_t slot;
        std::uint32_t seq;
    };
    struct Entry {
        std::uint32_t tag = 0;   // high 32 bits of the key's hash
        std::uint32_t slot = 0;  // slot index + 1; 0: empty
    };
    // Fibonacci hashing: the high bits of the product, so that keys differing only in their low
    // bits (small test keys) still spread. The home position is the top log2(index size) bits,
    // which the tag holds (the index never has more than 2^32 entries).
    static std::uint32_t tag(std::uint64_t k) {
        return static_cast<std::uint32_t>((k * 0x9E3779B97F4A7C15ULL) >> 32);
    }
    std::size_t home_of_tag(std::uint32_t t) const { return static_cast<std::size_t>(t >> shift_); }
    // Position of k in the index, or of the empty entry where it would go; kNone when the index
    // is not allocated yet.
    std::size_t probe(std::uint64_t k) const {
        if (index_.empty()) return kNone;
        const std::size_t mask = index_.size() - 1;
        const std::uint32_t t = tag(k);
        std::size_t i = home_of_tag(t);
        while (index_[i].slot != 0 && (index_[i].tag != t || slots_[index_[i].slot - 1].key != k)) {
            i = (i + 1) & mask;
        }
        return i;
    }
    void grow() {
        const std::size_t n = index_.empty() ? 16 : index_.size() * 2;
        std::vector<Entry> old;
        old.swap(index_);
        index_.assign(n, Entry{});
        shift_ = 32;
        for (std::size_t m = n; m > 1; m >>= 1) --shift_;
        const std::size_t mask = n - 1;
        for (const Entry &e : old) {
            if (e.slot == 0) continue;
            std::size_t i = home_of_tag(e.tag);
            while (index_[i].slot != 0) i = (i + 1) & mask;
            index_[i] = e;
        }
    }
    void erase_at(std::size_t pos) {
        const std::uint32_t s = index_[pos].slot - 1;
        slots_[s].value = V{};  // free what it owns now, not when the slot is reused
        slots_[s].seq = 0;
        free_.push_back(s);
        --size_;
        // Backward-shift deletion: pull later entries of the probe run into the hole when
        // their home position does not lie cyclically in (hole, entry].
        const std::size_t mask = index_.size() - 1;
        std::size_t hole = pos;
        for (std::size_t j = (pos + 1) & mask; index_[j].slot != 0; j = (j + 1) & mask) {
            const std::size_t h = home_of_tag(index_[j].tag);
            const bool stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
            if (!stays) {
                index_[hole] = index_[j];
                hole = j;
            }
        }
        index_[hole] = Entry{};
    }
    // Index position of k when it is in the map, else kNone.
    std::size_t present(std::uint64_t k) const {
        const std::size_t pos = probe(k);
        return pos == kNone || index_[pos].slot == 0 ? kNone : pos;
    }
    Slot &slot_at(std::size_t pos) { return slots_[index_[pos].slot - 1]; }
    // Whether a queue entry's insertion is still in the map.
    bool live(const Ref &r) const { return slots_[r.slot].seq == r.seq; }
    std::uint32_t next_seq() {
        if (++seq_ == 0) ++seq_;
        return seq_;
    }
    void evict() {
        while (size_ > cap_ && !order_.empty()) {
            const Ref r = order_.front();
            order_.pop_front();
            if (live(r)) erase(slots_[r.slot].key);
        }
        // Drop the entries of keys erased earlier (by erase() or expiry) once they are half the
        // queue: the queue stays within twice the live keys, whatever erases them.
        if (order_.size() > 2 * size_ + 16) {
            std::deque<Ref> kept;
            for (const Ref &e : order_) {
                if (live(e)) kept.push_back(e);
            }
            order_.swap(kept);
        }
    }
    std::size_t cap_;
    std::uint32_t seq_ = 0;
    std::size_t size_ = 0;
    unsigned shift_ = 32;
    std::vector<Entry> index_;
    std::deque<Slot> slots_;
    std::vector<std::uint32_t> free_;
    std::deque<Ref> order_;  // insertions, oldest first
    struct Deadline {
        Ref ref;
        std::int64_t when;
    };
    std::deque<Deadline> deadlines_;  // in the order they were set
    std::size_t compact_deadlines_at_ = 0;
};

}  // namespace sipdiag
