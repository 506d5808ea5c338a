// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/rules/redirect.h"

#include "core/sipuri.h"

#include <algorithm>

namespace sipdiag {

RedirectRule::RedirectRule(Store &store, const Config &config)
    : RuleOf(store, config), redirects_(std::max<std::size_t>(config.pending, 1)) {}

bool RedirectRule::diagnose(const SipMessage &resp, const Transaction *, Diagnosis &d) {
    RedirectDetail &rd = new_detail(d);
    for (const std::string &v : resp.contact) parse_contacts(v, rd.contacts);
    if (rd.contacts.total == 0) {
        d.add_issue(IssueKind::missing_contact, "302 without a Contact header: nowhere to retry");
    }
    if (rd.contacts.truncated()) {
        d.add_issue(IssueKind::contacts_truncated,
                    std::to_string(rd.contacts.total) + " contacts; the first " +
                        std::to_string(rd.contacts.entries.size()) + " are shown");
    }
    for (const ContactEntry &c : rd.contacts.entries) {
        if (c.syntax_error != ParseError::none) {
            d.add_issue(IssueKind::bad_contact, "unbalanced quote or angle bracket in " + c.uri);
        }
        if (c.q_error != ParseError::none) {
            d.add_issue(IssueKind::bad_q,
                        "q=" + c.bad_q_text + ": " + parse_error_text(c.q_error) + " (0 to 1)");
        }
        if (c.expires_error != ParseError::none) {
            d.add_issue(IssueKind::bad_expires,
                        "expires=" + c.bad_expires_text + ": " + parse_error_text(c.expires_error));
        }
        if (c.uri_truncated) d.add_issue(IssueKind::value_truncated, "Contact URI cut");
    }
    return true;
}

void RedirectRule::diagnosed(const SipMessage &resp, const Transaction &tx, std::uint32_t record) {
    if (!tx.captured() || tx.request_uri.empty()) return;
    RedirectDetail &rd = detail(store_.diagnosis_of(record));
    rd.original_uri = tx.request_uri;
    rd.call_hash = hash_parts({resp.call_id});
    add_pending(redirects_.get(hash_parts({client_id(resp)}, 0x302)), record);
}

bool RedirectRule::accepts(const Record &resp, const Diagnosis &d, const SipMessage &req) const {
    return is_new_request_of_call(d, req) && store_.methods[resp.method] == req.method;
}

void RedirectRule::judge(Diagnosis &d, const SipMessage &req) {
    RedirectDetail &rd = detail(d);
    rd.target = bounded_copy(req.request_uri, kMaxUriLength);
    std::uint16_t best = 0;
    for (const ContactEntry &c : rd.contacts.entries) best = std::max(best, c.effective_q());
    const ContactEntry *chosen = nullptr;
    for (const ContactEntry &c : rd.contacts.entries) {
        if (!c.star && sip_uri_equivalent(c.uri, req.request_uri)) {
            chosen = &c;
            break;
        }
    }
    d.followup_ok = chosen != nullptr;
    if (chosen) rd.highest_q = chosen->effective_q() >= best;
}

void RedirectRule::observe_request(const SipMessage &req, const Transaction &) {
    if (req.method != "INVITE") return;
    auto *list = redirects_.find(hash_parts({client_id(req)}, 0x302));
    if (list == nullptr) return;
    const std::uint64_t call = hash_parts({req.call_id});
    const SipUri target = parse_sip_uri(req.request_uri);  // once, not once per contact
    for (auto it = list->begin(); it != list->end();) {
        RedirectDetail &rd = detail(store_.diagnosis_of(*it));
        if (rd.call_hash == call) {  // same call: that is the retry, not a later request
            ++it;
            continue;
        }
        bool decided = false;
        if (sip_uri_equivalent(target, req.request_uri, rd.original_uri)) {
            rd.later_kept_original = true;
            decided = true;
        } else {
            for (const ContactEntry &c : rd.contacts.entries) {
                if (!c.star && sip_uri_equivalent(target, req.request_uri, c.uri)) {
                    rd.later_kept_original = false;
                    decided = true;
                    break;
                }
            }
        }
        if (decided) {
            rd.later_request_frame = req.frame;
            it = list->erase(it);  // the first later request answers the question
        } else {
            ++it;
        }
    }
}

}  // namespace sipdiag
