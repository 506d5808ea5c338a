// SPDX-License-Identifier: GPL-2.0-or-later
// One rule per family of response codes. A rule recognises its responses, diagnoses them into a
// detail type of its own, says where a response waits for the client's retry, judges that retry
// and the final response to it, and gives the verdict and the expert infos. The correlator
// (core/correlator.h) does the bookkeeping common to all rules: records, transactions, which
// client sent what, the follow-up window, the call view.
//
// Adding a code: write a rule (a class derived from RuleOf<YourDetail>), list it in
// rules/registry.cpp, add its texts to the knowledge base, and map its expert kinds and fields in
// the Wireshark layer (docs/adding-a-code.md walks through it).
#pragma once

#include "core/findings.h"
#include "core/pending_list.h"
#include "core/sipmsg.h"
#include "core/summary.h"
#include "core/transaction.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sipdiag {

enum class RuleId : std::uint8_t {
    none = 0,
    redirect,             // 302: rules/redirect.h
    conditional_publish,  // 412: rules/conditional_publish.h
    session_timer,        // 422: rules/session_timer.h
    challenge,            // 401, 407: rules/challenge.h
    interval,             // 423: rules/interval.h
    evidence,             // 415, 420, 421, 488, 489, 491, 494, 606, Retry-After: rules/evidence.h
    count_
};

// One SIP message: the per-frame result every pass renders, so kept for the whole capture. 20
// bytes: a message is a request or a response, never both, so the fields of one kind share
// storage with those of the other (read each only for its kind, as the comments say).
struct Record {
    FrameNum frame = 0;
    union {
        FrameNum request_frame = 0;  // response: first frame of the request it answers
        FrameNum response_frame;     // request: its final response
    };
    union {
        FrameNum retry_of = 0;  // request: the response it is the client's retry for
        std::uint32_t time;     // response: see Store::response_time()
    };
    // Response: its status code (at most 999). Request: the code of its final response.
    std::uint16_t code : 10;
    std::uint16_t index : 6;     // position of the message in its frame (below kMaxIndex)
    std::uint8_t method : 6;     // interned: request method, or the CSeq method of a response
    std::uint8_t long_time : 1;  // response: `time` indexes Store::long_times
    std::uint8_t spare : 1;
    std::uint8_t flags = 0;

    static constexpr unsigned kMaxIndex = 64;    // index: 6 bits
    static constexpr unsigned kMaxMethods = 64;  // method: 6 bits

    Record() : code(0), index(0), method(0), long_time(0), spare(0) {}

    static constexpr std::uint8_t kRequest = 1;
    static constexpr std::uint8_t kRetransmission = 2;
    static constexpr std::uint8_t kHasResponseTime = 4;
    static constexpr std::uint8_t kUncorrelated = 8;  // no Call-ID/CSeq
    // A request that is the client's retry of a response (retry_of): whether it does what the
    // response asked, judged from the request alone, so that every pass and a live capture agree.
    static constexpr std::uint8_t kRetryApplies = 16;
    // Multi-point captures (core/multipoint.h): a repeated sighting that is no retransmission.
    // Store::original_frame() is then the sighting it repeats: the previous one on its leg for a
    // capture duplicate, the first one anywhere for a copy at another capture point.
    static constexpr std::uint8_t kDuplicate = 32;
    static constexpr std::uint8_t kCopy = 64;
    // It has a Diagnosis (Store::details gives its index).
    static constexpr std::uint8_t kHasDetail = 128;

    bool is_request() const { return flags & kRequest; }
    bool retransmission() const { return flags & kRetransmission; }
    bool has_response_time() const { return flags & kHasResponseTime; }
    bool uncorrelated() const { return flags & kUncorrelated; }
    bool retry_applies() const { return flags & kRetryApplies; }
    bool has_detail() const { return flags & kHasDetail; }
    // 0: none, 1: a capture duplicate on the same leg, 2: a copy at another capture point.
    unsigned copy_kind() const { return flags & kDuplicate ? 1u : flags & kCopy ? 2u : 0u; }
    // Any later sighting of a message already seen: no second verdict, diagnosis or count.
    bool repeated() const { return flags & (kRetransmission | kDuplicate | kCopy); }
};
static_assert(sizeof(Record) == 16, "Record: one per SIP message, keep it small");

