// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/rules/rule.h"

#include "core/bounded_map.h"
#include "core/sipvalue.h"

#include <limits>

namespace sipdiag {

namespace {
constexpr std::size_t kMaxPendingPerKey = 8;  // responses waiting for a retry, per key
}

TimeNs elapsed(TimeNs later, TimeNs earlier) {
    constexpr TimeNs kMax = std::numeric_limits<TimeNs>::max();
    constexpr TimeNs kMin = std::numeric_limits<TimeNs>::min();
    if (earlier < 0 && later > kMax + earlier) return kMax;
    if (earlier > 0 && later < kMin + earlier) return kMin;
    return later - earlier;
}

void add_pending(std::vector<std::uint32_t> &pending, std::uint32_t record) {
    if (pending.size() >= kMaxPendingPerKey) pending.erase(pending.begin());
    pending.push_back(record);
}

std::string client_id(const SipMessage &m) {
    return m.via_sent_by.empty() ? m.src : to_lower(m.via_sent_by);
}

std::uint64_t client_hash(const SipMessage &m) {
    return hash_parts({client_id(m)});
}

std::uint64_t dialog_key(const SipMessage &m) {
    return hash_parts({m.call_id, m.from_tag});
}

std::uint64_t call_key(const SipMessage &m) {
    return hash_parts({m.call_id}, 0x401);
}

std::uint64_t client_key(const SipMessage &m) {
    return hash_parts({client_id(m), m.from_tag}, 0xc11e);
}

std::uint64_t entity_key(std::string_view uri, std::string_view event) {
    return hash_parts({uri, event});
}

bool is_new_request_of_call(const Diagnosis &d, const SipMessage &req) {
    return req.cseq > d.cseq && hash_parts({req.branch}) != d.branch;
}

void take_retry_after(const SipMessage &resp, Diagnosis &d) {
    const std::string *v = resp.headers.first(Hdr::retry_after);
    if (v == nullptr) return;
    DeltaSeconds s = parse_retry_after(*v);
    if (s.ok()) {
        d.retry_after = s.value;
    } else {
        d.add_issue(IssueKind::bad_retry_after,
                    "Retry-After \"" + bounded_copy(*v, 64) + "\": " + parse_error_text(s.error));
    }
}

std::uint64_t Rule::pending_key(const SipMessage &resp, const Diagnosis &) const {
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
