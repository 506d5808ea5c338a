// SPDX-License-Identifier: GPL-2.0-or-later
// The correlator: ties SIP responses to their requests and, over the whole capture, to what the
// client did next. Pure C++17, no Wireshark: the adapter copies each SIP message's fields into a
// SipMessage and reads the results back as plain structs.
//
// Memory: one compact Record per SIP message (the per-frame result, like Wireshark's own per-frame
// data), one Detail per diagnosed 302/412/422 (or message with a problem), and bounded tables for
// the state that follows the capture (transactions, entity tags, pending follow-ups, calls): each
// holds at most its capacity and forgets the oldest entries first.
#pragma once

#include "core/sipvalue.h"
#include "core/topics.h"

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sipdiag {

using FrameNum = std::uint32_t;  // 0 = none
using TimeNs = std::int64_t;

// Copy of the SIP fields of one message, as the adapter read them. Header vectors hold the raw
// header values in message order (one element per header line).
struct SipMessage {
    FrameNum frame = 0;
    std::uint8_t index = 0;  // position of the message in its frame (several per TCP segment)
    TimeNs time_ns = 0;
    std::string src;  // network source address (no port), identifies the client as a fallback
    bool is_request = false;
    std::string method;   // request method
    unsigned status = 0;  // response status code
    std::string request_uri;
    std::string call_id;
    bool has_cseq = false;
    std::uint32_t cseq = 0;
    std::string cseq_method;
    std::string branch;       // top Via branch
    std::string via_sent_by;  // identifies the client: top Via host and number of Vias
    std::string from_tag;
    std::string to_uri;
    std::vector<std::string> contact;
    std::vector<std::string> session_expires;
    std::vector<std::string> min_se;
    std::vector<std::string> if_match;
    std::vector<std::string> etag;
    std::vector<std::string> event;
    HeaderList headers;  // further headers for the topic analysis (core/topics.h)
};

enum class IssueKind : std::uint8_t {
    // PI_PROTOCOL: a header the RFC requires is absent
    missing_contact,  // 302 without Contact (RFC 3261 21.3.3)
    missing_min_se,   // 422 without Min-SE (RFC 4028 6: MUST)
    missing_call_id,  // message without Call-ID or CSeq: cannot be correlated
    missing_cseq,
    // PI_MALFORMED: a value that does not parse
    bad_session_expires,
    bad_min_se,
    bad_q,
    bad_expires,
    bad_contact,
    bad_etag,
    // PI_PROTOCOL, note: bounded work
    contacts_truncated,
    value_truncated,
};
bool issue_is_malformed(IssueKind k);
const char *issue_name(IssueKind k);  // stable short text, e.g. "Min-SE missing"

struct Issue {
    IssueKind kind;
    std::string detail;  // human-readable detail; may contain packet text (never a format string)
};

// Outcome of the follow-up analysis for a diagnosed 302/412/422.
enum class Outcome : std::uint8_t {
    not_applicable = 0,
    pending,         // capture not fully read yet (single pass), or still inside the window
    followed_ok,     // the client retried and applied the fix
    wrong_fix,       // the client retried but did not apply the fix
    not_followed,    // no retry within the follow-up window
    request_missing  // the request is not in the capture, so the client is unknown
};
const char *outcome_name(Outcome o);  // "followed ok", "wrong fix", ...

// Details of a diagnosed response (302, 412, 422) or of any message with an issue.
struct Detail {
    // 302 and other 3xx
    ContactList contacts;
    // 412
    std::string entity;  // Request-URI of the PUBLISH
    std::string event;
    std::string if_match;  // the SIP-If-Match that failed
    std::string last_etag;
    FrameNum last_etag_frame = 0;
    // 422
    std::optional<std::uint32_t> session_expires;  // from the request
    std::optional<std::uint32_t> min_se;           // from the 422
    std::vector<Issue> issues;
    // follow-up (filled as the capture is read)
    TimeNs time_ns = 0;          // when the response was seen
    std::string client_sent_by;  // top Via sent-by of the transaction: the client's identity
    std::string client_src;
    std::string call_key;  // Call-ID + From tag
    std::uint32_t cseq = 0;
    std::string branch;
    FrameNum followup_frame = 0;
    bool followup_ok = false;
    FrameNum followup_response_frame = 0;
    std::uint16_t followup_response_code = 0;
    std::string redirect_target;
    // 302, later calls: RFC 3261 21.3.3 says to keep using the original Request-URI for future
    // requests. The first later request of the same client to either address tells.
    std::string original_uri;          // Request-URI of the redirected request
    std::uint64_t call_hash = 0;       // Call-ID of the redirected call
    FrameNum later_request_frame = 0;  // a later call of the same client
    bool later_kept_original = false;  // ...went to the original URI (true) or the Contact
    std::optional<bool> highest_q;
    std::string new_etag;
    std::optional<std::uint32_t> retry_session_expires;
    bool retry_has_min_se = false;
    bool if_match_repeated = false;
    std::uint32_t call = UINT32_MAX;  // index into calls, for the call view
    // Other codes: the evidence the response carries (core/topics.h)
    TopicDetail topics;
    bool retry_has_credentials = false;          // 401/407: the retry carried credentials
    bool credentials_rejected = false;           // 401/407: ...and was challenged again (not
                                                 // for a stale nonce)
    std::optional<std::uint32_t> retry_expires;  // 423: Expires of the retry
};

// One SIP message. ~48 bytes.
struct Record {
    FrameNum frame = 0;
    FrameNum request_frame = 0;   // response: first frame of the request it answers
    FrameNum response_frame = 0;  // request: its final response
    FrameNum original_frame = 0;  // retransmission: the first copy
    FrameNum retry_of = 0;        // request: the 302/412/422 it reacts to
    TimeNs response_time = 0;     // response: since the request
    std::uint32_t detail = UINT32_MAX;
    std::uint16_t code = 0;  // response code, 0 for requests
    std::uint16_t response_code = 0;
    std::uint16_t retry_of_code = 0;
    std::uint8_t method = 0;  // interned: request method, or the CSeq method of a response
    std::uint8_t flags = 0;
    std::uint8_t index = 0;  // position of the message in its frame

    static constexpr std::uint8_t kRequest = 1;
    static constexpr std::uint8_t kRetransmission = 2;
    static constexpr std::uint8_t kHasResponseTime = 4;
    static constexpr std::uint8_t kUncorrelated = 8;  // no Call-ID/CSeq

    bool is_request() const { return flags & kRequest; }
    bool retransmission() const { return flags & kRetransmission; }
    bool has_response_time() const { return flags & kHasResponseTime; }
    bool has_detail() const { return detail != UINT32_MAX; }
};

struct Config {
    // How long after a 302/412/422 a retry still counts as its follow-up.
    TimeNs followup_window_ns = 32'000'000'000;  // 64*T1, RFC 3261 timer B
    std::size_t transactions = 1u << 18;
    std::size_t entities = 1u << 16;
    std::size_t pending = 1u << 16;
    std::size_t calls = 1u << 16;
    std::size_t codes_per_call = 16;
};

// A call's sequence of diagnosed codes, for the call view.
struct CallEntry {
    FrameNum frame;
    std::uint16_t code;
    std::uint32_t record;
};

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
        slot.seq = ++seq_;
        index_[pos] = Entry{tag(k), s + 1};
        ++size_;
        order_.emplace_back(k, seq_);
        // Evicting erases other keys only (k is the newest and the queue is served oldest first,
        // cap_ >= 1); it frees slots but never reuses them, so `slot` stays k's.
        evict();
        return slot.value;
    }
    void erase(std::uint64_t k) {
        const std::size_t pos = present(k);
        if (pos != kNone) erase_at(pos);
    }
    std::size_t size() const { return size_; }
    std::size_t queue_size() const { return order_.size(); }  // for tests: the queue is bounded

  private:
    static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
    struct Slot {
        V value{};
        std::uint64_t key = 0;
        std::uint64_t seq = 0;
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
    // Index position of a queue entry's key when that insertion is still in the map, else kNone.
    std::size_t live(const std::pair<std::uint64_t, std::uint64_t> &e) {
        const std::size_t pos = present(e.first);
        return pos != kNone && slot_at(pos).seq == e.second ? pos : kNone;
    }
    void evict() {
        while (size_ > cap_ && !order_.empty()) {
            const std::size_t pos = live(order_.front());
            if (pos != kNone) erase_at(pos);
            order_.pop_front();
        }
        if (order_.size() > 2 * cap_ + 16) {  // drop the entries of keys erased earlier
            std::deque<std::pair<std::uint64_t, std::uint64_t>> kept;
            for (const auto &e : order_) {
                if (live(e) != kNone) kept.push_back(e);
            }
            order_.swap(kept);
        }
    }
    std::size_t cap_;
    std::uint64_t seq_ = 0;
    std::size_t size_ = 0;
    unsigned shift_ = 32;
    std::vector<Entry> index_;
    std::deque<Slot> slots_;
    std::vector<std::uint32_t> free_;
    std::deque<std::pair<std::uint64_t, std::uint64_t>> order_;  // (key, seq), oldest first
};

