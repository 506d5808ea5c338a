// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/correlator.h"

#include "core/sipuri.h"

#include <algorithm>
#include <limits>

namespace sipdiag {

namespace {

constexpr std::size_t kMaxMethods = 64;       // interned method names; others share "other"
constexpr std::size_t kMaxPendingPerKey = 8;  // responses waiting for a retry, per call or entity

// later - earlier, saturated: capture timestamps are untrusted and may be far apart.
TimeNs elapsed(TimeNs later, TimeNs earlier) {
    constexpr TimeNs kMax = std::numeric_limits<TimeNs>::max();
    constexpr TimeNs kMin = std::numeric_limits<TimeNs>::min();
    if (earlier < 0 && later > kMax + earlier) return kMax;
    if (earlier > 0 && later < kMin + earlier) return kMin;
    return later - earlier;
}

// Appends a response waiting for a retry; when full, the oldest (most likely expired) goes.
void add_pending(std::vector<std::uint32_t> &pending, std::uint32_t idx) {
    if (pending.size() >= kMaxPendingPerKey) pending.erase(pending.begin());
    pending.push_back(idx);
}

bool is_final(unsigned code) {
    return code >= 200;
}

std::uint64_t mix(std::uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

std::uint64_t tx_key(const SipMessage &m) {
    return hash_parts({m.call_id, m.cseq_method, m.branch}, m.cseq);
}

std::uint64_t dialog_key(const SipMessage &m) {
    return hash_parts({m.call_id, m.from_tag});
}

// Pending key of the codes whose retry may change the From tag (401, 407, 423).
std::uint64_t call_key(const SipMessage &m) {
    return hash_parts({m.call_id}, 0x401);
}

std::uint64_t entity_key(std::string_view uri, std::string_view event) {
    return hash_parts({uri, event});
}

// The client that sent the request of a transaction: the top Via sent-by (copied into every
// response), or the source address when there is no Via.
std::string client_id(const SipMessage &m) {
    return m.via_sent_by.empty() ? m.src : to_lower(m.via_sent_by);
}

void add_issue(Detail &d, IssueKind kind, std::string detail) {
    if (d.issues.size() < 16) d.issues.push_back(Issue{kind, std::move(detail)});
}

}  // namespace

std::uint64_t hash_parts(std::initializer_list<std::string_view> parts, std::uint64_t extra) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (std::string_view p : parts) {
        for (unsigned char c : p) {
            h ^= c;
            h *= 0x100000001b3ULL;
        }
        h ^= 0x1f;  // separator, so ("ab","c") != ("a","bc")
        h *= 0x100000001b3ULL;
    }
    return mix(h ^ mix(extra + 0x9e3779b97f4a7c15ULL));
}

bool issue_is_malformed(IssueKind k) {
    switch (k) {
        case IssueKind::bad_session_expires:
        case IssueKind::bad_min_se:
        case IssueKind::bad_q:
        case IssueKind::bad_expires:
        case IssueKind::bad_contact:
        case IssueKind::bad_etag:
            return true;
        default:
            return false;
    }
}

const char *issue_name(IssueKind k) {
    switch (k) {
        case IssueKind::missing_contact:
            return "Contact missing";
        case IssueKind::missing_min_se:
            return "Min-SE missing";
        case IssueKind::missing_call_id:
            return "Call-ID missing";
        case IssueKind::missing_cseq:
            return "CSeq missing or invalid";
        case IssueKind::bad_session_expires:
            return "Session-Expires unparsable";
        case IssueKind::bad_min_se:
            return "Min-SE unparsable";
        case IssueKind::bad_q:
            return "Contact q unparsable";
        case IssueKind::bad_expires:
            return "Contact expires unparsable";
        case IssueKind::bad_contact:
            return "Contact unparsable";
        case IssueKind::bad_etag:
            return "Entity tag invalid";
        case IssueKind::contacts_truncated:
            return "Too many contacts";
        case IssueKind::value_truncated:
            return "Value too long";
    }
    return "unknown";
}

const char *outcome_name(Outcome o) {
    switch (o) {
        case Outcome::not_applicable:
            return "not applicable";
        case Outcome::pending:
            return "pending";
        case Outcome::followed_ok:
            return "followed ok";
        case Outcome::wrong_fix:
            return "wrong fix";
        case Outcome::not_followed:
            return "not followed";
        case Outcome::request_missing:
            return "request missing";
    }
    return "unknown";
}

Correlator::Correlator(Config config)
    : config_(config),
      // A table holds at least one entry: BoundedMap::get() must return the entry it inserted.
      tx_(std::max<std::size_t>(config.transactions, 1)),
      etags_(std::max<std::size_t>(config.entities, 1)),
      pending_dialog_(std::max<std::size_t>(config.pending, 1)),
      pending_entity_(std::max<std::size_t>(config.pending, 1)),
      call_index_(std::max<std::size_t>(config.calls, 1)),
      redirects_(std::max<std::size_t>(config.pending, 1)) {
    methods_.emplace_back("");  // id 0: unknown
}

std::uint8_t Correlator::intern_method(std::string_view m) {
    if (m.empty()) return 0;
    std::string name = bounded_copy(m, 32);  // stored and looked up the same way
    for (std::size_t i = 1; i < methods_.size(); ++i) {
        if (methods_[i] == name) return static_cast<std::uint8_t>(i);
    }
    if (methods_.size() >= kMaxMethods - 1) {
        // Bounded: a hostile capture inventing methods shares one extra slot; the names already
        // handed out stay as they are.
        if (methods_.size() == kMaxMethods - 1) methods_.emplace_back("(other)");
        return static_cast<std::uint8_t>(kMaxMethods - 1);
    }
    methods_.push_back(std::move(name));
    return static_cast<std::uint8_t>(methods_.size() - 1);
}

std::uint32_t Correlator::new_detail(Record &r) {
    if (!r.has_detail()) {
        details_.emplace_back();
        r.detail = static_cast<std::uint32_t>(details_.size() - 1);
    }
    return r.detail;
}

std::pair<const Record *, std::size_t> Correlator::frame_records(FrameNum frame) const {
    if (!out_of_order_) {
        // Frames are looked up in capture order (first pass: the frame just added, at the end;
        // later passes: right after the previous lookup), so try there before bisecting.
        std::size_t lo = frame_hint_;
        const bool hint_ok = lo <= records_.size() &&
                             (lo == records_.size() || records_[lo].frame >= frame) &&
                             (lo == 0 || records_[lo - 1].frame < frame);
        if (!hint_ok) {
            lo = static_cast<std::size_t>(
                std::lower_bound(records_.begin(), records_.end(), frame,
                                 [](const Record &r, FrameNum f) { return r.frame < f; }) -
                records_.begin());
        }
        std::size_t hi = lo;
        while (hi < records_.size() && records_[hi].frame == frame) ++hi;
        frame_hint_ = hi;
        return {lo == records_.size() ? nullptr : &records_[lo], hi - lo};
    }
    // Out-of-order input (not seen with files): linear scan for the contiguous run.
    for (std::size_t i = 0; i < records_.size(); ++i) {
        if (records_[i].frame == frame) {
            std::size_t j = i;
            while (j < records_.size() && records_[j].frame == frame) ++j;
            return {&records_[i], j - i};
        }
    }
    return {nullptr, 0};
}

const std::vector<CallEntry> *Correlator::call(const Detail &d) const {
    return d.call < calls_.size() ? &calls_[d.call] : nullptr;
}

std::uint32_t Correlator::add(const SipMessage &msg) {
    if (msg.frame < last_frame_) out_of_order_ = true;
    last_frame_ = msg.frame;
    last_time_ = std::max(last_time_, msg.time_ns);

    Record r;
    r.frame = msg.frame;
    r.index = msg.index;
    r.code = static_cast<std::uint16_t>(msg.is_request ? 0 : std::min(msg.status, 999u));
    r.method = intern_method(msg.is_request ? msg.method : msg.cseq_method);
    if (msg.is_request) r.flags |= Record::kRequest;
    records_.push_back(r);
    const auto idx = static_cast<std::uint32_t>(records_.size() - 1);

    if (msg.call_id.empty() || !msg.has_cseq) {
        Record &rec = records_[idx];
        rec.flags |= Record::kUncorrelated;
        Detail &d = details_[new_detail(rec)];
        if (msg.call_id.empty()) add_issue(d, IssueKind::missing_call_id, "no Call-ID header");
        if (!msg.has_cseq) add_issue(d, IssueKind::missing_cseq, "no usable CSeq header");
        if (!msg.is_request && wants_followup(msg.status)) {
            // Still explain the values the response itself carries.
            if (msg.status == 302) diagnose_302(msg, d);
            if (msg.status == 412) diagnose_412(msg, nullptr, d);
            if (msg.status == 422) diagnose_422(msg, nullptr, d);
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

void Correlator::on_request(const SipMessage &msg, std::uint32_t idx) {
    Tx &tx = tx_.get(tx_key(msg));
    if (tx.request_frame != 0) {
        // Retransmission of a request we already have.
        Record &rec = records_[idx];
        rec.flags |= Record::kRetransmission;
        rec.original_frame = tx.request_frame;
        return;
    }
    tx.request_frame = msg.frame;
    tx.request_time = msg.time_ns;
    tx.request_record = idx;
    const bool publish = msg.method == "PUBLISH";
    if (publish || msg.method == "INVITE" || msg.method == "UPDATE") {
        tx.request_uri = bounded_copy(msg.request_uri, kMaxUriLength);
    }
    if (publish) {
        if (!msg.event.empty()) tx.event = parse_event_type(msg.event.front());
        if (!msg.if_match.empty()) tx.if_match = parse_entity_tag(msg.if_match.front(), nullptr);
    }
    if (!msg.session_expires.empty()) {
        SessionExpires se = parse_session_expires(msg.session_expires.front());
        if (se.interval.ok()) {
            tx.session_expires = se.interval.value;
        } else {
            // Regression: an unparsable Session-Expires (-1, 2^64, abc) was dropped silently.
            bool cut = false;
            add_issue(details_[new_detail(records_[idx])], IssueKind::bad_session_expires,
                      "Session-Expires \"" + bounded_copy(msg.session_expires.front(), 64, &cut) +
                          (cut ? "...\"" : "\"") + ": " + parse_error_text(se.interval.error));
        }
    }
    const HeaderList &h = msg.headers;
    if (h.has(Hdr::require) || h.has(Hdr::proxy_require) || h.has(Hdr::expires) ||
        h.has(Hdr::content_type) || h.has(Hdr::authorization) || h.has(Hdr::proxy_authorization) ||
        !msg.event.empty()) {
        tx.facts = std::make_unique<RequestFacts>(request_facts(
            h, msg.event.empty() ? std::string_view{}
                                 : std::string_view(parse_event_type(msg.event.front()))));
    }
    if (msg.method != "ACK" && msg.method != "CANCEL") check_request_followup(msg, idx, tx);
    if (msg.method == "INVITE") check_later_call(msg);
}

void Correlator::on_response(const SipMessage &msg, std::uint32_t idx) {
    Tx *tx = tx_.find(tx_key(msg));
    if (tx == nullptr) tx = &tx_.get(tx_key(msg));  // request not captured
    Record &rec = records_[idx];
    const std::uint16_t code = rec.code;

    // Retransmission: the same code for the same transaction seen before.
    for (std::uint8_t i = 0; i < tx->response_count; ++i) {
        if (tx->codes[i] == code) {
            rec.flags |= Record::kRetransmission;
            rec.original_frame = tx->frames[i];
            break;
        }
    }
    if (!rec.retransmission() && tx->response_count < 4) {
        tx->codes[tx->response_count] = code;
        tx->frames[tx->response_count] = msg.frame;
        ++tx->response_count;
    } else if (!rec.retransmission() && is_final(code)) {
        // Table full of provisionals: a final response takes the last slot, so that its
        // retransmissions are still recognised.
        tx->codes[3] = code;
        tx->frames[3] = msg.frame;
    }
    if (tx->request_frame != 0) {
        rec.request_frame = tx->request_frame;
        rec.response_time = elapsed(msg.time_ns, tx->request_time);
        rec.flags |= Record::kHasResponseTime;
    }

    if (is_final(code) && !tx->has_final && !rec.retransmission()) {
        tx->has_final = true;
        if (tx->request_record != UINT32_MAX) {
            Record &req = records_[tx->request_record];
            req.response_frame = msg.frame;
            req.response_code = code;
        }
        if (tx->followup_of != UINT32_MAX) on_followup_final(*tx, msg, msg.frame);
        // Remember the entity tag a PUBLISH 2xx hands out (RFC 3903 6), for later 412s.
        if (code >= 200 && code < 300 && msg.cseq_method == "PUBLISH" && !msg.etag.empty() &&
            !tx->request_uri.empty()) {
            EtagInfo &e = etags_.get(entity_key(tx->request_uri, tx->event));
            e.etag = parse_entity_tag(msg.etag.front(), nullptr);
            e.frame = msg.frame;
        }
    }

    if (!wants_followup(code)) {
        if (has_topic(code) || msg.headers.has(Hdr::retry_after)) {
            TopicDetail t;
            diagnose_topics(code, msg.headers, tx->facts ? *tx->facts : RequestFacts{}, t);
            if (t.any() || has_topic(code)) details_[new_detail(rec)].topics = std::move(t);
        }
        return;
    }
    const std::uint32_t did = new_detail(rec);
    Detail &d = details_[did];
    if (!is_core_code(code)) {
        diagnose_topics(code, msg.headers, tx->facts ? *tx->facts : RequestFacts{}, d.topics);
    }
    d.time_ns = msg.time_ns;
    d.client_sent_by = client_id(msg);
    d.client_src = msg.src;
    d.cseq = msg.cseq;
    d.branch = bounded_copy(msg.branch, 128);
    if (code == 302) diagnose_302(msg, d);
    if (code == 412) diagnose_412(msg, tx, d);
    if (code == 422) diagnose_422(msg, tx, d);
    if (rec.retransmission()) return;  // the first copy carries the follow-up analysis
    note_call(msg, idx);
    if (code == 302 && tx->request_frame != 0 && !tx->request_uri.empty()) {
        d.original_uri = tx->request_uri;
        d.call_hash = hash_parts({msg.call_id});
        add_pending(redirects_.get(hash_parts({d.client_sent_by}, 0x302)), idx);
    }
    if (code == 412) {
        if (!d.entity.empty()) add_pending(pending_entity_.get(entity_key(d.entity, d.event)), idx);
    } else {
        const bool by_call = code == 401 || code == 407 || code == 423;
        add_pending(pending_dialog_.get(by_call ? call_key(msg) : dialog_key(msg)), idx);
    }
}

void Correlator::diagnose_302(const SipMessage &msg, Detail &d) {
    d.contacts = ContactList{};
    for (const std::string &v : msg.contact) parse_contacts(v, d.contacts);
    if (d.contacts.total == 0) {
        add_issue(d, IssueKind::missing_contact, "302 without a Contact header: nowhere to retry");
    }
    if (d.contacts.truncated()) {
        add_issue(d, IssueKind::contacts_truncated,
                  std::to_string(d.contacts.total) + " contacts; the first " +
                      std::to_string(d.contacts.entries.size()) + " are shown");
    }
    for (const ContactEntry &c : d.contacts.entries) {
        if (c.syntax_error != ParseError::none) {
            add_issue(d, IssueKind::bad_contact, "unbalanced quote or angle bracket in " + c.uri);
        }
        if (c.q_error != ParseError::none) {
            add_issue(d, IssueKind::bad_q,
                      "q=" + c.bad_q_text + ": " + parse_error_text(c.q_error) + " (0 to 1)");
        }
        if (c.expires_error != ParseError::none) {
            add_issue(d, IssueKind::bad_expires,
                      "expires=" + c.bad_expires_text + ": " + parse_error_text(c.expires_error));
        }
        if (c.uri_truncated) add_issue(d, IssueKind::value_truncated, "Contact URI cut");
    }
}

void Correlator::diagnose_412(const SipMessage &msg, const Tx *tx, Detail &d) {
    if (tx && tx->request_frame != 0) {
        d.entity = tx->request_uri;
        d.event = tx->event;
        d.if_match = tx->if_match;
    } else {
        // Request not captured: the To URI names the entity of a PUBLISH (RFC 3903 4.1). The
        // event stays empty: a 412 need not carry one, and the recovery is matched by To URI.
        d.entity = bounded_copy(msg.to_uri, kMaxUriLength);
    }
    if (!d.entity.empty()) {
        if (const EtagInfo *e = etags_.find(entity_key(d.entity, d.event))) {
            d.last_etag = e->etag;
            d.last_etag_frame = e->frame;
        }
    }
}

void Correlator::diagnose_422(const SipMessage &msg, const Tx *tx, Detail &d) {
    if (tx && tx->session_expires) d.session_expires = tx->session_expires;
    if (msg.min_se.empty()) {
        add_issue(d, IssueKind::missing_min_se,
                  "422 without Min-SE: RFC 4028 section 6 requires it, the client cannot tell "
                  "what interval to ask for");
        return;
    }
    DeltaSeconds v = parse_delta_seconds(msg.min_se.front());
    if (v.ok()) {
        d.min_se = v.value;
    } else {
        bool cut = false;
        add_issue(d, IssueKind::bad_min_se,
                  "Min-SE \"" + bounded_copy(msg.min_se.front(), 64, &cut) +
                      (cut ? "...\"" : "\"") + ": " + parse_error_text(v.error));
    }
}

void Correlator::check_request_followup(const SipMessage &msg, std::uint32_t idx, Tx &tx) {
    const std::string client = client_id(msg);
    // 412: the next PUBLISH for the same entity from the same client.
    if (msg.method == "PUBLISH" && !tx.request_uri.empty()) {
        // A 412 whose PUBLISH was not captured is filed under its To URI (see diagnose_412).
        std::uint64_t key = entity_key(tx.request_uri, tx.event);
        auto *pending = pending_entity_.find(key);
        if (pending == nullptr || pending->empty()) {
            key = entity_key(bounded_copy(msg.to_uri, kMaxUriLength), std::string_view{});
            pending = pending_entity_.find(key);
        }
        if (pending != nullptr) {
            for (auto it = pending->begin(); it != pending->end(); ++it) {
                const Detail &d = details_[records_[*it].detail];
                if (d.client_sent_by == client &&
                    elapsed(msg.time_ns, d.time_ns) <= config_.followup_window_ns) {
                    const std::uint32_t resp = *it;
                    pending->erase(it);
                    if (pending->empty()) pending_entity_.erase(key);  // keep the table small
                    apply_followup(resp, msg, idx, tx);
                    return;
                }
            }
        }
        // Not a 412 recovery: it may still be the retry of a 302 to a PUBLISH (below).
    }
    // 302 / 422: the next request of the same call (Call-ID and From tag) from the same client,
    // with a higher CSeq and a new branch. A proxy's forwarded copy has the proxy's Via on top.
    // 401 / 407 / 423: the same, keyed by Call-ID alone: an out-of-dialog retry (REGISTER after a
    // challenge, say) may carry a new From tag (RFC 3261 8.1.3.5 only says SHOULD keep it).
    for (std::uint64_t key : {dialog_key(msg), call_key(msg)}) {
        auto *pending = pending_dialog_.find(key);
        if (pending == nullptr) continue;
        for (auto it = pending->begin(); it != pending->end(); ++it) {
            const Record &resp = records_[*it];
            const Detail &d = details_[resp.detail];
            if (d.client_sent_by != client || msg.cseq <= d.cseq || msg.branch == d.branch) {
                continue;
            }
            if (elapsed(msg.time_ns, d.time_ns) > config_.followup_window_ns) continue;
            const bool method_ok = resp.code == 422
                                       ? (msg.method == "INVITE" || msg.method == "UPDATE")
                                       : methods_[resp.method] == msg.method;
            if (!method_ok) continue;
            const std::uint32_t r = *it;
            pending->erase(it);
            if (pending->empty()) pending_dialog_.erase(key);  // keep the table small
            apply_followup(r, msg, idx, tx);
            return;
        }
    }
}

void Correlator::apply_followup(std::uint32_t resp_idx, const SipMessage &req,
                                std::uint32_t req_idx, Tx &tx) {
    Record &resp = records_[resp_idx];
    Detail &d = details_[resp.detail];
    Record &rq = records_[req_idx];
    rq.retry_of = resp.frame;
    rq.retry_of_code = resp.code;
    d.followup_frame = req.frame;
    tx.followup_of = resp_idx;
    switch (resp.code) {
        case 302: {
            d.redirect_target = bounded_copy(req.request_uri, kMaxUriLength);
            std::uint16_t best = 0;
            for (const ContactEntry &c : d.contacts.entries) best = std::max(best, c.effective_q());
            const ContactEntry *chosen = nullptr;
            for (const ContactEntry &c : d.contacts.entries) {
                if (!c.star && sip_uri_equivalent(c.uri, req.request_uri)) {
                    chosen = &c;
                    break;
                }
            }
            d.followup_ok = chosen != nullptr;
            if (chosen) d.highest_q = chosen->effective_q() >= best;
            break;
        }
        case 422: {
            if (!req.session_expires.empty()) {
                SessionExpires se = parse_session_expires(req.session_expires.front());
                if (se.interval.ok()) d.retry_session_expires = se.interval.value;
            }
            d.retry_has_min_se = !req.min_se.empty();
            d.followup_ok = d.retry_session_expires && d.min_se &&
                            *d.retry_session_expires >= *d.min_se && d.retry_has_min_se;
            break;
        }
        case 401:
        case 407:
            // The fix is the same request again with credentials for the challenge; whether
            // they were accepted is told by the answer to the retry (on_followup_final).
            d.retry_has_credentials =
                req.headers.has(Hdr::authorization) || req.headers.has(Hdr::proxy_authorization);
            d.followup_ok = d.retry_has_credentials;
            break;
        case 423: {
            if (const std::string *e = req.headers.first(Hdr::expires)) {
                DeltaSeconds v = parse_delta_seconds(*e);
                if (v.ok()) d.retry_expires = v.value;
            }
            if (!d.retry_expires && !req.contact.empty()) {
                ContactList cl;
                parse_contacts(req.contact.front(), cl);
                if (!cl.entries.empty() && cl.entries.front().expires) {
                    d.retry_expires = cl.entries.front().expires;
                }
            }
            d.followup_ok = d.retry_expires && d.topics.min_expires &&
                            *d.retry_expires >= *d.topics.min_expires;
            break;
        }
        case 412:
            d.if_match_repeated = !req.if_match.empty();
            d.followup_ok = false;  // decided by the final response (new SIP-ETag)
            break;
        default:
            break;
    }
}

void Correlator::on_followup_final(const Tx &tx, const SipMessage &resp, FrameNum frame) {
    Record &orig = records_[tx.followup_of];
    Detail &d = details_[orig.detail];
    d.followup_response_frame = frame;
    d.followup_response_code = static_cast<std::uint16_t>(std::min(resp.status, 999u));
    if (orig.code == 412) {
        const bool ok2xx = resp.status >= 200 && resp.status < 300;
        if (ok2xx && !resp.etag.empty()) d.new_etag = parse_entity_tag(resp.etag.front(), nullptr);
        d.followup_ok = ok2xx && !d.if_match_repeated && !d.new_etag.empty();
    } else if ((orig.code == 422 || orig.code == 423) && resp.status == orig.code) {
        d.followup_ok = false;  // rejected again for the same reason
    } else if ((orig.code == 401 || orig.code == 407) && d.retry_has_credentials &&
               (resp.status == 401 || resp.status == 407) && !stale_challenge(resp.headers)) {
        // Credentials sent and challenged again: the fix did not work (wrong password, user
        // name or realm). A challenge with stale=true only renews the nonce (RFC 2617 3.2.1).
        d.credentials_rejected = true;
        d.followup_ok = false;
    }
}

void Correlator::check_later_call(const SipMessage &msg) {
    auto *list = redirects_.find(hash_parts({client_id(msg)}, 0x302));
    if (list == nullptr) return;
    const std::uint64_t call = hash_parts({msg.call_id});
    const SipUri target = parse_sip_uri(msg.request_uri);  // once, not once per contact
    for (auto it = list->begin(); it != list->end();) {
        Detail &d = details_[records_[*it].detail];
        if (d.call_hash == call) {  // same call: that is the retry, not a later request
            ++it;
            continue;
        }
        bool decided = false;
        if (sip_uri_equivalent(target, msg.request_uri, d.original_uri)) {
            d.later_kept_original = true;
            decided = true;
        } else {
            for (const ContactEntry &c : d.contacts.entries) {
                if (!c.star && sip_uri_equivalent(target, msg.request_uri, c.uri)) {
                    d.later_kept_original = false;
                    decided = true;
                    break;
                }
            }
        }
        if (decided) {
            d.later_request_frame = msg.frame;
            it = list->erase(it);  // the first later request answers the question
        } else {
            ++it;
        }
    }
}

void Correlator::note_call(const SipMessage &msg, std::uint32_t idx) {
    Record &rec = records_[idx];
    Detail &d = details_[rec.detail];
    const std::uint64_t key = hash_parts({msg.call_id});
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

bool Correlator::capture_ends_in_window(const Detail &d) const {
    return elapsed(last_time_, d.time_ns) < config_.followup_window_ns;
}

Outcome Correlator::outcome(const Record &r, bool capture_complete) const {
    if (r.is_request() || !wants_followup(r.code) || !r.has_detail())
        return Outcome::not_applicable;
    if (r.retransmission() || (r.flags & Record::kUncorrelated)) return Outcome::not_applicable;
    const Detail &d = details_[r.detail];
    if (d.followup_frame != 0) {
        if (r.code == 412 && d.followup_response_frame == 0 && !d.if_match_repeated) {
            return Outcome::pending;  // recovery depends on the answer, not seen (yet)
        }
        if (d.credentials_rejected) return Outcome::wrong_fix;
        return d.followup_ok ? Outcome::followed_ok : Outcome::wrong_fix;
    }
    if (r.request_frame == 0) return Outcome::request_missing;
    if (!capture_complete) return Outcome::pending;
    // The whole capture is read and no retry came: not followed. When the capture ends inside
    // the follow-up window the adapter says so next to the verdict (capture_ends_in_window).
    return Outcome::not_followed;
}

}  // namespace sipdiag
