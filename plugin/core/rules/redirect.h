// SPDX-License-Identifier: GPL-2.0-or-later
// 302 Moved Temporarily (RFC 3261 8.1.3.4, 21.3.3): the client should retry the same request at
// one of the Contact URIs, preferring the highest q, and keep using the original Request-URI for
// later requests.
#pragma once

#include "core/bounded_map.h"
#include "core/packed_text.h"
#include "core/rules/rule.h"
#include "core/sipvalue.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sipdiag {

// What a 302 keeps of one Contact: the parse errors become issues when it is diagnosed, the
// display name is not shown. A view into RedirectContacts' block.
struct RedirectContact {
    std::string_view uri;  // addr-spec, truncated to kMaxUriLength; uri.data() is NUL-terminated
    std::optional<std::uint32_t> expires;
    std::optional<std::uint16_t> q_milli;
    bool star = false;  // "Contact: *"
    std::uint16_t effective_q() const { return q_milli ? *q_milli : 1000; }
    const char *uri_c_str() const { return uri.data(); }
};

// The Contacts a 302 keeps, in one heap block: a count, a fixed-size entry per contact, then
// the URIs (each NUL-terminated). 16 bytes instead of a vector of entries with a string each.
class RedirectContacts {
  public:
    RedirectContacts() = default;
    RedirectContacts(const RedirectContacts &o) { *this = o; }
    RedirectContacts &operator=(const RedirectContacts &o);
    RedirectContacts(RedirectContacts &&) = default;
    RedirectContacts &operator=(RedirectContacts &&) = default;

    void assign(const std::vector<ContactEntry> &entries);  // at most kMaxContacts of them
    std::size_t size() const;                               // entries kept, header order
    RedirectContact operator[](std::size_t i) const;

    class iterator {
      public:
        iterator(const RedirectContacts *c, std::size_t i) : c_(c), i_(i) {}
        RedirectContact operator*() const { return (*c_)[i_]; }
        iterator &operator++() {
            ++i_;
            return *this;
        }
        bool operator!=(const iterator &o) const { return i_ != o.i_; }

      private:
        const RedirectContacts *c_;
        std::size_t i_;
    };
    iterator begin() const { return {this, 0}; }
    iterator end() const { return {this, size()}; }

    std::uint32_t total = 0;  // entries seen, including those not kept
    bool truncated() const { return total > size(); }

  private:
    struct Entry {
        std::uint32_t expires;
        std::uint32_t uri_size;
        std::uint32_t uri_offset;  // from the start of the block
        std::uint16_t q_milli;
        std::uint8_t flags;  // kHasExpires | kHasQ | kStar
    };
    static constexpr std::uint8_t kHasExpires = 1, kHasQ = 2, kStar = 4;
    std::size_t block_size() const;
    std::unique_ptr<char[]> block_;  // std::uint32_t count, Entry[count], the URIs
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
    std::optional<bool> highest_q;  // the retry went to a Contact with the highest q
    // Later calls: RFC 3261 21.3.3 says to keep using the original Request-URI for future
    // requests. The first later request of the same client to either address tells.
    std::uint64_t call_hash = 0;       // Call-ID of the redirected call (of the 302)
    FrameNum later_request_frame = 0;  // a later call of the same client
    bool later_kept_original = false;  // ...went to the original URI (true) or the Contact
    // The Request-URIs of the client's retry and of the redirected request, in one block.
    enum Text : std::uint8_t { kTarget, kOriginalUri, kTexts };
    PackedText<kTexts> text;
    std::string_view target() const { return text.get(kTarget); }
    std::string_view original_uri() const { return text.get(kOriginalUri); }
};

class RedirectRule final : public RuleOf<RedirectDetail> {
  public:
    RedirectRule(Store &store, const Config &config);
    RuleId id() const override { return RuleId::redirect; }
    bool recognises(const MessageView &resp) const override { return resp.status == 302; }
    bool diagnose(const MessageView &resp, const Transaction *tx, Diagnosis &d) override;
    void diagnosed(const MessageView &resp, const Transaction &tx, std::uint32_t record) override;
    PendingKind pending_kind() const override { return PendingKind::dialog; }
    // In its dialog (Call-ID and From tag) and by its client (a retry in a new dialog, as
    // linphone sends: new Call-ID, any CSeq).
    std::size_t pending_keys(const MessageView &resp, const Diagnosis &d,
                             std::uint64_t (&keys)[kMaxPendingKeys]) const override;
    // In the same call: a new request (higher CSeq, new branch) with the same method. In a new
    // dialog: the same method to one of the Contacts.
    bool accepts(const Record &resp, const Diagnosis &d, const MessageView &req) const override;
    // The fix is applied when the retry's Request-URI is one of the Contacts (RFC 3261 19.1.4
    // comparison), not one the server withdrew (expires=0) and not the URI that was just
    // redirected (a loop); "followed ok" is decided here.
    void judge(Diagnosis &d, const MessageView &req) override;
    ExpertKind retry_expert(const Diagnosis &d) const override { return wrong_fix_expert(d); }
    ExpertKind response_expert(const Record &, const Diagnosis *) const override {
        return ExpertKind::redirect;
    }
    void summarize(const Record &r, const Diagnosis &d, const Verdict &v,
                   SummaryWriter &w) const override;
    void summarize_retry(const Diagnosis &d, SummaryWriter &w) const override;
    void observe_request(const MessageView &req, const Transaction &tx) override;

  protected:
    ExpertKind not_followed_expert(const Diagnosis &) const override {
        return ExpertKind::redirect_not_followed;
    }
    ExpertKind wrong_fix_expert(const Diagnosis &d) const override;

  private:
    BoundedMap<PendingList> redirects_;  // client -> records of its recent 302s
};

// Expert info of the later-call check: a later call that went to the temporary Contact.
inline ExpertKind later_call_expert(const RedirectDetail &d) {
    return d.later_request_frame != 0 && !d.later_kept_original
               ? ExpertKind::redirect_contact_stored
               : ExpertKind::none;
}

}  // namespace sipdiag
