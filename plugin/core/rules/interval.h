// SPDX-License-Identifier: GPL-2.0-or-later
// 423 Interval Too Brief (RFC 3261 10.2.8, 21.4.17): the Expires of a REGISTER (or SUBSCRIBE,
// PUBLISH) is below the server's Min-Expires. The client retries with at least Min-Expires.
#pragma once

#include "core/rules/rule.h"

#include <cstdint>
#include <optional>

namespace sipdiag {

struct IntervalDetail {
    std::optional<std::uint32_t> expires;        // what the request asked for
    std::optional<std::uint32_t> min_expires;    // what the response demands
    std::optional<std::uint32_t> retry_expires;  // what the retry asked for
};

class IntervalRule final : public RuleOf<IntervalDetail> {
  public:
    using RuleOf::RuleOf;
    RuleId id() const override { return RuleId::interval; }
    bool recognises(const MessageView &resp) const override { return resp.status == 423; }
    bool diagnose(const MessageView &resp, const Transaction *tx, Diagnosis &d) override;
    PendingKind pending_kind() const override { return PendingKind::call; }
    bool accepts(const Record &resp, const Diagnosis &d, const MessageView &req) const override;
    void judge(Diagnosis &d, const MessageView &req) override;
    ExpertKind retry_expert(const Diagnosis &) const override {
        return ExpertKind::retry_still_too_brief;
    }
    void take_final(Diagnosis &d, const MessageView &resp) override;
    ExpertKind response_expert(const Record &r, const Diagnosis *) const override {
        return r.retransmission() ? ExpertKind::none : ExpertKind::interval_too_brief;
    }
    void summarize(const Record &r, const Diagnosis &d, const Verdict &v,
                   SummaryWriter &w) const override;
    void summarize_retry(const Diagnosis &d, SummaryWriter &w) const override;
};

}  // namespace sipdiag
