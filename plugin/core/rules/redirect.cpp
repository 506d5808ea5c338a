// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/rules/redirect.h"

#include "core/sipuri.h"

#include <algorithm>
#include <cstring>

namespace sipdiag {

RedirectContacts &RedirectContacts::operator=(const RedirectContacts &o) {
    if (this == &o) return *this;
    total = o.total;
    if (!o.block_) {
        block_.reset();
    } else {
        const std::size_t n = o.block_size();
        block_.reset(new char[n]);
        std::memcpy(block_.get(), o.block_.get(), n);
    }
    return *this;
}

void RedirectContacts::assign(const std::vector<ContactEntry> &entries) {
    block_.reset();
    if (entries.empty()) return;
    std::size_t n = sizeof(std::uint32_t) + entries.size() * sizeof(Entry);
    for (const ContactEntry &c : entries) n += c.uri.size() + 1;
    block_.reset(new char[n]);
    const auto count = static_cast<std::uint32_t>(entries.size());
    std::memcpy(block_.get(), &count, sizeof count);
    std::size_t text = sizeof count + entries.size() * sizeof(Entry);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const ContactEntry &c = entries[i];
        Entry e{};
        e.expires = c.expires.value_or(0);
        e.uri_size = static_cast<std::uint32_t>(c.uri.size());
        e.uri_offset = static_cast<std::uint32_t>(text);
        e.q_milli = c.q_milli.value_or(0);
        e.flags = static_cast<std::uint8_t>((c.expires ? kHasExpires : 0) |
                                            (c.q_milli ? kHasQ : 0) | (c.star ? kStar : 0));
        std::memcpy(block_.get() + sizeof count + i * sizeof(Entry), &e, sizeof e);
        if (!c.uri.empty()) std::memcpy(block_.get() + text, c.uri.data(), c.uri.size());
        block_[text + c.uri.size()] = '\0';
        text += c.uri.size() + 1;
    }
}

std::size_t RedirectContacts::size() const {
    if (!block_) return 0;
    std::uint32_t count;
    std::memcpy(&count, block_.get(), sizeof count);
    return count;
}

RedirectContact RedirectContacts::operator[](std::size_t i) const {
    Entry e;
    std::memcpy(&e, block_.get() + sizeof(std::uint32_t) + i * sizeof(Entry), sizeof e);
    RedirectContact c;
    c.uri = std::string_view(block_.get() + e.uri_offset, e.uri_size);
    if (e.flags & kHasExpires) c.expires = e.expires;
    if (e.flags & kHasQ) c.q_milli = e.q_milli;
    c.star = (e.flags & kStar) != 0;
    return c;
}

std::size_t RedirectContacts::block_size() const {
    const std::size_t n = size();
    if (n == 0) return block_ ? sizeof(std::uint32_t) : 0;
    const RedirectContact last = (*this)[n - 1];
    return static_cast<std::size_t>(last.uri.data() - block_.get()) + last.uri.size() + 1;
}

RedirectRule::RedirectRule(Store &store, const Config &config)
    : RuleOf(store, config), redirects_(std::max<std::size_t>(config.pending, 1)) {}