// The records, in capture order, indexed from 0. Stored in blocks of fixed capacity rather than
// one vector: no doubling overshoot and no copy of everything at each growth. The records of one
// frame stay in one block, so that a frame's records are one array (frame_records()); a block
// takes a frame's later messages beyond its nominal size (kSpare), and only a frame of more
// messages than that makes it grow.
class RecordStore {
  public:
    std::size_t size() const { return size_; }
    Record &operator[](std::size_t i) { return at(i); }
    const Record &operator[](std::size_t i) const { return const_cast<RecordStore *>(this)->at(i); }
    std::uint32_t push(const Record &r) {
        if (blocks_.empty() ||
            (blocks_.back().size() >= kBlock && blocks_.back().back().frame != r.frame)) {
            blocks_.emplace_back();
            blocks_.back().reserve(kBlock + kSpare);
            starts_.push_back(size_);
        }
        blocks_.back().push_back(r);
        return static_cast<std::uint32_t>(size_++);
    }
    // The index of a record of this store (from its address; the newest blocks first).
    std::uint32_t index_of(const Record &r) const;
    // The records of `frame` when records are in frame order: index of the first record whose
    // frame is not below `frame` (size() if none), and how many have exactly that frame.
    std::pair<std::size_t, std::size_t> sorted_run(FrameNum frame, std::size_t hint) const;
    // Out-of-order input: the first contiguous run of `frame`.
    std::pair<std::size_t, std::size_t> scan_run(FrameNum frame) const;

  private:
    static constexpr std::size_t kBlock = 8192;  // 224 KB of records
    static constexpr std::size_t kSpare = 64;    // a frame's messages past the nominal size
    Record &at(std::size_t i) {
        std::size_t b = std::min(i / kBlock, blocks_.size() - 1);
        while (starts_[b] > i) --b;  // blocks hold kBlock to kBlock + kSpare records
        return blocks_[b][i - starts_[b]];
    }
    std::vector<std::vector<Record>> blocks_;
    std::vector<std::size_t> starts_;  // index of each block's first record
    std::size_t size_ = 0;
};

// What every diagnosed message has, whatever its rule: problems found and, for a response whose
// fix is a retry, the follow-up bookkeeping. The rule's own facts live in the rule's storage
// (slot), so a response pays only for its own rule's detail.
// The problems of a diagnosis: most have none, so the list is allocated with the first.
class IssueList {
  public:
    IssueList() = default;
    IssueList(const IssueList &o) { *this = o; }
    IssueList(IssueList &&) = default;
    IssueList &operator=(const IssueList &o) {
        if (this != &o) v_ = o.v_ ? std::make_unique<std::vector<Issue>>(*o.v_) : nullptr;
        return *this;
    }
    IssueList &operator=(IssueList &&) = default;
    const Issue *begin() const { return v_ ? v_->data() : nullptr; }
    const Issue *end() const { return v_ ? v_->data() + v_->size() : nullptr; }
    std::size_t size() const { return v_ ? v_->size() : 0; }
    bool empty() const { return size() == 0; }
    void push_back(Issue i) {
        if (!v_) v_ = std::make_unique<std::vector<Issue>>();
        v_->push_back(std::move(i));
    }

  private:
    std::unique_ptr<std::vector<Issue>> v_;
};

// What every diagnosed message has, whatever its rule: problems found and, for a response whose
// fix is a retry, the follow-up bookkeeping. The rule's own facts live in the rule's storage
// (slot), so a response pays only for its own rule's detail. 72 bytes.
struct Diagnosis {
    RuleId rule = RuleId::none;
    bool followup_ok = false;  // the attempt applied the fix (as far as known)
    std::uint16_t followup_response_code = 0;
    std::uint32_t slot = UINT32_MAX;  // index into the rule's details
    TimeNs time_ns = 0;               // when the response was seen
    std::uint64_t client = 0;         // hash of the client's identity (client_hash)
    std::uint64_t branch = 0;         // hash of the transaction's top Via branch
    std::uint32_t cseq = 0;
    FrameNum followup_frame = 0;  // the client's next attempt
    FrameNum followup_response_frame = 0;
    std::uint16_t client_agent = 0;            // User-Agent of the request (Correlator::agent_name)
    std::uint16_t server_agent = 0;            // Server of the response
    std::optional<std::uint32_t> retry_after;  // Retry-After, for the rules that show it
    std::uint32_t call = UINT32_MAX;           // index into the correlator's calls
    IssueList issues;

    void add_issue(IssueKind kind, std::string detail) {
        if (issues.size() < 16) issues.push_back(Issue{kind, std::move(detail)});
    }
};
static_assert(sizeof(Diagnosis) <= 72, "Diagnosis: one per diagnosed message");

// Where a response waits for the client's retry, and so how a later request finds it.
enum class PendingKind : std::uint8_t {
    none,    // no follow-up for this rule
    entity,  // by event state entity (Request-URI + Event of a PUBLISH)
    dialog,  // by Call-ID + From tag
    call,    // by Call-ID alone (a retry may change the From tag)
};
// A rule may file a response under two keys of its table (a 302: its dialog, and its client
// for a retry in a new dialog).
constexpr std::size_t kMaxPendingKeys = 2;

