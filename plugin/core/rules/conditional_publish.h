// SPDX-License-Identifier: GPL-2.0-or-later
// 412 Conditional Request Failed (RFC 3903 6, 11.2.1): the SIP-If-Match of a PUBLISH names an
// entity tag the server no longer knows. The publisher recovers with a fresh PUBLISH without
// SIP-If-Match (a full state) and gets a new entity tag.
#pragma once

#include "core/bounded_map.h"
#include "core/packed_text.h"
#include "core/rules/rule.h"

#include <string>

namespace sipdiag {

// 16 bytes, its texts in one block (core/packed_text.h).
struct PublishDetail {
    enum Text : std::uint8_t {
        kEntity,    // Request-URI of the PUBLISH (the To URI when it was not captured)
        kEvent,     // event package
        kIfMatch,   // the SIP-If-Match that failed
        kLastEtag,  // the last SIP-ETag the server issued for the entity, if captured
        kNewEtag,   // issued to the recovery
        kTexts
    };
    PackedText<kTexts> text;
    FrameNum last_etag_frame = 0;
    bool if_match_repeated = false;  // the retry sent SIP-If-Match again
    std::string_view entity() const { return text.get(kEntity); }
    std::string_view event() const { return text.get(kEvent); }
    std::string_view if_match() const { return text.get(kIfMatch); }
    std::string_view last_etag() const { return text.get(kLastEtag); }
    std::string_view new_etag() const { return text.get(kNewEtag); }
};

class ConditionalPublishRule final : public RuleOf<PublishDetail> {
  public:
    ConditionalPublishRule(Store &store, const Config &config);
    RuleId id() const override { return RuleId::conditional_publish; }
    bool recognises(const MessageView &resp) const override { return resp.status == 412; }
    bool diagnose(const MessageView &resp, const Transaction *tx, Diagnosis &d) override;
    PendingKind pending_kind() const override { return PendingKind::entity; }
    std::uint64_t pending_key(const MessageView &resp, const Diagnosis &d) const override;
    void judge(Diagnosis &d, const MessageView &req) override;
    // The retry applies the fix when it is a fresh PUBLISH (no SIP-If-Match); whether the
    // server took it is told by its answer.
    bool retry_applies(const Diagnosis &d) const override { return !detail(d)->if_match_repeated; }
    ExpertKind retry_expert(const Diagnosis &) const override {
        return ExpertKind::if_match_repeated;
    }
    // Recovered: a 2xx to a retry without SIP-If-Match, with a new SIP-ETag.
    void take_final(Diagnosis &d, const MessageView &resp) override;
    ExpertKind response_expert(const Record &, const Diagnosis *) const override {
        return ExpertKind::conditional_failed;
    }
    void summarize(const Record &r, const Diagnosis &d, const Verdict &v,
                   SummaryWriter &w) const override;
    void summarize_retry(const Diagnosis &d, SummaryWriter &w) const override;
    // Remembers the entity tag each PUBLISH 2xx hands out (RFC 3903 6), for later 412s.
    void observe_final(const MessageView &resp, const Transaction &tx) override;

  protected:
    // The recovery is judged by its answer, unless the retry repeated SIP-If-Match.
    bool followup_decided(const Diagnosis &d) const override;
    ExpertKind not_followed_expert(const Diagnosis &) const override {
        return ExpertKind::etag_not_recovered;
    }
    ExpertKind wrong_fix_expert(const Diagnosis &d) const override;

  private:
    struct EtagInfo {
        std::string etag;
        FrameNum frame = 0;
    };
    BoundedMap<EtagInfo> etags_;
};

}  // namespace sipdiag
