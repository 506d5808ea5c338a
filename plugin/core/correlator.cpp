// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/correlator.h"

#include "core/sipvalue.h"

#include <algorithm>

namespace sipdiag {

namespace {

constexpr std::size_t kMaxMethods = Record::kMaxMethods;  // interned; others share "other"
constexpr std::size_t kMaxAgents = 1024;                  // distinct User-Agent/Server names kept

bool is_final(unsigned code) {
    return code >= 200;
}

std::uint64_t tx_key(const MessageView &m) {
    return hash_parts({m.cseq_method, m.branch}, m.call_hash ^ m.cseq);
}

// Multi-point captures: the key of one message (the request, kRequestSighting, or a response
// code) of a transaction on one leg, for RecentSightings; the first sighting of `code` in a
// response table.
// Regression (fuzzer, regressions/correlator/request_is_no_response_code_0): the request used
// code 0, so a request could be the duplicate of a response whose status line said 0.
constexpr std::uint64_t kRequestSighting = std::uint64_t{1} << 40;  // above every response
std::uint64_t sighting_key(std::uint64_t tx, std::uint64_t what, std::uint64_t leg) {
    return hash_parts({}, tx ^ (leg * 0x9e3779b97f4a7c15ULL) ^ what);
}

// A response's identity within its transaction: its code and (16 bits of a hash of) its To tag.
// The code alone took the 180s of two forks of one INVITE (same transaction on the client's
// side of a forking proxy, other To tags) for a response and its retransmission.
// Regression: captures/agents/shape-fork.pcapng, frame 8 was "retransmission of frame 6".
ResponseId response_id(std::uint16_t code, std::string_view to_tag) {
    const std::uint32_t tag =
        to_tag.empty() ? 0 : static_cast<std::uint32_t>(hash_parts({to_tag}) >> 48) | 1;
    return code | tag << 16;
}

std::uint16_t code_of(ResponseId id) {
    return static_cast<std::uint16_t>(id & 0xffff);
}

FrameNum first_of(const ResponseId *ids, const FrameNum *frames, std::uint8_t count,
                  ResponseId id) {
    for (std::uint8_t i = 0; i < count; ++i) {
        if (ids[i] == id) return frames[i];
    }
    return 0;
}

void note_response(ResponseId *ids, FrameNum *frames, std::uint8_t &count, ResponseId id,
                   FrameNum frame) {
    if (count < 4) {
        ids[count] = id;
        frames[count] = frame;
        ++count;
    } else if (is_final(code_of(id))) {
        // Table full of provisionals: a final response takes the last slot, so that its
        // retransmissions are still recognised.
        ids[3] = id;
        frames[3] = frame;
    }
}

}  // namespace

Correlator::Correlator(Config config)
    : config_(config),
      rules_(store_, config_),
      // A table holds at least one entry: BoundedMap::get() must return the entry it inserted.
      tx_(std::max<std::size_t>(config.transactions, 1)),
      pending_dialog_(std::max<std::size_t>(config.pending, 1)),
      pending_entity_(std::max<std::size_t>(config.pending, 1)),
      call_index_(std::max<std::size_t>(config.calls, 1)),
      agents_(1),  // id 0: none
      agent_index_(kMaxAgents * 2) {
    store_.methods.emplace_back("");  // id 0: unknown
}

std::uint8_t Correlator::intern_method(std::string_view m) {
    if (m.empty()) return 0;
    // Stored and looked up the same way (cut at 32 bytes); compared as a view, so that the name
    // is copied only when it is new.
    std::vector<std::string> &methods = store_.methods;
    std::string cut;  // only for a name longer than that
    if (m.size() > 32) cut = bounded_copy(m, 32);
    const std::string_view name = m.size() > 32 ? std::string_view(cut) : m;
    for (std::size_t i = 1; i < methods.size(); ++i) {
        if (methods[i] == name) return static_cast<std::uint8_t>(i);
    }
    if (methods.size() >= kMaxMethods - 1) {
        // Bounded: a hostile capture inventing methods shares one extra slot; the names already
        // handed out stay as they are.
        if (methods.size() == kMaxMethods - 1) methods.emplace_back("(other)");
        return static_cast<std::uint8_t>(kMaxMethods - 1);
    }
    methods.emplace_back(name);
    return static_cast<std::uint8_t>(methods.size() - 1);
}

std::uint16_t Correlator::intern_agent(const std::string_view *header) {
    if (header == nullptr || header->empty()) return 0;
    const std::string_view name(header->data(), std::min<std::size_t>(header->size(), 128));
    const std::uint64_t key = hash_parts({name});
    if (const std::uint16_t *id = agent_index_.find(key)) return *id;
    if (agents_.size() >= kMaxAgents) {
        // Bounded: later names share one entry; the table never evicts, so ids stay stable.
        if (agents_.size() == kMaxAgents) agents_.emplace_back("(other)");
        return static_cast<std::uint16_t>(kMaxAgents);
    }
    agents_.push_back(bounded_copy(name, 128));
    const auto id = static_cast<std::uint16_t>(agents_.size() - 1);
    agent_index_.get(key) = id;
    return id;
}

std::uint32_t Correlator::keep(Record &r, Diagnosis &&d) {
    store_.diagnoses.push_back(std::move(d));
    const auto i = static_cast<std::uint32_t>(store_.diagnoses.size() - 1);
    store_.details.set(store_.records.index_of(r), i);
    r.flags |= Record::kHasDetail;
    return i;
}

Diagnosis &Correlator::diagnosis_for(Record &r) {
    if (!r.has_detail()) return store_.diagnoses[keep(r, Diagnosis{})];
    return store_.diagnoses[store_.detail(r)];
}

std::pair<const Record *, std::size_t> Correlator::frame_records(FrameNum frame) const {
    // Frames are looked up in capture order (first pass: the frame just added, at the end; later
    // passes: right after the previous lookup), so the store tries there before bisecting.
    // Out-of-order input (not seen with files): a linear scan for the contiguous run.
    if (!out_of_order_ && frame == run_frame_ && run_n_ > 0) {
        frame_hint_ = run_lo_ + run_n_;
        return {&store_.records[run_lo_], run_n_};
    }
    const auto [lo, n] = out_of_order_ ? store_.records.scan_run(frame)
                                       : store_.records.sorted_run(frame, frame_hint_);
    if (!out_of_order_) frame_hint_ = lo + n;
    // A frame's records are contiguous (RecordStore keeps them in one block).
    return {n == 0 ? nullptr : &store_.records[lo], n};
}

const std::vector<CallEntry> *Correlator::call(const Diagnosis &d) const {
    return d.call < calls_.size() ? &calls_[d.call] : nullptr;
}

std::uint32_t Correlator::add(const MessageView &msg) {
    if (msg.frame < last_frame_) out_of_order_ = true;
    last_frame_ = msg.frame;
    last_time_ = std::max(last_time_, msg.time_ns);
    if (msg.frame != settled_frame_) {
        settled_.clear();
        settled_frame_ = msg.frame;
    }
    expire_open(msg);
    // Forget the transactions whose retransmissions are over (Config::transaction_linger_ns).
    tx_.expire(last_time_);

    Record r;
    r.frame = msg.frame;
    // Extraction stops at kMaxMessagesPerFrame (64) messages per frame, which the 6 bits hold.
    r.index = static_cast<std::uint16_t>(std::min<unsigned>(msg.index, Record::kMaxIndex - 1));
    r.code = static_cast<std::uint16_t>(msg.is_request ? 0 : std::min(msg.status, 999u));
    r.method = intern_method(msg.is_request ? msg.method : msg.cseq_method);
    if (msg.is_request) r.flags |= Record::kRequest;
    const std::uint32_t idx = store_.records.push(r);
    if (msg.frame != run_frame_ || run_n_ == 0) {
        run_frame_ = msg.frame;
        run_lo_ = idx;
        run_n_ = 0;
    }
    ++run_n_;

    if (msg.call_id.empty() || !msg.has_cseq) {
        Record &rec = store_.records[idx];
        rec.flags |= Record::kUncorrelated;
        Diagnosis &d = diagnosis_for(rec);
        if (msg.call_id.empty()) d.add_issue(IssueKind::missing_call_id, "no Call-ID header");
        if (!msg.has_cseq) d.add_issue(IssueKind::missing_cseq, "no usable CSeq header");
        if (!msg.is_request) {
            // Still explain the values the response itself carries.
            if (Rule *rule = rules_.for_response(msg)) rule->diagnose(msg, nullptr, d);
        }
        return idx;
    }
    if (msg.is_request) {
        on_request(msg, idx);
    } else {
        on_response(msg, idx);
    }
    return idx;
}

LegSightings *Correlator::leg_sightings(Transaction &tx, std::uint64_t key, LegId leg) {
    std::vector<LegSightings> *legs = tx.multi_leg ? legs_.find(key) : nullptr;
    if (legs == nullptr) {
        if (leg == tx.leg) return nullptr;
        // A second leg: until now every sighting was on tx.leg, so the transaction's own fields
        // are what that leg saw. (Also when the leg table forgot the transaction: the best
        // guess left.)
        legs = &legs_.get(key);
        legs->clear();
        tx.multi_leg = true;
        LegSightings first;
        first.leg = tx.leg;
        first.request_time = tx.request_time;
        first.request_record = tx.request_record;
        first.request_frame = tx.request_frame;
        first.response_count = tx.response_count;
        std::copy(std::begin(tx.responses), std::end(tx.responses), std::begin(first.responses));
        std::copy(std::begin(tx.frames), std::end(tx.frames), std::begin(first.frames));
        legs->push_back(first);
    }
    for (LegSightings &l : *legs) {
        if (l.leg == leg) return &l;
    }
    LegSightings *l = &spare_leg_;
    if (legs->size() < kMaxLegs) l = &legs->emplace_back();
    *l = LegSightings{};
    l->leg = leg;
    return l;
}

bool Correlator::repeated_request(const MessageView &msg, std::uint64_t key, Transaction &tx,
                                  std::uint32_t idx) {
    LegSightings *ls = leg_sightings(tx, key, leg_id(msg.leg));
    const FrameNum duplicate_of = recent_.check_and_note(
        sighting_key(key, kRequestSighting, msg.leg), msg.time_ns, msg.bytes_sig, msg.frame);
    const FrameNum on_leg = ls != nullptr ? ls->request_frame : tx.request_frame;
    Record &rec = store_.records[idx];
    if (on_leg != 0) {
        // Seen on this leg before: the capture saw the packet twice, or the client sent it again.
        rec.flags |= duplicate_of != 0 ? Record::kDuplicate : Record::kRetransmission;
        store_.set_original_frame(rec, duplicate_of != 0 ? duplicate_of : on_leg);
        return true;
    }
    if (ls != nullptr) {
        ls->request_frame = msg.frame;
        ls->request_time = msg.time_ns;
        ls->request_record = idx;
    }
    if (tx.request_frame == 0) return false;
    rec.flags |= Record::kCopy;  // first on this leg, seen on another one before
    store_.set_original_frame(rec, tx.request_frame);
    return true;
}

void Correlator::on_request(const MessageView &msg, std::uint32_t idx) {
    const std::uint64_t key = tx_key(msg);
    Transaction &tx = tx_.get(key);
    // A new transaction: the leg of its first message.
    if (tx.request_frame == 0 && tx.response_count == 0 && !tx.multi_leg) tx.leg = leg_id(msg.leg);
    if (repeated_request(msg, key, tx, idx)) {  // a retransmission, duplicate or copy
        // Its transaction lingers from its last message (Config::transaction_linger_ns).
        if (tx.has_final || msg.method == "ACK") tx_.expire_at(key, linger_end(msg.time_ns));
        return;
    }
    tx.request_frame = msg.frame;
    tx.request_time = msg.time_ns;
    // An ACK gets no response: only its retransmissions (for each retransmitted final) follow.
    if (msg.method == "ACK") tx_.expire_at(key, linger_end(msg.time_ns));
    tx.request_record = idx;
    tx.client_agent = intern_agent(msg.headers.first(Hdr::user_agent));
    const bool publish = msg.method == "PUBLISH";
    RequestParts parts;
    if (publish || msg.method == "INVITE" || msg.method == "UPDATE") {
        parts.uri = bounded_view(msg.request_uri, kMaxUriLength);
    }
    const std::string event =
        msg.event.empty() ? std::string() : parse_event_type(msg.event.front());
    std::string if_match;
    if (publish) {
        parts.event = event;
        if (!msg.if_match.empty()) if_match = parse_entity_tag(msg.if_match.front(), nullptr);
        parts.if_match = if_match;
    }
    if (!msg.session_expires.empty()) {
        SessionExpires se = parse_session_expires(msg.session_expires.front());
        if (se.interval.ok()) {
            parts.session_expires = se.interval.value;
        } else {
            // Regression: an unparsable Session-Expires (-1, 2^64, abc) was dropped silently.
            bool cut = false;
            diagnosis_for(store_.records[idx])
                .add_issue(IssueKind::bad_session_expires,
                           "Session-Expires \"" +
                               bounded_copy(msg.session_expires.front(), 64, &cut) +
                               (cut ? "...\"" : "\"") + ": " + parse_error_text(se.interval.error));
        }
    }
    // The facts some rules read (core/topics.h), of a request carrying their headers.
    const HeaderViews &h = msg.headers;
    std::string require;  // built only for a request with Require or Proxy-Require
    if (h.has(Hdr::require) || h.has(Hdr::proxy_require) || h.has(Hdr::expires) ||
        h.has(Hdr::content_type) || h.has(Hdr::authorization) || h.has(Hdr::proxy_authorization) ||
        !msg.event.empty()) {
        parts.has_facts = true;
        if (h.has(Hdr::require) || h.has(Hdr::proxy_require)) {
            std::vector<std::string> tags;
            append_tags(tags, h, Hdr::require);
            append_tags(tags, h, Hdr::proxy_require);
            for (const std::string &t : tags) {  // at most 64 bytes each (parse_option_tags)
                const std::size_t n = std::min<std::size_t>(t.size(), 255);  // a byte of length
                require += static_cast<char>(n);
                require.append(t, 0, n);
            }
            parts.require = require;
        }
        if (const std::string_view *e = h.first(Hdr::expires)) {
            const DeltaSeconds d = parse_delta_seconds(*e);
            if (d.ok()) parts.expires = d.value;
        }
        if (const std::string_view *ct = h.first(Hdr::content_type)) {
            parts.content_type = bounded_view(*ct, 128);
        }
        parts.facts_event = event;
        parts.has_credentials = h.has(Hdr::authorization) || h.has(Hdr::proxy_authorization);
    }
    tx.text.assign(parts);
    if (msg.method != "ACK" && msg.method != "CANCEL") find_followup(msg, idx, tx);
    for (Rule *rule : rules_.all()) rule->observe_request(msg, tx);
}

void Correlator::on_response(const MessageView &msg, std::uint32_t idx) {
    const std::uint64_t key = tx_key(msg);
    Transaction *tx = tx_.find(key);
    if (tx == nullptr) {
        tx = &tx_.get(key);  // request not captured
        tx->leg = leg_id(msg.leg);
    }
    Record &rec = store_.records[idx];
    const std::uint16_t code = rec.code;

    // The same response (code and To tag) for the same transaction seen before: on this leg, a
    // retransmission or a capture duplicate; only on another leg, a copy (core/multipoint.h).
    const ResponseId id = response_id(code, msg.to_tag);
    LegSightings *ls = leg_sightings(*tx, key, leg_id(msg.leg));
    const FrameNum duplicate_of = recent_.check_and_note(sighting_key(key, id, msg.leg),
                                                         msg.time_ns, msg.bytes_sig, msg.frame);
    const FrameNum anywhere = first_of(tx->responses, tx->frames, tx->response_count, id);
    const FrameNum on_leg =
        ls != nullptr ? first_of(ls->responses, ls->frames, ls->response_count, id) : anywhere;
    if (on_leg != 0) {
        rec.flags |= duplicate_of != 0 ? Record::kDuplicate : Record::kRetransmission;
        store_.set_original_frame(rec, duplicate_of != 0 ? duplicate_of : on_leg);
    } else if (anywhere != 0) {
        rec.flags |= Record::kCopy;
        store_.set_original_frame(rec, anywhere);
    }
    if (on_leg == 0 && ls != nullptr)
        note_response(ls->responses, ls->frames, ls->response_count, id, msg.frame);
    if (anywhere == 0) note_response(tx->responses, tx->frames, tx->response_count, id, msg.frame);

    // The request on this response's own leg, else its first sighting anywhere.
    const bool own = ls != nullptr && ls->request_frame != 0;
    const FrameNum request_frame = own ? ls->request_frame : tx->request_frame;
    if (request_frame != 0) {
        rec.request_frame = request_frame;
        store_.set_response_time(rec,
                                 elapsed(msg.time_ns, own ? ls->request_time : tx->request_time));
    }
    // The request sighting links to its first final response (each leg's to its own).
    const std::uint32_t request_record = own ? ls->request_record : tx->request_record;
    if (is_final(code) && on_leg == 0 && request_record != UINT32_MAX) {
        Record &req = store_.records[request_record];
        if (req.response_frame == 0) {
            req.response_frame = msg.frame;
            req.code = code;
        }
    }
    // A transaction that has its final lingers from its last message (the first final sets
    // the first deadline below).
    if (tx->has_final) tx_.expire_at(key, linger_end(msg.time_ns));
    if (rec.copy_kind() != 0) return;  // the first sighting carries the diagnosis and verdict

    const bool first_final = is_final(code) && !tx->has_final && !rec.retransmission();
    if (first_final) {
        tx->has_final = true;
        tx_.expire_at(key, linger_end(msg.time_ns));
        if (tx->followup_of != UINT32_MAX) {
            // The final answer to a client's retry: its rule judges whether the fix worked.
            Diagnosis &orig = store_.diagnosis_of(tx->followup_of);
            const bool was_settled = settled(store_.records[tx->followup_of]);
            orig.followup_response_frame = msg.frame;
            orig.followup_response_code = static_cast<std::uint16_t>(std::min(msg.status, 999u));
            if (Rule *rule = rule_of(orig)) rule->take_final(orig, msg);
            if (!was_settled) note_settled(tx->followup_of, msg);
        }
        for (Rule *rule : rules_.all()) rule->observe_final(msg, *tx);
    }

    Rule *rule = rules_.for_response(msg);
    if (rule == nullptr) {
        // A final that no rule diagnoses (a 200 OK, a 486...): neither will its retransmissions,
        // so nothing reads what the request carried any more. A later different final (broken
        // transactions only) is then diagnosed without it.
        if (first_final) tx->release_request_text();
        return;
    }
    Diagnosis d;
    const bool followup = rule->pending_kind() != PendingKind::none;
    if (followup) {
        d.time_ns = msg.time_ns;
        d.client = client_hash(msg);
        d.cseq = msg.cseq;
        // The whole branch, as is_new_request_of_call() hashes the retry's.
        d.branch = hash_parts({msg.branch});
    }
    if (!rule->diagnose(msg, tx, d)) return;
    d.client_agent = tx->client_agent;
    d.server_agent = intern_agent(msg.headers.first(Hdr::server));
    Record &kept_rec = store_.records[idx];
    keep(kept_rec, std::move(d));
    if (!followup || kept_rec.retransmission()) return;  // the first copy carries the follow-up
    note_call(msg, idx);
    rule->diagnosed(msg, *tx, idx);
    const std::uint32_t kept_index = store_.detail(kept_rec);
    Diagnosis &kept = store_.diagnoses[kept_index];
    std::uint64_t keys[kMaxPendingKeys] = {};
    const std::size_t n = rule->pending_keys(msg, kept, keys);
    auto &table = rule->pending_kind() == PendingKind::entity ? pending_entity_ : pending_dialog_;
    for (std::size_t i = 0; i < n && i < kMaxPendingKeys; ++i) {
        if (keys[i] != 0) add_pending(table.get(keys[i]), idx);
    }
    open_.push_back(Open{idx, kept_index});
    if (open_.size() > std::max<std::size_t>(config_.pending, 1)) open_.pop_front();
}

const Transaction *Correlator::transaction_of(const MessageView &m) const {
    return tx_.find(tx_key(m));
}

bool Correlator::try_pending(BoundedMap<PendingList> &table, std::uint64_t key,
                             const MessageView &msg, std::uint64_t client, std::uint32_t idx,
                             Transaction &tx) {
    auto *pending = table.find(key);
    if (pending == nullptr) return false;
    for (auto it = pending->begin(); it != pending->end();) {
        const Record &resp = store_.records[*it];
        const Diagnosis &d = store_.diagnoses[store_.detail(resp)];
        if (d.followup_frame != 0) {  // already answered under its other key
            it = pending->erase(it);
            continue;
        }
        if (d.client != client || elapsed(msg.time_ns, d.time_ns) > config_.followup_window_ns ||
            !rule_of(d)->accepts(resp, d, msg)) {
            ++it;
            continue;
        }
        const std::uint32_t r = *it;
        pending->erase(it);
        if (pending->empty()) table.erase(key);  // keep the table small
        apply_followup(r, msg, idx, tx);
        return true;
    }
    if (pending->empty()) table.erase(key);
    return false;
}

void Correlator::find_followup(const MessageView &msg, std::uint32_t idx, Transaction &tx) {
    const std::uint64_t client = client_hash(msg);
    // By entity: a PUBLISH for the same event state (412). A response whose PUBLISH was not
    // captured is filed under its To URI alone (ConditionalPublishRule::diagnose).
    if (msg.method == "PUBLISH" && !tx.request_uri().empty()) {
        std::uint64_t key = entity_key(tx.request_uri(), tx.event());
        auto *pending = pending_entity_.find(key);
        if (pending == nullptr || pending->empty()) {
            key = entity_key(bounded_view(msg.to_uri, kMaxUriLength), std::string_view{});
        }
        if (try_pending(pending_entity_, key, msg, client, idx, tx)) return;
        // Not a recovery: it may still be the retry of a 302 to a PUBLISH (below).
    }
    // By call: the next request of the same call (Call-ID and From tag, or Call-ID alone for
    // the rules whose retry may carry a new From tag, RFC 3261 8.1.3.5 only says SHOULD keep it).
    // Then by client: a retry in a new dialog (a new Call-ID, any CSeq), as some stacks send
    // after a 302.
    for (std::uint64_t key : {dialog_key(msg), call_key(msg), client_key(msg)}) {
        if (try_pending(pending_dialog_, key, msg, client, idx, tx)) return;
    }
}

void Correlator::apply_followup(std::uint32_t resp_idx, const MessageView &req,
                                std::uint32_t req_idx, Transaction &tx) {
    Record &resp = store_.records[resp_idx];
    Diagnosis &d = store_.diagnoses[store_.detail(resp)];
    Record &rq = store_.records[req_idx];
    rq.retry_of = resp.frame;
    store_.retry_codes.set(req_idx, resp.code);
    d.followup_frame = req.frame;
    tx.followup_of = resp_idx;
    Rule *rule = rule_of(d);
    rule->judge(d, req);
    if (rule->retry_applies(d)) rq.flags |= Record::kRetryApplies;
    note_settled(resp_idx, req);
}

void Correlator::note_settled(std::uint32_t resp_idx, const MessageView &by) {
    const Record &r = store_.records[resp_idx];
    if (settled(r))
        settled_.push_back(Settlement{r.frame, static_cast<std::uint8_t>(r.index), by.index});
}

void Correlator::expire_open(const MessageView &msg) {
    // The same test as try_pending(): past the window, no retry can match any more.
    while (!open_.empty()) {
        const Record &resp = store_.records[open_.front().record];
        const Diagnosis &d = store_.diagnoses[open_.front().diagnosis];
        if (elapsed(msg.time_ns, d.time_ns) <= config_.followup_window_ns) break;
        if (d.followup_frame == 0)
            settled_.push_back(
                Settlement{resp.frame, static_cast<std::uint8_t>(resp.index), msg.index});
        open_.pop_front();
    }
}

bool Correlator::settled(const Record &r) const {
    const Verdict v = verdict(r, false);
    if (v.outcome == Outcome::not_applicable) return false;
    const Diagnosis &d = *diagnosis(r);
    if (d.followup_frame != 0) {
        // The answer to the retry is the last thing a rule takes (take_final), and it only ever
        // withdraws a fix (or decides an undecided 412 recovery): a wrong fix stays one.
        return v.decided && (d.followup_response_frame != 0 || !v.ok);
    }
    // No retry yet: settled only by a message later than the window (settled_in()), since in a
    // capture whose timestamps go back a later message may still be in the window.
    return false;
}

std::pair<const Correlator::Settlement *, std::size_t> Correlator::settled_in(
    FrameNum frame) const {
    if (frame != settled_frame_ || settled_.empty()) return {nullptr, 0};
    return {settled_.data(), settled_.size()};
}

const Diagnosis *Correlator::retried(const Record &request) const {
    if (!request.is_request() || request.retry_of == 0) return nullptr;
    const auto [recs, n] = frame_records(request.retry_of);
    for (std::size_t i = 0; i < n; ++i) {
        const Diagnosis *d = diagnosis(recs[i]);
        if (!recs[i].is_request() && recs[i].code == retry_of_code(request) && d != nullptr &&
            d->followup_frame == request.frame) {
            return d;
        }
    }
    return nullptr;
}

std::optional<bool> Correlator::retry_applies(const Record &request) const {
    if (!request.is_request() || request.retry_of == 0) return std::nullopt;
    return request.retry_applies();
}

ExpertKind Correlator::retry_expert(const Record &request) const {
    if (!request.is_request() || request.retry_of == 0 || request.retry_applies()) {
        return ExpertKind::none;
    }
    const Diagnosis *d = retried(request);
    const Rule *rule = d ? rule_of(*d) : nullptr;
    return rule ? rule->retry_expert(*d) : ExpertKind::none;
}

void Correlator::note_call(const MessageView &msg, std::uint32_t idx) {
    Record &rec = store_.records[idx];
    Diagnosis &d = store_.diagnoses[store_.detail(rec)];
    const std::uint64_t key = msg.call_hash;
    std::uint32_t *ci = call_index_.find(key);
    if (ci == nullptr || *ci >= calls_.size()) {
        if (calls_.size() >= config_.calls) return;  // bounded: no call view beyond this
        calls_.emplace_back();
        call_index_.get(key) = static_cast<std::uint32_t>(calls_.size() - 1);
        ci = call_index_.find(key);
    }
    d.call = *ci;
    auto &entries = calls_[*ci];
    if (entries.size() < config_.codes_per_call)
        entries.push_back(CallEntry{rec.frame, rec.code, idx});
}

bool Correlator::capture_ends_in_window(const Diagnosis &d) const {
    return elapsed(last_time_, d.time_ns) < config_.followup_window_ns;
}

Verdict Correlator::verdict(const Record &r, bool capture_complete) const {
    const Diagnosis *d = diagnosis(r);
    if (r.is_request() || d == nullptr || r.repeated() || r.uncorrelated()) return Verdict{};
    const Rule *rule = rule_of(*d);
    if (rule == nullptr || rule->pending_kind() == PendingKind::none) return Verdict{};
    return rule->verdict(r, *d, capture_complete);
}

ExpertKind Correlator::response_expert(const Record &r) const {
    if (r.is_request()) return ExpertKind::none;
    const Diagnosis *d = diagnosis(r);
    if (d != nullptr) {
        if (const Rule *rule = rule_of(*d)) return rule->response_expert(r, d);
    }
    return r.repeated() ? ExpertKind::none : failure_expert(r.code, false);
}

namespace {

// A problem in the summary's language: the name of its kind, or its detail when it has none.
const char *issue_words(IssueKind k, Language lang) {
    if (lang == Language::en) return issue_name(k);
    switch (k) {
        case IssueKind::missing_contact:
            return "Contact absent";
        case IssueKind::missing_min_se:
            return "Min-SE absent";
        case IssueKind::missing_call_id:
            return "Call-ID absent";
        case IssueKind::missing_cseq:
            return "CSeq absent ou invalide";
        case IssueKind::missing_min_expires:
            return "Min-Expires absent";
        case IssueKind::bad_session_expires:
            return "Session-Expires illisible";
        case IssueKind::bad_min_se:
            return "Min-SE illisible";
        case IssueKind::bad_q:
            return "q de Contact illisible";
        case IssueKind::bad_expires:
            return "expires de Contact illisible";
        case IssueKind::bad_contact:
            return "Contact illisible";
        case IssueKind::bad_etag:
            return "étiquette d'entité invalide";
        case IssueKind::bad_min_expires:
            return "Min-Expires illisible";
        case IssueKind::bad_retry_after:
            return "Retry-After illisible";
        case IssueKind::contacts_truncated:
            return "trop de Contacts";
        case IssueKind::value_truncated:
            return "valeur trop longue";
    }
    return nullptr;
}

}  // namespace

std::string Correlator::summary(const Record &r, bool capture_complete, Language lang,
                                std::string_view reason) const {
    std::string out;
    const Diagnosis *d = diagnosis(r);
    if (r.is_request() || (r.code < 300 && d == nullptr)) return out;
    SummaryWriter w(out, lang);
    w.number(r.code);
    if (!reason.empty()) w.text(" ").text(reason);
    if (r.retransmission()) {
        w.colon().text("retransmission of frame", "retransmission de la trame").text(" ");
        w.number(original_frame(r));
        return out;
    }
    if (r.copy_kind() == 1) {
        w.colon()
            .text("duplicate of frame", "doublon de la trame")
            .text(" ")
            .number(original_frame(r));
        w.text(" (the capture saw it twice)", " (vue deux fois par la capture)");
        return out;
    }
    if (r.copy_kind() == 2) {
        w.colon().text("copy of frame", "copie de la trame").text(" ").number(original_frame(r));
        w.text(" seen at another capture point", " vue à un autre point de capture");
        return out;
    }
    const std::size_t head = out.size();
    auto clause = [&] {
        if (out.size() == head) {
            w.colon();
        } else {
            w.next();
        }
    };
    if (d != nullptr) {
        if (const Rule *rule = rule_of(*d)) {
            std::string part;
            SummaryWriter pw(part, lang);
            rule->summarize(r, *d, verdict(r, capture_complete), pw);
            if (!part.empty()) {
                clause();
                out += part;
            }
        }
        for (const Issue &i : d->issues) {
            clause();
            w.text("problem", "problème").colon();
            const char *words = issue_words(i.kind, lang);
            w.value(words ? std::string_view(words) : std::string_view(i.detail), 100);
        }
    }
    if (r.request_frame == 0 && !r.uncorrelated() &&
        verdict(r, capture_complete).outcome == Outcome::not_applicable) {
        clause();
        w.text("request not in the capture", "requête absente de la capture");
    }
    return out;
}

std::string Correlator::retry_summary(const Record &request, Language lang) const {
    std::string out;
    const Diagnosis *d = retried(request);
    const Rule *rule = d ? rule_of(*d) : nullptr;
    if (rule == nullptr) return out;
    SummaryWriter w(out, lang);
    w.text("retry after the ", "relance après le ").number(retry_of_code(request));
    w.text(" in frame ", " de la trame ").number(request.retry_of).colon();
    const std::size_t before = out.size();
    rule->summarize_retry(*d, w);
    if (out.size() != before) w.colon();
    w.text(request.retry_applies() ? w.tr("applies the fix", "applique la correction")
                                   : w.tr("wrong fix", "mauvaise correction"));
    return out;
}

}  // namespace sipdiag
