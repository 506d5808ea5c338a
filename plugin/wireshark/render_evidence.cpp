// SPDX-License-Identifier: GPL-2.0-or-later
// The header evidence of the other failure responses (core/rules/evidence.h): one subtree per
// code family, then Retry-After.
#include "wireshark/fields.h"
#include "wireshark/labels.h"
#include "wireshark/prefs.h"
#include "wireshark/render.h"

namespace sipdiag::ws {

void render_evidence(const RenderCtx &c) {
    const EvidenceDetail *e = c.corr.detail<EvidenceRule>(c.d);
    if (e == nullptr) return;
    tvbuff_t *tvb = c.tvb;
    auto subtree = [&](kb::Label title) {
        return proto_tree_add_subtree(c.tree, tvb, 0, 0, ett_sipdiag_topic, nullptr, label(title));
    };
    switch (c.r.code) {
        case 420:
        case 421: {
            proto_tree *sub = subtree(kb::Label::option_tags);
            for (const std::string &o : e->unsupported) {
                add_gen_string(sub, hf_sipdiag_options_unsupported, tvb, o);
            }
            for (const std::string &o : e->required) {
                add_gen_string(sub, hf_sipdiag_options_required, tvb, o);
            }
            for (const std::string &o : e->request_require) {
                add_gen_string(sub, hf_sipdiag_options_request_require, tvb, o);
            }
            break;
        }
        case 415: {
            proto_tree *sub = subtree(kb::Label::accepted_content);
            if (!e->accept.empty()) add_gen_string(sub, hf_sipdiag_media_accept, tvb, e->accept);
            if (!e->accept_encoding.empty()) {
                add_gen_string(sub, hf_sipdiag_media_accept_encoding, tvb, e->accept_encoding);
            }
            if (!e->accept_language.empty()) {
                add_gen_string(sub, hf_sipdiag_media_accept_language, tvb, e->accept_language);
            }
            if (!e->request_content_type.empty()) {
                add_gen_string(sub, hf_sipdiag_media_request_content_type, tvb,
                               e->request_content_type);
            }
            break;
        }
        case 488:
        case 606: {
            proto_tree *sub = subtree(kb::Label::warnings);
            for (const WarningValue &w : e->warnings) {
                proto_item *wi = add_gen_uint(sub, hf_sipdiag_warning_code, tvb, w.code);
                proto_tree *wt = proto_item_add_subtree(wi, ett_sipdiag_topic);
                if (!w.agent.empty()) add_gen_string(wt, hf_sipdiag_warning_agent, tvb, w.agent);
                if (!w.text.empty()) add_gen_string(wt, hf_sipdiag_warning_text, tvb, w.text);
            }
            break;
        }
        case 489: {
            proto_tree *sub = subtree(kb::Label::event_package);
            if (!e->event.empty()) add_gen_string(sub, hf_sipdiag_event_requested, tvb, e->event);
            if (!e->allow_events.empty()) {
                add_gen_string(sub, hf_sipdiag_event_allowed, tvb, e->allow_events);
            }
            break;
        }
        case 491:
            add_gen_string(subtree(kb::Label::glare), hf_sipdiag_glare_rule, tvb,
                           label(kb::Label::glare_rule));
            break;
        case 494: {
            proto_tree *sub = subtree(kb::Label::security_agreement);
            for (const std::string &m : e->security_mechanisms) {
                add_gen_string(sub, hf_sipdiag_security_mechanism, tvb, m);
            }
            break;
        }
        default:
            break;
    }
    render_retry_after(c);
}

}  // namespace sipdiag::ws