class Correlator {
  public:
    explicit Correlator(Config config = Config{});

    // Adds one message; messages must come in capture order (first pass). Returns the index of
    // its record.
    std::uint32_t add(const SipMessage &msg);

    // Records of one frame, in message order (several SIP messages can share a TCP frame).
    std::pair<const Record *, std::size_t> frame_records(FrameNum frame) const;

    const Record &record(std::uint32_t i) const { return records_[i]; }
    const Detail *detail(const Record &r) const {
        return r.has_detail() ? &details_[r.detail] : nullptr;
    }
    const std::string &method_name(std::uint8_t id) const { return methods_[id]; }
    const std::vector<CallEntry> *call(const Detail &d) const;

    // Outcome of a diagnosed response. `capture_complete` says the whole capture has been read
    // (second pass, GUI); until then an absent follow-up is "pending", never a guess.
    Outcome outcome(const Record &r, bool capture_complete) const;
    // True when the capture ends before the follow-up window after this response ran out: a
    // "not followed" verdict then rests on a short capture.
    bool capture_ends_in_window(const Detail &d) const;

    TimeNs last_time() const { return last_time_; }
    std::size_t record_count() const { return records_.size(); }
    std::size_t transaction_count() const { return tx_.size(); }

    // The three codes with their own analysis (Contact list, entity tags, session timer).
    static bool is_core_code(unsigned code) { return code == 302 || code == 412 || code == 422; }
    // Codes whose fix is a retry by the same client, checked over the capture.
    static bool wants_followup(unsigned code) {
        return is_core_code(code) || code == 401 || code == 407 || code == 423;
    }
    // Codes whose headers carry evidence worth showing (core/topics.h).
    static bool has_topic(unsigned code) {
        switch (code) {
            case 401:
            case 407:
            case 415:
            case 420:
            case 421:
            case 423:
            case 488:
            case 489:
            case 491:
            case 494:
            case 606:
                return true;
            default:
                return false;
        }
    }

