// SPDX-License-Identifier: GPL-2.0-or-later
// The correlator: ties SIP responses to their requests and, over the whole capture, to what the
// client did next. Pure C++17, no Wireshark: the adapter reads each SIP message into a MessageView
// (core/sipmsg.h: views, nothing copied per message) and reads the results back as plain structs
// and enums.
//
// What is common to every response code lives here: records, transactions, retransmissions, which
// client sent what, the pending follow-ups and the follow-up window, the call view. What a code
// means and how its fix is judged lives in its rule (core/rules/).
//
// Memory: one compact Record per SIP message (the per-frame result, like Wireshark's own per-frame
// data), one Diagnosis per diagnosed response (or message with a problem) plus the rule's own
// detail, and bounded tables for the state that follows the capture (transactions, entity tags,
// pending follow-ups, calls): each holds at most its capacity and forgets the oldest entries
// first (core/bounded_map.h).
#pragma once

#include "core/bounded_map.h"
#include "core/findings.h"
#include "core/rules/registry.h"
#include "core/rules/rule.h"
#include "core/sipmsg.h"
#include "core/summary.h"
#include "core/transaction.h"

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sipdiag {

// A call's sequence of diagnosed codes, for the call view.
struct CallEntry {
    FrameNum frame;
    std::uint16_t code;
    std::uint32_t record;
};

class Correlator {
  public:
    explicit Correlator(Config config = Config{});
    // The rules keep references to the configuration and the store.
    Correlator(const Correlator &) = delete;
    Correlator &operator=(const Correlator &) = delete;

    // Adds one message; messages must come in capture order (first pass). Returns the index of
    // its record.
    std::uint32_t add(const MessageView &msg);
    std::uint32_t add(const SipMessage &msg) { return add(view_of(msg)); }  // tests, fuzzing

    // Records of one frame, in message order (several SIP messages can share a TCP frame).
    std::pair<const Record *, std::size_t> frame_records(FrameNum frame) const;

    const Record &record(std::uint32_t i) const { return store_.records[i]; }
    // A response's time since its request (Record::has_response_time()).
    TimeNs response_time(const Record &r) const { return store_.response_time(r); }
    // A retry's Record::retry_of is a frame; this is the status code it reacts to (0: no retry).
    std::uint16_t retry_of_code(const Record &r) const { return store_.retry_of_code(r); }
    // The frame a repeated sighting repeats (Record::repeated()); 0 for any other record.
    FrameNum original_frame(const Record &r) const { return store_.original_frame(r); }
    // The side tables (diagnosis, original frame, retry code) are found by the record's place in
    // the store: pass the records the correlator hands out, not copies (a copy finds nothing).
    const Diagnosis *diagnosis(const Record &r) const {
        if (!r.has_detail()) return nullptr;
        const std::uint32_t i = store_.detail(r);
        return i < store_.diagnoses.size() ? &store_.diagnoses[i] : nullptr;
    }
    // The rule's own detail of a diagnosis, e.g. detail<RedirectRule>(d); null for another rule.
    template <typename R>
    const typename R::Detail *detail(const Diagnosis &d) const {
        return rules_.get<R>().detail(d);
    }
    template <typename R>
    const R &rule() const {
        return rules_.get<R>();
    }
    const std::string &method_name(std::uint8_t id) const { return store_.methods[id]; }
    // The software named by a User-Agent or Server header (attribution); "" for id 0 (none).
    const std::string &agent_name(std::uint16_t id) const { return agents_[id]; }
    const std::vector<CallEntry> *call(const Diagnosis &d) const;

    // The verdict on a response whose fix is a retry (Outcome::not_applicable for the others, for
    // requests, retransmissions and messages that cannot be correlated). `capture_complete` says
    // the whole capture has been read (second pass, GUI); until then an absent follow-up is
    // "pending", never a guess.
    Verdict verdict(const Record &r, bool capture_complete) const;
    Outcome outcome(const Record &r, bool capture_complete) const {
        return verdict(r, capture_complete).outcome;
    }
    // A request that is the client's retry of a response: whether it applies the fix, and the
    // expert info when it does not (ExpertKind::none otherwise). Decided when the request is
    // read, so single pass, -2 and a live capture agree. nullopt for other messages.
    std::optional<bool> retry_applies(const Record &request) const;
    ExpertKind retry_expert(const Record &request) const;
    // The expert info of a response's code (none for requests and codes below 300).
    ExpertKind response_expert(const Record &r) const;
    // sipdiag.summary: "CODE Reason: " and the rule's one-line diagnosis of this response, in
    // `lang`; empty for requests and for responses below 300 that nothing was found in.
    std::string summary(const Record &r, bool capture_complete, Language lang,
                        std::string_view reason) const;
    // A retry's own line: "retry after the 302 in frame 26: to sip:x, none of the Contacts:
    // wrong fix". Empty for a request that is no retry.
    std::string retry_summary(const Record &request, Language lang) const;
    // True when the capture ends before the follow-up window after this response ran out: a
    // "not followed" verdict then rests on a short capture.
    bool capture_ends_in_window(const Diagnosis &d) const;

    // Single pass (tshark without -2, live capture): a response's follow-up outcome is settled
    // when nothing still to come can change it: its retry was judged for good (a wrong fix at
    // once, a fix once the answer to the retry is in, since the answer may still withdraw it:
    // 401/407 challenged again, 422 or 423 again, the 412 recovery's new entity tag), or its
    // follow-up window ran out with no retry (known from the message that shows it: settled_in()
    // reports it, settled() stays false). False for responses without a follow-up verdict.
    bool settled(const Record &r) const;
    // The responses settled while the last frame added was read, each with the index (within its
    // frame) of the message that settled it: a retry, the answer to a retry, or any message
    // later than the window. Empty for any other frame: meant for the pass that adds the frame.
    struct Settlement {
        FrameNum frame;           // the settled response: its frame_records(frame)
        std::uint8_t index;       // and its Record::index there
        std::uint8_t by_message;  // Record::index of the message that settled it
    };
    std::pair<const Settlement *, std::size_t> settled_in(FrameNum frame) const;

    TimeNs last_time() const { return last_time_; }
    std::size_t record_count() const { return store_.records.size(); }
    // The transaction of a message, if the correlator still holds it (for tests).
    const Transaction *transaction_of(const MessageView &m) const;
    const Transaction *transaction_of(const SipMessage &m) const {
        return transaction_of(view_of(m));
    }
    std::size_t transaction_count() const { return tx_.size(); }
    const Config &config() const { return config_; }

  private:
    std::uint8_t intern_method(std::string_view m);
    std::uint16_t intern_agent(const std::string_view *header);
    // Keeps a diagnosis made on the stack: links it to the record, returns its index.
    std::uint32_t keep(Record &r, Diagnosis &&d);
    Diagnosis &diagnosis_for(Record &r);  // the record's diagnosis, made when it has none
    void on_request(const MessageView &msg, std::uint32_t idx);
    // Multi-point captures (core/multipoint.h): what `leg` saw of `tx` (null while `tx` was seen
    // on that leg alone: its own fields tell), and whether a request repeats an earlier sighting
    // (flags and the original frame set; false for the first sighting anywhere).
    LegSightings *leg_sightings(Transaction &tx, std::uint64_t key, LegId leg);
    bool repeated_request(const MessageView &msg, std::uint64_t key, Transaction &tx,
                          std::uint32_t idx);
    void on_response(const MessageView &msg, std::uint32_t idx);
    void find_followup(const MessageView &msg, std::uint32_t idx, Transaction &tx);
    bool try_pending(BoundedMap<PendingList> &table, std::uint64_t key, const MessageView &msg,
                     std::uint64_t client, std::uint32_t idx, Transaction &tx);
    void apply_followup(std::uint32_t resp_idx, const MessageView &req, std::uint32_t req_idx,
                        Transaction &tx);
    void note_call(const MessageView &msg, std::uint32_t idx);
    Rule *rule_of(const Diagnosis &d) const { return rules_.by_id(d.rule); }
    // When a transaction whose final (or ACK) is seen at `t` may be forgotten.
    TimeNs linger_end(TimeNs t) const { return elapsed(t, -config_.transaction_linger_ns); }
    // The diagnosis of the response a retry reacts to, or null.
    const Diagnosis *retried(const Record &request) const;

    Config config_;
    Store store_;
    Rules rules_;
    BoundedMap<Transaction> tx_;
    BoundedMap<PendingList> pending_dialog_;    // by dialog or call key
    BoundedMap<PendingList> pending_entity_;    // by event state entity
    BoundedMap<std::uint32_t> call_index_;      // Call-ID -> calls_
    std::deque<std::vector<CallEntry>> calls_;  // a deque: no doubling overshoot
    // Distinct agent names (a capture has few): index 0 is none; past kMaxAgents, "(other)".
    std::vector<std::string> agents_;
    BoundedMap<std::uint16_t> agent_index_;  // hash of the name -> index
    RecentSightings recent_;                 // multi-point: the last sighting of each message
    // Transactions seen on two legs or more (Transaction::multi_leg), by transaction key.
    BoundedMap<std::vector<LegSightings>> legs_{1u << 14};
    LegSightings spare_leg_;  // a leg beyond kMaxLegs: classified, not remembered
    TimeNs last_time_ = 0;
    FrameNum last_frame_ = 0;
    mutable std::size_t frame_hint_ = 0;  // where frame_records() looks first
    // The records of the frame added last (the one the first pass renders right after adding it):
    // its first index and count, found without searching the store.
    FrameNum run_frame_ = 0;
    std::size_t run_lo_ = 0;
    std::size_t run_n_ = 0;
    bool out_of_order_ = false;
    // Single pass: responses waiting for their retry, oldest first (at most config.pending), and
    // the responses settled by the frame being read (settled_in()).
    void expire_open(const MessageView &msg);
    void note_settled(std::uint32_t resp_idx, const MessageView &by);
    struct Open {
        std::uint32_t record;
        std::uint32_t diagnosis;  // its index in the store, looked up once
    };
    std::deque<Open> open_;
    std::vector<Settlement> settled_;
    FrameNum settled_frame_ = 0;
};

}  // namespace sipdiag
