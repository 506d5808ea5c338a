// SPDX-License-Identifier: GPL-2.0-or-later
// 422: Session-Expires asked for vs Min-SE demanded, and the retry's (core/rules/session_timer.h).
#include "wireshark/fields.h"
#include "wireshark/labels.h"
#include "wireshark/prefs.h"
#include "wireshark/render.h"

namespace sipdiag::ws {

void render_timer(const RenderCtx &c) {
    const TimerDetail *t = c.corr.detail<SessionTimerRule>(c.d);
    if (t == nullptr) return;
    proto_tree *sub = proto_tree_add_subtree(c.tree, c.tvb, 0, 0, ett_sipdiag_timer, nullptr,
                                             label(kb::Label::session_timer));
    if (t->session_expires) {
        proto_item *it =
            add_gen_uint(sub, hf_sipdiag_timer_session_expires, c.tvb, *t->session_expires);
        if (t->min_se && *t->session_expires < *t->min_se) {
            const Num by(*t->min_se - *t->session_expires);
            const char *args[] = {by.s};
            proto_item_append_text(it, " %s", fmt(c.pinfo, kb::Label::below_min_se, args));
        }
    }
    if (t->min_se) add_gen_uint(sub, hf_sipdiag_timer_min_se, c.tvb, *t->min_se);
}

void render_timer_followup(const RenderCtx &c, proto_tree *sub) {
    const TimerDetail *t = c.corr.detail<SessionTimerRule>(c.d);
    if (t != nullptr && t->retry_session_expires) {
        add_gen_uint(sub, hf_sipdiag_timer_retry_session_expires, c.tvb, *t->retry_session_expires);
    }
}

}  // namespace sipdiag::ws
