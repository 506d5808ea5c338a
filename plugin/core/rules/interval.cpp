// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/rules/interval.h"

#include "core/sipvalue.h"

namespace sipdiag {

bool IntervalRule::diagnose(const MessageView &resp, const Transaction *tx, Diagnosis &d) {
    IntervalDetail &i = new_detail(d);
    if (tx == nullptr) return true;
    i.expires = tx->request_expires();
    if (const std::string_view *v = resp.headers.first(Hdr::min_expires)) {
        DeltaSeconds m = parse_delta_seconds(*v);
        if (m.ok()) {
            i.min_expires = m.value;
        } else {
            d.add_issue(IssueKind::bad_min_expires, "Min-Expires \"" + bounded_copy(*v, 64) +
                                                        "\": " + parse_error_text(m.error));
        }
    } else {
        d.add_issue(IssueKind::missing_min_expires,
                    "423 without Min-Expires: RFC 3261 section 21.4.17 requires it");
    }
    take_retry_after(resp, d);
    return true;
}

bool IntervalRule::accepts(const Record &resp, const Diagnosis &d, const MessageView &req) const {
    return is_new_request_of_call(d, req) && store_.methods[resp.method] == req.method;
}

void IntervalRule::judge(Diagnosis &d, const MessageView &req) {
    IntervalDetail &i = detail(d);
    if (const std::string_view *e = req.headers.first(Hdr::expires)) {
        DeltaSeconds v = parse_delta_seconds(*e);
        if (v.ok()) i.retry_expires = v.value;
    }
    if (!i.retry_expires && !req.contact.empty()) {
        ContactList cl;
        parse_contacts(req.contact.front(), cl);
        if (!cl.entries.empty() && cl.entries.front().expires) {
            i.retry_expires = cl.entries.front().expires;
        }
    }
    d.followup_ok = i.retry_expires && i.min_expires && *i.retry_expires >= *i.min_expires;
}

void IntervalRule::take_final(Diagnosis &d, const MessageView &resp) {
    if (resp.status == 423) d.followup_ok = false;  // refused again for the same reason
}

void IntervalRule::summarize(const Record &, const Diagnosis &d, const Verdict &v,
                             SummaryWriter &w) const {
    const IntervalDetail *i = detail(d);
    if (i == nullptr) return;
    if (i->expires) w.text("asked ", "demandé ").seconds(*i->expires).text(", ");
    if (i->min_expires) {
        w.text("the server wants at least ", "le serveur veut au moins ").seconds(*i->min_expires);
    } else {
        w.text("no usable Min-Expires", "pas de Min-Expires utilisable");
    }
    if (d.followup_frame != 0) {
        w.next();
        if (i->retry_expires) {
            w.text("the retry asked ", "la relance a demandé ").seconds(*i->retry_expires);
        } else {
            w.text("the retry had no Expires", "la relance n'avait pas d'Expires");
        }
    } else {
        w.no_retry(v);
    }
    w.verdict(v, d.followup_frame);
    w.retry_after(d.retry_after);
}

void IntervalRule::summarize_retry(const Diagnosis &d, SummaryWriter &w) const {
    const IntervalDetail *i = detail(d);
    if (i == nullptr) return;
    if (i->retry_expires) {
        w.text("Expires ").seconds(*i->retry_expires);
    } else {
        w.text("no Expires", "pas d'Expires");
    }
    if (i->min_expires) {
        w.text(w.tr(" (the 423 wants ", " (le 423 veut ")).seconds(*i->min_expires).text(")");
    }
}

}  // namespace sipdiag
