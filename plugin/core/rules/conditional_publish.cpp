// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/rules/conditional_publish.h"

#include "core/sipvalue.h"

#include <algorithm>

namespace sipdiag {

ConditionalPublishRule::ConditionalPublishRule(Store &store, const Config &config)
    : RuleOf(store, config), etags_(std::max<std::size_t>(config.entities, 1)) {}

bool ConditionalPublishRule::diagnose(const MessageView &resp, const Transaction *tx,
                                      Diagnosis &d) {
    PublishDetail &pd = new_detail(d);
    std::string_view entity, event, if_match, last_etag;
    if (tx && tx->captured()) {
        entity = tx->request_uri();
        event = tx->event();
        if_match = tx->if_match();
    } else {
        // Request not captured: the To URI names the entity of a PUBLISH (RFC 3903 4.1). The
        // event stays empty: a 412 need not carry one, and the recovery is matched by To URI.
        entity = bounded_view(resp.to_uri, kMaxUriLength);
    }
    if (!entity.empty()) {
        if (const EtagInfo *e = etags_.find(entity_key(entity, event))) {
            last_etag = e->etag;
            pd.last_etag_frame = e->frame;
        }
    }
    pd.text.assign({entity, event, if_match, last_etag, {}});
    return true;
}

std::uint64_t ConditionalPublishRule::pending_key(const MessageView &, const Diagnosis &d) const {
    const PublishDetail &pd = *detail(d);
    return pd.entity().empty() ? 0 : entity_key(pd.entity(), pd.event());
}

void ConditionalPublishRule::judge(Diagnosis &d, const MessageView &req) {
    detail(d).if_match_repeated = !req.if_match.empty();
    d.followup_ok = false;  // decided by the final response (new SIP-ETag)
}

void ConditionalPublishRule::take_final(Diagnosis &d, const MessageView &resp) {
    PublishDetail &pd = detail(d);
    const bool ok2xx = resp.status >= 200 && resp.status < 300;
    if (ok2xx && !resp.etag.empty()) {
        pd.text.set(PublishDetail::kNewEtag, parse_entity_tag(resp.etag.front(), nullptr));
    }
    d.followup_ok = ok2xx && !pd.if_match_repeated && !pd.new_etag().empty();
}

void ConditionalPublishRule::observe_final(const MessageView &resp, const Transaction &tx) {
    if (resp.status >= 200 && resp.status < 300 && resp.cseq_method == "PUBLISH" &&
        !resp.etag.empty() && !tx.request_uri().empty()) {
        EtagInfo &e = etags_.get(entity_key(tx.request_uri(), tx.event()));
        e.etag = parse_entity_tag(resp.etag.front(), nullptr);
        e.frame = resp.frame;
    }
}

bool ConditionalPublishRule::followup_decided(const Diagnosis &d) const {
    return d.followup_response_frame != 0 || detail(d)->if_match_repeated;
}

ExpertKind ConditionalPublishRule::wrong_fix_expert(const Diagnosis &d) const {
    return detail(d)->if_match_repeated ? ExpertKind::if_match_repeated
                                        : ExpertKind::etag_not_recovered;
}

void ConditionalPublishRule::summarize(const Record &, const Diagnosis &d, const Verdict &v,
                                       SummaryWriter &w) const {
    const PublishDetail *pd = detail(d);
    if (pd == nullptr) return;
    if (!pd->if_match().empty()) {
        w.text("If-Match ").value(pd->if_match(), 64).text(" is stale", " est périmé");
    } else {
        w.text("entity ", "entité ").value(pd->entity());
    }
    if (!pd->last_etag().empty()) {
        if (pd->last_etag() == pd->if_match()) {
            w.text(", though the server issued it ", ", pourtant émis par le serveur ");
        } else {
            w.text(", the server last issued ", ", le serveur a émis en dernier ");
            w.value(pd->last_etag(), 64).text(" ");
        }
        w.frame(pd->last_etag_frame);
    }
    if (d.followup_frame != 0) {
        w.next();
        if (pd->if_match_repeated) {
            w.text("the retry sent If-Match again", "la relance a renvoyé If-Match");
        } else if (!pd->new_etag().empty()) {
            w.text("a fresh PUBLISH got a new tag ", "un PUBLISH neuf a obtenu l'étiquette ");
            w.value(pd->new_etag(), 64);
        } else if (d.followup_response_frame != 0) {
            w.text("a fresh PUBLISH got ", "un PUBLISH neuf a reçu ");
            w.number(d.followup_response_code)
                .text(" without a new tag", " sans nouvelle étiquette");
        } else {
            w.text("a fresh PUBLISH", "un PUBLISH neuf");
        }
    } else {
        w.no_retry(v, "fresh PUBLISH", "pas de PUBLISH neuf",
                   "aucun PUBLISH neuf vu pour l'instant");
    }
    w.verdict(v, d.followup_frame, "recovered", "rétabli");
}

void ConditionalPublishRule::summarize_retry(const Diagnosis &d, SummaryWriter &w) const {
    const PublishDetail *pd = detail(d);
    if (pd == nullptr) return;
    w.text(pd->if_match_repeated
               ? w.tr("SIP-If-Match sent again", "SIP-If-Match renvoyé")
               : w.tr("a fresh PUBLISH without SIP-If-Match", "un PUBLISH neuf sans SIP-If-Match"));
}

}  // namespace sipdiag
