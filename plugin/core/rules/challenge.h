// SPDX-License-Identifier: GPL-2.0-or-later
// 401 Unauthorized and 407 Proxy Authentication Required (RFC 3261 22.2, 22.3): the client
// resends the request with credentials for the challenge. The credentials are refused when the
// request already carried some, or when the retry with credentials is challenged again, unless the
// new challenge says stale=true (only the nonce expired, RFC 2617 3.2.1).
#pragma once

#include "core/rules/rule.h"
#include "core/topics.h"

#include <vector>

namespace sipdiag {

struct ChallengeDetail {
    std::vector<AuthChallenge> challenges;  // WWW-Authenticate (401) or Proxy-Authenticate (407)
    bool request_had_credentials = false;   // the challenged request carried some
    bool retry_has_credentials = false;     // the retry carried credentials
    bool credentials_rejected = false;      // ...and was challenged again (not for a stale nonce)
    // The challenged request carried credentials and no challenge says stale=true, so the
    // credentials themselves were refused.
    bool credentials_refused() const;
};

class ChallengeRule final : public RuleOf<ChallengeDetail> {
  public:
    using RuleOf::RuleOf;
    RuleId id() const override { return RuleId::challenge; }
    bool recognises(const MessageView &resp) const override {
        return resp.status == 401 || resp.status == 407;
    }
    bool diagnose(const MessageView &resp, const Transaction *tx, Diagnosis &d) override;
    PendingKind pending_kind() const override { return PendingKind::call; }
    bool accepts(const Record &resp, const Diagnosis &d, const MessageView &req) const override;
    void judge(Diagnosis &d, const MessageView &req) override;
    ExpertKind retry_expert(const Diagnosis &) const override {
        return ExpertKind::retry_without_credentials;
    }
    void take_final(Diagnosis &d, const MessageView &resp) override;
    ExpertKind response_expert(const Record &r, const Diagnosis *d) const override;
    void summarize(const Record &r, const Diagnosis &d, const Verdict &v,
                   SummaryWriter &w) const override;
    void summarize_retry(const Diagnosis &d, SummaryWriter &w) const override;
};

}  // namespace sipdiag
