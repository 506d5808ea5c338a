// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/rules/evidence.h"

#include "core/sipvalue.h"

namespace sipdiag {

namespace {

constexpr std::size_t kMaxItems = 16;  // warnings and mechanisms kept per response
}  // namespace

bool EvidenceDetail::any() const {
    return !unsupported.empty() || !required.empty() || !request_require.empty() ||
           !accept.empty() || !accept_encoding.empty() || !warnings.empty() || !event.empty() ||
           !allow_events.empty() || !security_mechanisms.empty();
}

bool EvidenceRule::has_evidence(unsigned code) {
    switch (code) {
        case 415:
        case 420:
        case 421:
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

bool EvidenceRule::recognises(const MessageView &resp) const {
    return has_evidence(resp.status) || resp.headers.has(Hdr::retry_after);
}

bool EvidenceRule::diagnose(const MessageView &resp, const Transaction *tx, Diagnosis &d) {
    EvidenceDetail &e = new_detail(d);
    if (tx == nullptr) return true;  // not correlated: shown without evidence
    const RequestFacts req = tx->request_facts();
    const HeaderViews &h = resp.headers;
    switch (resp.status) {
        case 420:
            append_tags(e.unsupported, h, Hdr::unsupported);
            e.request_require = req.require;
            break;
        case 421:
            append_tags(e.required, h, Hdr::require);
            break;
        case 415:
            if (const std::string_view *v = h.first(Hdr::accept)) e.accept = bounded_copy(*v, 256);
            if (const std::string_view *v = h.first(Hdr::accept_encoding)) {
                e.accept_encoding = bounded_copy(*v, 256);
            }
            if (const std::string_view *v = h.first(Hdr::accept_language)) {
                e.accept_language = bounded_copy(*v, 256);
            }
            e.request_content_type = req.content_type;
            break;
        case 488:
        case 606:
            for (const auto &item : h.items) {
                if (item.first != Hdr::warning) continue;
                for (WarningValue &w : parse_warnings(item.second)) {
                    if (e.warnings.size() < kMaxItems) e.warnings.push_back(std::move(w));
                }
            }
            break;
        case 489:
            e.event = req.event;
            if (const std::string_view *v = h.first(Hdr::allow_events)) {
                e.allow_events = bounded_copy(*v, 256);
            }
            break;
        case 494:
            for (const auto &item : h.items) {
                if (item.first != Hdr::security_server) continue;
                split_commas(item.second, [&](std::string_view m) {
                    if (!m.empty() && e.security_mechanisms.size() < kMaxItems) {
                        e.security_mechanisms.push_back(bounded_copy(m, 128));
                    }
                });
            }
            break;
        default:
            break;
    }
    take_retry_after(resp, d);
    const bool keep = e.any() || d.retry_after || !d.issues.empty() || has_evidence(resp.status);
    if (!keep) {
        drop_last();
        d.rule = RuleId::none;
        d.slot = UINT32_MAX;
    }
    return keep;
}

ExpertKind EvidenceRule::response_expert(const Record &r, const Diagnosis *d) const {
    if (r.retransmission()) return ExpertKind::none;
    switch (r.code) {
        case 420:
            return ExpertKind::bad_extension;
        case 421:
            return ExpertKind::extension_required;
        case 415:
            return ExpertKind::unsupported_media;
        case 488:
        case 606:
            return ExpertKind::not_acceptable;
        case 489:
            return ExpertKind::bad_event;
        case 491:
            return ExpertKind::glare;
        case 494:
            return ExpertKind::security_agreement;
        default:
            return failure_expert(r.code, d && d->retry_after);
    }
}

ExpertKind failure_expert(unsigned code, bool has_retry_after) {
    switch (code) {
        case 487:  // the answer to a CANCEL
            return ExpertKind::failure_chat;
        case 480:
        case 486:
        case 600:
        case 603:
            return ExpertKind::failure_note;  // the callee's state or choice, not a fault
        case 500:
            return ExpertKind::server_error;
        case 503:
            return has_retry_after ? ExpertKind::failure_note : ExpertKind::overload_no_retry_after;
        default:
            break;
    }
    if (code < 300) return ExpertKind::none;
    if (code < 400) return ExpertKind::failure_note;
    if (code < 500 || code >= 600) return ExpertKind::failure_warn;
    return ExpertKind::failure_error;
}

namespace {

void list(SummaryWriter &w, const std::vector<std::string> &items) {
    for (std::size_t i = 0; i < items.size() && i < 4; ++i) {
        if (i) w.text(", ");
        w.value(items[i], 40);
    }
    if (items.size() > 4) w.text(", ...");
}

}  // namespace

void EvidenceRule::summarize(const Record &r, const Diagnosis &d, const Verdict &,
                             SummaryWriter &w) const {
    const EvidenceDetail *e = detail(d);
    if (e == nullptr) return;
    bool any = true;
    switch (r.code) {
        case 420:
            w.text("unsupported: ", "non pris en charge : ");
            list(w, e->unsupported);
            break;
        case 421:
            w.text("requires: ", "exige : ");
            list(w, e->required);
            break;
        case 415:
            w.text("accepts ", "accepte ").value(e->accept.empty() ? "?" : e->accept);
            if (!e->request_content_type.empty()) {
                w.next().text("the request sent ", "la requête envoyait ");
                w.value(e->request_content_type);
            }
            break;
        case 488:
        case 606:
            if (e->warnings.empty()) {
                w.text("no Warning header", "pas d'en-tête Warning");
                break;
            }
            for (std::size_t i = 0; i < e->warnings.size() && i < 3; ++i) {
                const WarningValue &wv = e->warnings[i];
                w.text(i ? ", " : "").text("Warning ").number(wv.code);
                if (!wv.text.empty()) w.text(" \"").value(wv.text, 60).text("\"");
            }
            break;
        case 489:
            w.text("event ", "événement ").value(e->event.empty() ? "?" : e->event, 40);
            if (!e->allow_events.empty()) {
                w.next().text("allowed: ", "autorisés : ").value(e->allow_events, 80);
            }
            break;
        case 491:
            w.text("both sides sent a request at once: retry after a random delay",
                   "les deux côtés ont envoyé une requête en même temps : réessayer après un "
                   "délai aléatoire");
            break;
        case 494:
            w.text("mechanisms: ", "mécanismes : ");
            list(w, e->security_mechanisms);
            break;
        default:
            any = false;
            break;
    }
    if (d.retry_after) {
        if (any) w.next();
        w.text("retry after ", "réessayer dans ").seconds(*d.retry_after);
    }
}

}  // namespace sipdiag
