// SPDX-License-Identifier: GPL-2.0-or-later
// The evidence other failure responses carry in their headers, for the codes whose fix is not a
// retry sipdiag can check: 420/421 option tags, 415 accepted content, 488/606 Warning codes,
// 489 event packages, 491 glare, 494 security mechanisms, and Retry-After on any response.
// Also the expert info of every code no rule claims, by meaning (failure_expert()).
#pragma once

#include "core/rules/rule.h"
#include "core/topics.h"

#include <string>
#include <vector>

namespace sipdiag {

struct EvidenceDetail {
    std::vector<std::string> unsupported;      // 420: Unsupported option tags
    std::vector<std::string> required;         // 421: Require option tags of the response
    std::vector<std::string> request_require;  // 420: Require/Proxy-Require of the request
    std::string accept, accept_encoding, accept_language, request_content_type;  // 415
    std::vector<WarningValue> warnings;                                          // 488 / 606
    std::string event, allow_events;                                             // 489
    std::vector<std::string> security_mechanisms;                                // 494
    bool any() const;
};

class EvidenceRule final : public RuleOf<EvidenceDetail> {
  public:
    using RuleOf::RuleOf;
    RuleId id() const override { return RuleId::evidence; }
    // The codes above, and any other response with Retry-After (rules earlier in the registry
    // take their own codes first).
    bool recognises(const MessageView &resp) const override;
    bool diagnose(const MessageView &resp, const Transaction *tx, Diagnosis &d) override;
    ExpertKind response_expert(const Record &r, const Diagnosis *d) const override;
    void summarize(const Record &r, const Diagnosis &d, const Verdict &v,
                   SummaryWriter &w) const override;
    static bool has_evidence(unsigned code);
};

// Expert info of a response no rule diagnoses, by meaning rather than by class alone: 487 is the
// normal answer to a CANCEL, 480/486/600/603 are the callee's state or choice, 500 and 503 without
// Retry-After are server faults, other 4xx/6xx are failures, 3xx are notes. None below 300.
ExpertKind failure_expert(unsigned code, bool has_retry_after);

}  // namespace sipdiag