struct Config {
    // How long after a response a retry still counts as its follow-up.
    TimeNs followup_window_ns = 32'000'000'000;  // 64*T1, RFC 3261 timer B
    // How long a transaction that has its final response (an ACK: once sent) is kept after its
    // last message, to recognise retransmissions. After a final, the messages that still come
    // over UDP (the final again, the request again if the final was lost beyond the capture
    // point, the ACK again) are at most T2 = 4 s apart (RFC 3261 17.1.1.2, 17.1.2.2, 17.2.1),
    // and stop 64*T1 = 32 s after the final; 32 s after the last one covers a T2 of up to 32 s
    // and any T1, since each message postpones the deadline.
    TimeNs transaction_linger_ns = 32'000'000'000;
    std::size_t transactions = 1u << 18;  // at most this many at once, the oldest forgotten first
    std::size_t entities = 1u << 16;
    std::size_t pending = 1u << 16;
    std::size_t calls = 1u << 16;
    std::size_t codes_per_call = 16;
};

// A 32-bit value for a few records, kept beside them rather than in every Record: entries sorted
// by record index, appended in capture order (inserted by binary search otherwise). Stored in
// blocks of kBlock entries: no doubling overshoot or copy at growth (a vector peaked at 1.7 times
// the entries), and, unlike a deque, a lookup is two binary searches over plain arrays (the first
// over the blocks' first records, started from the newest block, where lookups mostly are).
class RecordSide {
  public:
    void set(std::uint32_t record, std::uint32_t value);
    std::uint32_t get(std::uint32_t record, std::uint32_t missing) const;
    std::size_t size() const { return size_; }

  private:
    struct Entry {
        std::uint32_t record;
        std::uint32_t value;
    };
    static constexpr std::size_t kBlock = 512;
    // Index of the block that would hold `record` (the last whose first record is not above it;
    // 0 when it is below them all). Blocks are never empty.
    std::size_t block_of(std::uint32_t record) const;
    std::vector<std::vector<Entry>> blocks_;
    std::vector<std::uint32_t> firsts_;  // the first record of each block
    std::size_t size_ = 0;
};

// The storage the correlator shares with the rules: every record, every diagnosis, the interned
// method names.
struct Store {
    RecordStore records;
    // Response times that do not fit the record's 32 bits of nanoseconds (4.29 s; negative
    // ones come from broken timestamps): Record::time indexes this table instead.
    std::vector<TimeNs> long_times;
    void set_response_time(Record &r, TimeNs t);
    TimeNs response_time(const Record &r) const;
    // The frame a repeated sighting (Record::repeated(): retransmission, duplicate, copy) repeats,
    // 0 for any other record. Kept aside: few records are repeats.
    RecordSide originals;
    void set_original_frame(const Record &r, FrameNum original) {
        originals.set(records.index_of(r), original);
    }
    FrameNum original_frame(const Record &r) const {
        return r.repeated() ? originals.get(records.index_of(r), 0) : 0;
    }
    // The status code a retry reacts to (the code of the response in its Record::retry_of), kept
    // aside: only retries have one.
    RecordSide retry_codes;
    std::uint16_t retry_of_code(const Record &r) const {
        return r.is_request() && r.retry_of != 0
                   ? static_cast<std::uint16_t>(retry_codes.get(records.index_of(r), 0))
                   : 0;
    }
    std::deque<Diagnosis> diagnoses;
    // The index in `diagnoses` of each record that has one (Record::has_detail()).
    RecordSide details;
    std::uint32_t detail(const Record &r) const {
        return details.get(records.index_of(r), UINT32_MAX);
    }
    std::vector<std::string> methods;  // by Record::method
    Diagnosis &diagnosis_of(std::uint32_t record) { return diagnoses[detail(records[record])]; }
};

// The client that sent the request of a transaction: the top Via sent-by (copied into every
// response), lower-cased, or the source address when there is no Via. Its hash, built once per
// message (kept in m.client_hash_memo): the keys below and the rules start from it.
std::uint64_t client_hash(const MessageView &m);
// Keys of the pending tables.
std::uint64_t dialog_key(const MessageView &m);
std::uint64_t call_key(const MessageView &m);
// The client across dialogs: its top Via sent-by and its From tag (a retry in a new dialog keeps
// both; the IP address alone would merge every client behind one proxy).
std::uint64_t client_key(const MessageView &m);
std::uint64_t entity_key(std::string_view uri, std::string_view event);

class Rule {
  public:
    Rule(Store &store, const Config &config) : store_(store), config_(config) {}
    virtual ~Rule() = default;
    Rule(const Rule &) = delete;
    Rule &operator=(const Rule &) = delete;

