// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/rules/session_timer.h"

#include "core/sipvalue.h"

namespace sipdiag {

bool SessionTimerRule::diagnose(const MessageView &resp, const Transaction *tx, Diagnosis &d) {
    TimerDetail &t = new_detail(d);
    if (tx) t.session_expires = tx->session_expires();
    if (resp.min_se.empty()) {
        d.add_issue(IssueKind::missing_min_se,
                    "422 without Min-SE: RFC 4028 section 6 requires it, the client cannot tell "
                    "what interval to ask for");
        return true;
    }
    DeltaSeconds v = parse_delta_seconds(resp.min_se.front());
    if (v.ok()) {
        t.min_se = v.value;
    } else {
        bool cut = false;
        d.add_issue(IssueKind::bad_min_se,
                    "Min-SE \"" + bounded_copy(resp.min_se.front(), 64, &cut) +
                        (cut ? "...\"" : "\"") + ": " + parse_error_text(v.error));
    }
    return true;
}

bool SessionTimerRule::accepts(const Record &, const Diagnosis &d, const MessageView &req) const {
    return is_new_request_of_call(d, req) && (req.method == "INVITE" || req.method == "UPDATE");
}

void SessionTimerRule::judge(Diagnosis &d, const MessageView &req) {
    TimerDetail &t = detail(d);
    if (!req.session_expires.empty()) {
        SessionExpires se = parse_session_expires(req.session_expires.front());
        if (se.interval.ok()) t.retry_session_expires = se.interval.value;
    }
    t.retry_has_min_se = !req.min_se.empty();
    d.followup_ok = t.retry_session_expires && t.min_se && *t.retry_session_expires >= *t.min_se &&
                    t.retry_has_min_se;
}

void SessionTimerRule::take_final(Diagnosis &d, const MessageView &resp) {
    if (resp.status == 422) d.followup_ok = false;  // rejected again for the same reason
}

bool SessionTimerRule::retry_too_small(const Diagnosis &d, const TimerDetail &t) {
    return !t.retry_session_expires || !t.min_se || *t.retry_session_expires < *t.min_se ||
           d.followup_response_code == 422;
}

ExpertKind SessionTimerRule::retry_expert(const Diagnosis &d) const {
    // From the request alone: the answer to it is not known when the request is read.
    const TimerDetail &t = *detail(d);
    const bool too_small =
        !t.retry_session_expires || !t.min_se || *t.retry_session_expires < *t.min_se;
    return too_small ? ExpertKind::retry_still_too_small : ExpertKind::retry_missing_min_se;
}

ExpertKind SessionTimerRule::wrong_fix_expert(const Diagnosis &d) const {
    return retry_too_small(d, *detail(d)) ? ExpertKind::retry_still_too_small
                                          : ExpertKind::retry_missing_min_se;
}

void SessionTimerRule::summarize(const Record &, const Diagnosis &d, const Verdict &v,
                                 SummaryWriter &w) const {
    const TimerDetail *t = detail(d);
    if (t == nullptr) return;
    if (t->session_expires) {
        w.text("asked ", "demandé ").seconds(*t->session_expires).text(", ");
    }
    if (t->min_se) {
        w.text("the server wants at least ", "le serveur veut au moins ").seconds(*t->min_se);
    } else {
        w.text("no usable Min-SE", "pas de Min-SE utilisable");
    }
    if (d.followup_frame != 0) {
        w.next();
        if (t->retry_session_expires) {
            w.text("the retry asked ", "la relance a demandé ").seconds(*t->retry_session_expires);
            w.text(t->retry_has_min_se ? w.tr(" with Min-SE", " avec Min-SE")
                                       : w.tr(" without Min-SE", " sans Min-SE"));
        } else {
            w.text("the retry had no Session-Expires", "la relance n'avait pas de Session-Expires");
        }
        if (d.followup_response_code == 422) w.text(", refused again", ", refusée à nouveau");
    } else {
        w.no_retry(v);
    }
    w.verdict(v, d.followup_frame);
}

void SessionTimerRule::summarize_retry(const Diagnosis &d, SummaryWriter &w) const {
    const TimerDetail *t = detail(d);
    if (t == nullptr) return;
    if (t->retry_session_expires) {
        w.text("Session-Expires ").seconds(*t->retry_session_expires);
    } else {
        w.text("no Session-Expires", "pas de Session-Expires");
    }
    w.text(t->retry_has_min_se ? w.tr(" with Min-SE", " avec Min-SE")
                               : w.tr(" without Min-SE", " sans Min-SE"));
    if (t->min_se) w.text(w.tr(" (the 422 wants ", " (le 422 veut ")).seconds(*t->min_se).text(")");
}

}  // namespace sipdiag
