// SPDX-License-Identifier: GPL-2.0-or-later
// Rendering of the stored results into the protocol tree, on every pass. Nothing here decides:
// the core's records, diagnoses, verdicts and expert kinds are shown as they are.
//
// Wireshark throws with longjmp: nothing in the render code keeps a C++ object with a destructor
// (a std::string temporary included) alive across a proto_tree_add_* or expert call. Strings
// shown come from the correlator's storage (c_str() of a stored string) or are formatted into
// pinfo->pool.
#pragma once

#include "wireshark/ws_compat.h"

#include "core/correlator.h"
#include "kb/kb.h"

#include <string>

namespace sipdiag::ws {

struct RenderCtx {
    proto_tree *tree;  // the sipdiag subtree of the message
    packet_info *pinfo;
    tvbuff_t *tvb;
    const Correlator &corr;
    const Record &r;
    const Diagnosis &d;
    Verdict verdict;
};

// What each rule family shows, in plugin/wireshark/render_<family>.cpp.
struct RuleRenderer {
    void (*detail)(const RenderCtx &);                         // the rule's own subtree
    void (*followup)(const RenderCtx &, proto_tree *subtree);  // its items in the follow-up subtree
};
const RuleRenderer *renderer_for(RuleId rule);

// One per family (declared here so that the table in render.cpp sees them).
void render_redirect(const RenderCtx &c);
void render_redirect_followup(const RenderCtx &c, proto_tree *sub);
void render_publish(const RenderCtx &c);
void render_publish_followup(const RenderCtx &c, proto_tree *sub);
void render_timer(const RenderCtx &c);
void render_timer_followup(const RenderCtx &c, proto_tree *sub);
void render_challenge(const RenderCtx &c);
void render_interval(const RenderCtx &c);
void render_evidence(const RenderCtx &c);

// Small helpers: a generated item, and the Retry-After the challenge, interval and evidence
// families show.
proto_item *add_gen_string(proto_tree *t, int hf, tvbuff_t *tvb, const std::string &v);
proto_item *add_gen_string(proto_tree *t, int hf, tvbuff_t *tvb, const char *v);
proto_item *add_gen_uint(proto_tree *t, int hf, tvbuff_t *tvb, guint32 v);
proto_item *add_gen_bool(proto_tree *t, int hf, tvbuff_t *tvb, bool v);
void render_retry_after(const RenderCtx &c);

// Explanations (explain.cpp): meaning, when, fix, RFC, comparisons, site hints; the comparison
// hints for the codes met in the same call.
void render_explanation(proto_tree *tree, tvbuff_t *tvb, unsigned code);
void render_call_hints(const RenderCtx &c, const std::vector<CallEntry> &entries);
// A text item in the user's language; long texts also get wrapped lines under it.
proto_item *add_text(proto_tree *tree, int hf, tvbuff_t *tvb, const char *text);

// The whole message (render.cpp). With `item_only` (hook::item_only(): all that can be seen of
// sipdiag in this dissection is whether its protocol item is there), the protocol item alone:
// the same messages get it, nothing is added under it and no expert info is added.
struct MessagePos;
void render_response(proto_tree *tree, packet_info *pinfo, tvbuff_t *tvb, const MessagePos &pos,
                     const Correlator &corr, const Record &r, bool item_only = false);
void render_request(proto_tree *tree, packet_info *pinfo, tvbuff_t *tvb, const MessagePos &pos,
                    const Correlator &corr, const Record &r, bool item_only = false);

}  // namespace sipdiag::ws