    virtual RuleId id() const = 0;
    // Whether this rule diagnoses this response.
    virtual bool recognises(const MessageView &resp) const = 0;
    // Diagnoses the response into a new detail of this rule (RuleOf::new_detail() sets d.rule
    // and d.slot). `tx` is null when the response cannot be correlated (no
    // Call-ID or CSeq). Returns false when there is nothing worth keeping (the diagnosis is then
    // dropped).
    virtual bool diagnose(const MessageView &resp, const Transaction *tx, Diagnosis &d) = 0;
    // After the first copy of a correlated response is diagnosed (not for retransmissions).
    virtual void diagnosed(const MessageView &, const Transaction &, std::uint32_t /*record*/) {}

    // Follow-up: where the response waits, under which key (0: do not wait).
    virtual PendingKind pending_kind() const { return PendingKind::none; }
    virtual std::uint64_t pending_key(const MessageView &resp, const Diagnosis &d) const;
    // Every key the response waits under (pending_key() by default); returns how many.
    virtual std::size_t pending_keys(const MessageView &resp, const Diagnosis &d,
                                     std::uint64_t (&keys)[kMaxPendingKeys]) const {
        keys[0] = pending_key(resp, d);
        return 1;
    }
    // Whether a request found under the key, from the same client inside the window, is the
    // retry of this response (method, CSeq, branch...).
    virtual bool accepts(const Record &, const Diagnosis &, const MessageView &) const {
        return true;
    }
    // Judges the retry; then the final response to it.
    virtual void judge(Diagnosis &, const MessageView & /*request*/) {}
    // Right after judge(): whether the retry itself does what the response asks (the final
    // answer to it may still change the verdict), and the expert info of a retry that does not.
    virtual bool retry_applies(const Diagnosis &d) const { return d.followup_ok; }
    virtual ExpertKind retry_expert(const Diagnosis &) const { return ExpertKind::none; }
    virtual void take_final(Diagnosis &, const MessageView & /*response*/) {}

    // The verdict on a diagnosed response (first copy, correlated; see Correlator::verdict).
    virtual Verdict verdict(const Record &r, const Diagnosis &d, bool capture_complete) const;
    // Expert info of the response itself (the code), or none.
    virtual ExpertKind response_expert(const Record &r, const Diagnosis *d) const = 0;
    // This rule's part of sipdiag.summary (after "CODE Reason: "): the values of the capture
    // and, for a rule with a follow-up, the verdict (core/summary.h).
    virtual void summarize(const Record &, const Diagnosis &, const Verdict &,
                           SummaryWriter &) const {}
    // What the client's retry did, in a few words (for the retry's own line in the flow graph).
    virtual void summarize_retry(const Diagnosis &, SummaryWriter &) const {}

    // Every request and every first final response of a transaction pass here, so that a rule
    // can watch the capture (the last entity tag issued, later calls after a redirect).
    virtual void observe_request(const MessageView &, const Transaction &) {}
    virtual void observe_final(const MessageView &, const Transaction &) {}

  protected:
    // Hooks of the default verdict.
    // False while the follow-up's judgement waits for something not seen yet.
    virtual bool followup_decided(const Diagnosis &) const { return true; }
    virtual ExpertKind not_followed_expert(const Diagnosis &) const { return ExpertKind::none; }
    virtual ExpertKind wrong_fix_expert(const Diagnosis &) const { return ExpertKind::none; }

    Store &store_;
    const Config &config_;
};

// A rule with its own detail type, stored by the rule.
template <typename D>
class RuleOf : public Rule {
  public:
    using Detail = D;
    using Rule::Rule;
    const D *detail(const Diagnosis &d) const {
        return d.rule == id() && d.slot < details_.size() ? &details_[d.slot] : nullptr;
    }
    std::size_t detail_count() const { return details_.size(); }

  protected:
    D &detail(Diagnosis &d) { return details_[d.slot]; }
    // Gives d a fresh detail of this rule.
    D &new_detail(Diagnosis &d) {
        d.rule = id();
        d.slot = static_cast<std::uint32_t>(details_.size());
        return details_.emplace_back();
    }
    // Drops the detail last handed out (a diagnosis not kept).
    void drop_last() { details_.pop_back(); }

  private:
    std::deque<D> details_;
};

// The common test of the rules whose retry is a new request of the same call: a higher CSeq and
// a new branch (a proxy's forwarded copy of the original has the same branch).
bool is_new_request_of_call(const Diagnosis &d, const MessageView &req);

// Parses Retry-After into d.retry_after, or adds an issue.
void take_retry_after(const MessageView &resp, Diagnosis &d);

// Appends a response waiting for a retry; when full, the oldest (most likely expired) goes.
void add_pending(PendingList &pending, std::uint32_t record);

// later - earlier, saturated: capture timestamps are untrusted and may be far apart.
TimeNs elapsed(TimeNs later, TimeNs earlier);

}  // namespace sipdiag