  private:
    struct Tx {
        FrameNum request_frame = 0;
        TimeNs request_time = 0;
        std::uint32_t request_record = UINT32_MAX;
        std::uint32_t followup_of = UINT32_MAX;  // record of the 302/412/422 it reacts to
        std::string request_uri;                 // INVITE/PUBLISH/UPDATE only
        std::string event;                       // PUBLISH
        std::string if_match;                    // PUBLISH
        std::optional<std::uint32_t> session_expires;
        std::unique_ptr<RequestFacts> facts;  // only for requests that carry relevant headers
        bool has_final = false;
        std::uint8_t response_count = 0;
        std::uint16_t codes[4] = {0, 0, 0, 0};
        FrameNum frames[4] = {0, 0, 0, 0};
    };

    template <typename V>
    using BoundedMap = sipdiag::BoundedMap<V>;

    struct EtagInfo {
        std::string etag;
        FrameNum frame = 0;
    };

    std::uint8_t intern_method(std::string_view m);
    std::uint32_t new_detail(Record &r);
    void on_request(const SipMessage &msg, std::uint32_t idx);
    void on_response(const SipMessage &msg, std::uint32_t idx);
    void diagnose_302(const SipMessage &msg, Detail &d);
    void diagnose_412(const SipMessage &msg, const Tx *tx, Detail &d);
    void diagnose_422(const SipMessage &msg, const Tx *tx, Detail &d);
    void check_request_followup(const SipMessage &msg, std::uint32_t idx, Tx &tx);
    void apply_followup(std::uint32_t resp_idx, const SipMessage &req, std::uint32_t req_idx,
                        Tx &tx);
    void on_followup_final(const Tx &tx, const SipMessage &resp, FrameNum frame);
    void note_call(const SipMessage &msg, std::uint32_t idx);
    void check_later_call(const SipMessage &msg);

    Config config_;
    std::vector<Record> records_;
    std::deque<Detail> details_;
    std::vector<std::string> methods_;
    BoundedMap<Tx> tx_;
    BoundedMap<EtagInfo> etags_;
    BoundedMap<std::vector<std::uint32_t>> pending_dialog_;  // 302/422 waiting for a retry
    BoundedMap<std::vector<std::uint32_t>> pending_entity_;  // 412 waiting for a re-PUBLISH
    BoundedMap<std::uint32_t> call_index_;                   // Call-ID -> calls_
    BoundedMap<std::vector<std::uint32_t>> redirects_;       // client -> its recent 302s
    std::vector<std::vector<CallEntry>> calls_;
    TimeNs last_time_ = 0;
    FrameNum last_frame_ = 0;
    mutable std::size_t frame_hint_ = 0;  // where frame_records() looks first
    bool out_of_order_ = false;
};

// 64-bit hash of several strings/numbers (FNV-1a with a final mix); keys of the bounded tables.
std::uint64_t hash_parts(std::initializer_list<std::string_view> parts, std::uint64_t extra = 0);

}  // namespace sipdiag
