// SPDX-License-Identifier: GPL-2.0-or-later
// sipdiag: the Wireshark side. Registration (fields, subtrees, expert infos, preferences, tap,
// stats tree) and the post-dissector that reads SIP fields, feeds the core correlator on the
// first pass and renders the stored results on every pass.
//
// Exceptions: Wireshark reports errors with longjmp (THROW). The render functions below therefore
// keep no C++ object with a destructor alive across a proto_tree_add_* call: they only hold
// pointers into the correlator's storage and format into pinfo->pool. C++ exceptions (bad_alloc)
// are caught in the dissector entry point and never reach Wireshark.

#include "epan/sipdiag.h"

#include "epan/extract.h"
#include "epan/flow.h"  // flow: the SIP diagnostics flow type
#include "epan/ws_compat.h"

#include "core/correlator.h"
#include "kb/kb.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

namespace sipdiag::epan {

namespace {

int proto_sipdiag = -1;
int sipdiag_tap = -1;

// Response
int hf_sipdiag_code = -1;
int hf_sipdiag_reason = -1;
int hf_sipdiag_class = -1;
int hf_sipdiag_meaning = -1;
int hf_sipdiag_when = -1;
int hf_sipdiag_fix = -1;
int hf_sipdiag_rfc = -1;
int hf_sipdiag_note = -1;
int hf_sipdiag_request_frame = -1;
int hf_sipdiag_request_method = -1;
int hf_sipdiag_response_time = -1;
int hf_sipdiag_retransmission = -1;
int hf_sipdiag_original_frame = -1;
int hf_sipdiag_problem = -1;
int hf_sipdiag_compare_code = -1;
int hf_sipdiag_compare_hint = -1;
// 302
int hf_sipdiag_redirect_contact = -1;
int hf_sipdiag_redirect_q = -1;
int hf_sipdiag_redirect_expires = -1;
int hf_sipdiag_redirect_target = -1;
int hf_sipdiag_redirect_highest_q = -1;
int hf_sipdiag_redirect_original_uri = -1;
int hf_sipdiag_redirect_later_frame = -1;
int hf_sipdiag_redirect_original_kept = -1;
// 412
int hf_sipdiag_publish_entity = -1;
int hf_sipdiag_publish_event = -1;
int hf_sipdiag_publish_if_match = -1;
int hf_sipdiag_publish_last_etag = -1;
int hf_sipdiag_publish_last_etag_frame = -1;
int hf_sipdiag_publish_new_etag = -1;
// 422
int hf_sipdiag_timer_session_expires = -1;
int hf_sipdiag_timer_min_se = -1;
int hf_sipdiag_timer_retry_session_expires = -1;
// Topics beyond 302/412/422 (header-aware diagnosis)
int hf_sipdiag_auth_scheme = -1;
int hf_sipdiag_auth_realm = -1;
int hf_sipdiag_auth_algorithm = -1;
int hf_sipdiag_auth_qop = -1;
int hf_sipdiag_auth_stale = -1;
int hf_sipdiag_auth_retry_has_credentials = -1;
int hf_sipdiag_auth_request_has_credentials = -1;
int hf_sipdiag_options_unsupported = -1;
int hf_sipdiag_options_required = -1;
int hf_sipdiag_options_request_require = -1;
int hf_sipdiag_media_accept = -1;
int hf_sipdiag_media_accept_encoding = -1;
int hf_sipdiag_media_accept_language = -1;
int hf_sipdiag_media_request_content_type = -1;
int hf_sipdiag_warning_code = -1;
int hf_sipdiag_warning_agent = -1;
int hf_sipdiag_warning_text = -1;
int hf_sipdiag_event_requested = -1;
int hf_sipdiag_event_allowed = -1;
int hf_sipdiag_retry_after = -1;
int hf_sipdiag_interval_expires = -1;
int hf_sipdiag_interval_min_expires = -1;
int hf_sipdiag_interval_retry_expires = -1;
int hf_sipdiag_security_mechanism = -1;
int hf_sipdiag_glare_rule = -1;
// Follow-up
int hf_sipdiag_followup_frame = -1;
int hf_sipdiag_followup_ok = -1;
int hf_sipdiag_followup_response_frame = -1;
int hf_sipdiag_followup_response_code = -1;
int hf_sipdiag_outcome = -1;
int hf_sipdiag_call_summary = -1;
// Request
int hf_sipdiag_retry_of = -1;
int hf_sipdiag_retry_of_code = -1;
int hf_sipdiag_response_frame = -1;
int hf_sipdiag_response_code = -1;

int ett_sipdiag = -1;
int ett_sipdiag_compare = -1;
int ett_sipdiag_redirect = -1;
int ett_sipdiag_contact = -1;
int ett_sipdiag_publish = -1;
int ett_sipdiag_timer = -1;
int ett_sipdiag_followup = -1;
int ett_sipdiag_topic = -1;
int ett_sipdiag_text = -1;

expert_field ei_sipdiag_redirect = EI_INIT;
expert_field ei_sipdiag_conditional_failed = EI_INIT;
expert_field ei_sipdiag_interval_too_small = EI_INIT;
expert_field ei_sipdiag_no_request = EI_INIT;
expert_field ei_sipdiag_missing_header = EI_INIT;
expert_field ei_sipdiag_bad_value = EI_INIT;
expert_field ei_sipdiag_truncated = EI_INIT;
expert_field ei_sipdiag_redirect_not_followed = EI_INIT;
expert_field ei_sipdiag_redirect_off_contact = EI_INIT;
expert_field ei_sipdiag_redirect_contact_stored = EI_INIT;
expert_field ei_sipdiag_etag_not_recovered = EI_INIT;
expert_field ei_sipdiag_if_match_repeated = EI_INIT;
expert_field ei_sipdiag_retry_still_too_small = EI_INIT;
expert_field ei_sipdiag_retry_missing_min_se = EI_INIT;
expert_field ei_sipdiag_followup_ok = EI_INIT;
expert_field ei_sipdiag_internal = EI_INIT;
expert_field ei_sipdiag_challenge = EI_INIT;
expert_field ei_sipdiag_challenge_answered = EI_INIT;
expert_field ei_sipdiag_credentials_rejected = EI_INIT;
expert_field ei_sipdiag_interval_too_brief = EI_INIT;
expert_field ei_sipdiag_bad_extension = EI_INIT;
expert_field ei_sipdiag_extension_required = EI_INIT;
expert_field ei_sipdiag_unsupported_media = EI_INIT;
expert_field ei_sipdiag_not_acceptable = EI_INIT;
expert_field ei_sipdiag_bad_event = EI_INIT;
expert_field ei_sipdiag_glare = EI_INIT;
expert_field ei_sipdiag_security_agreement = EI_INIT;
expert_field ei_sipdiag_server_error = EI_INIT;
expert_field ei_sipdiag_overload_no_retry_after = EI_INIT;
expert_field ei_sipdiag_retry_after = EI_INIT;
expert_field ei_sipdiag_failure_chat = EI_INIT;
expert_field ei_sipdiag_failure_note = EI_INIT;
expert_field ei_sipdiag_failure_warn = EI_INIT;
expert_field ei_sipdiag_failure_error = EI_INIT;

// Preferences
sipdiag_pref_bool pref_compare_hints = TRUE;
guint pref_followup_window = 32;  // seconds
gint pref_language = 0;           // kb::Lang

const enum_val_t kLanguageVals[] = {
    {"en", "English", 0},
    {"fr", "Francais", 1},
    {nullptr, nullptr, 0},
};

const value_string kClassVals[] = {
    {1, "Provisional"},    {2, "Successful"},     {3, "Redirection"}, {4, "Client Failure"},
    {5, "Server Failure"}, {6, "Global Failure"}, {0, nullptr},
};

const value_string kOutcomeVals[] = {
    {static_cast<guint32>(Outcome::pending), "pending (needs the whole capture: use -2)"},
    {static_cast<guint32>(Outcome::followed_ok), "followed ok"},
    {static_cast<guint32>(Outcome::wrong_fix), "wrong fix"},
    {static_cast<guint32>(Outcome::not_followed), "not followed"},
    {static_cast<guint32>(Outcome::request_missing), "request missing"},
    {0, nullptr},
};

// Site-specific advice per code (Preferences > Protocols > SIPDIAG > Site hints; a UAT file
// "sipdiag_site_hints" in the profile: "code","text").
struct SiteHint {
    guint code;
    char *text;
};
SiteHint *site_hints = nullptr;
guint n_site_hints = 0;
int hf_sipdiag_site_hint = -1;

void *site_hint_copy(void *dst, const void *src, size_t) {
    auto *d = static_cast<SiteHint *>(dst);
    const auto *s = static_cast<const SiteHint *>(src);
    d->code = s->code;
    d->text = g_strdup(s->text);
    return d;
}

void site_hint_free(void *r) {
    auto *h = static_cast<SiteHint *>(r);
    g_free(h->text);
    h->text = nullptr;
}

sipdiag_uat_bool site_hint_update(void *r, char **err) {
    const auto *h = static_cast<const SiteHint *>(r);
    if (h->code < 100 || h->code > 699) {
        *err = g_strdup("The code must be a SIP response code (100 to 699)");
        return FALSE;
    }
    if (h->text == nullptr || h->text[0] == '\0') {
        *err = g_strdup("The hint must not be empty");
        return FALSE;
    }
    return TRUE;
}

UAT_DEC_CB_DEF(site_hints, code, SiteHint)
UAT_CSTRING_CB_DEF(site_hints, text, SiteHint)

// Per-capture state: created by the init routine, dropped by the cleanup routine.
std::unique_ptr<Correlator> g_corr;
// The copies of the current frame's SIP messages, kept between frames so that their strings keep
// their buffers (one frame's worth of text at most); released with the capture.
std::vector<SipMessage> g_frame_msgs;

kb::Lang lang() {
    return pref_language == 1 ? kb::Lang::fr : kb::Lang::en;
}

void init_routine() {
    Config c;
    c.followup_window_ns = static_cast<TimeNs>(pref_followup_window) * 1000000000;
    g_corr.reset(new (std::nothrow) Correlator(c));
}

void cleanup_routine() {
    g_corr.reset();
    std::vector<SipMessage>().swap(g_frame_msgs);
}

// ---------------------------------------------------------------------------------------------
// Rendering. Nothing below owns a C++ object across a Wireshark call (see the file comment).

// Wireshark cuts tree labels at ITEM_LABEL_LENGTH (240 bytes) and marks them "[truncated]". A
// long explanation therefore also gets its whole text as wrapped lines under the item (the field
// value is never cut).
constexpr std::size_t kWrapAt = 110;

void add_wrapped_lines(proto_item *item, tvbuff_t *tvb, const char *text) {
    proto_tree *sub = proto_item_add_subtree(item, ett_sipdiag_text);
    const std::size_t len = strlen(text);
    std::size_t start = 0;
    char line[kWrapAt + 8];
    while (start < len) {
        std::size_t end = std::min(len, start + kWrapAt);
        if (end < len) {  // break at the last space, never inside a UTF-8 sequence
            std::size_t sp = end;
            while (sp > start && text[sp] != ' ') --sp;
            if (sp > start) {
                end = sp;
            } else {
                while (end > start && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
            }
        }
        const std::size_t n = end - start;
        memcpy(line, text + start, n);
        line[n] = '\0';
        proto_tree_add_subtree(sub, tvb, 0, 0, ett_sipdiag_text, nullptr, line);
        start = end;
        while (start < len && text[start] == ' ') ++start;
    }
}

proto_item *add_text(proto_tree *tree, int hf, tvbuff_t *tvb, kb::Label label, const char *text) {
    // When the label in the user's language is the field's registered name (English), Wireshark's
    // own label ("Name: value") is the same text and is only formatted when someone reads it:
    // -T fields and -Y build a visible or primed tree but never print these labels.
    const char *name = kb::label(label, lang());
    proto_item *it =
        strcmp(name, proto_registrar_get_name(hf)) == 0
            ? proto_tree_add_string(tree, hf, tvb, 0, 0, text)
            : proto_tree_add_string_format(tree, hf, tvb, 0, 0, text, "%s: %s", name, text);
    proto_item_set_generated(it);
    if (strlen(text) + 30 > ITEM_LABEL_LENGTH) add_wrapped_lines(it, tvb, text);
    return it;
}

void render_problems(proto_tree *tree, packet_info *pinfo, tvbuff_t *tvb, const Detail &d) {
    for (const Issue &issue : d.issues) {
        proto_item *it = proto_tree_add_string_format(tree, hf_sipdiag_problem, tvb, 0, 0,
                                                      issue.detail.c_str(), "Problem: %s: %s",
                                                      issue_name(issue.kind), issue.detail.c_str());
        proto_item_set_generated(it);
        expert_field *ei = &ei_sipdiag_missing_header;
        if (issue_is_malformed(issue.kind)) {
            ei = &ei_sipdiag_bad_value;
        } else if (issue.kind == IssueKind::contacts_truncated ||
                   issue.kind == IssueKind::value_truncated) {
            ei = &ei_sipdiag_truncated;
        } else if (issue.kind == IssueKind::missing_call_id ||
                   issue.kind == IssueKind::missing_cseq) {
            ei = &ei_sipdiag_missing_header;
        }
        expert_add_info(pinfo, it, ei);
    }
}

void render_redirect(proto_tree *tree, tvbuff_t *tvb, const Detail &d) {
    proto_tree *sub = proto_tree_add_subtree_format(tree, tvb, 0, 0, ett_sipdiag_redirect, nullptr,
                                                    "Redirect: %u contact(s)",
                                                    static_cast<unsigned>(d.contacts.total));
    for (const ContactEntry &c : d.contacts.entries) {
        proto_item *ci =
            proto_tree_add_string(sub, hf_sipdiag_redirect_contact, tvb, 0, 0, c.uri.c_str());
        proto_item_set_generated(ci);
        if (c.q_milli) proto_item_append_text(ci, " (q=%.3g)", *c.q_milli / 1000.0);
        if (c.expires) proto_item_append_text(ci, " (expires=%u)", *c.expires);
        if (!c.q_milli && !c.expires) continue;
        proto_tree *ct = proto_item_add_subtree(ci, ett_sipdiag_contact);
        if (c.q_milli) {
            proto_item_set_generated(
                proto_tree_add_double(ct, hf_sipdiag_redirect_q, tvb, 0, 0, *c.q_milli / 1000.0));
        }
        if (c.expires) {
            proto_item_set_generated(
                proto_tree_add_uint(ct, hf_sipdiag_redirect_expires, tvb, 0, 0, *c.expires));
        }
    }
}

// After a 302, the original Request-URI stays the address for later requests (RFC 3261 21.3.3).
void render_later_call(proto_tree *tree, packet_info *pinfo, tvbuff_t *tvb, const Detail &d) {
    if (d.original_uri.empty()) return;
    proto_item_set_generated(proto_tree_add_string(tree, hf_sipdiag_redirect_original_uri, tvb, 0,
                                                   0, d.original_uri.c_str()));
    if (d.later_request_frame == 0) return;
    proto_item_set_generated(proto_tree_add_uint(tree, hf_sipdiag_redirect_later_frame, tvb, 0, 0,
                                                 d.later_request_frame));
    proto_item *it = proto_tree_add_boolean(tree, hf_sipdiag_redirect_original_kept, tvb, 0, 0,
                                            d.later_kept_original);
    proto_item_set_generated(it);
    if (!d.later_kept_original) expert_add_info(pinfo, it, &ei_sipdiag_redirect_contact_stored);
}

void render_publish(proto_tree *tree, tvbuff_t *tvb, const Detail &d) {
    proto_tree *sub = proto_tree_add_subtree(tree, tvb, 0, 0, ett_sipdiag_publish, nullptr,
                                             "Publication (RFC 3903)");
    if (!d.entity.empty()) {
        proto_item_set_generated(
            proto_tree_add_string(sub, hf_sipdiag_publish_entity, tvb, 0, 0, d.entity.c_str()));
    }
    if (!d.event.empty()) {
        proto_item_set_generated(
            proto_tree_add_string(sub, hf_sipdiag_publish_event, tvb, 0, 0, d.event.c_str()));
    }
    if (!d.if_match.empty()) {
        proto_item_set_generated(
            proto_tree_add_string(sub, hf_sipdiag_publish_if_match, tvb, 0, 0, d.if_match.c_str()));
    }
    if (!d.last_etag.empty()) {
        proto_item *it = proto_tree_add_string(sub, hf_sipdiag_publish_last_etag, tvb, 0, 0,
                                               d.last_etag.c_str());
        proto_item_set_generated(it);
        if (!d.if_match.empty() && d.if_match != d.last_etag) {
            proto_item_append_text(it, " (the request asked for a different tag)");
        }
        proto_item_set_generated(proto_tree_add_uint(sub, hf_sipdiag_publish_last_etag_frame, tvb,
                                                     0, 0, d.last_etag_frame));
    }
}

void render_timer(proto_tree *tree, tvbuff_t *tvb, const Detail &d) {
    proto_tree *sub = proto_tree_add_subtree(tree, tvb, 0, 0, ett_sipdiag_timer, nullptr,
                                             "Session timer (RFC 4028)");
    if (d.session_expires) {
        proto_item *it = proto_tree_add_uint(sub, hf_sipdiag_timer_session_expires, tvb, 0, 0,
                                             *d.session_expires);
        proto_item_set_generated(it);
        if (d.min_se && *d.session_expires < *d.min_se) {
            proto_item_append_text(it, " (below Min-SE by %u s)", *d.min_se - *d.session_expires);
        }
    }
    if (d.min_se) {
        proto_item_set_generated(
            proto_tree_add_uint(sub, hf_sipdiag_timer_min_se, tvb, 0, 0, *d.min_se));
    }
}

void render_followup(proto_tree *tree, packet_info *pinfo, tvbuff_t *tvb, const Record &r,
                     const Detail &d, Outcome outcome) {
    proto_item *top = nullptr;
    proto_tree *sub = proto_tree_add_subtree_format(
        tree, tvb, 0, 0, ett_sipdiag_followup, &top, "Follow-up: %s",
        val_to_str_const(static_cast<guint32>(outcome), kOutcomeVals, "unknown"));
    proto_item_set_generated(
        proto_tree_add_uint(sub, hf_sipdiag_outcome, tvb, 0, 0, static_cast<guint32>(outcome)));
    if (outcome == Outcome::not_followed && g_corr->capture_ends_in_window(d)) {
        proto_item_append_text(top,
                               " (the capture ends %.1f s after this response, inside the "
                               "%u s follow-up window)",
                               static_cast<double>(g_corr->last_time() - d.time_ns) / 1e9,
                               pref_followup_window);
    }
    if (d.followup_frame != 0) {
        proto_item_set_generated(
            proto_tree_add_uint(sub, hf_sipdiag_followup_frame, tvb, 0, 0, d.followup_frame));
        const bool decided =
            !(r.code == 412 && d.followup_response_frame == 0 && !d.if_match_repeated);
        if (decided) {
            proto_item_set_generated(
                proto_tree_add_boolean(sub, hf_sipdiag_followup_ok, tvb, 0, 0, d.followup_ok));
        }
        if (r.code == 302) {
            proto_item_set_generated(proto_tree_add_string(sub, hf_sipdiag_redirect_target, tvb, 0,
                                                           0, d.redirect_target.c_str()));
            if (d.highest_q) {
                proto_item_set_generated(proto_tree_add_boolean(sub, hf_sipdiag_redirect_highest_q,
                                                                tvb, 0, 0, *d.highest_q));
            }
        }
        if (r.code == 422 && d.retry_session_expires) {
            proto_item_set_generated(proto_tree_add_uint(
                sub, hf_sipdiag_timer_retry_session_expires, tvb, 0, 0, *d.retry_session_expires));
        }
        if (r.code == 412 && !d.new_etag.empty()) {
            proto_item_set_generated(proto_tree_add_string(sub, hf_sipdiag_publish_new_etag, tvb, 0,
                                                           0, d.new_etag.c_str()));
        }
        if (d.followup_response_frame != 0) {
            proto_item_set_generated(proto_tree_add_uint(sub, hf_sipdiag_followup_response_frame,
                                                         tvb, 0, 0, d.followup_response_frame));
            proto_item_set_generated(proto_tree_add_uint(sub, hf_sipdiag_followup_response_code,
                                                         tvb, 0, 0, d.followup_response_code));
        }
    }
    switch (outcome) {
        case Outcome::followed_ok:
            expert_add_info(pinfo, top, &ei_sipdiag_followup_ok);
            break;
        case Outcome::not_followed:
            if (r.code == 302) expert_add_info(pinfo, top, &ei_sipdiag_redirect_not_followed);
            if (r.code == 412) expert_add_info(pinfo, top, &ei_sipdiag_etag_not_recovered);
            if (r.code == 422) expert_add_info(pinfo, top, &ei_sipdiag_retry_still_too_small);
            break;
        case Outcome::wrong_fix:
            if (r.code == 302) expert_add_info(pinfo, top, &ei_sipdiag_redirect_off_contact);
            if (r.code == 412) {
                expert_add_info(pinfo, top,
                                d.if_match_repeated ? &ei_sipdiag_if_match_repeated
                                                    : &ei_sipdiag_etag_not_recovered);
            }
            if (r.code == 422) {
                const bool too_small = !d.retry_session_expires || !d.min_se ||
                                       *d.retry_session_expires < *d.min_se ||
                                       d.followup_response_code == 422;
                expert_add_info(pinfo, top,
                                too_small ? &ei_sipdiag_retry_still_too_small
                                          : &ei_sipdiag_retry_missing_min_se);
            }
            break;
        default:
            break;
    }
}

void render_call(proto_tree *tree, packet_info *pinfo, tvbuff_t *tvb, const Record &r,
                 const Detail &d, bool complete) {
    const std::vector<CallEntry> *entries = g_corr->call(d);
    if (entries == nullptr || entries->size() < 2) return;
    wmem_strbuf_t *sb = wmem_strbuf_new(pinfo->pool, "");
    for (std::size_t i = 0; i < entries->size(); ++i) {
        const CallEntry &e = (*entries)[i];
        const Outcome o = g_corr->outcome(g_corr->record(e.record), complete);
        wmem_strbuf_append_printf(sb, "%s%u (frame %u, %s)", i ? " -> " : "", e.code, e.frame,
                                  outcome_name(o));
    }
    proto_item_set_generated(
        proto_tree_add_string(tree, hf_sipdiag_call_summary, tvb, 0, 0, wmem_strbuf_get_str(sb)));
    if (!pref_compare_hints) return;
    // The comparison hints for the pairs actually met in this call.
    const kb::Entry *mine = kb::lookup(r.code, lang());
    if (mine == nullptr) return;
    for (const CallEntry &e : *entries) {
        if (e.code == r.code) continue;
        for (std::size_t k = 0; k < mine->compare_count; ++k) {
            if (mine->compares[k].code != e.code) continue;
            proto_item *it = proto_tree_add_string_format(
                tree, hf_sipdiag_compare_hint, tvb, 0, 0, mine->compares[k].hint,
                "In this call, %u vs %u: %s", r.code, e.code, mine->compares[k].hint);
            proto_item_set_generated(it);
        }
    }
}

proto_item *add_gen_string(proto_tree *t, int hf, tvbuff_t *tvb, const std::string &v) {
    proto_item *it = proto_tree_add_string(t, hf, tvb, 0, 0, v.c_str());
    proto_item_set_generated(it);
    return it;
}

proto_item *add_gen_uint(proto_tree *t, int hf, tvbuff_t *tvb, guint32 v) {
    proto_item *it = proto_tree_add_uint(t, hf, tvb, 0, 0, v);
    proto_item_set_generated(it);
    return it;
}

// The evidence other responses carry (RFC 3261 and extensions): one subtree per topic.
void render_topics(proto_tree *tree, packet_info *pinfo, tvbuff_t *tvb, const Record &r,
                   const Detail &d) {
    const TopicDetail &t = d.topics;
    proto_tree *sub = nullptr;
    auto subtree = [&](const char *title) {
        sub = proto_tree_add_subtree(tree, tvb, 0, 0, ett_sipdiag_topic, nullptr, title);
    };
    switch (r.code) {
        case 401:
        case 407:
            subtree(r.code == 401 ? "Challenge (WWW-Authenticate)"
                                  : "Challenge (Proxy-Authenticate)");
            for (const AuthChallenge &c : t.challenges) {
                add_gen_string(sub, hf_sipdiag_auth_scheme, tvb, c.scheme);
                if (!c.realm.empty()) add_gen_string(sub, hf_sipdiag_auth_realm, tvb, c.realm);
                add_gen_string(sub, hf_sipdiag_auth_algorithm, tvb,
                               c.algorithm.empty() ? std::string("MD5 (default)") : c.algorithm);
                if (!c.qop.empty()) add_gen_string(sub, hf_sipdiag_auth_qop, tvb, c.qop);
                proto_item_set_generated(
                    proto_tree_add_boolean(sub, hf_sipdiag_auth_stale, tvb, 0, 0, c.stale));
            }
            if (r.request_frame != 0) {
                proto_item_set_generated(
                    proto_tree_add_boolean(sub, hf_sipdiag_auth_request_has_credentials, tvb, 0, 0,
                                           t.request_had_credentials));
            }
            if (d.followup_frame != 0) {
                proto_item_set_generated(
                    proto_tree_add_boolean(sub, hf_sipdiag_auth_retry_has_credentials, tvb, 0, 0,
                                           d.retry_has_credentials));
            }
            break;
        case 420:
        case 421:
            subtree("Option tags");
            for (const std::string &o : t.unsupported) {
                add_gen_string(sub, hf_sipdiag_options_unsupported, tvb, o);
            }
            for (const std::string &o : t.required) {
                add_gen_string(sub, hf_sipdiag_options_required, tvb, o);
            }
            for (const std::string &o : t.request_require) {
                add_gen_string(sub, hf_sipdiag_options_request_require, tvb, o);
            }
            break;
        case 415:
            subtree("Accepted content");
            if (!t.accept.empty()) add_gen_string(sub, hf_sipdiag_media_accept, tvb, t.accept);
            if (!t.accept_encoding.empty()) {
                add_gen_string(sub, hf_sipdiag_media_accept_encoding, tvb, t.accept_encoding);
            }
            if (!t.accept_language.empty()) {
                add_gen_string(sub, hf_sipdiag_media_accept_language, tvb, t.accept_language);
            }
            if (!t.request_content_type.empty()) {
                add_gen_string(sub, hf_sipdiag_media_request_content_type, tvb,
                               t.request_content_type);
            }
            break;
        case 488:
        case 606:
            subtree("Warnings");
            for (const WarningValue &w : t.warnings) {
                proto_item *wi = add_gen_uint(sub, hf_sipdiag_warning_code, tvb, w.code);
                proto_tree *wt = proto_item_add_subtree(wi, ett_sipdiag_topic);
                if (!w.agent.empty()) add_gen_string(wt, hf_sipdiag_warning_agent, tvb, w.agent);
                if (!w.text.empty()) add_gen_string(wt, hf_sipdiag_warning_text, tvb, w.text);
            }
            break;
        case 489:
            subtree("Event package");
            if (!t.event.empty()) add_gen_string(sub, hf_sipdiag_event_requested, tvb, t.event);
            if (!t.allow_events.empty()) {
                add_gen_string(sub, hf_sipdiag_event_allowed, tvb, t.allow_events);
            }
            break;
        case 423:
            subtree("Registration interval");
            if (t.expires) {
                proto_item *it = add_gen_uint(sub, hf_sipdiag_interval_expires, tvb, *t.expires);
                if (t.min_expires && *t.expires < *t.min_expires) {
                    proto_item_append_text(it, " (below Min-Expires by %u s)",
                                           *t.min_expires - *t.expires);
                }
            }
            if (t.min_expires)
                add_gen_uint(sub, hf_sipdiag_interval_min_expires, tvb, *t.min_expires);
            if (d.retry_expires) {
                add_gen_uint(sub, hf_sipdiag_interval_retry_expires, tvb, *d.retry_expires);
            }
            break;
        case 491:
            subtree("Glare (RFC 3261 section 14.1)");
            add_gen_string(sub, hf_sipdiag_glare_rule, tvb,
                           std::string("retry after a random 2.1-4 s if this UA owns the Call-ID "
                                       "(it sent the first INVITE of the dialog), else 0-2 s"));
            break;
        case 494:
            subtree("Security agreement (RFC 3329)");
            for (const std::string &m : t.security_mechanisms) {
                add_gen_string(sub, hf_sipdiag_security_mechanism, tvb, m);
            }
            break;
        default:
            break;
    }
    if (t.retry_after) {
        proto_item *it = add_gen_uint(tree, hf_sipdiag_retry_after, tvb, *t.retry_after);
        expert_add_info(pinfo, it, &ei_sipdiag_retry_after);
    }
    for (const std::string &p : t.problems) {
        proto_item *it = proto_tree_add_string_format(tree, hf_sipdiag_problem, tvb, 0, 0,
                                                      p.c_str(), "Problem: %s", p.c_str());
        proto_item_set_generated(it);
        expert_add_info(pinfo, it,
                        p.find("without") != std::string::npos ? &ei_sipdiag_missing_header
                                                               : &ei_sipdiag_bad_value);
    }
}

// Expert info of a response other than 302/412/422: by meaning, not by class alone.
void add_code_expert(packet_info *pinfo, proto_item *item, const Record &r, const Detail *d) {
    const TopicDetail *t = d ? &d->topics : nullptr;
    expert_field *ei = nullptr;
    switch (r.code) {
        case 401:
        case 407:
            // Rejected: the challenged request itself carried credentials (known at once), or
            // the client's retry with credentials was challenged again (known later).
            if (d && (d->credentials_rejected || t->credentials_refused())) {
                ei = &ei_sipdiag_credentials_rejected;
            } else {
                ei = d && d->followup_frame && d->followup_ok ? &ei_sipdiag_challenge_answered
                                                              : &ei_sipdiag_challenge;
            }
            break;
        case 423:
            ei = &ei_sipdiag_interval_too_brief;
            break;
        case 420:
            ei = &ei_sipdiag_bad_extension;
            break;
        case 421:
            ei = &ei_sipdiag_extension_required;
            break;
        case 415:
            ei = &ei_sipdiag_unsupported_media;
            break;
        case 488:
        case 606:
            ei = &ei_sipdiag_not_acceptable;
            break;
        case 489:
            ei = &ei_sipdiag_bad_event;
            break;
        case 491:
            ei = &ei_sipdiag_glare;
            break;
        case 494:
            ei = &ei_sipdiag_security_agreement;
            break;
        case 500:
            ei = &ei_sipdiag_server_error;
            break;
        case 503:
            if (!(t && t->retry_after)) ei = &ei_sipdiag_overload_no_retry_after;
            break;
        default:
            break;
    }
    if (ei == nullptr) {
        switch (severity_for(r.code, t, false)) {
            case Severity::chat:
                ei = &ei_sipdiag_failure_chat;
                break;
            case Severity::note:
                ei = &ei_sipdiag_failure_note;
                break;
            case Severity::warn:
                ei = &ei_sipdiag_failure_warn;
                break;
            case Severity::error:
                ei = &ei_sipdiag_failure_error;
                break;
            case Severity::none:
                return;
        }
    }
    expert_add_info(pinfo, item, ei);
}

// Whether any item of the explanation can be seen or filtered: the tree is shown (-V, -T json,
// the GUI's packet details) or a filter, column or -e names one of its fields. These items carry
// no expert info, so when nothing can see them they are not built at all (they would be faked
// one by one: the kb lookups, label formatting and line wrapping were about a fifth of the
// plugin's cost per SIP message in tshark -Y sip).
bool explanation_wanted(proto_tree *tree) {
    static const int *const kFields[] = {
        &hf_sipdiag_site_hint, &hf_sipdiag_reason,       &hf_sipdiag_meaning,
        &hf_sipdiag_when,      &hf_sipdiag_fix,          &hf_sipdiag_rfc,
        &hf_sipdiag_note,      &hf_sipdiag_compare_code, &hf_sipdiag_compare_hint};
    for (const int *hf : kFields) {
        if (proto_field_is_referenced(tree, *hf)) return true;
    }
    return false;
}

void render_explanation(proto_tree *tree, tvbuff_t *tvb, unsigned code) {
    if (!explanation_wanted(tree)) return;
    const kb::Entry *e = kb::lookup(code, lang());
    if (e == nullptr) return;
    for (guint i = 0; i < n_site_hints; ++i) {
        if (site_hints[i].code == code && site_hints[i].text) {
            proto_item_set_generated(
                proto_tree_add_string(tree, hf_sipdiag_site_hint, tvb, 0, 0, site_hints[i].text));
        }
    }
    if (e->reason[0] != '\0') {
        proto_item_set_generated(
            proto_tree_add_string(tree, hf_sipdiag_reason, tvb, 0, 0, e->reason));
    }
    add_text(tree, hf_sipdiag_meaning, tvb, kb::Label::meaning, e->meaning);
    add_text(tree, hf_sipdiag_when, tvb, kb::Label::when, e->when);
    add_text(tree, hf_sipdiag_fix, tvb, kb::Label::fix, e->fix);
    add_text(tree, hf_sipdiag_rfc, tvb, kb::Label::rfc, e->rfc);
    if (!e->registered) {
        proto_item_set_generated(proto_tree_add_string(
            tree, hf_sipdiag_note, tvb, 0, 0, kb::label(kb::Label::unregistered_note, lang())));
    }
    if (!pref_compare_hints || e->compare_count == 0) return;
    proto_tree *cmp = proto_tree_add_subtree(tree, tvb, 0, 0, ett_sipdiag_compare, nullptr,
                                             kb::label(kb::Label::compared_with, lang()));
    for (std::size_t k = 0; k < e->compare_count; ++k) {
        const kb::Compare &c = e->compares[k];
        const kb::Entry *other = kb::lookup(c.code, lang());
        proto_item *ci =
            proto_tree_add_uint_format(cmp, hf_sipdiag_compare_code, tvb, 0, 0, c.code,
                                       "%u vs %u %s", code, c.code, other ? other->reason : "");
        proto_item_set_generated(ci);
        proto_tree *ct = proto_item_add_subtree(ci, ett_sipdiag_compare);
        proto_item *hi = proto_tree_add_string(ct, hf_sipdiag_compare_hint, tvb, 0, 0, c.hint);
        proto_item_set_generated(hi);
        if (strlen(c.hint) + 30 > ITEM_LABEL_LENGTH) add_wrapped_lines(hi, tvb, c.hint);
    }
}

struct TapInfo {
    guint16 code;
    guint8 outcome;
    gboolean retransmission;
};

void render_response(proto_tree *tree, packet_info *pinfo, tvbuff_t *tvb, const MessagePos &pos,
                     const Record &r) {
    const bool complete = PINFO_FD_VISITED(pinfo);
    const kb::Entry *e = kb::lookup(r.code, lang());
    const unsigned cls = r.code / 100;
    proto_item *ti = proto_tree_add_item(tree, proto_sipdiag, pos.tvb ? pos.tvb : tvb,
                                         pos.tvb ? pos.start : 0, pos.tvb ? pos.length : 0, ENC_NA);
    proto_item_set_generated(ti);
    proto_item_append_text(ti, ": %u %s (%uxx %s)", r.code, e ? e->reason : "", cls,
                           kb::class_name(cls, lang()));
    proto_tree *t = proto_item_add_subtree(ti, ett_sipdiag);
    proto_item *code_item = proto_tree_add_uint(t, hf_sipdiag_code, tvb, 0, 0, r.code);
    proto_item_set_generated(code_item);
    proto_item_set_generated(proto_tree_add_uint(t, hf_sipdiag_class, tvb, 0, 0, cls));

    switch (r.code) {
        case 302:
            expert_add_info(pinfo, code_item, &ei_sipdiag_redirect);
            break;
        case 412:
            expert_add_info(pinfo, code_item, &ei_sipdiag_conditional_failed);
            break;
        case 422:
            expert_add_info(pinfo, code_item, &ei_sipdiag_interval_too_small);
            break;
        default:
            if (!r.retransmission()) add_code_expert(pinfo, code_item, r, g_corr->detail(r));
            break;
    }
    render_explanation(t, tvb, r.code);

    const std::string &method = g_corr->method_name(r.method);
    if (r.request_frame != 0) {
        proto_item_set_generated(
            proto_tree_add_uint(t, hf_sipdiag_request_frame, tvb, 0, 0, r.request_frame));
    }
    if (!method.empty()) {
        proto_item_set_generated(
            proto_tree_add_string(t, hf_sipdiag_request_method, tvb, 0, 0, method.c_str()));
    }
    if (r.has_response_time()) {
        nstime_t ns;
        ns.secs = static_cast<time_t>(r.response_time / 1000000000);
        ns.nsecs = static_cast<int>(r.response_time % 1000000000);
        proto_item_set_generated(proto_tree_add_time(t, hf_sipdiag_response_time, tvb, 0, 0, &ns));
    }
    if (r.request_frame == 0 && !r.retransmission() && !(r.flags & Record::kUncorrelated)) {
        expert_add_info(pinfo, ti, &ei_sipdiag_no_request);
    }
    proto_item_set_generated(
        proto_tree_add_boolean(t, hf_sipdiag_retransmission, tvb, 0, 0, r.retransmission()));
    if (r.retransmission()) {
        proto_item_set_generated(
            proto_tree_add_uint(t, hf_sipdiag_original_frame, tvb, 0, 0, r.original_frame));
    }

    const Detail *d = g_corr->detail(r);
    Outcome outcome = g_corr->outcome(r, complete);
    if (d != nullptr) {
        if (r.code == 302) {
            render_redirect(t, tvb, *d);
            render_later_call(t, pinfo, tvb, *d);
        }
        if (r.code == 412) render_publish(t, tvb, *d);
        if (r.code == 422) render_timer(t, tvb, *d);
        if (!Correlator::is_core_code(r.code)) render_topics(t, pinfo, tvb, r, *d);
        render_problems(t, pinfo, tvb, *d);
        if (outcome != Outcome::not_applicable) render_followup(t, pinfo, tvb, r, *d, outcome);
        render_call(t, pinfo, tvb, r, *d, complete);
    }
}

// Feeds the stats tree; also on passes without a protocol tree (tshark -2 -q -z).
void queue_tap(packet_info *pinfo, const Record &r) {
    flow::note(pinfo, *g_corr, r, lang());  // flow: every SIP message, requests too
    if (r.is_request()) return;
    auto *tap = static_cast<TapInfo *>(wmem_alloc0(pinfo->pool, sizeof(TapInfo)));
    tap->code = r.code;
    tap->outcome = static_cast<guint8>(g_corr->outcome(r, PINFO_FD_VISITED(pinfo)));
    tap->retransmission = r.retransmission();
    tap_queue_packet(sipdiag_tap, pinfo, tap);
}

void render_request(proto_tree *tree, packet_info *pinfo, tvbuff_t *tvb, const MessagePos &pos,
                    const Record &r) {
    const Detail *d = g_corr->detail(r);
    if (r.response_frame == 0 && r.retry_of == 0 && d == nullptr && !r.retransmission()) return;
    proto_item *ti = proto_tree_add_item(tree, proto_sipdiag, pos.tvb ? pos.tvb : tvb,
                                         pos.tvb ? pos.start : 0, pos.tvb ? pos.length : 0, ENC_NA);
    proto_item_set_generated(ti);
    proto_item_append_text(ti, ": %s request", g_corr->method_name(r.method).c_str());
    proto_tree *t = proto_item_add_subtree(ti, ett_sipdiag);
    if (r.retry_of != 0) {
        proto_item_set_generated(
            proto_tree_add_uint(t, hf_sipdiag_retry_of, tvb, 0, 0, r.retry_of));
        proto_item_set_generated(
            proto_tree_add_uint(t, hf_sipdiag_retry_of_code, tvb, 0, 0, r.retry_of_code));
        proto_item_append_text(ti, ", retry after the %u in frame %u", r.retry_of_code, r.retry_of);
    }
    if (r.response_frame != 0) {
        proto_item_set_generated(
            proto_tree_add_uint(t, hf_sipdiag_response_frame, tvb, 0, 0, r.response_frame));
        proto_item_set_generated(
            proto_tree_add_uint(t, hf_sipdiag_response_code, tvb, 0, 0, r.response_code));
    }
    if (r.retransmission()) {
        proto_item_set_generated(
            proto_tree_add_boolean(t, hf_sipdiag_retransmission, tvb, 0, 0, 1));
        proto_item_set_generated(
            proto_tree_add_uint(t, hf_sipdiag_original_frame, tvb, 0, 0, r.original_frame));
    }
    if (d != nullptr) render_problems(t, pinfo, tvb, *d);
}

// First pass: copy the fields of every SIP message and feed the correlator. C++ only.
bool analyse_frame(proto_tree *tree, packet_info *pinfo, MessagePos *pos,
                   std::size_t *npos) noexcept {
    try {
        std::vector<SipMessage> &msgs = g_frame_msgs;  // dissection runs in one thread
        const std::size_t n = extract_messages(tree, pinfo, pos, &msgs);
        *npos = n;
        for (std::size_t i = 0; i < n; ++i) {
            if (!msgs[i].is_request && msgs[i].status == 0) continue;  // not parsed as SIP
            msgs[i].index = static_cast<std::uint8_t>(i);
            g_corr->add(msgs[i]);
        }
        return true;
    } catch (...) {
        return false;
    }
}

int dissect_sipdiag(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *) {
    if (!g_corr) return 0;
    MessagePos pos[kMaxMessagesPerFrame];
    std::size_t npos = 0;
    if (tree == nullptr) {
        // No tree to read or render (e.g. the second pass of tshark -2 -q -z): only the taps.
        if (PINFO_FD_VISITED(pinfo)) {
            const auto [recs, count] = g_corr->frame_records(pinfo->num);
            for (std::size_t i = 0; i < count; ++i) queue_tap(pinfo, recs[i]);
        }
        return 0;
    }
    if (!PINFO_FD_VISITED(pinfo)) {
        if (!analyse_frame(tree, pinfo, pos, &npos)) {
            proto_item *ti = proto_tree_add_item(tree, proto_sipdiag, tvb, 0, 0, ENC_NA);
            expert_add_info(pinfo, ti, &ei_sipdiag_internal);
            return 0;
        }
    } else {
        npos = extract_messages(tree, pinfo, pos, nullptr);
    }
    const auto [recs, count] = g_corr->frame_records(pinfo->num);
    if (recs == nullptr || count == 0) return 0;
    for (std::size_t i = 0; i < count; ++i) {
        static const MessagePos kNoPos{};
        const MessagePos &mp = recs[i].index < npos ? pos[recs[i].index] : kNoPos;
        if (recs[i].is_request()) {
            render_request(tree, pinfo, tvb, mp, recs[i]);
        } else {
            render_response(tree, pinfo, tvb, mp, recs[i]);
        }
        queue_tap(pinfo, recs[i]);
    }
    return static_cast<int>(tvb_captured_length(tvb));
}

// ---------------------------------------------------------------------------------------------
// Stats tree: Statistics > SIP Response Diagnostics, tshark -z sipdiag,tree

const char *kStCodes = "Responses by code";
const char *kStOutcome = "Follow-up outcome (302, 412, 422, 401, 407, 423)";
const char *kStRetrans = "Retransmitted responses";
int st_codes = -1;
int st_outcome = -1;
int st_retrans = -1;

void stats_init(stats_tree *st) {
    st_codes = stats_tree_create_node(st, kStCodes, 0, STAT_DT_INT, TRUE);
    st_outcome = stats_tree_create_node(st, kStOutcome, 0, STAT_DT_INT, TRUE);
    st_retrans = stats_tree_create_node(st, kStRetrans, 0, STAT_DT_INT, FALSE);
}

tap_packet_status stats_packet(stats_tree *st, packet_info *, epan_dissect_t *, const void *p,
                               tap_flags_t) {
    const auto *info = static_cast<const TapInfo *>(p);
    char name[16];
    g_snprintf(name, sizeof name, "%u", info->code);
    tick_stat_node(st, kStCodes, 0, TRUE);
    tick_stat_node(st, name, st_codes, FALSE);
    if (info->retransmission) {
        tick_stat_node(st, kStRetrans, 0, FALSE);
        return TAP_PACKET_REDRAW;
    }
    const auto o = static_cast<Outcome>(info->outcome);
    if (o != Outcome::not_applicable) {
        tick_stat_node(st, kStOutcome, 0, TRUE);
        tick_stat_node(st, outcome_name(o), st_outcome, FALSE);
    }
    return TAP_PACKET_REDRAW;
}

}  // namespace

void register_protocol() {
    static hf_register_info hf[] = {
        {&hf_sipdiag_code,
         {"Status code", "sipdiag.code", FT_UINT16, BASE_DEC, nullptr, 0x0,
          "SIP response status code that was diagnosed", HFILL}},
        {&hf_sipdiag_reason,
         {"Standard reason phrase", "sipdiag.reason", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Reason phrase registered with IANA for this code (the server may send another text)",
          HFILL}},
        {&hf_sipdiag_class,
         {"Class", "sipdiag.class", FT_UINT8, BASE_DEC, VALS(kClassVals), 0x0,
          "Response class: 1 Provisional, 2 Successful, 3 Redirection, 4 Client Failure, "
          "5 Server Failure, 6 Global Failure",
          HFILL}},
        {&hf_sipdiag_meaning,
         {"Meaning", "sipdiag.meaning", FT_STRING, BASE_NONE, nullptr, 0x0,
          "What this response code means", HFILL}},
        {&hf_sipdiag_when,
         {"When you see it", "sipdiag.when", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Typical situations that produce this response", HFILL}},
        {&hf_sipdiag_fix,
         {"How to fix", "sipdiag.fix", FT_STRING, BASE_NONE, nullptr, 0x0,
          "What the client or the operator should do about this response", HFILL}},
        {&hf_sipdiag_rfc,
         {"Defined in", "sipdiag.rfc", FT_STRING, BASE_NONE, nullptr, 0x0,
          "RFC and section that define this response code", HFILL}},
        {&hf_sipdiag_note,
         {"Note", "sipdiag.note", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Remark on the code itself, e.g. that it is not in the IANA registry", HFILL}},
        {&hf_sipdiag_request_frame,
         {"Request in frame", "sipdiag.request_frame", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0,
          "First frame of the request this response answers (same Call-ID, CSeq and top Via "
          "branch); absent when the request is not in the capture",
          HFILL}},
        {&hf_sipdiag_request_method,
         {"Request method", "sipdiag.request_method", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Method of the request this response answers, from the CSeq header", HFILL}},
        {&hf_sipdiag_response_time,
         {"Response time", "sipdiag.response_time", FT_RELATIVE_TIME, BASE_NONE, nullptr, 0x0,
          "Time from the first copy of the request to this response", HFILL}},
        {&hf_sipdiag_retransmission,
         {"Retransmission", "sipdiag.retransmission", FT_BOOLEAN, BASE_NONE, nullptr, 0x0,
          "True when this message repeats an earlier one of the same transaction", HFILL}},
        {&hf_sipdiag_original_frame,
         {"Original in frame", "sipdiag.original_frame", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_RETRANS_PREV), 0x0, "First copy of this retransmitted message",
          HFILL}},
        {&hf_sipdiag_problem,
         {"Problem", "sipdiag.problem", FT_STRING, BASE_NONE, nullptr, 0x0,
          "A missing, malformed or out-of-bounds value found while diagnosing this message",
          HFILL}},
        {&hf_sipdiag_compare_code,
         {"Compared with code", "sipdiag.compare.code", FT_UINT16, BASE_DEC, nullptr, 0x0,
          "A response code that is often confused with this one", HFILL}},
        {&hf_sipdiag_compare_hint,
         {"Comparison hint", "sipdiag.compare.hint", FT_STRING, BASE_NONE, nullptr, 0x0,
          "How this code differs from the compared code and what to do instead", HFILL}},
        {&hf_sipdiag_redirect_contact,
         {"Contact", "sipdiag.redirect.contact", FT_STRING, BASE_NONE, nullptr, 0x0,
          "A Contact URI of the redirect, in header order (one item per contact, also when "
          "several share a header line)",
          HFILL}},
        {&hf_sipdiag_redirect_q,
         {"q", "sipdiag.redirect.q", FT_DOUBLE, BASE_NONE, nullptr, 0x0,
          "Preference of this contact (0 to 1; a missing q counts as 1)", HFILL}},
        {&hf_sipdiag_redirect_expires,
         {"expires", "sipdiag.redirect.expires", FT_UINT32, BASE_DEC, nullptr, 0x0,
          "Seconds this contact stays valid (expires parameter)", HFILL}},
        {&hf_sipdiag_redirect_target,
         {"Retried URI", "sipdiag.redirect.target", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Request-URI of the client's retry after the redirect", HFILL}},
        {&hf_sipdiag_redirect_highest_q,
         {"Chose the highest q", "sipdiag.redirect.highest_q", FT_BOOLEAN, BASE_NONE, nullptr, 0x0,
          "Whether the retried contact had the highest q of the redirect", HFILL}},
        {&hf_sipdiag_redirect_original_uri,
         {"Original URI", "sipdiag.redirect.original_uri", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Request-URI of the redirected request: the address to keep using for later requests",
          HFILL}},
        {&hf_sipdiag_redirect_later_frame,
         {"Later call in frame", "sipdiag.redirect.later_frame", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0,
          "First later INVITE of the same client (another call) to the original URI or a Contact",
          HFILL}},
        {&hf_sipdiag_redirect_original_kept,
         {"Later call kept the original URI", "sipdiag.redirect.original_kept", FT_BOOLEAN,
          BASE_NONE, nullptr, 0x0,
          "False when a later call went straight to the 302's temporary Contact, as if it were a "
          "301",
          HFILL}},
        {&hf_sipdiag_publish_entity,
         {"Entity", "sipdiag.publish.entity", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Request-URI of the PUBLISH: the resource whose event state is published", HFILL}},
        {&hf_sipdiag_publish_event,
         {"Event package", "sipdiag.publish.event", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Event package of the publication (Event header)", HFILL}},
        {&hf_sipdiag_publish_if_match,
         {"SIP-If-Match that failed", "sipdiag.publish.if_match", FT_STRING, BASE_NONE, nullptr,
          0x0, "Entity tag the PUBLISH asked to refresh or modify", HFILL}},
        {&hf_sipdiag_publish_last_etag,
         {"Last SIP-ETag issued", "sipdiag.publish.last_etag", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Last entity tag the server issued for this entity before the 412, if captured", HFILL}},
        {&hf_sipdiag_publish_last_etag_frame,
         {"Last SIP-ETag in frame", "sipdiag.publish.last_etag_frame", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0,
          "Frame of the 2xx that issued the last entity tag", HFILL}},
        {&hf_sipdiag_publish_new_etag,
         {"New SIP-ETag", "sipdiag.publish.new_etag", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Entity tag issued to the recovering PUBLISH", HFILL}},
        {&hf_sipdiag_timer_session_expires,
         {"Session-Expires asked for", "sipdiag.timer.session_expires", FT_UINT32, BASE_DEC,
          nullptr, 0x0, "Session interval in seconds the request asked for (Session-Expires or x)",
          HFILL}},
        {&hf_sipdiag_timer_min_se,
         {"Min-SE demanded", "sipdiag.timer.min_se", FT_UINT32, BASE_DEC, nullptr, 0x0,
          "Smallest session interval in seconds the server accepts (Min-SE of the 422)", HFILL}},
        {&hf_sipdiag_timer_retry_session_expires,
         {"Retry Session-Expires", "sipdiag.timer.retry_session_expires", FT_UINT32, BASE_DEC,
          nullptr, 0x0, "Session interval in seconds the client's retry asked for", HFILL}},
        {&hf_sipdiag_site_hint,
         {"Site hint", "sipdiag.site_hint", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Site-specific advice for this code, from the Site hints table in the preferences",
          HFILL}},
        {&hf_sipdiag_auth_scheme,
         {"Scheme", "sipdiag.auth.scheme", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Authentication scheme of the challenge (Digest)", HFILL}},
        {&hf_sipdiag_auth_realm,
         {"Realm", "sipdiag.auth.realm", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Protection realm the credentials must be computed for", HFILL}},
        {&hf_sipdiag_auth_algorithm,
         {"Algorithm", "sipdiag.auth.algorithm", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Digest algorithm the server asks for (MD5 when absent; RFC 8760 adds SHA-256)", HFILL}},
        {&hf_sipdiag_auth_qop,
         {"qop", "sipdiag.auth.qop", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Quality of protection options offered by the challenge", HFILL}},
        {&hf_sipdiag_auth_stale,
         {"Stale nonce", "sipdiag.auth.stale", FT_BOOLEAN, BASE_NONE, nullptr, 0x0,
          "True when the credentials were right but the nonce expired: retry with the new nonce",
          HFILL}},
        {&hf_sipdiag_auth_request_has_credentials,
         {"Challenged request carried credentials", "sipdiag.auth.request_has_credentials",
          FT_BOOLEAN, BASE_NONE, nullptr, 0x0,
          "Whether the request this challenge answers already had Authorization or "
          "Proxy-Authorization: if so (and the nonce is not stale) its credentials were refused",
          HFILL}},
        {&hf_sipdiag_auth_retry_has_credentials,
         {"Retry carried credentials", "sipdiag.auth.retry_has_credentials", FT_BOOLEAN, BASE_NONE,
          nullptr, 0x0,
          "Whether the client's next attempt answered the challenge with Authorization or "
          "Proxy-Authorization",
          HFILL}},
        {&hf_sipdiag_options_unsupported,
         {"Unsupported option tag", "sipdiag.options.unsupported", FT_STRING, BASE_NONE, nullptr,
          0x0, "Extension the request required that the server does not support (420)", HFILL}},
        {&hf_sipdiag_options_required,
         {"Required option tag", "sipdiag.options.required", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Extension the server requires the client to support (421)", HFILL}},
        {&hf_sipdiag_options_request_require,
         {"Request required", "sipdiag.options.request_require", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Option tags the request listed in Require/Proxy-Require", HFILL}},
        {&hf_sipdiag_media_accept,
         {"Accept", "sipdiag.media.accept", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Body types the server accepts (415)", HFILL}},
        {&hf_sipdiag_media_accept_encoding,
         {"Accept-Encoding", "sipdiag.media.accept_encoding", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Content encodings the server accepts (415)", HFILL}},
        {&hf_sipdiag_media_accept_language,
         {"Accept-Language", "sipdiag.media.accept_language", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Languages the server accepts (415)", HFILL}},
        {&hf_sipdiag_media_request_content_type,
         {"Request Content-Type", "sipdiag.media.request_content_type", FT_STRING, BASE_NONE,
          nullptr, 0x0, "Body type the rejected request carried", HFILL}},
        {&hf_sipdiag_warning_code,
         {"Warning code", "sipdiag.warning.code", FT_UINT16, BASE_DEC, nullptr, 0x0,
          "Warning header code (RFC 3261 20.43: 3xx media/session problems, e.g. 305 incompatible "
          "media format)",
          HFILL}},
        {&hf_sipdiag_warning_agent,
         {"Warning agent", "sipdiag.warning.agent", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Host that added the Warning", HFILL}},
        {&hf_sipdiag_warning_text,
         {"Warning text", "sipdiag.warning.text", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Free text of the Warning", HFILL}},
        {&hf_sipdiag_event_requested,
         {"Event requested", "sipdiag.event.requested", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Event package the SUBSCRIBE or PUBLISH asked for (489)", HFILL}},
        {&hf_sipdiag_event_allowed,
         {"Allow-Events", "sipdiag.event.allowed", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Event packages the server supports (489)", HFILL}},
        {&hf_sipdiag_retry_after,
         {"Retry after (s)", "sipdiag.retry_after", FT_UINT32, BASE_DEC, nullptr, 0x0,
          "Seconds the server asks the client to wait before retrying (Retry-After)", HFILL}},
        {&hf_sipdiag_interval_expires,
         {"Expires asked for", "sipdiag.interval.expires", FT_UINT32, BASE_DEC, nullptr, 0x0,
          "Registration or subscription interval the request asked for (423)", HFILL}},
        {&hf_sipdiag_interval_min_expires,
         {"Min-Expires demanded", "sipdiag.interval.min_expires", FT_UINT32, BASE_DEC, nullptr, 0x0,
          "Shortest interval the server accepts (Min-Expires of the 423)", HFILL}},
        {&hf_sipdiag_interval_retry_expires,
         {"Retry Expires", "sipdiag.interval.retry_expires", FT_UINT32, BASE_DEC, nullptr, 0x0,
          "Interval the client's retry after the 423 asked for", HFILL}},
        {&hf_sipdiag_security_mechanism,
         {"Security mechanism", "sipdiag.security.mechanism", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Mechanism offered in Security-Server (494, RFC 3329)", HFILL}},
        {&hf_sipdiag_glare_rule,
         {"Retry rule", "sipdiag.glare.rule", FT_STRING, BASE_NONE, nullptr, 0x0,
          "When to retry after 491 Request Pending (RFC 3261 14.1)", HFILL}},
        {&hf_sipdiag_followup_frame,
         {"Follow-up request in frame", "sipdiag.followup_frame", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0, "The client's next attempt after this response",
          HFILL}},
        {&hf_sipdiag_followup_ok,
         {"Follow-up applied the fix", "sipdiag.followup_ok", FT_BOOLEAN, BASE_NONE, nullptr, 0x0,
          "Whether the client's next attempt did what this response asks for", HFILL}},
        {&hf_sipdiag_followup_response_frame,
         {"Follow-up response in frame", "sipdiag.followup_response_frame", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0, "Final response to the client's next attempt",
          HFILL}},
        {&hf_sipdiag_followup_response_code,
         {"Follow-up response code", "sipdiag.followup_response_code", FT_UINT16, BASE_DEC, nullptr,
          0x0, "Status code of the final response to the client's next attempt", HFILL}},
        {&hf_sipdiag_outcome,
         {"Outcome", "sipdiag.outcome", FT_UINT8, BASE_DEC, VALS(kOutcomeVals), 0x0,
          "What the client did about this response, judged over the whole capture", HFILL}},
        {&hf_sipdiag_call_summary,
         {"Call summary", "sipdiag.call.summary", FT_STRING, BASE_NONE, nullptr, 0x0,
          "The 302/412/422 responses this Call-ID met, in order, with their outcomes", HFILL}},
        {&hf_sipdiag_retry_of,
         {"Reacts to response in frame", "sipdiag.retry_of", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0,
          "The 302/412/422 this request is the client's retry for", HFILL}},
        {&hf_sipdiag_retry_of_code,
         {"Reacts to status code", "sipdiag.retry_of_code", FT_UINT16, BASE_DEC, nullptr, 0x0,
          "Status code of the response this request retries after", HFILL}},
        {&hf_sipdiag_response_frame,
         {"Final response in frame", "sipdiag.response_frame", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0, "Final response to this request", HFILL}},
        {&hf_sipdiag_response_code,
         {"Final response code", "sipdiag.response_code", FT_UINT16, BASE_DEC, nullptr, 0x0,
          "Status code of the final response to this request", HFILL}},
    };
    static int *ett[] = {&ett_sipdiag,          &ett_sipdiag_compare, &ett_sipdiag_redirect,
                         &ett_sipdiag_contact,  &ett_sipdiag_publish, &ett_sipdiag_timer,
                         &ett_sipdiag_followup, &ett_sipdiag_topic,   &ett_sipdiag_text};
    static ei_register_info ei[] = {
        {&ei_sipdiag_redirect,
         {"sipdiag.redirect", PI_RESPONSE_CODE, PI_NOTE,
          "302 Moved Temporarily: retry at a Contact URI, keep the original URI for later requests",
          EXPFILL}},
        {&ei_sipdiag_conditional_failed,
         {"sipdiag.conditional_failed", PI_RESPONSE_CODE, PI_WARN,
          "412 Conditional Request Failed: the SIP-If-Match entity tag is not known to the server",
          EXPFILL}},
        {&ei_sipdiag_interval_too_small,
         {"sipdiag.interval_too_small", PI_RESPONSE_CODE, PI_WARN,
          "422 Session Interval Too Small: Session-Expires is below the server's Min-SE", EXPFILL}},
        {&ei_sipdiag_no_request,
         {"sipdiag.no_request", PI_SEQUENCE, PI_NOTE,
          "The request this response answers is not in the capture", EXPFILL}},
        {&ei_sipdiag_missing_header,
         {"sipdiag.missing_header", PI_PROTOCOL, PI_WARN,
          "A header the RFC requires for this response is missing", EXPFILL}},
        {&ei_sipdiag_bad_value,
         {"sipdiag.bad_value", PI_MALFORMED, PI_ERROR,
          "A header value sipdiag needs does not parse", EXPFILL}},
        {&ei_sipdiag_truncated,
         {"sipdiag.truncated", PI_PROTOCOL, PI_NOTE,
          "Value too long or list too large: only the first part is analysed", EXPFILL}},
        {&ei_sipdiag_redirect_not_followed,
         {"sipdiag.redirect_not_followed", PI_SEQUENCE, PI_WARN,
          "The client did not retry after the 302", EXPFILL}},
        {&ei_sipdiag_redirect_off_contact,
         {"sipdiag.redirect_off_contact", PI_SEQUENCE, PI_WARN,
          "The client retried at a URI that is not a Contact of the 302", EXPFILL}},
        {&ei_sipdiag_redirect_contact_stored,
         {"sipdiag.redirect_contact_stored", PI_SEQUENCE, PI_WARN,
          "A later call went to the 302's temporary Contact instead of the original URI", EXPFILL}},
        {&ei_sipdiag_etag_not_recovered,
         {"sipdiag.etag_not_recovered", PI_SEQUENCE, PI_WARN,
          "The publisher did not recover from the 412 with a fresh PUBLISH", EXPFILL}},
        {&ei_sipdiag_if_match_repeated,
         {"sipdiag.if_match_repeated", PI_SEQUENCE, PI_WARN,
          "The retry after the 412 sent a SIP-If-Match again instead of a fresh PUBLISH", EXPFILL}},
        {&ei_sipdiag_retry_still_too_small,
         {"sipdiag.retry_still_too_small", PI_SEQUENCE, PI_ERROR,
          "The retry after the 422 still asks for a session interval below Min-SE", EXPFILL}},
        {&ei_sipdiag_retry_missing_min_se,
         {"sipdiag.retry_missing_min_se", PI_SEQUENCE, PI_WARN,
          "The retry after the 422 has a large enough interval but no Min-SE header", EXPFILL}},
        {&ei_sipdiag_followup_ok,
         {"sipdiag.followup_applied", PI_SEQUENCE, PI_CHAT,
          "The client's next attempt applied the fix", EXPFILL}},
        {&ei_sipdiag_challenge,
         {"sipdiag.challenge", PI_RESPONSE_CODE, PI_NOTE,
          "Authentication challenge: resend the request with credentials", EXPFILL}},
        {&ei_sipdiag_challenge_answered,
         {"sipdiag.challenge_answered", PI_RESPONSE_CODE, PI_CHAT,
          "Authentication challenge answered by the client's next request", EXPFILL}},
        {&ei_sipdiag_credentials_rejected,
         {"sipdiag.credentials_rejected", PI_SEQUENCE, PI_WARN,
          "The request with credentials was challenged again: wrong password, realm or "
          "algorithm",
          EXPFILL}},
        {&ei_sipdiag_interval_too_brief,
         {"sipdiag.interval_too_brief", PI_RESPONSE_CODE, PI_WARN,
          "423 Interval Too Brief: Expires is below the server's Min-Expires", EXPFILL}},
        {&ei_sipdiag_bad_extension,
         {"sipdiag.bad_extension", PI_RESPONSE_CODE, PI_WARN,
          "420 Bad Extension: the server does not support an option tag the request required",
          EXPFILL}},
        {&ei_sipdiag_extension_required,
         {"sipdiag.extension_required", PI_RESPONSE_CODE, PI_WARN,
          "421 Extension Required: the server needs an extension the request did not offer",
          EXPFILL}},
        {&ei_sipdiag_unsupported_media,
         {"sipdiag.unsupported_media", PI_RESPONSE_CODE, PI_WARN,
          "415 Unsupported Media Type: the body type or encoding is not accepted", EXPFILL}},
        {&ei_sipdiag_not_acceptable,
         {"sipdiag.not_acceptable", PI_RESPONSE_CODE, PI_WARN,
          "Session description not acceptable: see the Warning codes", EXPFILL}},
        {&ei_sipdiag_bad_event,
         {"sipdiag.bad_event", PI_RESPONSE_CODE, PI_WARN,
          "489 Bad Event: the event package is not supported", EXPFILL}},
        {&ei_sipdiag_glare,
         {"sipdiag.glare", PI_RESPONSE_CODE, PI_NOTE,
          "491 Request Pending: both sides sent a re-INVITE or UPDATE at once", EXPFILL}},
        {&ei_sipdiag_security_agreement,
         {"sipdiag.security_agreement", PI_RESPONSE_CODE, PI_NOTE,
          "494 Security Agreement Required: pick a mechanism from Security-Server", EXPFILL}},
        {&ei_sipdiag_server_error,
         {"sipdiag.server_error", PI_RESPONSE_CODE, PI_ERROR,
          "500 Server Internal Error: the server failed on this request", EXPFILL}},
        {&ei_sipdiag_overload_no_retry_after,
         {"sipdiag.overload_no_retry_after", PI_RESPONSE_CODE, PI_WARN,
          "503 Service Unavailable without Retry-After: clients may retry at once elsewhere",
          EXPFILL}},
        {&ei_sipdiag_retry_after,
         {"sipdiag.retry_after_given", PI_RESPONSE_CODE, PI_NOTE,
          "The response says when to retry (Retry-After)", EXPFILL}},
        {&ei_sipdiag_failure_chat,
         {"sipdiag.failure.chat", PI_RESPONSE_CODE, PI_CHAT,
          "SIP response that is part of normal operation", EXPFILL}},
        {&ei_sipdiag_failure_note,
         {"sipdiag.failure.note", PI_RESPONSE_CODE, PI_NOTE,
          "SIP response worth knowing about (redirection or the callee's choice)", EXPFILL}},
        {&ei_sipdiag_failure_warn,
         {"sipdiag.failure.warn", PI_RESPONSE_CODE, PI_WARN,
          "SIP request failed: see the diagnosis for the cause and the fix", EXPFILL}},
        {&ei_sipdiag_failure_error,
         {"sipdiag.failure.error", PI_RESPONSE_CODE, PI_ERROR,
          "SIP server failure: see the diagnosis for the cause and the fix", EXPFILL}},
        {&ei_sipdiag_internal,
         {"sipdiag.internal_error", PI_UNDECODED, PI_WARN,
          "sipdiag could not analyse this frame (out of memory)", EXPFILL}},
    };

    proto_sipdiag = proto_register_protocol("SIP Response Diagnostics", "SIPDIAG", "sipdiag");
    proto_register_field_array(proto_sipdiag, hf, G_N_ELEMENTS(hf));
    proto_register_subtree_array(ett, G_N_ELEMENTS(ett));
    expert_module_t *em = expert_register_protocol(proto_sipdiag);
    expert_register_field_array(em, ei, G_N_ELEMENTS(ei));

    module_t *prefs = prefs_register_protocol(proto_sipdiag, nullptr);
    prefs_register_bool_preference(
        prefs, "compare_hints", "Show comparison hints",
        "Show how each diagnosed code differs from the codes it is often confused with",
        &pref_compare_hints);
    prefs_register_uint_preference(
        prefs, "followup_window", "Follow-up window (seconds)",
        "How long after a 302/412/422 a new attempt by the client still counts as its retry. "
        "Later attempts are new requests, not follow-ups.",
        10, &pref_followup_window);
    prefs_register_enum_preference(prefs, "language", "Language of the explanations",
                                   "Language of meanings, fixes, hints and tree labels. Field "
                                   "names and expert summaries stay English.",
                                   &pref_language, kLanguageVals, FALSE);

    static uat_field_t site_hint_fields[] = {
        UAT_FLD_DEC(site_hints, code, "Code", "SIP response code (100-699)"),
        UAT_FLD_CSTRING(site_hints, text, "Hint", "Advice shown with this code at your site"),
        UAT_END_FIELDS};
    uat_t *hints_uat =
        uat_new("SIP diagnostics site hints", sizeof(SiteHint), "sipdiag_site_hints", TRUE,
                &site_hints, &n_site_hints, UAT_AFFECTS_DISSECTION, nullptr, site_hint_copy,
                site_hint_update, site_hint_free, nullptr, nullptr, site_hint_fields);
    prefs_register_uat_preference(prefs, "site_hints", "Site hints",
                                  "Your own advice per response code, shown as sipdiag.site_hint "
                                  "next to the built-in explanation",
                                  hints_uat);

    register_init_routine(init_routine);
    register_cleanup_routine(cleanup_routine);
    sipdiag_tap = register_tap("sipdiag");
    flow::register_flow(proto_sipdiag);  // flow: -z flow,sipdiag and Statistics > Flow Graph
    stats_tree_register_plugin("sipdiag", "sipdiag", "SIP Response Diagnostics", 0, stats_packet,
                               stats_init, nullptr);
}

void register_handoff() {
    resolve_sip_fields();
    dissector_handle_t h = create_dissector_handle(dissect_sipdiag, proto_sipdiag);
    register_postdissector(h);
    set_postdissector_wanted_hfids(h, wanted_sip_fields());
}

}  // namespace sipdiag::epan
