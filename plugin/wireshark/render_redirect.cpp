// SPDX-License-Identifier: GPL-2.0-or-later
// 302: the Contact targets, the retry's target and the later-call check (core/rules/redirect.h).
#include "wireshark/fields.h"
#include "wireshark/labels.h"
#include "wireshark/prefs.h"
#include "wireshark/render.h"

namespace sipdiag::ws {

void render_redirect(const RenderCtx &c) {
    const RedirectDetail *rd = c.corr.detail<RedirectRule>(c.d);
    if (rd == nullptr) return;
    const Num total(static_cast<unsigned>(rd->contacts.total));
    const char *args[] = {total.s};
    proto_tree *sub = proto_tree_add_subtree(c.tree, c.tvb, 0, 0, ett_sipdiag_redirect, nullptr,
                                             fmt(c.pinfo, kb::Label::redirect, args));
    for (const RedirectContact &e : rd->contacts) {
        proto_item *ci = add_gen_string(sub, hf_sipdiag_redirect_contact, c.tvb, e.uri_c_str());
        if (e.q_milli) proto_item_append_text(ci, " (q=%.3g)", *e.q_milli / 1000.0);
        if (e.expires) proto_item_append_text(ci, " (expires=%u)", *e.expires);
        if (!e.q_milli && !e.expires) continue;
        proto_tree *ct = proto_item_add_subtree(ci, ett_sipdiag_contact);
        if (e.q_milli) {
            add_double_item(ct, hf_sipdiag_redirect_q, c.tvb, *e.q_milli / 1000.0);
        }
        if (e.expires) add_gen_uint(ct, hf_sipdiag_redirect_expires, c.tvb, *e.expires);
    }
    // After a 302 the original Request-URI stays the address for later requests (RFC 3261
    // 21.3.3).
    if (rd->original_uri().empty()) return;
    add_gen_string(c.tree, hf_sipdiag_redirect_original_uri, c.tvb,
                   rd->text.c_str(RedirectDetail::kOriginalUri));
    if (rd->later_request_frame == 0) return;
    add_gen_uint(c.tree, hf_sipdiag_redirect_later_frame, c.tvb, rd->later_request_frame);
    proto_item *it =
        add_gen_bool(c.tree, hf_sipdiag_redirect_original_kept, c.tvb, rd->later_kept_original);
    if (expert_field *ei = expert_for(later_call_expert(*rd))) expert_add_info(c.pinfo, it, ei);
}

void render_redirect_followup(const RenderCtx &c, proto_tree *sub) {
    const RedirectDetail *rd = c.corr.detail<RedirectRule>(c.d);
    if (rd == nullptr) return;
    add_gen_string(sub, hf_sipdiag_redirect_target, c.tvb, rd->text.c_str(RedirectDetail::kTarget));
    if (rd->highest_q) add_gen_bool(sub, hf_sipdiag_redirect_highest_q, c.tvb, *rd->highest_q);
}

}  // namespace sipdiag::ws
