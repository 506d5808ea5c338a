// SPDX-License-Identifier: GPL-2.0-or-later
// 302 Moved Temporarily (RFC 3261 8.1.3.4, 21.3.3): the client should retry the same request at
// one of the Contact URIs, preferring the highest q, and keep using the original Request-URI for
// later requests.
#pragma once

#include "core/bounded_map.h"
#include "core/rules/rule.h"
#include "core/sipvalue.h"

#include <optional>
#include <string>
#include <vector>

namespace sipdiag {

// What a 302 keeps of one Contact: the parse errors become issues when it is diagnosed, the
// display name is not shown.
struct RedirectContact {
    std::string uri;  // addr-spec, truncated to kMaxUriLength
    std::optional<std::uint32_t> expires;
    std::optional<std::uint16_t> q_milli;
    bool star = false;  // "Contact: *"
    std::uint16_t effective_q() const { return q_milli ? *q_milli : 1000; }
};

struct RedirectContacts {
    std::vector<RedirectContact> entries;  // header order, at most kMaxContacts
    std::size_t total = 0;                 // entries seen, including those not kept
    bool truncated() const { return total > entries.size(); }
};

struct RedirectDetail {
    // What the retry targeted.
    enum class Target : std::uint8_t {
        none,         // no retry (yet)
        contact,      // one of the Contacts: the fix
        off_contact,  // none of the Contacts
        loop,         // the Contact is the URI that was just redirected: a redirect loop
        expired,      // a Contact with expires=0, which the server withdrew
    };
    RedirectContacts contacts;
    Target retry = Target::none;
    bool new_dialog = false;        // the retry opened a new dialog (new Call-ID)
    std::string target;             // Request-URI of the client's retry
    std::optional<bool> highest_q;  // the retry went to a Contact with the highest q
    // Later calls: RFC 3261 21.3.3 says to keep using the original Request-URI for future
    // requests. The first later request of the same client to either address tells.
    std::string original_uri;          // Request-URI of the redirected request
    std::uint64_t call_hash = 0;       // Call-ID of the redirected call (of the 302)
    FrameNum later_request_frame = 0;  // a later call of the same client
    bool later_kept_original = false;  // ...went to the original URI (true) or the Contact
};

class RedirectRule final : public RuleOf<RedirectDetail> {
  public:
    RedirectRule(Store &store, const Config &config);
    RuleId id() const override { return RuleId::redirect; }
    bool recognises(const SipMessage &resp) const override { return resp.status == 302; }
    bool diagnose(const SipMessage &resp, const Transaction *tx, Diagnosis &d) override;
    void diagnosed(const SipMessage &resp, const Transaction &tx, std::uint32_t record) override;
    PendingKind pending_kind() const override { return PendingKind::dialog; }
    // In its dialog (Call-ID and From tag) and by its client (a retry in a new dialog, as
    // linphone sends: new Call-ID, any CSeq).
    std::size_t pending_keys(const SipMessage &resp, const Diagnosis &d,
                             std::uint64_t (&keys)[kMaxPendingKeys]) const override;
    // In the same call: a new request (higher CSeq, new branch) with the same method. In a new
    // dialog: the same method to one of the Contacts.
    bool accepts(const Record &resp, const Diagnosis &d, const SipMessage &req) const override;
    // The fix is applied when the retry's Request-URI is one of the Contacts (RFC 3261 19.1.4
    // comparison), not one the server withdrew (expires=0) and not the URI that was just
    // redirected (a loop); "followed ok" is decided here.
    void judge(Diagnosis &d, const SipMessage &req) override;
    ExpertKind retry_expert(const Diagnosis &d) const override { return wrong_fix_expert(d); }
    ExpertKind response_expert(const Record &, const Diagnosis *) const override {
        return ExpertKind::redirect;
    }
    void summarize(const Record &r, const Diagnosis &d, const Verdict &v,
                   SummaryWriter &w) const override;
    void summarize_retry(const Diagnosis &d, SummaryWriter &w) const override;
    void observe_request(const SipMessage &req, const Transaction &tx) override;

  protected:
    ExpertKind not_followed_expert(const Diagnosis &) const override {
        return ExpertKind::redirect_not_followed;
    }
    ExpertKind wrong_fix_expert(const Diagnosis &d) const override;

  private:
    BoundedMap<std::vector<std::uint32_t>> redirects_;  // client -> records of its recent 302s
};

// Expert info of the later-call check: a later call that went to the temporary Contact.
inline ExpertKind later_call_expert(const RedirectDetail &d) {
    return d.later_request_frame != 0 && !d.later_kept_original
               ? ExpertKind::redirect_contact_stored
               : ExpertKind::none;
}

}  // namespace sipdiag
