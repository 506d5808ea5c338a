// SPDX-License-Identifier: GPL-2.0-or-later
// 422 Session Interval Too Small (RFC 4028 6): the Session-Expires of the request is below the
// server's Min-SE. The client retries the INVITE or UPDATE with a Session-Expires of at least
// Min-SE and a Min-SE header carrying that value.
#pragma once

#include "core/rules/rule.h"

#include <cstdint>
#include <optional>

namespace sipdiag {

struct TimerDetail {
    std::optional<std::uint32_t> session_expires;        // asked for by the request
    std::optional<std::uint32_t> min_se;                 // demanded by the 422
    std::optional<std::uint32_t> retry_session_expires;  // asked for by the retry
    bool retry_has_min_se = false;
};

class SessionTimerRule final : public RuleOf<TimerDetail> {
  public:
    using RuleOf::RuleOf;
    RuleId id() const override { return RuleId::session_timer; }
    bool recognises(const MessageView &resp) const override { return resp.status == 422; }
    bool diagnose(const MessageView &resp, const Transaction *tx, Diagnosis &d) override;
    PendingKind pending_kind() const override { return PendingKind::dialog; }
    bool accepts(const Record &resp, const Diagnosis &d, const MessageView &req) const override;
    // Applied: Session-Expires >= Min-SE and a Min-SE header.
    void judge(Diagnosis &d, const MessageView &req) override;
    ExpertKind retry_expert(const Diagnosis &d) const override;
    void take_final(Diagnosis &d, const MessageView &resp) override;
    ExpertKind response_expert(const Record &, const Diagnosis *) const override {
        return ExpertKind::interval_too_small;
    }
    void summarize(const Record &r, const Diagnosis &d, const Verdict &v,
                   SummaryWriter &w) const override;
    void summarize_retry(const Diagnosis &d, SummaryWriter &w) const override;
    // Why the retry was a wrong fix: still too small (or refused again), or Min-SE missing.
    static bool retry_too_small(const Diagnosis &d, const TimerDetail &t);

  protected:
    ExpertKind not_followed_expert(const Diagnosis &) const override {
        return ExpertKind::timer_not_followed;
    }
    ExpertKind wrong_fix_expert(const Diagnosis &d) const override;
};

}  // namespace sipdiag