bool RedirectRule::diagnose(const MessageView &resp, const Transaction *, Diagnosis &d) {
    RedirectDetail &rd = new_detail(d);
    rd.call_hash = resp.call_hash;
    ContactList parsed;
    for (std::string_view v : resp.contact) parse_contacts(v, parsed);
    if (parsed.total == 0) {
        d.add_issue(IssueKind::missing_contact, "302 without a Contact header: nowhere to retry");
    }
    if (parsed.truncated()) {
        d.add_issue(IssueKind::contacts_truncated,
                    std::to_string(parsed.total) + " contacts; the first " +
                        std::to_string(parsed.entries.size()) + " are shown");
    }
    for (const ContactEntry &c : parsed.entries) {
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
    rd.contacts.total = static_cast<std::uint32_t>(parsed.total);
    rd.contacts.assign(parsed.entries);
    return true;
}

void RedirectRule::diagnosed(const MessageView &resp, const Transaction &tx, std::uint32_t record) {
    if (!tx.captured() || tx.request_uri().empty()) return;
    RedirectDetail &rd = detail(store_.diagnosis_of(record));
    rd.text.set(RedirectDetail::kOriginalUri, tx.request_uri());
    add_pending(redirects_.get(hash_parts({}, client_hash(resp) ^ 0x302)), record);
}

std::size_t RedirectRule::pending_keys(const MessageView &resp, const Diagnosis &,
                                       std::uint64_t (&keys)[kMaxPendingKeys]) const {
    keys[0] = dialog_key(resp);
    keys[1] = client_key(resp);
    return 2;
}

bool RedirectRule::accepts(const Record &resp, const Diagnosis &d, const MessageView &req) const {
    if (store_.methods[resp.method] != req.method) return false;
    const RedirectDetail &rd = *detail(d);
    if (req.call_hash == rd.call_hash) return is_new_request_of_call(d, req);
    // A new dialog is the retry only when it goes to one of the Contacts: any other later call
    // of the client is just a later call.
    const SipUri target = parse_sip_uri(req.request_uri);  // once, not once per contact
    for (const RedirectContact &c : rd.contacts) {
        if (!c.star && sip_uri_equivalent(target, req.request_uri, c.uri)) return true;
    }
    return false;
}

void RedirectRule::judge(Diagnosis &d, const MessageView &req) {
    RedirectDetail &rd = detail(d);
    rd.text.set(RedirectDetail::kTarget, bounded_copy(req.request_uri, kMaxUriLength));
    std::uint16_t best = 0;
    for (const RedirectContact &c : rd.contacts) best = std::max(best, c.effective_q());
    std::optional<RedirectContact> chosen;  // a view: the contacts' block stays
    // The retry's URI parsed once, not once per contact (the comparison is symmetric).
    const SipUri target = parse_sip_uri(req.request_uri);
    for (const RedirectContact &c : rd.contacts) {
        if (!c.star && sip_uri_equivalent(target, req.request_uri, c.uri)) {
            chosen = c;
            break;
        }
    }
    rd.new_dialog = req.call_hash != rd.call_hash;
    if (!chosen) {
        rd.retry = RedirectDetail::Target::off_contact;
    } else if (!rd.original_uri().empty() &&
               sip_uri_equivalent(target, req.request_uri, rd.original_uri())) {
        rd.retry = RedirectDetail::Target::loop;
    } else if (chosen->expires && *chosen->expires == 0) {
        rd.retry = RedirectDetail::Target::expired;
    } else {
        rd.retry = RedirectDetail::Target::contact;
    }
    d.followup_ok = rd.retry == RedirectDetail::Target::contact;
    if (chosen) rd.highest_q = chosen->effective_q() >= best;
}

ExpertKind RedirectRule::wrong_fix_expert(const Diagnosis &d) const {
    switch (detail(d)->retry) {
        case RedirectDetail::Target::loop:
            return ExpertKind::redirect_loop;
        case RedirectDetail::Target::expired:
            return ExpertKind::redirect_expired_contact;
        default:
            return ExpertKind::redirect_off_contact;
    }
}

void RedirectRule::observe_request(const MessageView &req, const Transaction &) {
    if (req.method != "INVITE") return;
    auto *list = redirects_.find(hash_parts({}, client_hash(req) ^ 0x302));
    if (list == nullptr) return;
    const std::uint64_t call = req.call_hash;
    const SipUri target = parse_sip_uri(req.request_uri);  // once, not once per contact
    for (auto it = list->begin(); it != list->end();) {
        const Diagnosis &d = store_.diagnosis_of(*it);
        RedirectDetail &rd = detail(store_.diagnosis_of(*it));
        // The same call, or this 302's own retry in a new dialog: not a later request.
        if (rd.call_hash == call || d.followup_frame == req.frame) {
            ++it;
            continue;
        }
        bool decided = false;
        if (sip_uri_equivalent(target, req.request_uri, rd.original_uri())) {
            rd.later_kept_original = true;
            decided = true;
        } else {
            for (const RedirectContact &c : rd.contacts) {
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

void RedirectRule::summarize(const Record &, const Diagnosis &d, const Verdict &v,
                             SummaryWriter &w) const {
    const RedirectDetail *rd = detail(d);
    if (rd == nullptr) return;
    const RedirectContacts &cl = rd->contacts;
    std::optional<RedirectContact> best;  // a view into cl
    for (const RedirectContact &c : cl) {
        if (!c.star && (!best || c.effective_q() > best->effective_q())) best = c;
    }
    if (cl.total == 0 || !best) {
        w.text("no Contact to retry at", "aucun Contact où réessayer");
    } else if (cl.total == 1) {
        w.text("1 Contact ").value(best->uri);
    } else {
        w.number(cl.total).text(" Contacts, ").text("best ", "meilleur ").value(best->uri);
        w.text(" (q=").q(best->effective_q()).text(")");
    }
    if (d.followup_frame != 0) {
        w.next().text("retried at ", "relancé vers ").value(rd->target());
        if (rd->new_dialog) w.text(" in a new dialog", " dans un nouveau dialogue");
        w.text(", ");
        if (rd->retry == RedirectDetail::Target::loop) {
            w.text("the URI just redirected: a redirect loop",
                   "l'URI qui vient d'être redirigée : une boucle de redirection");
        } else if (rd->retry == RedirectDetail::Target::expired) {
            w.text("a Contact given with expires=0", "un Contact donné avec expires=0");
        } else if (!d.followup_ok) {
            w.text("none of them", "aucun d'eux");
        } else if (rd->highest_q.value_or(true)) {
            w.text(cl.total == 1 ? w.tr("the Contact", "le Contact")
                                 : w.tr("the best one", "le meilleur"));
        } else {
            w.text("not the best one", "pas le meilleur");
        }
    } else {
        w.no_retry(v);
    }
    w.verdict(v, d.followup_frame);
    if (later_call_expert(*rd) != ExpertKind::none) {
        w.next().text("a later call went to the Contact instead of ",
                      "un appel suivant est allé au Contact au lieu de ");
        w.value(rd->original_uri()).text(" ").frame(rd->later_request_frame);
    }
}

void RedirectRule::summarize_retry(const Diagnosis &d, SummaryWriter &w) const {
    const RedirectDetail *rd = detail(d);
    if (rd == nullptr) return;
    w.text("to ", "vers ").value(rd->target()).text(", ");
    switch (rd->retry) {
        case RedirectDetail::Target::loop:
            w.text("the URI just redirected (a loop)", "l'URI qui vient d'être redirigée (boucle)");
            break;
        case RedirectDetail::Target::expired:
            w.text("a Contact with expires=0", "un Contact avec expires=0");
            break;
        default:
            w.text(d.followup_ok ? w.tr("a Contact of the 302", "un Contact du 302")
                                 : w.tr("none of the Contacts", "aucun des Contacts"));
            break;
    }
}

}  // namespace sipdiag
