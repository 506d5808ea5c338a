// SPDX-License-Identifier: GPL-2.0-or-later
// 412: the entity, the stale SIP-If-Match and the entity tags (core/rules/conditional_publish.h).
#include "wireshark/fields.h"
#include "wireshark/labels.h"
#include "wireshark/prefs.h"
#include "wireshark/render.h"

namespace sipdiag::ws {

void render_publish(const RenderCtx &c) {
    const PublishDetail *pd = c.corr.detail<ConditionalPublishRule>(c.d);
    if (pd == nullptr) return;
    proto_tree *sub = proto_tree_add_subtree(c.tree, c.tvb, 0, 0, ett_sipdiag_publish, nullptr,
                                             label(kb::Label::publication));
    if (!pd->entity().empty()) {
        add_gen_string(sub, hf_sipdiag_publish_entity, c.tvb,
                       pd->text.c_str(PublishDetail::kEntity));
    }
    if (!pd->event().empty()) {
        add_gen_string(sub, hf_sipdiag_publish_event, c.tvb, pd->text.c_str(PublishDetail::kEvent));
    }
    if (!pd->if_match().empty()) {
        add_gen_string(sub, hf_sipdiag_publish_if_match, c.tvb,
                       pd->text.c_str(PublishDetail::kIfMatch));
    }
    if (!pd->last_etag().empty()) {
        proto_item *it = add_gen_string(sub, hf_sipdiag_publish_last_etag, c.tvb,
                                        pd->text.c_str(PublishDetail::kLastEtag));
        if (!pd->if_match().empty() && pd->if_match() != pd->last_etag()) {
            proto_item_append_text(it, " %s", label(kb::Label::different_tag));
        }
        add_gen_uint(sub, hf_sipdiag_publish_last_etag_frame, c.tvb, pd->last_etag_frame);
    }
}

void render_publish_followup(const RenderCtx &c, proto_tree *sub) {
    const PublishDetail *pd = c.corr.detail<ConditionalPublishRule>(c.d);
    if (pd != nullptr && !pd->new_etag().empty()) {
        add_gen_string(sub, hf_sipdiag_publish_new_etag, c.tvb,
                       pd->text.c_str(PublishDetail::kNewEtag));
    }
}

}  // namespace sipdiag::ws
