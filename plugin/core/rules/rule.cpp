// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/rules/rule.h"

#include "core/bounded_map.h"
#include "core/sipvalue.h"

#include <algorithm>
#include <functional>
#include <limits>

namespace sipdiag {

namespace {
constexpr std::size_t kMaxPendingPerKey = 8;  // responses waiting for a retry, per key
}

std::pair<std::size_t, std::size_t> RecordStore::sorted_run(FrameNum frame,
                                                            std::size_t hint) const {
    const RecordStore &s = *this;
    std::size_t lo = hint;
    const bool hint_ok = lo <= size_ && (lo == size_ || s[lo].frame >= frame) &&
                         (lo == 0 || s[lo - 1].frame < frame);
    if (!hint_ok) {
        // The first block whose last record is not below `frame`, then inside it.
        const auto b = std::lower_bound(
            blocks_.begin(), blocks_.end(), frame,
            [](const std::vector<Record> &blk, FrameNum f) { return blk.back().frame < f; });
        if (b == blocks_.end()) {
            lo = size_;
        } else {
            const auto r =
                std::lower_bound(b->begin(), b->end(), frame,
                                 [](const Record &rec, FrameNum f) { return rec.frame < f; });
            lo = starts_[static_cast<std::size_t>(b - blocks_.begin())] +
                 static_cast<std::size_t>(r - b->begin());
        }
    }
    std::size_t hi = lo;
    while (hi < size_ && s[hi].frame == frame) ++hi;
    return {lo, hi - lo};
}

std::pair<std::size_t, std::size_t> RecordStore::scan_run(FrameNum frame) const {
    const RecordStore &s = *this;
    for (std::size_t i = 0; i < size_; ++i) {
        if (s[i].frame == frame) {
            std::size_t j = i;
            while (j < size_ && s[j].frame == frame) ++j;
            return {i, j - i};
        }
    }
    return {size_, 0};
}

void Store::set_response_time(Record &r, TimeNs t) {
    if (t >= 0 && t <= TimeNs{UINT32_MAX}) {
        r.time = static_cast<std::uint32_t>(t);
        r.long_time = 0;
    } else {
        r.time = static_cast<std::uint32_t>(long_times.size());
        r.long_time = 1;
        long_times.push_back(t);
    }
    r.flags |= Record::kHasResponseTime;
}

std::uint32_t RecordStore::index_of(const Record &r) const {
    const std::less<const Record *> less;
    for (std::size_t b = blocks_.size(); b-- > 0;) {
        const std::vector<Record> &v = blocks_[b];
        if (!less(&r, v.data()) && less(&r, v.data() + v.size()))
            return static_cast<std::uint32_t>(starts_[b] + (&r - v.data()));
    }
    return UINT32_MAX;  // not a record of this store
}

namespace {
struct RecordLess {
    template <typename E>
    bool operator()(const E &e, std::uint32_t record) const {
        return e.record < record;
    }
};
}  // namespace

std::size_t RecordSide::block_of(std::uint32_t record) const {
    const std::size_t n = firsts_.size();
    if (n == 0 || firsts_[n - 1] <= record) return n == 0 ? 0 : n - 1;
    const auto it = std::upper_bound(firsts_.begin(), firsts_.end(), record);
    return it == firsts_.begin() ? 0 : static_cast<std::size_t>(it - firsts_.begin()) - 1;
}

void RecordSide::set(std::uint32_t record, std::uint32_t value) {
    // Records come in capture order: the new one nearly always goes last.
    if (blocks_.empty() || blocks_.back().back().record < record) {
        if (blocks_.empty() || blocks_.back().size() >= kBlock) {
            blocks_.emplace_back();
            blocks_.back().reserve(kBlock);
            firsts_.push_back(record);
        }
        blocks_.back().push_back(Entry{record, value});
        ++size_;
        return;
    }
    const std::size_t b = block_of(record);
    std::vector<Entry> &blk = blocks_[b];
    auto it = std::lower_bound(blk.begin(), blk.end(), record, RecordLess{});
    if (it != blk.end() && it->record == record) {
        it->value = value;
        return;
    }
    blk.insert(it, Entry{record, value});
    ++size_;
    firsts_[b] = blk.front().record;
    if (blk.size() > kBlock) {  // split: the upper half becomes the next block
        std::vector<Entry> upper;
        upper.reserve(kBlock);
        upper.assign(blk.begin() + static_cast<std::ptrdiff_t>(kBlock / 2), blk.end());
        blk.resize(kBlock / 2);
        const std::uint32_t first = upper.front().record;
        blocks_.insert(blocks_.begin() + static_cast<std::ptrdiff_t>(b) + 1, std::move(upper));
        firsts_.insert(firsts_.begin() + static_cast<std::ptrdiff_t>(b) + 1, first);
    }
}

std::uint32_t RecordSide::get(std::uint32_t record, std::uint32_t missing) const {
    if (blocks_.empty()) return missing;
    const std::vector<Entry> &blk = blocks_[block_of(record)];
    if (blk.back().record == record) return blk.back().value;
    const auto it = std::lower_bound(blk.begin(), blk.end(), record, RecordLess{});
    return it != blk.end() && it->record == record ? it->value : missing;
}

TimeNs Store::response_time(const Record &r) const {
    if (!r.has_response_time() || r.is_request()) return 0;
    return r.long_time ? long_times[r.time] : static_cast<TimeNs>(r.time);
}

TimeNs elapsed(TimeNs later, TimeNs earlier) {
    constexpr TimeNs kMax = std::numeric_limits<TimeNs>::max();
    constexpr TimeNs kMin = std::numeric_limits<TimeNs>::min();
    if (earlier < 0 && later > kMax + earlier) return kMax;
    if (earlier > 0 && later < kMin + earlier) return kMin;
    return later - earlier;
}

void add_pending(PendingList &pending, std::uint32_t record) {
    if (pending.size() >= kMaxPendingPerKey) pending.erase(pending.begin());
    pending.push_back(record);
}

std::uint64_t client_hash(const MessageView &m) {
    if (m.client_hash_memo == 0) {
        // The lowered sent-by is hashed as it is read: no lowered copy is built.
        const std::uint64_t h =
            m.via_sent_by.empty() ? hash_parts({m.src}) : hash_lowered(m.via_sent_by, m.via_count);
        m.client_hash_memo = h | 1;  // never 0: 0 means "not yet"
    }
    return m.client_hash_memo;
}

std::uint64_t dialog_key(const MessageView &m) {
    return hash_parts({m.from_tag}, m.call_hash);
}

std::uint64_t call_key(const MessageView &m) {
    return hash_parts({}, m.call_hash ^ 0x401);
}

std::uint64_t client_key(const MessageView &m) {
    return hash_parts({m.from_tag}, client_hash(m) ^ 0xc11e);
}

std::uint64_t entity_key(std::string_view uri, std::string_view event) {
    return hash_parts({uri, event});
}

bool is_new_request_of_call(const Diagnosis &d, const MessageView &req) {
    return req.cseq > d.cseq && hash_parts({req.branch}) != d.branch;
}

void take_retry_after(const MessageView &resp, Diagnosis &d) {
    const std::string_view *v = resp.headers.first(Hdr::retry_after);
    if (v == nullptr) return;
    DeltaSeconds s = parse_retry_after(*v);
    if (s.ok()) {
        d.retry_after = s.value;
    } else {
        d.add_issue(IssueKind::bad_retry_after,
                    "Retry-After \"" + bounded_copy(*v, 64) + "\": " + parse_error_text(s.error));
    }
}

std::uint64_t Rule::pending_key(const MessageView &resp, const Diagnosis &) const {
    switch (pending_kind()) {
        case PendingKind::dialog:
            return dialog_key(resp);
        case PendingKind::call:
            return call_key(resp);
        default:
            return 0;
    }
}

Verdict Rule::verdict(const Record &r, const Diagnosis &d, bool capture_complete) const {
    Verdict v;
    if (d.followup_frame != 0) {
        v.decided = followup_decided(d);
        v.ok = d.followup_ok;
        if (!v.decided) {
            v.outcome = Outcome::pending;  // the judgement waits for the answer to the retry
        } else {
            v.outcome = d.followup_ok ? Outcome::followed_ok : Outcome::wrong_fix;
        }
    } else if (r.request_frame == 0) {
        v.outcome = Outcome::request_missing;
    } else if (!capture_complete) {
        v.outcome = Outcome::pending;
    } else {
        // The whole capture is read and no retry came. When the capture ends inside the
        // follow-up window the adapter says so next to the verdict (capture_ends_in_window).
        v.outcome = Outcome::not_followed;
    }
    switch (v.outcome) {
        case Outcome::followed_ok:
            v.expert = ExpertKind::followup_applied;
            break;
        case Outcome::not_followed:
            v.expert = not_followed_expert(d);
            break;
        case Outcome::wrong_fix:
            v.expert = wrong_fix_expert(d);
            break;
        default:
            break;
    }
    return v;
}

}  // namespace sipdiag
