// SPDX-License-Identifier: GPL-2.0-or-later
// 423: Expires asked for vs Min-Expires demanded, and the retry's (core/rules/interval.h).
#include "wireshark/fields.h"
#include "wireshark/labels.h"
#include "wireshark/prefs.h"
#include "wireshark/render.h"

namespace sipdiag::ws {

void render_interval(const RenderCtx &c) {
    const IntervalDetail *i = c.corr.detail<IntervalRule>(c.d);
    if (i == nullptr) return;
    proto_tree *sub = proto_tree_add_subtree(c.tree, c.tvb, 0, 0, ett_sipdiag_topic, nullptr,
                                             label(kb::Label::registration_interval));
    if (i->expires) {
        proto_item *it = add_gen_uint(sub, hf_sipdiag_interval_expires, c.tvb, *i->expires);
        if (i->min_expires && *i->expires < *i->min_expires) {
            const Num by(*i->min_expires - *i->expires);
            const char *args[] = {by.s};
            proto_item_append_text(it, " %s", fmt(c.pinfo, kb::Label::below_min_expires, args));
        }
    }
    if (i->min_expires) add_gen_uint(sub, hf_sipdiag_interval_min_expires, c.tvb, *i->min_expires);
    if (i->retry_expires) {
        add_gen_uint(sub, hf_sipdiag_interval_retry_expires, c.tvb, *i->retry_expires);
    }
    render_retry_after(c);
}

}  // namespace sipdiag::ws
