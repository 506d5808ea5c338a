// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/rules/challenge.h"

namespace sipdiag {

namespace {
constexpr std::size_t kMaxChallenges = 16;
}

bool ChallengeDetail::credentials_refused() const {
    if (!request_had_credentials) return false;
    for (const AuthChallenge &c : challenges) {
        if (c.stale) return false;
    }
    return true;
}

bool ChallengeRule::diagnose(const MessageView &resp, const Transaction *tx, Diagnosis &d) {
    ChallengeDetail &c = new_detail(d);
    if (tx == nullptr) return true;  // not correlated: the challenge is still shown as such
    const Hdr h = resp.status == 401 ? Hdr::www_authenticate : Hdr::proxy_authenticate;
    for (const auto &item : resp.headers.items) {
        if (item.first == h && c.challenges.size() < kMaxChallenges) {
            c.challenges.push_back(parse_challenge(item.second));
        }
    }
    c.request_had_credentials = tx->request_had_credentials();
    take_retry_after(resp, d);
    return true;
}

bool ChallengeRule::accepts(const Record &resp, const Diagnosis &d, const MessageView &req) const {
    return is_new_request_of_call(d, req) && store_.methods[resp.method] == req.method;
}

void ChallengeRule::judge(Diagnosis &d, const MessageView &req) {
    // The fix is the same request again with credentials for the challenge; whether they were
    // accepted is told by the answer to the retry (take_final).
    ChallengeDetail &c = detail(d);
    c.retry_has_credentials =
        req.headers.has(Hdr::authorization) || req.headers.has(Hdr::proxy_authorization);
    d.followup_ok = c.retry_has_credentials;
}

void ChallengeRule::take_final(Diagnosis &d, const MessageView &resp) {
    ChallengeDetail &c = detail(d);
    if (c.retry_has_credentials && (resp.status == 401 || resp.status == 407) &&
        !stale_challenge(resp.headers)) {
        // Credentials sent and challenged again: the fix did not work (wrong password, user
        // name or realm).
        c.credentials_rejected = true;
        d.followup_ok = false;
    }
}

ExpertKind ChallengeRule::response_expert(const Record &r, const Diagnosis *d) const {
    if (r.retransmission()) return ExpertKind::none;
    const ChallengeDetail *c = d ? detail(*d) : nullptr;
    // Refused: the challenged request itself carried credentials (known at once), or the
    // client's retry with credentials was challenged again (known later).
    if (c && (c->credentials_rejected || c->credentials_refused())) {
        return ExpertKind::credentials_rejected;
    }
    return d && d->followup_frame && d->followup_ok ? ExpertKind::challenge_answered
                                                    : ExpertKind::challenge;
}

void ChallengeRule::summarize(const Record &, const Diagnosis &d, const Verdict &v,
                              SummaryWriter &w) const {
    const ChallengeDetail *c = detail(d);
    if (c == nullptr) return;
    if (c->challenges.empty()) {
        w.text("no challenge header", "pas d'en-tête de défi");
    } else {
        const AuthChallenge &ch = c->challenges.front();
        w.value(ch.scheme, 32);
        if (!ch.realm.empty()) w.text(" realm \"").value(ch.realm, 64).text("\"");
        if (ch.stale) w.text(", stale nonce", ", nonce périmé");
    }
    if (c->credentials_refused()) {
        w.next().text("the request already carried credentials: refused",
                      "la requête portait déjà des identifiants : refusés");
    }
    if (d.followup_frame != 0) {
        w.next();
        if (c->retry_has_credentials) {
            w.text("the retry carried credentials", "la relance portait des identifiants");
            if (c->credentials_rejected) w.text(", refused again", ", refusés à nouveau");
        } else {
            w.text("the retry carried no credentials", "la relance ne portait pas d'identifiants");
        }
    } else {
        w.no_retry(v);
    }
    w.verdict(v, d.followup_frame);
    w.retry_after(d.retry_after);
}

void ChallengeRule::summarize_retry(const Diagnosis &d, SummaryWriter &w) const {
    const ChallengeDetail *c = detail(d);
    if (c == nullptr) return;
    w.text(c->retry_has_credentials ? w.tr("with credentials", "avec identifiants")
                                    : w.tr("without credentials", "sans identifiants"));
}

}  // namespace sipdiag
